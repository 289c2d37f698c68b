// Matrix-vector product against quantized weights (decode): y[r] = sum_c W[r, c] * x[c].
// Second entry point `matvec_glu`: the fused FFN input, y[r] = act(G[r] . x) * (U[r] . x),
// with G and U stored as one matrix (G's rows, then U's), act from `parts/activation.wgsl`.
//
// Bindings:
//   params   uniform  rows, cols, row_bytes (bytes of one weight row), weight_offset (bytes)
//   weights  read     [rows * row_bytes] bytes as u32 words, in the ggml block format the
//                     composed `parts/quant/*.wgsl` part decodes (`block_part_dot`)
//   x        read     [COLUMNS * cols] f32
//   y        write    [COLUMNS * rows] f32 (read too by the fold variants' ACCUMULATE)
// With parts/matvec_plain.wgsl (variants `matvec_<format>`) that is all; parts/matvec_fold.wgsl
// (`matvec_fold_<format>`) adds the RMSNorm before the product and the residual add after it.
// Dispatch: one workgroup per ROWS consecutive rows (folded into x/y past the grid limit).
// Its invocations stride over the (block, part) items of a row (BLOCK_PARTS per block, e.g.
// Q4_K's eight 32-value sub-blocks, so neighbouring invocations read neighbouring words);
// each item's x values are loaded once into registers and used for all ROWS rows. Each row's
// partial sums meet in `workgroup_sum`. cols is a multiple of BLOCK_LEN (the launcher
// checks). No early return: every invocation reaches the reductions' barriers.

struct MatvecParams {
    rows: u32,
    cols: u32,
    row_bytes: u32,
    weight_offset: u32,
    // matvec_glu: 0 SiLU, 1 GELU-tanh.
    activation: u32,
    // Split formats: byte offset of the blocks' heads (kernels/repack.rs).
    head_offset: u32,
    // The fold variants' flags and norm epsilon (parts/matvec_fold.wgsl).
    flags: u32,
    eps: f32,
}

@group(0) @binding(0) var<uniform> params: MatvecParams;
@group(0) @binding(1) var<storage, read> weights: array<u32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

// What x holds, for the fold parts (parts/matvec_plain.wgsl, parts/matvec_fold.wgsl).
alias XValue = f32;

fn squares(v: XValue) -> f32 {
    return v * v;
}

// Rows per workgroup: the launcher's MATVEC_ROWS (registry/weight_variants.rs; the registry test
// compares them).
const ROWS: u32 = 2u;

// Input vectors per `matvec` dispatch (`matvec_columns`; `matvec_glu` takes one): x holds
// COLUMNS vectors of cols values one after another, y COLUMNS of rows values. At most
// MAX_COLUMNS (the launcher's MATVEC_MAX_COLUMNS).
override COLUMNS: u32 = 1u;
const MAX_COLUMNS: u32 = 16u;
// The input vector the parts' load_x and store_row address.
var<private> column: u32;

// Index in x of the current column's first XValue.
fn column_x() -> u32 {
    return column * params.cols;
}

// Item `it`'s x values, and the block's byte offset within a row.
fn load_part(it: u32, xv: ptr<function, PartValues>) -> u32 {
    let b = it / BLOCK_PARTS;
    let part = it % BLOCK_PARTS;
    for (var k = 0u; k < PART_LEN; k++) {
        (*xv)[k] = load_x(b * BLOCK_LEN + part_x(part, k));
    }
    return b * BLOCK_BYTES;
}

@compute @workgroup_size(WG_SIZE)
fn matvec(
    ids: ReduceIds,
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let row0 = (group.x + group.y * groups.x) * ROWS;
    let items = select(0u, params.cols / BLOCK_LEN * BLOCK_PARTS, row0 < params.rows);
    // Rows past the matrix repeat the last row (their sums are never stored), so the loop has
    // no per-row branch.
    let last = params.rows - 1u;
    var base: array<u32, ROWS>;
    for (var r = 0u; r < ROWS; r++) {
        base[r] = params.weight_offset + min(row0 + r, last) * params.row_bytes;
    }
    // Column c's sum of row r at c * ROWS + r.
    var acc: array<f32, ROWS * MAX_COLUMNS>;
    for (var it = ids.lid; it < items; it += WG_SIZE) {
        let part = it % BLOCK_PARTS;
        for (var c = 0u; c < COLUMNS; c++) {
            column = c;
            var xv: PartValues;
            let offset = load_part(it, &xv);
            for (var r = 0u; r < ROWS; r++) {
                acc[c * ROWS + r] += block_part_dot(base[r] + offset, &xv, part);
            }
        }
    }
    let scale = norm_scale(ids);
    for (var c = 0u; c < COLUMNS; c++) {
        column = c;
        for (var r = 0u; r < ROWS; r++) {
            let total = workgroup_sum(acc[c * ROWS + r], ids);
            if row0 + r < params.rows && ids.lid == 0u {
                store_row(row0 + r, total * scale);
            }
        }
    }
}

// rows = the FFN width; weights hold 2 * rows rows (gate rows first, then up rows).
@compute @workgroup_size(WG_SIZE)
fn matvec_glu(
    ids: ReduceIds,
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let row0 = (group.x + group.y * groups.x) * ROWS;
    let items = select(0u, params.cols / BLOCK_LEN * BLOCK_PARTS, row0 < params.rows);
    let gate0 = params.weight_offset + row0 * params.row_bytes;
    let up0 = gate0 + params.rows * params.row_bytes;
    var g_acc: array<f32, ROWS>;
    var u_acc: array<f32, ROWS>;
    for (var it = ids.lid; it < items; it += WG_SIZE) {
        var xv: PartValues;
        let offset = load_part(it, &xv);
        let part = it % BLOCK_PARTS;
        for (var r = 0u; r < ROWS; r++) {
            if row0 + r < params.rows {
                let row = r * params.row_bytes + offset;
                g_acc[r] += block_part_dot(gate0 + row, &xv, part);
                u_acc[r] += block_part_dot(up0 + row, &xv, part);
            }
        }
    }
    let scale = norm_scale(ids);
    for (var r = 0u; r < ROWS; r++) {
        let g = workgroup_sum(g_acc[r], ids) * scale;
        let u = workgroup_sum(u_acc[r], ids) * scale;
        if row0 + r < params.rows && ids.lid == 0u {
            store_row(row0 + r, gate_activation(g, params.activation) * u);
        }
    }
}
