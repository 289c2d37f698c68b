// Reads from a `weights` binding declared as array<vec4<u32>> (little-endian bytes), for the
// wide matrix-vector kernels: aligned 16-byte loads where a format's layout allows them, and
// words at any byte offset where its blocks are not 16-byte multiples (Q6_K is 210 bytes,
// Q8_0 34). The launcher pads the buffer to whole 16-byte units, so a word read that straddles
// the last real byte stays inside the binding.

// The word at byte `at` (a multiple of 4).
fn word_at(at: u32) -> u32 {
    return weights[at >> 4u][(at >> 2u) & 3u];
}

// The four bytes at `at`, any alignment: two word reads joined (the second is not used when
// `at` is aligned; WGSL takes shift amounts modulo 32, hence the select).
fn unaligned_u32(at: u32) -> u32 {
    let shift = (at & 3u) * 8u;
    let lo = word_at(at & ~3u);
    let hi = word_at((at & ~3u) + 4u);
    return select((lo >> shift) | (hi << (32u - shift)), lo, shift == 0u);
}

// The sixteen bytes at `at` (a multiple of 2), from five word reads.
fn unaligned_u32x4(at: u32) -> vec4<u32> {
    let w = at & ~3u;
    let shift = (at & 3u) * 8u;
    let a = vec4<u32>(word_at(w), word_at(w + 4u), word_at(w + 8u), word_at(w + 12u));
    let b = vec4<u32>(a.yzw, word_at(w + 16u));
    return select((a >> vec4<u32>(shift)) | (b << vec4<u32>(32u - shift)), a, shift == 0u);
}

// The IEEE half at byte `at` (a multiple of 2) as f32. unpack2x16float is exact for every
// half (subnormals are normal f32 values) and is core WGSL, so no f16 feature is needed.
fn half_at(at: u32) -> f32 {
    let word = word_at(at & ~3u);
    return unpack2x16float(word >> ((at & 2u) * 8u)).x;
}

// The four bytes of `word` as unsigned values.
fn bytes_u(word: u32) -> vec4<f32> {
    return vec4<f32>((vec4<u32>(word) >> vec4<u32>(0u, 8u, 16u, 24u)) & vec4<u32>(0xffu));
}

// The four bytes of `word` as signed values.
fn bytes_i(word: u32) -> vec4<f32> {
    return vec4<f32>(bitcast<vec4<i32>>(vec4<u32>(word) << vec4<u32>(24u, 16u, 8u, 0u)) >> vec4<u32>(24u));
}
