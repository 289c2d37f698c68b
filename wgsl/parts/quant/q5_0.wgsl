// Q5_0: f16 scale d, 32 high bits qh (u32), 16 bytes of low nibbles; element j takes bit j
// of qh as its fifth bit, element j + 16 bit j + 16; value = d * (q - 16).
const BLOCK_LEN: u32 = 32u;
const BLOCK_BYTES: u32 = 22u;
const BLOCK_PARTS: u32 = 2u;
// x values per part; the part's k-th value is element part_x(part, k) of the block.
const PART_LEN: u32 = 16u;

// Part p: bytes 8p..8p + 8 of the nibbles; values k < 8 are their low nibbles (elements
// 8p + k), k >= 8 their high nibbles (elements 16 + 8p + k - 8).
fn part_x(part: u32, k: u32) -> u32 {
    return 8u * part + k + select(0u, 8u, k >= 8u);
}

fn block_part_dot(base: u32, xv: ptr<function, PartValues>, part: u32) -> f32 {
    let qh = load_u32(base + 2u);
    var acc = 0.0;
    for (var w = 0u; w < 2u; w++) {
        let word = load_u32(base + 6u + 8u * part + 4u * w);
        for (var k = 0u; k < 4u; k++) {
            let j = 4u * w + k;
            let e = 8u * part + j;
            let q = (word >> (8u * k)) & 0xffu;
            let lo = (q & 0xfu) | (((qh >> e) & 1u) << 4u);
            let hi = (q >> 4u) | (((qh >> (e + 16u)) & 1u) << 4u);
            acc += f32(i32(lo) - 16) * (*xv)[j] + f32(i32(hi) - 16) * (*xv)[j + 8u];
        }
    }
    return load_f16(base) * acc;
}

fn block_value(base: u32, i: u32) -> f32 {
    let q = load_byte(base + 6u + i % 16u);
    // Element i's fifth bit is bit i of qh (j for the low nibbles, j + 16 for the high).
    let nibble = select(q & 0xfu, q >> 4u, i >= 16u) | (((load_u32(base + 2u) >> i) & 1u) << 4u);
    return load_f16(base) * f32(i32(nibble) - 16);
}
