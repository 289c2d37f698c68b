// Q4_0: f16 scale d, 16 bytes of nibbles; low nibble of byte j is element j, high nibble
// element j + 16; value = d * (q - 8).
const BLOCK_LEN: u32 = 32u;
const BLOCK_BYTES: u32 = 18u;

fn block_dot(base: u32, xo: u32) -> f32 {
    var acc = 0.0;
    for (var j = 0u; j < 16u; j++) {
        let q = load_byte(base + 2u + j);
        acc += f32(i32(q & 0xfu) - 8) * x[xo + j] + f32(i32(q >> 4u) - 8) * x[xo + j + 16u];
    }
    return load_f16(base) * acc;
}

fn block_value(base: u32, i: u32) -> f32 {
    let q = load_byte(base + 2u + i % 16u);
    let nibble = select(q & 0xfu, q >> 4u, i >= 16u);
    return load_f16(base) * f32(i32(nibble) - 8);
}
