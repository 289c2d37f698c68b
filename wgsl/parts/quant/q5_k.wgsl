// Q5_K: super-block of 256. f16 d and dmin, 12 bytes of packed 6-bit scales/mins (as Q4_K),
// qh[32] fifth bits, qs[128] nibbles. For each 64 values j: byte l of qs gives the low nibble
// of element 64j + l and the high nibble of 64j + 32 + l; their fifth bits are bits 2j and
// 2j + 1 of qh[l]. value = d * scale_s * q - dmin * min_s. Scales as Q4_K
// (k4_scale_min in parts/bytes.wgsl).
const BLOCK_LEN: u32 = 256u;
const BLOCK_BYTES: u32 = 176u;

fn block_dot(base: u32, xo: u32) -> f32 {
    let d = load_f16(base);
    let dmin = load_f16(base + 2u);
    var acc = 0.0;
    for (var j = 0u; j < 4u; j++) {
        let lo = k4_scale_min(base + 4u, 2u * j);
        let hi = k4_scale_min(base + 4u, 2u * j + 1u);
        var dot_lo = 0.0;
        var dot_hi = 0.0;
        var sum_lo = 0.0;
        var sum_hi = 0.0;
        for (var l = 0u; l < 32u; l++) {
            let q = load_byte(base + 48u + 32u * j + l);
            let h = load_byte(base + 16u + l);
            let q_lo = (q & 0xfu) | (((h >> (2u * j)) & 1u) << 4u);
            let q_hi = (q >> 4u) | (((h >> (2u * j + 1u)) & 1u) << 4u);
            let x_lo = x[xo + 64u * j + l];
            let x_hi = x[xo + 64u * j + 32u + l];
            dot_lo += f32(q_lo) * x_lo;
            dot_hi += f32(q_hi) * x_hi;
            sum_lo += x_lo;
            sum_hi += x_hi;
        }
        acc += d * (lo.x * dot_lo + hi.x * dot_hi) - dmin * (lo.y * sum_lo + hi.y * sum_hi);
    }
    return acc;
}

fn block_value(base: u32, i: u32) -> f32 {
    let sub = i / 32u;
    let l = i % 32u;
    let q = load_byte(base + 48u + 32u * (i / 64u) + l);
    let fifth = (load_byte(base + 16u + l) >> sub) & 1u;
    let nibble = select(q & 0xfu, q >> 4u, (sub & 1u) == 1u) | (fifth << 4u);
    let sm = k4_scale_min(base + 4u, sub);
    return load_f16(base) * sm.x * f32(nibble) - load_f16(base + 2u) * sm.y;
}
