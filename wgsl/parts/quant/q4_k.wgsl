// Q4_K: super-block of 256 = 8 sub-blocks of 32. f16 d and dmin, 12 bytes of packed 6-bit
// sub-block scales and mins, 128 bytes of nibbles: for each 64 values j, byte l's low nibble
// is element 64j + l, its high nibble element 64j + 32 + l.
// value = d * scale_s * q - dmin * min_s.
const BLOCK_LEN: u32 = 256u;
const BLOCK_BYTES: u32 = 144u;

fn block_value(base: u32, i: u32) -> f32 {
    let sub = i / 32u;
    let q = load_byte(base + 16u + 32u * (i / 64u) + i % 32u);
    let nibble = select(q & 0xfu, q >> 4u, (sub & 1u) == 1u);
    let sm = k4_scale_min(base + 4u, sub);
    return load_f16(base) * sm.x * f32(nibble) - load_f16(base + 2u) * sm.y;
}
