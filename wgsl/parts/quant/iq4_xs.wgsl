// IQ4_XS: super-block of 256 = 8 sub-blocks of 32. f16 d, u16 scales_h, 4 bytes scales_l,
// 128 bytes of nibbles indexing the non-linear table below. Sub-block b's 6-bit scale is
// its nibble of scales_l plus two bits of scales_h, minus 32; within it, byte j's low nibble
// is element j and its high nibble element j + 16. value = d * (ls - 32) * table[q].
const BLOCK_LEN: u32 = 256u;
const BLOCK_BYTES: u32 = 136u;
const BLOCK_PARTS: u32 = 8u;
// x values per part; the part's k-th value is element part_x(part, k) of the block.
const PART_LEN: u32 = 32u;

// The table {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113} as
// signed bytes packed four to a word, picked without branches. (A module-scope array or
// vector constant beside the reduction's override-sized array trips naga 30's override
// processing: "depends on a type which has not been processed yet"; the registry test
// reproduces it.)
fn iq4_value(q: u32) -> f32 {
    let low = select(0xbfad9881u, 0xf6eaddcfu, q >= 4u);
    let high = select(0x26190d01u, 0x71594535u, q >= 12u);
    let word = select(low, high, q >= 8u);
    let byte = (word >> ((q & 3u) * 8u)) & 0xffu;
    return f32((i32(byte) << 24u) >> 24u);
}

// Part b: sub-block b (32 values), 16 bytes at 8 + 16 b: low nibbles are values 0..16,
// high nibbles 16..32.
fn part_x(part: u32, k: u32) -> u32 {
    return 32u * part + k;
}

fn block_part_dot(base: u32, xv: ptr<function, PartValues>, b: u32) -> f32 {
    let low = (load_byte(base + 4u + b / 2u) >> (4u * (b % 2u))) & 0xfu;
    let ls = i32(low | (((load_u16(base + 2u) >> (2u * b)) & 3u) << 4u)) - 32;
    var dot = 0.0;
    for (var w = 0u; w < 4u; w++) {
        let word = load_word(base + 8u + 16u * b + 4u * w);
        for (var k = 0u; k < 4u; k++) {
            let j = 4u * w + k;
            let q = (word >> (8u * k)) & 0xffu;
            dot += iq4_value(q & 0xfu) * (*xv)[j] + iq4_value(q >> 4u) * (*xv)[16u + j];
        }
    }
    return load_f16(base) * f32(ls) * dot;
}

fn block_value(base: u32, i: u32) -> f32 {
    let b = i / 32u;
    let j = i % 32u;
    let q = load_byte(base + 8u + 16u * b + j % 16u);
    let nibble = select(q & 0xfu, q >> 4u, j >= 16u);
    let low = (load_byte(base + 4u + b / 2u) >> (4u * (b % 2u))) & 0xfu;
    let ls = i32(low | (((load_u16(base + 2u) >> (2u * b)) & 3u) << 4u)) - 32;
    return load_f16(base) * f32(ls) * iq4_value(nibble);
}
