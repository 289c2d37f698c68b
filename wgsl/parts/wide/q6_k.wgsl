// Q6_K for the wide matrix-vector kernel, in the device's split layout (kernels/repack.rs):
// each block's 208-byte body is 13 aligned 16-byte units (ql[128] in units 0..7, qh[64] in
// 8..11, the 16 signed scales in 12), block k's f16 d at params.scale_offset + 2k. Within half
// n (128 values) and l < 32, value 128n + 32q + l (quarter q) takes the low (q < 2) or high
// nibble of ql[64n + 32(q & 1) + l] and bits 2q..2q+1 of qh[32n + l]; its scale is
// scales[8n + 2q + l / 16]; value = d * scale * (q6 - 32).
const BLOCK_LEN: u32 = 256u;
const BLOCK_BYTES: u32 = 208u;
// Bytes of a block kept apart from its body (the f16 d).
const SCALE_BYTES: u32 = 2u;
// Item i: half n = i / 2, l in 16m .. 16m + 16 with m = i % 2: sixteen values in each quarter,
// from one unit of ql per quarter pair, one of qh and the scales' unit.
const ITEMS: u32 = 4u;
const X_VECS: u32 = 16u;
alias ItemX = array<vec4<f32>, X_VECS>;

// xv[4q + k] holds quarter q's values 16m + 4k .. 16m + 4k + 4.
fn item_x(block: u32, i: u32, xv: ptr<function, ItemX>) {
    let first = (block * BLOCK_LEN + 128u * (i / 2u) + 16u * (i % 2u)) / 4u;
    for (var q = 0u; q < 4u; q++) {
        for (var k = 0u; k < 4u; k++) {
            (*xv)[4u * q + k] = load_x(first + 8u * q + k);
        }
    }
}

fn item_aux(xv: ptr<function, ItemX>) -> vec2<f32> {
    return vec2<f32>();
}

// A row's words for item i: its two ql units, its qh unit, the scales' unit and the block's d.
struct ItemW {
    ql_a: vec4<u32>,
    ql_b: vec4<u32>,
    qh: vec4<u32>,
    sc: vec4<u32>,
    d: f32,
}

fn item_load(base: u32, i: u32) -> ItemW {
    let unit = base / 16u;
    let n = i / 2u;
    let m = i % 2u;
    return ItemW(
        weights[unit + 4u * n + m],
        weights[unit + 4u * n + 2u + m],
        weights[unit + 8u + 2u * n + m],
        weights[unit + 12u],
        half_at(params.scale_offset + base / BLOCK_BYTES * SCALE_BYTES),
    );
}

fn item_dot(w: ItemW, i: u32, xv: ptr<function, ItemX>, aux: vec2<f32>) -> f32 {
    let n = i / 2u;
    let m = i % 2u;
    let ql_a = w.ql_a;
    let ql_b = w.ql_b;
    let qh = w.qh;
    let sc = w.sc;
    // Scales of quarters 0, 1 are bytes m, m + 2 of word 2n; of quarters 2, 3 of word 2n + 1.
    let s01 = bytes_i(sc[2u * n]);
    let s23 = bytes_i(sc[2u * n + 1u]);
    let shifts = vec4<u32>(0u, 8u, 16u, 24u);
    var total = 0.0;
    for (var q = 0u; q < 4u; q++) {
        let low = select(ql_a, ql_b, (q & 1u) == 1u);
        let nibble_shift = shifts + vec4<u32>(4u * (q / 2u));
        let high_shift = shifts + vec4<u32>(2u * q);
        var dot_q = 0.0;
        for (var k = 0u; k < 4u; k++) {
            let nib = (vec4<u32>(low[k]) >> nibble_shift) & vec4<u32>(0xfu);
            let hi = (vec4<u32>(qh[k]) >> high_shift) & vec4<u32>(3u);
            let v = vec4<f32>(vec4<i32>(nib | (hi << vec4<u32>(4u))) - vec4<i32>(32));
            dot_q += dot(v, (*xv)[4u * q + k]);
        }
        let pair = select(s01, s23, q >= 2u);
        total += pair[m + 2u * (q & 1u)] * dot_q;
    }
    return w.d * total;
}
