// Q5_K for the wide matrix-vector kernel. Block (176 bytes, 11 aligned 16-byte units): unit 0
// holds f16 d, f16 dmin and the 12 bytes of 6-bit sub-block scales and mins (as Q4_K's);
// units 1..2 hold qh[32], units 3..10 the nibbles, 32 bytes per 64 values (byte l: low nibble
// value 64j + l, high nibble 64j + 32 + l; their fifth bits are bits 2j and 2j + 1 of qh[l]).
// value = d * scale_s * q - dmin * min_s. Rows are whole blocks, so every block starts
// 16-byte aligned.
const BLOCK_LEN: u32 = 256u;
const BLOCK_BYTES: u32 = 176u;
// Item i: nibble unit 3 + i, i.e. 16 bytes l = 16h .. 16h + 16 (h = i % 2) of 64-value group
// j = i / 2: 16 values of sub-block 2j (low nibbles) and 16 of sub-block 2j + 1 (high
// nibbles); their fifth bits are in qh unit 1 + h.
const ITEMS: u32 = 8u;
const X_VECS: u32 = 8u;
alias ItemX = array<vec4<f32>, X_VECS>;

// Nothing to stage.
fn item_prepare(lid: u32) {}

fn item_x(block: u32, i: u32, xv: ptr<function, ItemX>) {
    let first = (block * BLOCK_LEN + 64u * (i / 2u) + 16u * (i % 2u)) / 4u;
    for (var k = 0u; k < 4u; k++) {
        (*xv)[k] = load_x(first + k);
        (*xv)[4u + k] = load_x(first + 8u + k);
    }
}

// The two sub-blocks' x sums (the min terms need them), shared by every row.
fn item_aux(xv: ptr<function, ItemX>) -> vec2<f32> {
    let lo = (*xv)[0] + (*xv)[1] + (*xv)[2] + (*xv)[3];
    let hi = (*xv)[4] + (*xv)[5] + (*xv)[6] + (*xv)[7];
    return vec2<f32>(dot(lo, vec4<f32>(1.0)), dot(hi, vec4<f32>(1.0)));
}

// A row's words for item i: the block's head unit, the item's nibble unit and its qh unit.
struct ItemW {
    head: vec4<u32>,
    q: vec4<u32>,
    qh: vec4<u32>,
}

fn item_load(base: u32, i: u32) -> ItemW {
    let unit = base / 16u;
    return ItemW(weights[unit], weights[unit + 3u + i], weights[unit + 1u + i % 2u]);
}

// Word k of the item as packed bytes, each a 5-bit quant (0..31): the low nibbles' values
// (.x) and the high nibbles' (.y).
fn item_quants(w: ItemW, i: u32, k: u32) -> vec2<u32> {
    let fifth = w.qh[k] >> (2u * (i / 2u));
    return vec2<u32>(
        (w.q[k] & 0x0f0f0f0fu) | ((fifth & 0x01010101u) << 4u),
        ((w.q[k] >> 4u) & 0x0f0f0f0fu) | (((fifth >> 1u) & 0x01010101u) << 4u),
    );
}

// The four bytes of `word` as unsigned values.
fn bytes_u(word: u32) -> vec4<f32> {
    return vec4<f32>((vec4<u32>(word) >> vec4<u32>(0u, 8u, 16u, 24u)) & vec4<u32>(0xffu));
}

fn item_dot(w: ItemW, i: u32, xv: ptr<function, ItemX>, aux: vec2<f32>) -> f32 {
    let dm = unpack2x16float(w.head.x);
    let sm = k_scale_mins(w.head, i);
    var lo = 0.0;
    var hi = 0.0;
    for (var k = 0u; k < 4u; k++) {
        let q = item_quants(w, i, k);
        lo += dot(bytes_u(q.x), (*xv)[k]);
        hi += dot(bytes_u(q.y), (*xv)[4u + k]);
    }
    return dm.x * (sm.x * lo + sm.y * hi) - dm.y * dot(sm.zw, aux);
}

// Item i's weights decoded, in item_x's layout (for several x columns against one decode):
// d * scale * q - dmin * min.
fn item_values(w: ItemW, i: u32) -> ItemX {
    let dm = unpack2x16float(w.head.x);
    let sm = k_scale_mins(w.head, i);
    let a = dm.x * sm.xy;
    let b = dm.y * sm.zw;
    var v: ItemX;
    for (var k = 0u; k < 4u; k++) {
        let q = item_quants(w, i, k);
        v[k] = bytes_u(q.x) * a.x - b.x;
        v[4u + k] = bytes_u(q.y) * a.y - b.y;
    }
    return v;
}
