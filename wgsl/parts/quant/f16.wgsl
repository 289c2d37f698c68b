// F16 weights: pairs of halves (blocks of 2 keep the reads word-sized when aligned).
const BLOCK_LEN: u32 = 2u;
const BLOCK_BYTES: u32 = 4u;
const BLOCK_PARTS: u32 = 1u;

fn block_part_dot(base: u32, xo: u32, part: u32) -> f32 {
    let w = load_u32(base);
    return f16_to_f32(w & 0xffffu) * x[xo] + f16_to_f32(w >> 16u) * x[xo + 1u];
}

fn block_value(base: u32, i: u32) -> f32 {
    return f16_to_f32(load_u16(base + 2u * i));
}
