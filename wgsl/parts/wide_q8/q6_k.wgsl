// Q6_K against an 8-bit x (`matvec_q8`, after parts/wide/q6_k.wgsl). Item i's quarter a
// (= i % 2) values are x block 16 * block + 8n + 2a + m (n = i / 4, m = (i / 2) % 2), quarter
// a + 2's the block four further. The 6-bit quants q are 0..63 (signed bytes as they are), the
// weights d * sc * (q - 32): sum_l d * sc * (q_l - 32) * dx * xq_l
//   = d * sc * dx * (dot(q, xq) - 32 * sum(xq)), in integers up to the last product.

struct ItemXq {
    lo: vec4<u32>,
    hi: vec4<u32>,
    // (dx, sum of xq) of quarter a's block, then of quarter a + 2's.
    scales: vec4<f32>,
}

fn item_xq(block: u32, i: u32) -> ItemXq {
    let lo = 16u * block + 8u * (i / 4u) + 2u * (i % 2u) + (i / 2u) % 2u;
    return ItemXq(xq_quants(lo), xq_quants(lo + 4u), vec4<f32>(xq_scale(lo), xq_scale(lo + 4u)));
}

fn item_dot_q8(w: ItemW, i: u32, xv: ItemXq) -> f32 {
    let sc = item_scales(w, i);
    let a = 2u * (i % 2u);
    var lo = 0;
    var hi = 0;
    for (var k = 0u; k < 4u; k++) {
        let q_lo = (w.ql[k] & 0x0f0f0f0fu) | (((w.qh[k] >> a) & 0x03030303u) << 4u);
        let q_hi = ((w.ql[k] >> 4u) & 0x0f0f0f0fu) | (((w.qh[k] >> (a + 4u)) & 0x03030303u) << 4u);
        lo += dot4I8Packed(q_lo, xv.lo[k]);
        hi += dot4I8Packed(q_hi, xv.hi[k]);
    }
    let s = xv.scales;
    let lo_sum = f32(lo - 32 * i32(s.y));
    let hi_sum = f32(hi - 32 * i32(s.w));
    return w.d * (sc.x * s.x * lo_sum + sc.y * s.z * hi_sum);
}
