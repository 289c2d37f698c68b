// F32 weights: one value per 4 bytes.
const BLOCK_LEN: u32 = 1u;
const BLOCK_BYTES: u32 = 4u;
const BLOCK_PARTS: u32 = 1u;
// x values per part; the part's k-th value is element part_x(part, k) of the block.
const PART_LEN: u32 = 1u;

fn part_x(part: u32, k: u32) -> u32 {
    return k;
}

fn block_part_dot(base: u32, xv: ptr<function, PartValues>, part: u32) -> f32 {
    return bitcast<f32>(load_word(base)) * (*xv)[0];
}

fn block_value(base: u32, i: u32) -> f32 {
    return bitcast<f32>(load_u32(base));
}
