// Q4_0 for the wide matrix-vector kernel, in the device's split layout (kernels/repack.rs):
// each block's 16 bytes of nibbles are one aligned unit (byte j: low nibble value j, high
// nibble value j + 16), block k's f16 d at params.head_offset + 2k. value = d * (q - 8).
const BLOCK_LEN: u32 = 32u;
const BLOCK_BYTES: u32 = 16u;
// Bytes of a block's slot among the heads kept apart from the bodies (its f16 d).
const HEAD_STRIDE: u32 = 2u;
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

// A row's words for item i: the block's nibble unit and its d.
struct ItemW {
    q: vec4<u32>,
    d: f32,
}

fn item_load(base: u32, i: u32) -> ItemW {
    return ItemW(weights[base / 16u], half_at(params.head_offset + base / BLOCK_BYTES * HEAD_STRIDE));
}

fn item_dot(w: ItemW, i: u32, xv: ptr<function, ItemX>, aux: vec2<f32>) -> f32 {
    var acc = 0.0;
    for (var k = 0u; k < 4u; k++) {
        let q = nibble_values(w.q[k]);
        acc += dot(vec4<f32>(q[0]), (*xv)[k]) + dot(vec4<f32>(q[1]), (*xv)[4u + k]);
    }
    return w.d * (acc - 8.0 * aux.x);
}

// Item i's weights decoded, in item_x's layout (for several x columns against one decode).
fn item_values(w: ItemW, i: u32) -> ItemX {
    var v: ItemX;
    for (var k = 0u; k < 4u; k++) {
        let q = nibble_values(w.q[k]);
        v[k] = (vec4<f32>(q[0]) - 8.0) * w.d;
        v[4u + k] = (vec4<f32>(q[1]) - 8.0) * w.d;
    }
    return v;
}
