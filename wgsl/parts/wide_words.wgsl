// Reads from a `weights` binding declared as array<vec4<u32>> (little-endian bytes), for the
// wide matrix-vector kernels, beside the parts' own aligned 16-byte loads: single words, the
// f16 scales kept apart by the split layouts (kernels/repack.rs), bytes as vectors, the
// K-quants' packed sub-block scales.

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

// Q4_K's and Q5_K's 6-bit sub-block scales and mins, packed in bytes 4..15 of a block's head
// unit: those of item i's two sub-blocks 2j and 2j + 1 (j = i / 2; .xy scales, .zw mins).
fn k_scale_mins(head: vec4<u32>, i: u32) -> vec4<f32> {
    // Scales and mins of sub-blocks 0..3 are the low 6 bits of bytes 4..7 / 8..11; those of
    // 4..7 take 4 bits from bytes 12..15 and their top 2 from the top bits of 4..7 / 8..11.
    let j = i / 2u;
    let low = j < 2u;
    let sc = select((head.w & 0x0f0f0f0fu) | ((head.y >> 2u) & 0x30303030u), head.y & 0x3f3f3f3fu, low);
    let mn = select(((head.w >> 4u) & 0x0f0f0f0fu) | ((head.z >> 2u) & 0x30303030u), head.z & 0x3f3f3f3fu, low);
    let s = 16u * (j & 1u);
    return vec4<f32>(
        f32((sc >> s) & 0xffu),
        f32((sc >> (s + 8u)) & 0xffu),
        f32((mn >> s) & 0xffu),
        f32((mn >> (s + 8u)) & 0xffu),
    );
}

// The 32-value block formats (Q4_0, Q4_1, Q5_0): one item per block, whose x is the block's
// 32 values in order, xv[k] = values 4k .. 4k + 4 (so a nibble unit's word k pairs with
// xv[k] for its low nibbles and xv[4 + k] for its high ones).
fn block32_x(block: u32) -> array<vec4<f32>, 8> {
    let first = block * 8u;
    var xv: array<vec4<f32>, 8>;
    for (var k = 0u; k < 8u; k++) {
        xv[k] = load_x(first + k);
    }
    return xv;
}

// The sum of a 32-value block's x (the offset or min terms need it), in .x.
fn block32_sum(xv: array<vec4<f32>, 8>) -> vec2<f32> {
    var s = vec4<f32>();
    for (var k = 0u; k < 8u; k++) {
        s += xv[k];
    }
    return vec2<f32>(dot(s, vec4<f32>(1.0)), 0.0);
}

// The nibbles of `word` as unsigned values: the low ones ([0], byte order) and the high ones.
fn nibble_values(word: u32) -> array<vec4<u32>, 2> {
    let bytes = vec4<u32>(word) >> vec4<u32>(0u, 8u, 16u, 24u);
    return array<vec4<u32>, 2>(bytes & vec4<u32>(0xfu), (bytes >> vec4<u32>(4u)) & vec4<u32>(0xfu));
}
