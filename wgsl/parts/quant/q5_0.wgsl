// Q5_0: f16 scale d, 32 high bits qh (u32), 16 bytes of low nibbles; element j takes bit j
// of qh as its fifth bit, element j + 16 bit j + 16; value = d * (q - 16). On the device the
// blocks are split (kernels/repack.rs): the nibbles per block, and block k's d and qh in an
// 8-byte slot at params.head_offset + 8k. Decode-time products read it through
// parts/wide/q5_0.wgsl; this part serves matmul and gather.
const BLOCK_LEN: u32 = 32u;
const BLOCK_BYTES: u32 = 16u;
// Bytes of a block's slot among the heads kept apart from the bodies (d, qh, 2 bytes unused).
const HEAD_STRIDE: u32 = 8u;

fn block_value(base: u32, i: u32) -> f32 {
    let q = load_byte(base + i % 16u);
    let head = params.head_offset + base / BLOCK_BYTES * HEAD_STRIDE;
    // Element i's fifth bit is bit i of qh (j for the low nibbles, j + 16 for the high).
    let nibble = select(q & 0xfu, q >> 4u, i >= 16u) | (((load_u32(head + 2u) >> i) & 1u) << 4u);
    return load_f16(head) * f32(i32(nibble) - 16);
}
