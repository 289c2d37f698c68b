// Q4_0 against an 8-bit x (`matvec_q8`, after parts/wide/q4_0.wgsl; block b's two halves are
// x blocks 2b and 2b + 1). The nibbles are 0..15, so as signed bytes they are themselves;
// value = d * (q - 8), the -8 taken off in integers.
alias ItemXq = XqPair;
alias ItemQ = PairQ;

fn item_xq(block: u32, i: u32) -> ItemXq {
    return run_xq(block);
}

fn item_quants_q8(w: ItemW, i: u32) -> ItemQ {
    let q = unit_nibbles(w.q);
    return ItemQ(q[0], q[1], vec2<f32>(w.d), vec2<f32>(), -8);
}

fn quants_dot_q8(q: ItemQ, xv: ItemXq) -> f32 {
    return pair_dot(q, xv);
}
