// Index of the largest value of a row (greedy sampling without reading logits back).
// Ties go to the lower index; NaN never wins.
//
// Bindings:
//   params  uniform  n = values per row, rows
//   values  read     [rows, n] f32
//   out     write    [rows] u32
// Dispatch: one workgroup per row; invocations scan strided, then a tree over workgroup
// memory (WG_SIZE must be a power of two; the registry checks).

struct ArgmaxParams {
    n: u32,
    rows: u32,
    _pad0: u32,
    _pad1: u32,
}

override WG_SIZE: u32 = 256u;

@group(0) @binding(0) var<uniform> params: ArgmaxParams;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;

var<workgroup> best_value: array<f32, WG_SIZE>;
var<workgroup> best_index: array<u32, WG_SIZE>;

const NONE: u32 = 0xffffffffu;

// NaN by its bits: Vulkan does not promise IEEE NaN comparisons (drivers may assume no NaN).
fn is_nan(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

// Whether candidate (v, i) beats the current best (bv, bi); bi == NONE means "no best yet".
fn better(v: f32, i: u32, bv: f32, bi: u32) -> bool {
    if i == NONE || is_nan(v) {
        return false;
    }
    if bi == NONE {
        return true;
    }
    return v > bv || (v == bv && i < bi);
}

@compute @workgroup_size(WG_SIZE)
fn argmax_f32(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let row = group.x + group.y * groups.x;
    let in_range = row < params.rows;
    let n = select(0u, params.n, in_range);
    var bv = 0.0;
    var bi = NONE;
    for (var i = lid; i < n; i += WG_SIZE) {
        let v = values[row * params.n + i];
        if better(v, i, bv, bi) {
            bv = v;
            bi = i;
        }
    }
    best_value[lid] = bv;
    best_index[lid] = bi;
    workgroupBarrier();
    for (var stride = WG_SIZE / 2u; stride > 0u; stride /= 2u) {
        if lid < stride && better(best_value[lid + stride], best_index[lid + stride], best_value[lid], best_index[lid]) {
            best_value[lid] = best_value[lid + stride];
            best_index[lid] = best_index[lid + stride];
        }
        workgroupBarrier();
    }
    if in_range && lid == 0u {
        // An all-NaN row reports index 0.
        out[row] = select(best_index[0], 0u, best_index[0] == NONE);
    }
}
