// Q6_K against an 8-bit x (`matvec_q8`, after parts/wide/q6_k.wgsl). Item i's quarter a
// (= i % 2) values are x block 16 * block + 8n + 2a + m (n = i / 4, m = (i / 2) % 2), quarter
// a + 2's the block four further. The 6-bit quants q are 0..63 (signed bytes as they are), the
// weights d * sc * (q - 32): the -32 is taken off in integers, through the block's sum.
alias ItemXq = XqPair;
alias ItemQ = PairQ;

fn item_xq(block: u32, i: u32) -> ItemXq {
    let lo = 16u * block + 8u * (i / 4u) + 2u * (i % 2u) + (i / 2u) % 2u;
    return xq_pair(lo, lo + 4u);
}

fn item_quants_q8(w: ItemW, i: u32) -> ItemQ {
    let a = 2u * (i % 2u);
    var lo: vec4<u32>;
    var hi: vec4<u32>;
    for (var k = 0u; k < 4u; k++) {
        lo[k] = (w.ql[k] & 0x0f0f0f0fu) | (((w.qh[k] >> a) & 0x03030303u) << 4u);
        hi[k] = ((w.ql[k] >> 4u) & 0x0f0f0f0fu) | (((w.qh[k] >> (a + 4u)) & 0x03030303u) << 4u);
    }
    return ItemQ(lo, hi, w.d * item_scales(w, i), vec2<f32>(), -32);
}

fn quants_dot_q8(q: ItemQ, xv: ItemXq) -> f32 {
    return pair_dot(q, xv);
}
