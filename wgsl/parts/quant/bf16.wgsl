// BF16 weights: the high 16 bits of an f32.
const BLOCK_LEN: u32 = 2u;
const BLOCK_BYTES: u32 = 4u;
const BLOCK_PARTS: u32 = 1u;
// x values per part; the part's k-th value is element part_x(part, k) of the block.
const PART_LEN: u32 = 2u;

fn part_x(part: u32, k: u32) -> u32 {
    return k;
}

fn block_part_dot(base: u32, xv: ptr<function, PartValues>, part: u32) -> f32 {
    let w = load_word(base);
    return bitcast<f32>(w << 16u) * (*xv)[0] + bitcast<f32>(w & 0xffff0000u) * (*xv)[1];
}

fn block_value(base: u32, i: u32) -> f32 {
    return bitcast<f32>(load_u16(base + 2u * i) << 16u);
}
