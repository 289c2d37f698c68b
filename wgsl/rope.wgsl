// Rotary position embedding, in place, for every (token, head, rotated pair).
//
// Bindings:
//   params  uniform  tokens, heads, head_dim, half (rotated pairs per head), pos0 (position of
//                    token 0), neox (1: pairs (i, i + half); 0: adjacent (2i, 2i + 1)), mscale
//   turns   read     [2 * half] u32: pair i's frequency in turns per position, modulo one
//                    turn, as a 64-bit fixed-point fraction (turns[2i] the high word,
//                    turns[2i + 1] the low word; value / 2^64 turns), built on the CPU in f64
//                    (plain, linear-scaled or YaRN-blended), so the GPU never calls pow
//   x       rw       [tokens, heads, head_dim] f32
//   position uniform the call's position, added to pos0 (kernels/position.rs)
// Values past 2 * half in each head (partial rotary) are not touched. Qwen3.5's M-RoPE on
// text positions is the NeoX case (all three position streams equal).
// Dispatch: ceil(tokens * heads * half / WG_SIZE) workgroups, folded into x/y.

struct RopeParams {
    tokens: u32,
    heads: u32,
    head_dim: u32,
    half: u32,
    pos0: u32,
    neox: u32,
    mscale: f32,
    _pad: u32,
}

override WG_SIZE: u32 = 256u;

@group(0) @binding(0) var<uniform> params: RopeParams;
@group(0) @binding(1) var<storage, read> turns: array<u32>;
@group(0) @binding(2) var<storage, read_write> x: array<f32>;

struct Position {
    pos: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(3) var<uniform> position: Position;

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

@compute @workgroup_size(WG_SIZE)
fn rope_f32(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = gid.x + gid.y * groups.x * WG_SIZE;
    if idx >= params.tokens * params.heads * params.half {
        return;
    }
    let i = idx % max(params.half, 1u);
    let token_head = idx / max(params.half, 1u);
    let token = token_head / max(params.heads, 1u);
    let base = token_head * params.head_dim;
    var a = 2u * i;
    var b = 2u * i + 1u;
    if params.neox != 0u {
        a = i;
        b = i + params.half;
    }
    let theta = angle(params.pos0 + position.pos + token, i);
    let c = cos(theta);
    let s = sin(theta);
    let x0 = x[base + a];
    let x1 = x[base + b];
    x[base + a] = (x0 * c - x1 * s) * params.mscale;
    x[base + b] = (x0 * s + x1 * c) * params.mscale;
}
