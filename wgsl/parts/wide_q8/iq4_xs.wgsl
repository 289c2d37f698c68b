// IQ4_XS against an 8-bit x (`matvec_q8`, after parts/wide/iq4_xs.wgsl). Sub-block i of block
// b is the 32-value run 8b + i, x blocks 2(8b + i) and the next; its table values are signed
// bytes (packed with pack4xU8), so value = d * ls * t(q).
alias ItemXq = XqPair;
alias ItemQ = PairQ;

fn item_xq(block: u32, i: u32) -> ItemXq {
    return run_xq(8u * block + i);
}

fn item_quants_q8(w: ItemW, i: u32) -> ItemQ {
    var lo: vec4<u32>;
    var hi: vec4<u32>;
    for (var k = 0u; k < 4u; k++) {
        let q = nibble_values(w.q[k]);
        lo[k] = pack4xU8(iq4_bytes(q[0]));
        hi[k] = pack4xU8(iq4_bytes(q[1]));
    }
    return ItemQ(lo, hi, vec2<f32>(w.scale), vec2<f32>(), 0);
}

fn quants_dot_q8(q: ItemQ, xv: ItemXq) -> f32 {
    return pair_dot(q, xv);
}
