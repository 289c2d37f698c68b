// Q5_K: super-block of 256. f16 d and dmin, 12 bytes of packed 6-bit scales/mins (as Q4_K),
// qh[32] fifth bits, qs[128] nibbles. For each 64 values j: byte l of qs gives the low nibble
// of element 64j + l and the high nibble of 64j + 32 + l; their fifth bits are bits 2j and
// 2j + 1 of qh[l]. value = d * scale_s * q - dmin * min_s. Scales as Q4_K
// (k4_scale_min in parts/bytes.wgsl). Decode-time products read it through
// parts/wide/q5_k.wgsl; this part serves matmul and gather.
const BLOCK_LEN: u32 = 256u;
const BLOCK_BYTES: u32 = 176u;

fn block_value(base: u32, i: u32) -> f32 {
    let sub = i / 32u;
    let l = i % 32u;
    let q = load_byte(base + 48u + 32u * (i / 64u) + l);
    let fifth = (load_byte(base + 16u + l) >> sub) & 1u;
    let nibble = select(q & 0xfu, q >> 4u, (sub & 1u) == 1u) | (fifth << 4u);
    let sm = k4_scale_min(base + 4u, sub);
    return load_f16(base) * sm.x * f32(nibble) - load_f16(base + 2u) * sm.y;
}
