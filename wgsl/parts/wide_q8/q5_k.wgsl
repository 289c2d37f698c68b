// Q5_K against an 8-bit x (`matvec_q8`, after parts/wide/q5_k.wgsl). The x blocks are Q4_K's
// (the low nibbles' 16 values are x block 16 * block + 4 * (i / 2) + i % 2, the high ones the
// block two further); the 5-bit quants are 0..31, so as signed bytes they are themselves;
// value = d * sc * q - dmin * m.
alias ItemXq = XqPair;
alias ItemQ = PairQ;

fn item_xq(block: u32, i: u32) -> ItemXq {
    return k_item_xq(block, i);
}

fn item_quants_q8(w: ItemW, i: u32) -> ItemQ {
    let dm = unpack2x16float(w.head.x);
    let sm = k_scale_mins(w.head, i);
    var lo: vec4<u32>;
    var hi: vec4<u32>;
    for (var k = 0u; k < 4u; k++) {
        let q = item_quants(w, i, k);
        lo[k] = q.x;
        hi[k] = q.y;
    }
    return ItemQ(lo, hi, dm.x * sm.xy, -dm.y * sm.zw, 0);
}

fn quants_dot_q8(q: ItemQ, xv: ItemXq) -> f32 {
    return pair_dot(q, xv);
}
