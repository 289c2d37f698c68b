// Matrix-vector product against quantized weights (decode): y[r] = sum_c W[r, c] * x[c].
// Second entry point `matvec_glu`: the fused FFN input, y[r] = act(G[r] . x) * (U[r] . x),
// with G and U stored as one matrix (G's rows, then U's), act from `parts/activation.wgsl`.
//
// Bindings:
//   params   uniform  rows, cols, row_bytes (bytes of one weight row), weight_offset (bytes)
//   weights  read     [rows * row_bytes] bytes as u32 words, in the ggml block format the
//                     composed `parts/quant/*.wgsl` part decodes (`block_part_dot`)
//   x        read     [cols] f32
//   y        write    [rows] f32
// Dispatch: one workgroup per row (folded into x/y past the grid limit); its invocations
// stride over the row's block parts (BLOCK_PARTS per block, e.g. Q4_K's eight 32-value
// sub-blocks, so neighbouring invocations read neighbouring words) and meet in
// `workgroup_sum`. cols is a multiple of BLOCK_LEN
// (the launcher checks). No early return: every invocation reaches the reduction's barriers.

struct MatvecParams {
    rows: u32,
    cols: u32,
    row_bytes: u32,
    weight_offset: u32,
    // matvec_glu: 0 SiLU, 1 GELU-tanh.
    activation: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: MatvecParams;
@group(0) @binding(1) var<storage, read> weights: array<u32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

@compute @workgroup_size(WG_SIZE)
fn matvec(
    ids: ReduceIds,
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let row = group.x + group.y * groups.x;
    let in_range = row < params.rows;
    let items = select(0u, params.cols / BLOCK_LEN * BLOCK_PARTS, in_range);
    let row_base = params.weight_offset + row * params.row_bytes;
    var acc = 0.0;
    for (var it = ids.lid; it < items; it += WG_SIZE) {
        let b = it / BLOCK_PARTS;
        acc += block_part_dot(row_base + b * BLOCK_BYTES, b * BLOCK_LEN, it % BLOCK_PARTS);
    }
    let total = workgroup_sum(acc, ids);
    if in_range && ids.lid == 0u {
        y[row] = total;
    }
}

// rows = the FFN width; weights hold 2 * rows rows (gate rows first, then up rows).
@compute @workgroup_size(WG_SIZE)
fn matvec_glu(
    ids: ReduceIds,
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let row = group.x + group.y * groups.x;
    let in_range = row < params.rows;
    let items = select(0u, params.cols / BLOCK_LEN * BLOCK_PARTS, in_range);
    let gate_base = params.weight_offset + row * params.row_bytes;
    let up_base = gate_base + params.rows * params.row_bytes;
    var g_acc = 0.0;
    var u_acc = 0.0;
    for (var it = ids.lid; it < items; it += WG_SIZE) {
        let b = it / BLOCK_PARTS;
        let part = it % BLOCK_PARTS;
        g_acc += block_part_dot(gate_base + b * BLOCK_BYTES, b * BLOCK_LEN, part);
        u_acc += block_part_dot(up_base + b * BLOCK_BYTES, b * BLOCK_LEN, part);
    }
    let g = workgroup_sum(g_acc, ids);
    let u = workgroup_sum(u_acc, ids);
    if in_range && ids.lid == 0u {
        y[row] = gate_activation(g, params.activation) * u;
    }
}
