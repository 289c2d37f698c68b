// Q6_K: super-block of 256 = 16 sub-blocks of 16. ql[128] low nibbles, qh[64] high 2-bit
// pairs, 16 signed 8-bit scales, f16 d. For each half n (128 values) and l < 32, four values
// (l, l+32, l+64, l+96) combine ql/qh as below; value = d * scale * (q - 32).
const BLOCK_LEN: u32 = 256u;
const BLOCK_BYTES: u32 = 210u;

fn block_dot(base: u32, xo: u32) -> f32 {
    let d = load_f16(base + 208u);
    var acc = 0.0;
    for (var n = 0u; n < 2u; n++) {
        let ql = base + 64u * n;
        let qh = base + 128u + 32u * n;
        let sc = base + 192u + 8u * n;
        let y = xo + 128u * n;
        for (var l = 0u; l < 32u; l++) {
            let is = l / 16u;
            let a = load_byte(ql + l);
            let b = load_byte(ql + l + 32u);
            let h = load_byte(qh + l);
            let q1 = i32((a & 0xfu) | ((h & 3u) << 4u)) - 32;
            let q2 = i32((b & 0xfu) | (((h >> 2u) & 3u) << 4u)) - 32;
            let q3 = i32((a >> 4u) | (((h >> 4u) & 3u) << 4u)) - 32;
            let q4 = i32((b >> 4u) | (((h >> 6u) & 3u) << 4u)) - 32;
            acc += f32(load_i8(sc + is)) * f32(q1) * x[y + l]
                + f32(load_i8(sc + is + 2u)) * f32(q2) * x[y + l + 32u]
                + f32(load_i8(sc + is + 4u)) * f32(q3) * x[y + l + 64u]
                + f32(load_i8(sc + is + 6u)) * f32(q4) * x[y + l + 96u];
        }
    }
    return d * acc;
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
