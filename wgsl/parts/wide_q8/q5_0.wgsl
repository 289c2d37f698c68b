// Q5_0 against an 8-bit x (`matvec_q8`, after parts/wide/q5_0.wgsl; x blocks as Q4_0's).
// The 5-bit quants are 0..31, so as signed bytes they are themselves; value = d * (q - 16),
// the -16 taken off in integers.
alias ItemXq = XqPair;
alias ItemQ = PairQ;

fn item_xq(block: u32, i: u32) -> ItemXq {
    return run_xq(block);
}

// Bits 0..3 of `b` to bit 0 of bytes 0..3 (the multiplier's shifts 0, 7, 14, 21 never
// overlap for b < 16, so nothing carries).
fn spread_bits(b: u32) -> u32 {
    return ((b & 0xfu) * 0x00204081u) & 0x01010101u;
}

fn item_quants_q8(w: ItemW, i: u32) -> ItemQ {
    let q = unit_nibbles(w.q);
    var lo: vec4<u32>;
    var hi: vec4<u32>;
    for (var k = 0u; k < 4u; k++) {
        lo[k] = q[0][k] | (spread_bits(w.qh >> (4u * k)) << 4u);
        hi[k] = q[1][k] | (spread_bits(w.qh >> (16u + 4u * k)) << 4u);
    }
    return ItemQ(lo, hi, vec2<f32>(w.d), vec2<f32>(), -16);
}

fn quants_dot_q8(q: ItemQ, xv: ItemXq) -> f32 {
    return pair_dot(q, xv);
}
