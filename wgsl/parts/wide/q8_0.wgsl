// Q8_0 for the wide matrix-vector kernel. Block (34 bytes, so blocks start 2-byte aligned):
// f16 d, then 32 signed bytes; value = d * q.
const BLOCK_LEN: u32 = 32u;
const BLOCK_BYTES: u32 = 34u;
// Item i: values 16i .. 16i + 16 (sixteen bytes read as one run).
const ITEMS: u32 = 2u;
const X_VECS: u32 = 4u;
alias ItemX = array<vec4<f32>, X_VECS>;

fn item_x(block: u32, i: u32, xv: ptr<function, ItemX>) {
    let first = (block * BLOCK_LEN + 16u * i) / 4u;
    for (var k = 0u; k < 4u; k++) {
        (*xv)[k] = x[first + k];
    }
}

fn item_aux(xv: ptr<function, ItemX>) -> vec2<f32> {
    return vec2<f32>();
}

fn item_dot(base: u32, i: u32, xv: ptr<function, ItemX>, aux: vec2<f32>) -> f32 {
    let q = unaligned_u32x4(base + 2u + 16u * i);
    var acc = 0.0;
    for (var k = 0u; k < 4u; k++) {
        acc += dot(bytes_i(q[k]), (*xv)[k]);
    }
    return half_at(base) * acc;
}
