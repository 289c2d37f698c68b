// Q5_0 for the wide matrix-vector kernel, in the device's split layout (kernels/repack.rs):
// each block's 16 bytes of nibbles are one aligned unit (byte j: low nibble value j, high
// nibble value j + 16), block k's f16 d and 32 fifth bits qh in the 8-byte slot at
// params.head_offset + 8k (bytes 0..1 d, 2..5 qh). Value j takes bit j of qh as its fifth
// bit; value = d * (q - 16).
const BLOCK_LEN: u32 = 32u;
const BLOCK_BYTES: u32 = 16u;
// Bytes of a block's slot among the heads kept apart from the bodies (d, qh, 2 unused).
const HEAD_STRIDE: u32 = 8u;
// One item per block: its unit, 32 values.
const ITEMS: u32 = 1u;
const X_VECS: u32 = 8u;
alias ItemX = array<vec4<f32>, X_VECS>;

// Nothing to stage.
fn item_prepare(lid: u32) {}

fn item_x(block: u32, i: u32, xv: ptr<function, ItemX>) {
    *xv = block32_x(block);
}

fn item_aux(xv: ptr<function, ItemX>) -> vec2<f32> {
    return block32_sum(*xv);
}

// A row's words for item i: the block's nibble unit, its d and its fifth bits.
struct ItemW {
    q: vec4<u32>,
    d: f32,
    qh: u32,
}

fn item_load(base: u32, i: u32) -> ItemW {
    let head = params.head_offset + base / BLOCK_BYTES * HEAD_STRIDE;
    let unit = weights[head >> 4u];
    // The slot's two words: d and qh's low half, then qh's high half.
    let words = select(unit.xy, unit.zw, (head & 8u) != 0u);
    return ItemW(weights[base / 16u], unpack2x16float(words.x).x, (words.x >> 16u) | (words.y << 16u));
}

// Word k's 5-bit quants: values 4k..4k+3 ([0]) and 16 + 4k.. ([1]).
fn word_quants(w: ItemW, k: u32) -> array<vec4<f32>, 2> {
    let q = nibble_values(w.q[k]);
    let bits = vec4<u32>(w.qh) >> (vec4<u32>(0u, 1u, 2u, 3u) + 4u * k);
    return array<vec4<f32>, 2>(
        vec4<f32>(q[0] | ((bits & vec4<u32>(1u)) << vec4<u32>(4u))),
        vec4<f32>(q[1] | (((bits >> vec4<u32>(16u)) & vec4<u32>(1u)) << vec4<u32>(4u))),
    );
}

fn item_dot(w: ItemW, i: u32, xv: ptr<function, ItemX>, aux: vec2<f32>) -> f32 {
    var acc = 0.0;
    for (var k = 0u; k < 4u; k++) {
        let q = word_quants(w, k);
        acc += dot(q[0], (*xv)[k]) + dot(q[1], (*xv)[4u + k]);
    }
    return w.d * (acc - 16.0 * aux.x);
}

// Item i's weights decoded, in item_x's layout (for several x columns against one decode).
fn item_values(w: ItemW, i: u32) -> ItemX {
    var v: ItemX;
    for (var k = 0u; k < 4u; k++) {
        let q = word_quants(w, k);
        v[k] = (q[0] - 16.0) * w.d;
        v[4u + k] = (q[1] - 16.0) * w.d;
    }
    return v;
}
