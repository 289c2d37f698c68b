// Byte-addressed reads from the `weights` binding (array<u32>, little-endian), for quantized
// blocks whose sizes are not multiples of 4 bytes (Q8_0 is 34, Q6_K 210). Hot loops read
// whole (possibly unaligned) words with `load_u32` and take bytes out of them.

fn load_byte(at: u32) -> u32 {
    return (weights[at >> 2u] >> ((at & 3u) * 8u)) & 0xffu;
}

fn load_i8(at: u32) -> i32 {
    return (i32(load_byte(at)) << 24u) >> 24u;
}

fn load_u16(at: u32) -> u32 {
    let shift = (at & 3u) * 8u;
    if shift < 24u {
        return (weights[at >> 2u] >> shift) & 0xffffu;
    }
    return load_byte(at) | (load_byte(at + 1u) << 8u);
}

// IEEE half bits to f32, exactly (subnormals, infinities and NaN included). Written out
// because unpack2x16float needs a capability some adapters (lavapipe without f16) lack.
fn f16_to_f32(h: u32) -> f32 {
    let exponent = (h >> 10u) & 0x1fu;
    let mantissa = h & 0x3ffu;
    var magnitude: f32;
    if exponent == 0u {
        magnitude = f32(mantissa) * 5.9604644775390625e-8; // 2^-24
    } else if exponent == 31u {
        magnitude = bitcast<f32>(0x7f800000u | (mantissa << 13u));
    } else {
        magnitude = bitcast<f32>(((exponent + 112u) << 23u) | (mantissa << 13u));
    }
    return select(magnitude, -magnitude, (h & 0x8000u) != 0u);
}

fn load_f16(at: u32) -> f32 {
    return f16_to_f32(load_u16(at));
}

// The four bytes at `at`, any alignment, without a branch: two word reads combined (the
// second is ignored when aligned; WGSL takes shift amounts modulo 32). For blocks whose size
// is a multiple of 4 (rows then start aligned), `load_word` reads one.
fn load_u32(at: u32) -> u32 {
    let w = at >> 2u;
    let shift = (at & 3u) * 8u;
    let lo = weights[w];
    let hi = weights[w + 1u];
    return select((lo >> shift) | (hi << (32u - shift)), lo, shift == 0u);
}

// The word at `at`, which must be a multiple of 4.
fn load_word(at: u32) -> u32 {
    return weights[at >> 2u];
}

// Byte k (0..3) of `word`, signed.
fn i8_of(word: u32, k: u32) -> i32 {
    return i32(word << (24u - 8u * k)) >> 24u;
}

// K-quants (Q4_K, Q5_K) pack eight 6-bit (scale, min) pairs into 12 bytes; this unpacks
// sub-block s's pair from the bytes at `at`.
fn k4_scale_min(at: u32, s: u32) -> vec2<f32> {
    if s < 4u {
        return vec2<f32>(f32(load_byte(at + s) & 63u), f32(load_byte(at + s + 4u) & 63u));
    }
    let sc = (load_byte(at + s + 4u) & 0xfu) | ((load_byte(at + s - 4u) >> 6u) << 4u);
    let mn = (load_byte(at + s + 4u) >> 4u) | ((load_byte(at + s) >> 6u) << 4u);
    return vec2<f32>(f32(sc), f32(mn));
}

// The x values one block part multiplies (at most 32), loaded once and shared by the rows a
// matrix-vector workgroup computes.
alias PartValues = array<f32, 32>;
