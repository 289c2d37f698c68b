// Q4_K: super-block of 256 = 8 sub-blocks of 32. f16 d and dmin, 12 bytes of packed 6-bit
// sub-block scales and mins, 128 bytes of nibbles: for each 64 values j, byte l's low nibble
// is element 64j + l, its high nibble element 64j + 32 + l.
// value = d * scale_s * q - dmin * min_s.
const BLOCK_LEN: u32 = 256u;
const BLOCK_BYTES: u32 = 144u;
const BLOCK_PARTS: u32 = 8u;
// x values per part; the part's k-th value is element part_x(part, k) of the block.
const PART_LEN: u32 = 32u;

// Part s: sub-block s (32 values), the low (s even) or high (s odd) nibbles of the 32 bytes
// at 16 + 32 (s / 2).
fn part_x(part: u32, k: u32) -> u32 {
    return 32u * part + k;
}

fn block_part_dot(base: u32, xv: ptr<function, PartValues>, s: u32) -> f32 {
    let sm = k4_scale_min(base + 4u, s);
    let qs = base + 16u + 32u * (s / 2u);
    let shift = 4u * (s & 1u);
    var dot = 0.0;
    var sum = 0.0;
    for (var w = 0u; w < 8u; w++) {
        let word = load_word(qs + 4u * w) >> shift;
        for (var k = 0u; k < 4u; k++) {
            let xk = (*xv)[4u * w + k];
            dot += f32((word >> (8u * k)) & 0xfu) * xk;
            sum += xk;
        }
    }
    return load_f16(base) * sm.x * dot - load_f16(base + 2u) * sm.y * sum;
}

fn block_value(base: u32, i: u32) -> f32 {
    let sub = i / 32u;
    let q = load_byte(base + 16u + 32u * (i / 64u) + i % 32u);
    let nibble = select(q & 0xfu, q >> 4u, (sub & 1u) == 1u);
    let sm = k4_scale_min(base + 4u, sub);
    return load_f16(base) * sm.x * f32(nibble) - load_f16(base + 2u) * sm.y;
}
