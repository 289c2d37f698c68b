// Q4_0 against an 8-bit x (`matvec_q8`, after parts/wide/q4_0.wgsl; x blocks as
// `block32_xq`). The nibbles are 0..15, so as signed bytes they are themselves:
// sum_l d * (q_l - 8) * dx * xq_l = d * dx * (dot(q, xq) - 8 * sum(xq)).
alias ItemXq = Block32Xq;

fn item_xq(block: u32, i: u32) -> ItemXq {
    return block32_xq(block);
}

fn item_dot_q8(w: ItemW, i: u32, xv: ItemXq) -> f32 {
    let q = unit_nibbles(w.q);
    let dots = split_dots(q[0], q[1], xv) - 8.0 * xv.scales.yw;
    return w.d * dot(dots, xv.scales.xz);
}
