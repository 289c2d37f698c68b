// RoPE's angle and rotation, shared by rope.wgsl and the fused attention input
// (attention_input.wgsl), so both compute the same values bit for bit. Needs the including
// kernel's `turns` binding: [2 * half] u32, pair i's frequency in turns per position modulo
// one turn as a 64-bit fixed-point fraction (turns[2i] the high word, turns[2i + 1] the low).

// The high 32 bits of the 64-bit product a * b (WGSL has no mulhi), from 16-bit halves. The
// middle column sums three values below 2^16, so nothing overflows.
fn mul_hi(a: u32, b: u32) -> u32 {
    let a0 = a & 0xffffu;
    let a1 = a >> 16u;
    let b0 = b & 0xffffu;
    let b1 = b >> 16u;
    let low = a0 * b0;
    let cross0 = a1 * b0;
    let cross1 = a0 * b1;
    let middle = (low >> 16u) + (cross0 & 0xffffu) + (cross1 & 0xffffu);
    return a1 * b1 + (cross0 >> 16u) + (cross1 >> 16u) + (middle >> 16u);
}

// Pair i's angle at `pos`, range-reduced exactly: pos * turns mod 1 is the high word of the
// wrapping 96-bit product's middle (pos * high + mulhi(pos, low), mod 2^32; the low word's
// carry is dropped, < 2^-32 turns), read as a signed fraction of a turn in [-1/2, 1/2], times
// 2 pi. So |angle| <= pi (f32's pi), where Vulkan bounds sin and cos, at every u32 position.
fn angle(pos: u32, i: u32) -> f32 {
    let top = pos * turns[2u * i] + mul_hi(pos, turns[2u * i + 1u]);
    let fraction = f32(bitcast<i32>(top)) * 2.3283064e-10; // 2^-32
    return fraction * 6.2831855;
}

// The pair (x0, x1) rotated by theta, times mscale.
fn rotate_pair(x0: f32, x1: f32, theta: f32, mscale: f32) -> vec2<f32> {
    let c = cos(theta);
    let s = sin(theta);
    return vec2<f32>((x0 * c - x1 * s) * mscale, (x0 * s + x1 * c) * mscale);
}
