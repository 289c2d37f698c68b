// Matrix-vector product for decode with wide loads: y[r] = sum_c W[r, c] * x[c], and the
// fused FFN input `matvec_glu`, y[r] = act(G[r] . x) * (U[r] . x) (G's rows, then U's, in one
// matrix). Same contract as `matvec.wgsl`; the format part (`parts/wide/<format>.wgsl`)
// splits each block into ITEMS items whose weights neighbouring invocations read as
// neighbouring bytes (16-byte units where the layout is aligned) and whose x values are
// whole vec4s.
//
// Bindings:
//   params   uniform  rows, cols, row_bytes (bytes of one weight row), weight_offset (bytes)
//   weights  read     the rows' bytes in the file's block format, as 16-byte units (the
//                     launcher pads the buffer to whole units plus one)
//   x        read     [COLUMNS * cols] f32 as vec4s (cols is a multiple of BLOCK_LEN, itself
//                     of 8)
//   y        write    [COLUMNS * rows] f32 (read too by the fold variants' ACCUMULATE)
// With parts/matvec_plain.wgsl (variants `matvec_<format>`) that is all; parts/matvec_fold.wgsl
// (`matvec_fold_<format>`) adds the RMSNorm before the product and the residual add after it.
// matvec_wide_q8.wgsl adds the entry points that take x as 8-bit blocks instead.
// A part may stage what its decoders share in workgroup memory: `item_prepare` runs first in
// every entry point, in uniform control flow (IQ4_XS's table; the other parts do nothing).
// Dispatch: one workgroup per ROWS consecutive rows (folded into x/y past the grid limit).
// Invocation lid takes items lid, lid + WG_SIZE, ... of the row; an item's x values are loaded
// once and used for all ROWS rows. There is no barrier inside the loop: the rows' partial sums
// meet once, in `workgroup_sum`, which every invocation reaches (no early return).

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
@group(0) @binding(1) var<storage, read> weights: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

// What x holds, for the fold parts (parts/matvec_plain.wgsl, parts/matvec_fold.wgsl).
alias XValue = vec4<f32>;

fn squares(v: XValue) -> f32 {
    return dot(v, v);
}

// Rows per workgroup: the launcher's MATVEC_ROWS (the registry test compares them).
const ROWS: u32 = 2u;

// Input vectors per `matvec` dispatch (`matvec_columns`; `matvec_glu` takes one): x holds
// COLUMNS vectors of cols values one after another, y COLUMNS of rows values; every weight word
// loaded serves them all. At most MAX_COLUMNS (the accumulators' size; the launcher's
// MATVEC_MAX_COLUMNS).
override COLUMNS: u32 = 1u;
const MAX_COLUMNS: u32 = 16u;
// The input vector the parts' load_x and store_row address.
var<private> column: u32;

// Index in x of the current column's first XValue.
fn column_x() -> u32 {
    return column * (params.cols / 4u);
}

// Byte offsets of the workgroup's rows. Rows past the matrix repeat the last row (their sums
// are never stored), so the loops have no per-row branch.
fn row_bases(row0: u32) -> array<u32, ROWS> {
    let last = params.rows - 1u;
    var base: array<u32, ROWS>;
    for (var r = 0u; r < ROWS; r++) {
        base[r] = params.weight_offset + min(row0 + r, last) * params.row_bytes;
    }
    return base;
}

// sum_k values[k] . xv[k]: an item's decoded weights against one column's x.
fn values_dot(values: ItemX, xv: ptr<function, ItemX>) -> f32 {
    var total = 0.0;
    for (var k = 0u; k < X_VECS; k++) {
        total += dot(values[k], (*xv)[k]);
    }
    return total;
}

@compute @workgroup_size(WG_SIZE)
fn matvec(
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
        if COLUMNS == 1u {
            var xv: ItemX;
            item_x(block, i, &xv);
            let aux = item_aux(&xv);
            for (var r = 0u; r < ROWS; r++) {
                acc[r] += item_dot(w[r], i, &xv, aux);
            }
        } else {
            // Several columns: each row's item decoded once, then a plain dot per column.
            var values: array<ItemX, ROWS>;
            for (var r = 0u; r < ROWS; r++) {
                values[r] = item_values(w[r], i);
            }
            for (var c = 0u; c < COLUMNS; c++) {
                column = c;
                var xv: ItemX;
                item_x(block, i, &xv);
                for (var r = 0u; r < ROWS; r++) {
                    acc[c * ROWS + r] += values_dot(values[r], &xv);
                }
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
        var xv: ItemX;
        item_x(block, i, &xv);
        let aux = item_aux(&xv);
        for (var r = 0u; r < ROWS; r++) {
            g_acc[r] += item_dot(g_w[r], i, &xv, aux);
            u_acc[r] += item_dot(u_w[r], i, &xv, aux);
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
