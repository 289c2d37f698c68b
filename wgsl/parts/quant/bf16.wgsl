// BF16 weights: the high 16 bits of an f32.
const BLOCK_LEN: u32 = 2u;
const BLOCK_BYTES: u32 = 4u;
const BLOCK_PARTS: u32 = 1u;

fn block_part_dot(base: u32, xo: u32, part: u32) -> f32 {
    let w = load_u32(base);
    return bitcast<f32>(w << 16u) * x[xo] + bitcast<f32>(w & 0xffff0000u) * x[xo + 1u];
}

fn block_value(base: u32, i: u32) -> f32 {
    return bitcast<f32>(load_u16(base + 2u * i) << 16u);
}
