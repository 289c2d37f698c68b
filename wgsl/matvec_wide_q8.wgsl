// The wide matrix-vector kernels against an 8-bit x, composed after matvec_wide.wgsl (whose
// params, weights, y, row bases and reduction they share) and a format's parts/wide_q8/ part:
// `matvec_q8` (variants `matvec_q8_<format>`) and `matvec_glu_q8`. x comes as 8-bit blocks
// (binding 5, quantize_q8.wgsl's layout) and each item is an integer dot product
// (dot4I8Packed) scaled per block; the entry points bind params, weights, y and xq only.

// `matvec_q8`'s x: COLUMNS vectors of cols values quantized as one (quantize_q8.wgsl's layout
// of COLUMNS * cols values: every block's quants, COLUMNS * cols / 16 vec4s, then the scales,
// one vec4 per pair of blocks). cols is a multiple of 32, so a column's blocks start at an
// even block and its pairs are whole.
@group(0) @binding(5) var<storage, read> xq: array<vec4<u32>>;

// The 16 quants of the current column's x block `b` (signed bytes).
fn xq_quants(b: u32) -> vec4<u32> {
    return xq[column * (params.cols / 16u) + b];
}

// The current column's x block `b`: its d and the sum of its quants (an integer, exact in f32).
fn xq_scale(b: u32) -> vec2<f32> {
    let blocks = params.cols / 16u;
    let pair = xq[COLUMNS * blocks + (column * blocks + b) / 2u];
    let s = select(pair.xy, pair.zw, (b & 1u) == 1u);
    return vec2<f32>(bitcast<f32>(s.x), f32(bitcast<i32>(s.y)));
}

// An item of 32 values against two 8-bit x blocks of 16 (`xq_pair`): the blocks' quants and
// (dx, sum of xq) of each.
struct XqPair {
    lo: vec4<u32>,
    hi: vec4<u32>,
    scales: vec4<f32>,
}

// x blocks `lo` and `hi` of the current column.
fn xq_pair(lo: u32, hi: u32) -> XqPair {
    return XqPair(xq_quants(lo), xq_quants(hi), vec4<f32>(xq_scale(lo), xq_scale(hi)));
}

// A 32-value run's two x blocks: run r is x blocks 2r and 2r + 1 (Q4_0, Q4_1, Q5_0 blocks,
// IQ4_XS sub-blocks).
fn run_xq(r: u32) -> XqPair {
    return xq_pair(2u * r, 2u * r + 1u);
}

// Q4_K's and Q5_K's item i of `block`: 16 values of sub-block 2j (x block 16 * block + 4j +
// i % 2, j = i / 2) and the same 16 of sub-block 2j + 1 (the block two further).
fn k_item_xq(block: u32, i: u32) -> XqPair {
    let lo = 16u * block + 4u * (i / 2u) + i % 2u;
    return xq_pair(lo, lo + 2u);
}

// A row's item decoded once for every column: the quants of its two 16-value halves as packed
// signed bytes, and per half weights a * (q + off) + b: value = a.x * (q + off) + b.x in the
// low half, a.y * (q + off) + b.y in the high one.
struct PairQ {
    lo: vec4<u32>,
    hi: vec4<u32>,
    a: vec2<f32>,
    b: vec2<f32>,
    off: i32,
}

// sum_l (a * (q_l + off) + b) * dx * xq_l = dx * (a * (dot(q, xq) + off * sum(xq)) + b * sum(xq))
// per half; the bracketed integers are exact in f32 (|dot| <= 16 * 127 * 127 < 2^24).
fn pair_dot(q: PairQ, xv: XqPair) -> f32 {
    var lo = 0;
    var hi = 0;
    for (var k = 0u; k < 4u; k++) {
        lo += dot4I8Packed(q.lo[k], xv.lo[k]);
        hi += dot4I8Packed(q.hi[k], xv.hi[k]);
    }
    let s = xv.scales;
    let dots = vec2<f32>(f32(lo + q.off * i32(s.y)), f32(hi + q.off * i32(s.w)));
    return s.x * (q.a.x * dots.x + q.b.x * s.y) + s.z * (q.a.y * dots.y + q.b.y * s.w);
}

// The low and the high nibbles of a unit as packed bytes.
fn unit_nibbles(q: vec4<u32>) -> array<vec4<u32>, 2> {
    return array<vec4<u32>, 2>(q & vec4<u32>(0x0f0f0f0fu), (q >> vec4<u32>(4u)) & vec4<u32>(0x0f0f0f0fu));
}

// y = W x against an 8-bit x: each row's items as integer dot products with x's quants, scaled
// per block (parts/wide_q8/<format>: `ItemXq` and `item_xq`, an item's x blocks; `ItemQ` and
// `item_quants_q8`, a row's item decoded; `quants_dot_q8`, their product); COLUMNS input vectors, each row's words loaded once for
// all of them (column c's result at y[c * rows + r]). No folds.
@compute @workgroup_size(WG_SIZE)
fn matvec_q8(
    ids: ReduceIds,
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    item_prepare(ids.lid);
    let row0 = (group.x + group.y * groups.x) * ROWS;
    let items = select(0u, params.cols / BLOCK_LEN * ITEMS, row0 < params.rows);
    let base = row_bases(row0);
    // Column c's sum of row r at c * ROWS + r.
    var acc: array<f32, ROWS * MAX_COLUMNS>;
    for (var it = ids.lid; it < items; it += WG_SIZE) {
        let block = it / ITEMS;
        let i = it % ITEMS;
        let at = block * BLOCK_BYTES;
        var w: array<ItemW, ROWS>;
        for (var r = 0u; r < ROWS; r++) {
            w[r] = item_load(base[r] + at, i);
        }
        // Each row's item decoded once, then its integer dot products with every column.
        var q: array<ItemQ, ROWS>;
        for (var r = 0u; r < ROWS; r++) {
            q[r] = item_quants_q8(w[r], i);
        }
        for (var c = 0u; c < COLUMNS; c++) {
            column = c;
            let xv = item_xq(block, i);
            for (var r = 0u; r < ROWS; r++) {
                acc[c * ROWS + r] += quants_dot_q8(q[r], xv);
            }
        }
    }
    for (var c = 0u; c < COLUMNS; c++) {
        for (var r = 0u; r < ROWS; r++) {
            let total = workgroup_sum(acc[c * ROWS + r], ids);
            if row0 + r < params.rows && ids.lid == 0u {
                y[c * params.rows + row0 + r] = total;
            }
        }
    }
}

// The fused FFN input against an 8-bit x: y[r] = act(G[r] . x) * (U[r] . x), as `matvec_glu`
// (one column: `column` stays 0).
@compute @workgroup_size(WG_SIZE)
fn matvec_glu_q8(
    ids: ReduceIds,
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    item_prepare(ids.lid);
    let row0 = (group.x + group.y * groups.x) * ROWS;
    let items = select(0u, params.cols / BLOCK_LEN * ITEMS, row0 < params.rows);
    let up = params.rows * params.row_bytes;
    let base = row_bases(row0);
    var g_acc: array<f32, ROWS>;
    var u_acc: array<f32, ROWS>;
    for (var it = ids.lid; it < items; it += WG_SIZE) {
        let block = it / ITEMS;
        let i = it % ITEMS;
        let at = block * BLOCK_BYTES;
        var g_w: array<ItemW, ROWS>;
        var u_w: array<ItemW, ROWS>;
        for (var r = 0u; r < ROWS; r++) {
            g_w[r] = item_load(base[r] + at, i);
            u_w[r] = item_load(base[r] + up + at, i);
        }
        let xv = item_xq(block, i);
        for (var r = 0u; r < ROWS; r++) {
            g_acc[r] += quants_dot_q8(item_quants_q8(g_w[r], i), xv);
            u_acc[r] += quants_dot_q8(item_quants_q8(u_w[r], i), xv);
        }
    }
    for (var r = 0u; r < ROWS; r++) {
        let g = workgroup_sum(g_acc[r], ids);
        let u = workgroup_sum(u_acc[r], ids);
        if row0 + r < params.rows && ids.lid == 0u {
            y[row0 + r] = gate_activation(g, params.activation) * u;
        }
    }
}
