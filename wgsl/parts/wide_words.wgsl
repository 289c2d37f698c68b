// Reads from a `weights` binding declared as array<vec4<u32>> (little-endian bytes), for the
// wide matrix-vector kernels, beside the parts' own aligned 16-byte loads: single words, the
// f16 scales kept apart by the split layouts (kernels/repack.rs), bytes as vectors.

// The word at byte `at` (a multiple of 4).
fn word_at(at: u32) -> u32 {
    return weights[at >> 4u][(at >> 2u) & 3u];
}

// The IEEE half at byte `at` (a multiple of 2) as f32. unpack2x16float is exact for every
// half (subnormals are normal f32 values); it needs no f16 arithmetic, only wgpu's
// SHADER_F16_IN_F32 (`Needs::half_unpack`), which every Vulkan driver but llvmpipe without
// shader-f16 has.
fn half_at(at: u32) -> f32 {
    let word = word_at(at & ~3u);
    return unpack2x16float(word >> ((at & 2u) * 8u)).x;
}

// Small integers to f32 without a conversion instruction: a float whose exponent says 2^23
// holds an integer n < 2^23 exactly in its mantissa bits, so bitcast(EXACT_BITS | n) is
// 2^23 + n and subtracting 2^23 + offset leaves n - offset exactly (the operands are integers
// of the same binade). That is an OR and a subtraction, both full-rate float-unit work, where
// an integer-to-float conversion issues at a quarter of the rate on NVIDIA (16 per clock per
// SM): with one conversion per weight it, not memory, bounded the quantized kernels.
const EXACT_BITS: u32 = 0x4b000000u;
const EXACT_BIAS: f32 = 8388608.0;

// n - offset for n < 2^23 (offset an integer, |offset| < 2^23), as f32, exactly.
fn exact_f32(n: vec4<u32>, offset: f32) -> vec4<f32> {
    return bitcast<vec4<f32>>(n | vec4<u32>(EXACT_BITS)) - vec4<f32>(EXACT_BIAS + offset);
}

// The four bytes of `word` as signed values: b + 128 (the sign bit flipped) less 128.
fn bytes_i(word: u32) -> vec4<f32> {
    let biased = (vec4<u32>(word ^ 0x80808080u) >> vec4<u32>(0u, 8u, 16u, 24u)) & vec4<u32>(0xffu);
    return exact_f32(biased, 128.0);
}
