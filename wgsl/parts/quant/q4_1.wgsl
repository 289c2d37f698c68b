// Q4_1: f16 scale d and min m, 16 bytes of nibbles (layout as Q4_0); value = d * q + m.
const BLOCK_LEN: u32 = 32u;
const BLOCK_BYTES: u32 = 20u;
const BLOCK_PARTS: u32 = 2u;
// x values per part; the part's k-th value is element part_x(part, k) of the block.
const PART_LEN: u32 = 16u;

// Part p: bytes 8p..8p + 8 of the nibbles; values k < 8 are their low nibbles (elements
// 8p + k), k >= 8 their high nibbles (elements 16 + 8p + k - 8).
fn part_x(part: u32, k: u32) -> u32 {
    return 8u * part + k + select(0u, 8u, k >= 8u);
}

// sum (d q + m) x = d sum q x + m sum x.
fn block_part_dot(base: u32, xv: ptr<function, PartValues>, part: u32) -> f32 {
    var dot = 0.0;
    var sum = 0.0;
    for (var w = 0u; w < 2u; w++) {
        let word = load_u32(base + 4u + 8u * part + 4u * w);
        for (var k = 0u; k < 4u; k++) {
            let q = (word >> (8u * k)) & 0xffu;
            let j = 4u * w + k;
            dot += f32(q & 0xfu) * (*xv)[j] + f32(q >> 4u) * (*xv)[j + 8u];
            sum += (*xv)[j] + (*xv)[j + 8u];
        }
    }
    return load_f16(base) * dot + load_f16(base + 2u) * sum;
}

fn block_value(base: u32, i: u32) -> f32 {
    let q = load_byte(base + 4u + i % 16u);
    let nibble = select(q & 0xfu, q >> 4u, i >= 16u);
    return load_f16(base) * f32(nibble) + load_f16(base + 2u);
}
