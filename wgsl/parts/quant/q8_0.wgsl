// Q8_0: f16 scale d, then 32 signed bytes; value = d * q.
const BLOCK_LEN: u32 = 32u;
const BLOCK_BYTES: u32 = 34u;

fn block_value(base: u32, i: u32) -> f32 {
    return load_f16(base) * f32(load_i8(base + 2u + i));
}
