// IQ4_XS: super-block of 256 = 8 sub-blocks of 32. f16 d, u16 scales_h, 4 bytes scales_l,
// 128 bytes of nibbles indexing the non-linear table below. Sub-block b's 6-bit scale is
// its nibble of scales_l plus two bits of scales_h, minus 32; within it, byte j's low nibble
// is element j and its high nibble element j + 16. value = d * (ls - 32) * table[q]. On the
// device the blocks are split (kernels/repack.rs): the 128 bytes of nibbles per block, and
// block k's 8-byte head (d, scales_h, scales_l) at params.head_offset + 8k. Decode-time
// products read it through parts/wide/iq4_xs.wgsl; this part serves matmul and gather.
const BLOCK_LEN: u32 = 256u;
const BLOCK_BYTES: u32 = 128u;
// Bytes of a block's slot among the heads kept apart from the bodies.
const HEAD_STRIDE: u32 = 8u;

// The table {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113} as
// signed bytes packed four to a word, picked without branches. (A module-scope array or
// vector constant beside the reduction's override-sized array trips naga 30's override
// processing: "depends on a type which has not been processed yet"; the registry test
// reproduces it.)
fn iq4_value(q: u32) -> f32 {
    let low = select(0xbfad9881u, 0xf6eaddcfu, q >= 4u);
    let high = select(0x26190d01u, 0x71594535u, q >= 12u);
    let word = select(low, high, q >= 8u);
    let byte = (word >> ((q & 3u) * 8u)) & 0xffu;
    return f32((i32(byte) << 24u) >> 24u);
}

fn block_value(base: u32, i: u32) -> f32 {
    let b = i / 32u;
    let j = i % 32u;
    let q = load_byte(base + 16u * b + j % 16u);
    let nibble = select(q & 0xfu, q >> 4u, j >= 16u);
    let head = params.head_offset + base / BLOCK_BYTES * HEAD_STRIDE;
    let low = (load_byte(head + 4u + b / 2u) >> (4u * (b % 2u))) & 0xfu;
    let ls = i32(low | (((load_u16(head + 2u) >> (2u * b)) & 3u) << 4u)) - 32;
    return load_f16(head) * f32(ls) * iq4_value(nibble);
}
