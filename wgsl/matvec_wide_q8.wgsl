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

// A 32-value block's x against an 8-bit x (`matvec_q8`): block b's first 16 values are x
// block 2b, the rest x block 2b + 1.
struct Block32Xq {
    lo: vec4<u32>,
    hi: vec4<u32>,
    // (dx, sum of xq) of the low block, then of the high one.
    scales: vec4<f32>,
}

fn block32_xq(block: u32) -> Block32Xq {
    let b = 2u * block;
    return Block32Xq(xq_quants(b), xq_quants(b + 1u), vec4<f32>(xq_scale(b), xq_scale(b + 1u)));
}

// Two units of packed signed bytes (a 32-value block's first and last 16 values) against its
// low and high x block: the two integer dot products, exact in f32.
fn split_dots(lo: vec4<u32>, hi: vec4<u32>, xv: Block32Xq) -> vec2<f32> {
    var a = 0;
    var b = 0;
    for (var k = 0u; k < 4u; k++) {
        a += dot4I8Packed(lo[k], xv.lo[k]);
        b += dot4I8Packed(hi[k], xv.hi[k]);
    }
    return vec2<f32>(f32(a), f32(b));
}

// The low and the high nibbles of a unit as packed bytes.
fn unit_nibbles(q: vec4<u32>) -> array<vec4<u32>, 2> {
    return array<vec4<u32>, 2>(q & vec4<u32>(0x0f0f0f0fu), (q >> vec4<u32>(4u)) & vec4<u32>(0x0f0f0f0fu));
}

// y = W x against an 8-bit x: each row's items as integer dot products with x's quants, scaled
// per block (parts/wide_q8/<format>); COLUMNS input vectors, each row's words loaded once for
// all of them (column c's result at y[c * rows + r]). No folds.
@compute @workgroup_size(WG_SIZE)
fn matvec_q8(
    ids: ReduceIds,
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
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
        for (var c = 0u; c < COLUMNS; c++) {
            column = c;
            let xv = item_xq(block, i);
            for (var r = 0u; r < ROWS; r++) {
                acc[c * ROWS + r] += item_dot_q8(w[r], i, xv);
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
            g_acc[r] += item_dot_q8(g_w[r], i, xv);
            u_acc[r] += item_dot_q8(u_w[r], i, xv);
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
