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

// The four bytes of `word` as signed values.
fn bytes_i(word: u32) -> vec4<f32> {
    return vec4<f32>(bitcast<vec4<i32>>(vec4<u32>(word) << vec4<u32>(24u, 16u, 8u, 0u)) >> vec4<u32>(24u));
}
