// Q8_0 for the wide matrix-vector kernel, in the device's split layout (kernels/repack.rs):
// each block's 32 signed quants as two aligned 16-byte units, block k's f16 d at
// params.head_offset + 2k. value = d * q.
const BLOCK_LEN: u32 = 32u;
const BLOCK_BYTES: u32 = 32u;
// Bytes of a block's slot among the heads kept apart from the bodies (its f16 d).
const HEAD_STRIDE: u32 = 2u;
// Item i: values 16i .. 16i + 16, one 16-byte unit.
const ITEMS: u32 = 2u;
const X_VECS: u32 = 4u;
alias ItemX = array<vec4<f32>, X_VECS>;

// Nothing to stage.
fn item_prepare(lid: u32) {}

fn item_x(block: u32, i: u32, xv: ptr<function, ItemX>) {
    let first = (block * BLOCK_LEN + 16u * i) / 4u;
    for (var k = 0u; k < 4u; k++) {
        (*xv)[k] = load_x(first + k);
    }
}

fn item_aux(xv: ptr<function, ItemX>) -> vec2<f32> {
    return vec2<f32>();
}

// A row's words for item i: its quant unit and the block's d.
struct ItemW {
    q: vec4<u32>,
    d: f32,
}

fn item_load(base: u32, i: u32) -> ItemW {
    return ItemW(weights[base / 16u + i], half_at(params.head_offset + base / BLOCK_BYTES * HEAD_STRIDE));
}

fn item_dot(w: ItemW, i: u32, xv: ptr<function, ItemX>, aux: vec2<f32>) -> f32 {
    var acc = 0.0;
    for (var k = 0u; k < 4u; k++) {
        acc += dot(bytes_i(w.q[k]), (*xv)[k]);
    }
    return w.d * acc;
}

// Item i's weights decoded, in item_x's layout (for several x columns against one decode).
fn item_values(w: ItemW, i: u32) -> ItemX {
    var v: ItemX;
    for (var k = 0u; k < 4u; k++) {
        v[k] = bytes_i(w.q[k]) * w.d;
    }
    return v;
}
