// Q4_1: f16 scale d and min m, 16 bytes of nibbles (layout as Q4_0); value = d * q + m.
const BLOCK_LEN: u32 = 32u;
const BLOCK_BYTES: u32 = 20u;

fn block_dot(base: u32, xo: u32) -> f32 {
    let d = load_f16(base);
    let m = load_f16(base + 2u);
    var acc = 0.0;
    for (var j = 0u; j < 16u; j++) {
        let q = load_byte(base + 4u + j);
        acc += (d * f32(q & 0xfu) + m) * x[xo + j] + (d * f32(q >> 4u) + m) * x[xo + j + 16u];
    }
    return acc;
}

fn block_value(base: u32, i: u32) -> f32 {
    let q = load_byte(base + 4u + i % 16u);
    let nibble = select(q & 0xfu, q >> 4u, i >= 16u);
    return load_f16(base) * f32(nibble) + load_f16(base + 2u);
}
