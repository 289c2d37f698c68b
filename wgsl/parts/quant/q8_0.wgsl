// Q8_0: f16 scale d, then 32 signed bytes; value = d * q.
const BLOCK_LEN: u32 = 32u;
const BLOCK_BYTES: u32 = 34u;
const BLOCK_PARTS: u32 = 4u;
// x values per part; the part's k-th value is element part_x(part, k) of the block.
const PART_LEN: u32 = 8u;

// Part p: values 8p..8p + 8, from two words.
fn part_x(part: u32, k: u32) -> u32 {
    return 8u * part + k;
}

fn block_part_dot(base: u32, xv: ptr<function, PartValues>, part: u32) -> f32 {
    let at = base + 2u + 8u * part;
    let w0 = load_u32(at);
    let w1 = load_u32(at + 4u);
    var acc = 0.0;
    for (var k = 0u; k < 4u; k++) {
        acc += f32(i8_of(w0, k)) * (*xv)[k] + f32(i8_of(w1, k)) * (*xv)[4u + k];
    }
    return load_f16(base) * acc;
}

fn block_value(base: u32, i: u32) -> f32 {
    return load_f16(base) * f32(load_i8(base + 2u + i));
}
