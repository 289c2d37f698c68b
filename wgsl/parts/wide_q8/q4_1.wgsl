// Q4_1 against an 8-bit x (`matvec_q8`, after parts/wide/q4_1.wgsl; x blocks as
// `block32_xq`): sum_l (d * q_l + m) * dx * xq_l = d * dx * dot(q, xq) + m * dx * sum(xq).
alias ItemXq = Block32Xq;

fn item_xq(block: u32, i: u32) -> ItemXq {
    return block32_xq(block);
}

fn item_dot_q8(w: ItemW, i: u32, xv: ItemXq) -> f32 {
    let q = unit_nibbles(w.q);
    let s = xv.scales;
    return w.head.x * dot(split_dots(q[0], q[1], xv), s.xz) + w.head.y * dot(s.xz, s.yw);
}
