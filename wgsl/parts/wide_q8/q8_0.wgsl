// Q8_0 against an 8-bit x (`matvec_q8`, after parts/wide/q8_0.wgsl). Item i (16 values) is x
// block 2 * block + i: sum_l d * q_l * dx * xq_l = d * dx * dot(q, xq).

struct ItemXq {
    q: vec4<u32>,
    // (dx, sum of xq)
    scale: vec2<f32>,
}

fn item_xq(block: u32, i: u32) -> ItemXq {
    let b = 2u * block + i;
    return ItemXq(xq_quants(b), xq_scale(b));
}

// The file's quants are signed bytes already.
alias ItemQ = ItemW;

fn item_quants_q8(w: ItemW, i: u32) -> ItemQ {
    return w;
}

fn quants_dot_q8(q: ItemQ, xv: ItemXq) -> f32 {
    var acc = 0;
    for (var k = 0u; k < 4u; k++) {
        acc += dot4I8Packed(q.q[k], xv.q[k]);
    }
    return q.d * xv.scale.x * f32(acc);
}
