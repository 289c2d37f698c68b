// Q6_K for the wide matrix-vector kernel, in the device's split layout (kernels/repack.rs):
// each block's 208-byte body is 13 aligned 16-byte units (ql[128] in units 0..7, qh[64] in
// 8..11, the 16 signed scales in 12), block k's f16 d at params.head_offset + 2k. Within half
// n (128 values) and l < 32, value 128n + 32q + l (quarter q) takes the low (q < 2) or high
// nibble of ql[64n + 32(q & 1) + l] and bits 2q..2q+1 of qh[32n + l]; its scale is
// scales[8n + 2q + l / 16]; value = d * scale * (q6 - 32).
const BLOCK_LEN: u32 = 256u;
const BLOCK_BYTES: u32 = 208u;
// Bytes of a block's slot among the heads kept apart from the bodies (its f16 d).
const HEAD_STRIDE: u32 = 2u;
// Item i: half n = i / 4, l in 16m .. 16m + 16 with m = (i / 2) % 2, quarters a = i % 2 and
// a + 2: the low and high nibbles of one ql unit, with one qh unit and the scales' unit. 32
// values per item, as Q4_K's, so an item's x is 8 vec4s, not 16 (fewer registers, more
// invocations resident: H200, Qwen3.5-27B Q4_K_M decode 74.7 -> 76.9 tok/s; 5120-wide Q6_K
// rows 10 % faster; docs/BENCHMARKS.md).
const ITEMS: u32 = 8u;
const X_VECS: u32 = 8u;
alias ItemX = array<vec4<f32>, X_VECS>;

// Nothing to stage.
fn item_prepare(lid: u32) {}

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
        half_at(params.head_offset + base / BLOCK_BYTES * HEAD_STRIDE),
    );
}

// Item i's two quarters' scales: quarter a's (.x) and quarter a + 2's (.y).
fn item_scales(w: ItemW, i: u32) -> vec2<f32> {
    let n = i / 4u;
    let m = (i / 2u) % 2u;
    let a = i % 2u;
    // Quarter q's scale is byte 2(q & 1) + m of word 2n (q < 2) or 2n + 1 (q >= 2).
    return vec2<f32>(bytes_i(w.sc[2u * n])[2u * a + m], bytes_i(w.sc[2u * n + 1u])[2u * a + m]);
}

// Word k's quants less 32: quarter a's four values ([0]) and quarter a + 2's ([1]).
fn word_quants(w: ItemW, k: u32, a: u32) -> array<vec4<f32>, 2> {
    let shifts = vec4<u32>(0u, 8u, 16u, 24u);
    let ql = vec4<u32>(w.ql[k]) >> shifts;
    let qh = vec4<u32>(w.qh[k]);
    let lo = (ql & vec4<u32>(0xfu)) | (((qh >> (shifts + vec4<u32>(2u * a))) & vec4<u32>(3u)) << vec4<u32>(4u));
    let hi = ((ql >> vec4<u32>(4u)) & vec4<u32>(0xfu)) | (((qh >> (shifts + vec4<u32>(2u * a + 4u))) & vec4<u32>(3u)) << vec4<u32>(4u));
    return array<vec4<f32>, 2>(vec4<f32>(vec4<i32>(lo) - vec4<i32>(32)), vec4<f32>(vec4<i32>(hi) - vec4<i32>(32)));
}

fn item_dot(w: ItemW, i: u32, xv: ptr<function, ItemX>, aux: vec2<f32>) -> f32 {
    let s = item_scales(w, i);
    var dot_lo = 0.0;
    var dot_hi = 0.0;
    for (var k = 0u; k < 4u; k++) {
        let q = word_quants(w, k, i % 2u);
        dot_lo += dot(q[0], (*xv)[k]);
        dot_hi += dot(q[1], (*xv)[4u + k]);
    }
    return w.d * (s.x * dot_lo + s.y * dot_hi);
}

// Item i's weights decoded, in item_x's layout (for several x columns against one decode).
fn item_values(w: ItemW, i: u32) -> ItemX {
    let s = w.d * item_scales(w, i);
    var v: ItemX;
    for (var k = 0u; k < 4u; k++) {
        let q = word_quants(w, k, i % 2u);
        v[k] = q[0] * s.x;
        v[4u + k] = q[1] * s.y;
    }
    return v;
}
