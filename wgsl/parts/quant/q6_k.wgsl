// Q6_K: super-block of 256 = 16 sub-blocks of 16. ql[128] low nibbles, qh[64] high 2-bit
// pairs, 16 signed 8-bit scales, f16 d. For each half n (128 values) and l < 32, four values
// (l, l+32, l+64, l+96) combine ql/qh as below; value = d * scale * (q - 32).
const BLOCK_LEN: u32 = 256u;
const BLOCK_BYTES: u32 = 210u;
const BLOCK_PARTS: u32 = 8u;
// x values per part; the part's k-th value is element part_x(part, k) of the block.
const PART_LEN: u32 = 32u;

// Part p = 4 n + quarter: values 128 n + 32 quarter + l (l < 32), two scales (l < 16, l >= 16).
fn part_x(part: u32, k: u32) -> u32 {
    return 32u * part + k;
}

fn block_part_dot(base: u32, xv: ptr<function, PartValues>, p: u32) -> f32 {
    let n = p / 4u;
    let quarter = p % 4u;
    let ql = base + 64u * n + 32u * (quarter & 1u);
    let qh = base + 128u + 32u * n;
    let nibble_shift = 4u * (quarter / 2u);
    let high_shift = 2u * quarter;
    let sc = base + 192u + 8u * n + 2u * quarter;
    var dot0 = 0.0;
    var dot1 = 0.0;
    for (var w = 0u; w < 8u; w++) {
        let lo = load_u32(ql + 4u * w) >> nibble_shift;
        let hi = load_u32(qh + 4u * w) >> high_shift;
        var acc = 0.0;
        for (var k = 0u; k < 4u; k++) {
            let q = i32(((lo >> (8u * k)) & 0xfu) | (((hi >> (8u * k)) & 3u) << 4u)) - 32;
            acc += f32(q) * (*xv)[4u * w + k];
        }
        if w < 4u {
            dot0 += acc;
        } else {
            dot1 += acc;
        }
    }
    return load_f16(base + 208u) * (f32(load_i8(sc)) * dot0 + f32(load_i8(sc + 1u)) * dot1);
}

fn block_value(base: u32, i: u32) -> f32 {
    let n = i / 128u;
    let r = i % 128u;
    let l = r % 32u;
    let quarter = r / 32u;
    let a = load_byte(base + 64u * n + l + 32u * (quarter & 1u));
    let nibble = select(a & 0xfu, a >> 4u, quarter >= 2u);
    let high = (load_byte(base + 128u + 32u * n + l) >> (2u * quarter)) & 3u;
    let scale = f32(load_i8(base + 192u + 8u * n + l / 16u + 2u * quarter));
    return load_f16(base + 208u) * scale * f32(i32(nibble | (high << 4u)) - 32);
}
