// Q4_0: f16 scale d, 16 bytes of nibbles; low nibble of byte j is element j, high nibble
// element j + 16; value = d * (q - 8). On the device the blocks are split (kernels/repack.rs):
// the 16 bytes of nibbles per block, and block k's d at params.head_offset + 2k. Decode-time
// products read it through parts/wide/q4_0.wgsl; this part serves matmul and gather.
const BLOCK_LEN: u32 = 32u;
const BLOCK_BYTES: u32 = 16u;
// Bytes of a block's slot among the heads kept apart from the bodies (its f16 d).
const HEAD_STRIDE: u32 = 2u;

fn block_value(base: u32, i: u32) -> f32 {
    let q = load_byte(base + i % 16u);
    let nibble = select(q & 0xfu, q >> 4u, i >= 16u);
    return load_f16(params.head_offset + base / BLOCK_BYTES * HEAD_STRIDE) * f32(i32(nibble) - 8);
}
