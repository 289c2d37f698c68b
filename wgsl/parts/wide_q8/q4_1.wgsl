// Q4_1 against an 8-bit x (`matvec_q8`, after parts/wide/q4_1.wgsl; x blocks as Q4_0's);
// value = d * q + m.
alias ItemXq = XqPair;
alias ItemQ = PairQ;

fn item_xq(block: u32, i: u32) -> ItemXq {
    return run_xq(block);
}

fn item_quants_q8(w: ItemW, i: u32) -> ItemQ {
    let q = unit_nibbles(w.q);
    return ItemQ(q[0], q[1], vec2<f32>(w.head.x), vec2<f32>(w.head.y), 0);
}

fn quants_dot_q8(q: ItemQ, xv: ItemXq) -> f32 {
    return pair_dot(q, xv);
}
