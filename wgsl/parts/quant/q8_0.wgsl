// Q8_0: f16 scale d, then 32 signed bytes; value = d * q.
// On the device the blocks are split (kernels/repack.rs): the 32 quants per block, and
// block k's d at params.head_offset + 2k.
const BLOCK_LEN: u32 = 32u;
const BLOCK_BYTES: u32 = 32u;
// Bytes of a block's slot among the heads kept apart from the bodies (its f16 d).
const HEAD_STRIDE: u32 = 2u;

fn block_value(base: u32, i: u32) -> f32 {
    return load_f16(params.head_offset + base / BLOCK_BYTES * HEAD_STRIDE) * f32(load_i8(base + i));
}
