// IQ4_XS against an 8-bit x (`matvec_q8`, after parts/wide/iq4_xs.wgsl). Sub-block i of block
// b is the 32-value block 8b + i (x blocks as `block32_xq`); its table values are signed
// bytes, so sum_l d * ls * t(q_l) * dx * xq_l = d * ls * dx * dot(t(q), xq).
alias ItemXq = Block32Xq;

fn item_xq(block: u32, i: u32) -> ItemXq {
    return block32_xq(8u * block + i);
}

fn item_dot_q8(w: ItemW, i: u32, xv: ItemXq) -> f32 {
    var lo: vec4<u32>;
    var hi: vec4<u32>;
    for (var k = 0u; k < 4u; k++) {
        let q = nibble_values(w.q[k]);
        lo[k] = pack4xU8(iq4_bytes(q[0]));
        hi[k] = pack4xU8(iq4_bytes(q[1]));
    }
    return w.scale * dot(split_dots(lo, hi, xv), xv.scales.xz);
}
