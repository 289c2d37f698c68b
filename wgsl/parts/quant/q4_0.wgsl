// Q4_0: f16 scale d, 16 bytes of nibbles; low nibble of byte j is element j, high nibble
// element j + 16; value = d * (q - 8).
const BLOCK_LEN: u32 = 32u;
const BLOCK_BYTES: u32 = 18u;
const BLOCK_PARTS: u32 = 2u;

// Part p: bytes 8p..8p + 8 (elements 8p.. and 16 + 8p..).
fn block_part_dot(base: u32, xo: u32, part: u32) -> f32 {
    var acc = 0.0;
    for (var w = 0u; w < 2u; w++) {
        let word = load_u32(base + 2u + 8u * part + 4u * w);
        for (var k = 0u; k < 4u; k++) {
            let j = 8u * part + 4u * w + k;
            let q = (word >> (8u * k)) & 0xffu;
            acc += f32(i32(q & 0xfu) - 8) * x[xo + j] + f32(i32(q >> 4u) - 8) * x[xo + j + 16u];
        }
    }
    return load_f16(base) * acc;
}

fn block_value(base: u32, i: u32) -> f32 {
    let q = load_byte(base + 2u + i % 16u);
    let nibble = select(q & 0xfu, q >> 4u, i >= 16u);
    return load_f16(base) * f32(i32(nibble) - 8);
}
