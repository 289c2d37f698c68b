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
// Item i: half n = i / 4, l in 16m .. 16m + 16 with m = (i / 2) % 2, quarters a = i % 2 and
// a + 2: the low and high nibbles of one ql unit, with one qh unit and the scales' unit. 32
// values per item, as Q4_K's, so an item's x is 8 vec4s, not 16 (fewer registers, more
// invocations resident: H200, Qwen3.5-27B Q4_K_M decode 74.7 -> 76.9 tok/s; 5120-wide Q6_K
// rows 10 % faster; docs/BENCHMARKS.md).
const ITEMS: u32 = 8u;
const X_VECS: u32 = 8u;
alias ItemX = array<vec4<f32>, X_VECS>;

// xv[k] holds quarter a's values 16m + 4k .. 16m + 4k + 4, xv[4 + k] quarter a + 2's.
fn item_x(block: u32, i: u32, xv: ptr<function, ItemX>) {
    let first = (block * BLOCK_LEN + 128u * (i / 4u) + 32u * (i % 2u) + 16u * ((i / 2u) % 2u)) / 4u;
    for (var k = 0u; k < 4u; k++) {
        (*xv)[k] = load_x(first + k);
        (*xv)[4u + k] = load_x(first + 16u + k);
    }
}

fn item_aux(xv: ptr<function, ItemX>) -> vec2<f32> {
    return vec2<f32>();
}

// A row's words for item i: its ql unit, its qh unit, the scales' unit and the block's d.
struct ItemW {
    ql: vec4<u32>,
    qh: vec4<u32>,
    sc: vec4<u32>,
    d: f32,
}

fn item_load(base: u32, i: u32) -> ItemW {
    let unit = base / 16u;
    let n = i / 4u;
    let m = (i / 2u) % 2u;
    let a = i % 2u;
    return ItemW(
        weights[unit + 4u * n + 2u * a + m],
        weights[unit + 8u + 2u * n + m],
        weights[unit + 12u],
        half_at(params.scale_offset + base / BLOCK_BYTES * SCALE_BYTES),
    );
}

// Item i's quants less 32, unscaled: quarter a's in v[0..4], quarter a + 2's in v[4..8]
// (item_x's layout), and the two quarters' scales times d.
fn item_quants(w: ItemW, i: u32, v: ptr<function, ItemX>) -> vec2<f32> {
    let n = i / 4u;
    let m = (i / 2u) % 2u;
    let a = i % 2u;
    // Quarter q's scale is byte 2(q & 1) + m of word 2n (q < 2) or 2n + 1 (q >= 2).
    let s_lo = bytes_i(w.sc[2u * n])[2u * a + m];
    let s_hi = bytes_i(w.sc[2u * n + 1u])[2u * a + m];
    let shifts = vec4<u32>(0u, 8u, 16u, 24u);
    let lo_high = shifts + vec4<u32>(2u * a);
    let hi_high = shifts + vec4<u32>(2u * a + 4u);
    for (var k = 0u; k < 4u; k++) {
        let ql = vec4<u32>(w.ql[k]) >> shifts;
        let qh = vec4<u32>(w.qh[k]);
        let lo = (ql & vec4<u32>(0xfu)) | (((qh >> lo_high) & vec4<u32>(3u)) << vec4<u32>(4u));
        let hi = ((ql >> vec4<u32>(4u)) & vec4<u32>(0xfu)) | (((qh >> hi_high) & vec4<u32>(3u)) << vec4<u32>(4u));
        (*v)[k] = vec4<f32>(vec4<i32>(lo) - vec4<i32>(32));
        (*v)[4u + k] = vec4<f32>(vec4<i32>(hi) - vec4<i32>(32));
    }
    return vec2<f32>(s_lo, s_hi);
}

fn item_dot(w: ItemW, i: u32, xv: ptr<function, ItemX>, aux: vec2<f32>) -> f32 {
    var v: ItemX;
    let s = item_quants(w, i, &v);
    var dot_lo = 0.0;
    var dot_hi = 0.0;
    for (var k = 0u; k < 4u; k++) {
        dot_lo += dot(v[k], (*xv)[k]);
        dot_hi += dot(v[4u + k], (*xv)[4u + k]);
    }
    return w.d * (s.x * dot_lo + s.y * dot_hi);
}

// Item i's weights decoded, in item_x's layout (for several x columns against one decode).
fn item_values(w: ItemW, i: u32) -> ItemX {
    var v: ItemX;
    let s = w.d * item_quants(w, i, &v);
    for (var k = 0u; k < 4u; k++) {
        v[k] *= s.x;
        v[4u + k] *= s.y;
    }
    return v;
}
