// Q4_1: f16 scale d and min m, 16 bytes of nibbles (layout as Q4_0); value = d * q + m. On
// the device the blocks are split (kernels/repack.rs): the nibbles per block, and block k's d
// and m at params.head_offset + 4k. Decode-time products read it through
// parts/wide/q4_1.wgsl; this part serves matmul and gather.
const BLOCK_LEN: u32 = 32u;
const BLOCK_BYTES: u32 = 16u;
// Bytes of a block's slot among the heads kept apart from the bodies (its d and m).
const HEAD_STRIDE: u32 = 4u;

fn block_value(base: u32, i: u32) -> f32 {
    let q = load_byte(base + i % 16u);
    let nibble = select(q & 0xfu, q >> 4u, i >= 16u);
    let head = params.head_offset + base / BLOCK_BYTES * HEAD_STRIDE;
    return load_f16(head) * f32(nibble) + load_f16(head + 2u);
}
