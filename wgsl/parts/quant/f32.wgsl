// F32 weights: one value per 4 bytes.
const BLOCK_LEN: u32 = 1u;
const BLOCK_BYTES: u32 = 4u;
const BLOCK_PARTS: u32 = 1u;

fn block_part_dot(base: u32, xo: u32, part: u32) -> f32 {
    return bitcast<f32>(load_u32(base)) * x[xo];
}

fn block_value(base: u32, i: u32) -> f32 {
    return bitcast<f32>(load_u32(base));
}
