// Q4_K against an 8-bit x (`matvec_q8`, after parts/wide/q4_k.wgsl). Item i's low nibbles
// are x block 16 * block + 4 * (i / 2) + i % 2 (16 values of sub-block 2j), its high nibbles
// the x block two further (sub-block 2j + 1). The nibbles are 0..15, so as signed bytes they
// are themselves: sum_l (d * sc * q_l - dmin * m) * dx * xq_l
//   = d * sc * dx * dot(q, xq) - dmin * m * dx * sum(xq).

struct ItemXq {
    lo: vec4<u32>,
    hi: vec4<u32>,
    // (dx, sum of xq) of the low block, then of the high one.
    scales: vec4<f32>,
}

fn item_xq(block: u32, i: u32) -> ItemXq {
    let lo = 16u * block + 4u * (i / 2u) + i % 2u;
    return ItemXq(xq_quants(lo), xq_quants(lo + 2u), vec4<f32>(xq_scale(lo), xq_scale(lo + 2u)));
}

fn item_dot_q8(w: ItemW, i: u32, xv: ItemXq) -> f32 {
    let dm = unpack2x16float(w.head.x);
    let sm = k_scale_mins(w.head, i);
    var lo = 0;
    var hi = 0;
    for (var k = 0u; k < 4u; k++) {
        lo += dot4I8Packed(w.q[k] & 0x0f0f0f0fu, xv.lo[k]);
        hi += dot4I8Packed((w.q[k] >> 4u) & 0x0f0f0f0fu, xv.hi[k]);
    }
    let s = xv.scales;
    return dm.x * (sm.x * s.x * f32(lo) + sm.y * s.z * f32(hi)) - dm.y * (sm.z * s.x * s.y + sm.w * s.z * s.w);
}
