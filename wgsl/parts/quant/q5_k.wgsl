// Q5_K: super-block of 256. f16 d and dmin, 12 bytes of packed 6-bit scales/mins (as Q4_K),
// qh[32] fifth bits, qs[128] nibbles. For each 64 values j: byte l of qs gives the low nibble
// of element 64j + l and the high nibble of 64j + 32 + l; their fifth bits are bits 2j and
// 2j + 1 of qh[l]. value = d * scale_s * q - dmin * min_s. Scales as Q4_K
// (k4_scale_min in parts/bytes.wgsl).
const BLOCK_LEN: u32 = 256u;
const BLOCK_BYTES: u32 = 176u;
const BLOCK_PARTS: u32 = 8u;
// x values per part; the part's k-th value is element part_x(part, k) of the block.
const PART_LEN: u32 = 32u;

// Part s: sub-block s (32 values): nibbles as Q4_K, fifth bits = bit s of qh[l].
fn part_x(part: u32, k: u32) -> u32 {
    return 32u * part + k;
}

fn block_part_dot(base: u32, xv: ptr<function, PartValues>, s: u32) -> f32 {
    let sm = k4_scale_min(base + 4u, s);
    let qs = base + 48u + 32u * (s / 2u);
    let shift = 4u * (s & 1u);
    var dot = 0.0;
    var sum = 0.0;
    for (var w = 0u; w < 8u; w++) {
        let word = load_word(qs + 4u * w) >> shift;
        let high = load_word(base + 16u + 4u * w) >> s;
        for (var k = 0u; k < 4u; k++) {
            let q = ((word >> (8u * k)) & 0xfu) | (((high >> (8u * k)) & 1u) << 4u);
            let xk = (*xv)[4u * w + k];
            dot += f32(q) * xk;
            sum += xk;
        }
    }
    return load_f16(base) * sm.x * dot - load_f16(base + 2u) * sm.y * sum;
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
