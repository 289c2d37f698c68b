// Q6_K: super-block of 256 = 16 sub-blocks of 16. ql[128] low nibbles, qh[64] high 2-bit
// pairs, 16 signed 8-bit scales, f16 d. For each half n (128 values) and l < 32, four values
// (l, l+32, l+64, l+96) combine ql/qh as below; value = d * scale * (q - 32).
// On the device the blocks are split (kernels/repack.rs): BLOCK_BYTES of body (ql, qh,
// scales) per block, and block k's d at params.head_offset + 2k.
const BLOCK_LEN: u32 = 256u;
const BLOCK_BYTES: u32 = 208u;
// Bytes of a block's slot among the heads kept apart from the bodies (its f16 d).
const HEAD_STRIDE: u32 = 2u;

fn block_value(base: u32, i: u32) -> f32 {
    let n = i / 128u;
    let r = i % 128u;
    let l = r % 32u;
    let quarter = r / 32u;
    let a = load_byte(base + 64u * n + l + 32u * (quarter & 1u));
    let nibble = select(a & 0xfu, a >> 4u, quarter >= 2u);
    let high = (load_byte(base + 128u + 32u * n + l) >> (2u * quarter)) & 3u;
    let scale = f32(load_i8(base + 192u + 8u * n + l / 16u + 2u * quarter));
    let d = load_f16(params.head_offset + base / BLOCK_BYTES * HEAD_STRIDE);
    return d * scale * f32(i32(nibble | (high << 4u)) - 32);
}
