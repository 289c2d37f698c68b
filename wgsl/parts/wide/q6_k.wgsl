// Q6_K for the wide matrix-vector kernel. Block (210 bytes, so blocks start 2-byte aligned):
// ql[128] low nibbles, qh[64] high bit pairs, 16 signed 8-bit scales, f16 d. Within half n
// (128 values) and l < 32, value 128n + 32q + l (quarter q) takes the low (q < 2) or high
// nibble of ql[64n + 32(q & 1) + l] and bits 2q..2q+1 of qh[32n + l]; its scale is
// scales[8n + 2q + l / 16]; value = d * scale * (q6 - 32).
const BLOCK_LEN: u32 = 256u;
const BLOCK_BYTES: u32 = 210u;
// Item i: half n = i / 8, bytes l0 = 4 (i % 8) .. l0 + 4: four values in each quarter.
const ITEMS: u32 = 16u;
const X_VECS: u32 = 4u;
alias ItemX = array<vec4<f32>, X_VECS>;

fn item_x(block: u32, i: u32, xv: ptr<function, ItemX>) {
    let first = (block * BLOCK_LEN + 128u * (i / 8u) + 4u * (i % 8u)) / 4u;
    for (var q = 0u; q < 4u; q++) {
        (*xv)[q] = x[first + 8u * q];
    }
}

fn item_aux(xv: ptr<function, ItemX>) -> vec2<f32> {
    return vec2<f32>();
}

fn item_dot(base: u32, i: u32, xv: ptr<function, ItemX>, aux: vec2<f32>) -> f32 {
    let n = i / 8u;
    let l0 = 4u * (i % 8u);
    let ql_a = unaligned_u32(base + 64u * n + l0);
    let ql_b = unaligned_u32(base + 64u * n + 32u + l0);
    let qh = unaligned_u32(base + 128u + 32u * n + l0);
    // Scales of quarters 0, 1 (bytes l0/16, l0/16 + 2 of the first word) and 2, 3 (second).
    let scales = base + 192u + 8u * n;
    let s01 = bytes_i(unaligned_u32(scales));
    let s23 = bytes_i(unaligned_u32(scales + 4u));
    let sel = l0 / 16u;
    let shifts = vec4<u32>(0u, 8u, 16u, 24u);
    var total = 0.0;
    for (var q = 0u; q < 4u; q++) {
        let low = (vec4<u32>(select(ql_a, ql_b, (q & 1u) == 1u)) >> (shifts + vec4<u32>(4u * (q / 2u)))) & vec4<u32>(0xfu);
        let high = (vec4<u32>(qh) >> (shifts + vec4<u32>(2u * q))) & vec4<u32>(3u);
        let v = vec4<f32>(vec4<i32>(low | (high << vec4<u32>(4u))) - vec4<i32>(32));
        let pair = select(s01, s23, q >= 2u);
        let scale = pair[sel + 2u * (q & 1u)];
        total += scale * dot(v, (*xv)[q]);
    }
    return half_at(base + 208u) * total;
}
