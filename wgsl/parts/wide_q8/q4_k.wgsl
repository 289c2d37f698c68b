// Q4_K against an 8-bit x (`matvec_q8`, after parts/wide/q4_k.wgsl). Item i's low nibbles
// are x block 16 * block + 4 * (i / 2) + i % 2 (16 values of sub-block 2j), its high nibbles
// the x block two further. The nibbles are 0..15, so as signed bytes they are themselves;
// value = d * sc * q - dmin * m.
alias ItemXq = XqPair;
alias ItemQ = PairQ;

fn item_xq(block: u32, i: u32) -> ItemXq {
    return k_item_xq(block, i);
}

fn item_quants_q8(w: ItemW, i: u32) -> ItemQ {
    let dm = unpack2x16float(w.head.x);
    let sm = k_scale_mins(w.head, i);
    let q = unit_nibbles(w.q);
    return ItemQ(q[0], q[1], dm.x * sm.xy, -dm.y * sm.zw, 0);
}

fn quants_dot_q8(q: ItemQ, xv: ItemXq) -> f32 {
    return pair_dot(q, xv);
}
