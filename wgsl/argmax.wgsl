// Selection over the vocabulary without reading logits back. `argmax_f32`: the index of each
// row's largest value (greedy sampling), and the first column holding a NaN or an infinity
// (the engine refuses such a row: checking here costs nothing beside the scan). `top_k`: the
// k best of a vector, in rank order. Rank: larger value first; NaN below every number; ties
// to the lower index.
//
// argmax bindings:
//   params   uniform  n = values per row, rows, slices = workgroups per row
//   values   read     [rows, n] f32
//   out      write    [2 * rows] u32: out[2r] the argmax of row r, out[2r + 1] its first
//                     non-finite column (NONE when every value is finite)
//   partials rw       [rows, slices, 3] u32 scratch: each slice's best value (f32 bits), its
//                     column and its first non-finite column
// Two dispatches: `argmax_slices` gives each SLICE_LEN values of a row one workgroup
// (invocations scan strided, then a tree over workgroup memory; WG_SIZE must be a power of
// two, the registry checks), `argmax_merge` gives each row one workgroup that ranks its
// slices' bests the same way. A row of a 248k vocabulary is 61 workgroups, not one.

struct ArgmaxParams {
    n: u32,
    rows: u32,
    slices: u32,
    _pad: u32,
}

// Values per `argmax_slices` workgroup, whatever its width: the launcher's ARGMAX_SLICE (the
// registry test compares them), so the scratch size does not depend on the reduction.
const SLICE_LEN: u32 = 4096u;

override WG_SIZE: u32 = 256u;

@group(0) @binding(0) var<uniform> params: ArgmaxParams;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(8) var<storage, read_write> partials: array<u32>;

var<workgroup> best_value: array<f32, WG_SIZE>;
var<workgroup> best_index: array<u32, WG_SIZE>;
var<workgroup> first_bad: array<u32, WG_SIZE>;

const NONE: u32 = 0xffffffffu;

// NaN by its bits: Vulkan does not promise IEEE NaN comparisons (drivers may assume no NaN).
fn is_nan(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

// NaN or an infinity, by the bits: an all-ones exponent.
fn is_non_finite(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7f800000u) == 0x7f800000u;
}

// Whether candidate (v, i) ranks above (bv, bi): larger value first, NaN below every number,
// ties (and NaN against NaN) to the lower index; NONE ranks below everything.
fn better(v: f32, i: u32, bv: f32, bi: u32) -> bool {
    if i == NONE {
        return false;
    }
    if bi == NONE {
        return true;
    }
    let v_nan = is_nan(v);
    let b_nan = is_nan(bv);
    if v_nan != b_nan {
        return b_nan;
    }
    if v_nan || v == bv {
        return i < bi;
    }
    return v > bv;
}

// The best of the workgroup's (value, column, first non-finite column) triples, in slot 0 of
// the workgroup arrays. Every invocation must call it.
fn rank_workgroup(lid: u32, bv: f32, bi: u32, bad: u32) {
    best_value[lid] = bv;
    best_index[lid] = bi;
    first_bad[lid] = bad;
    workgroupBarrier();
    for (var stride = WG_SIZE / 2u; stride > 0u; stride /= 2u) {
        if lid < stride {
            if better(best_value[lid + stride], best_index[lid + stride], best_value[lid], best_index[lid]) {
                best_value[lid] = best_value[lid + stride];
                best_index[lid] = best_index[lid + stride];
            }
            first_bad[lid] = min(first_bad[lid], first_bad[lid + stride]);
        }
        workgroupBarrier();
    }
}

// Dispatch: rows * slices workgroups (folded into x/y past the grid limit).
@compute @workgroup_size(WG_SIZE)
fn argmax_slices(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = group.x + group.y * groups.x;
    let slices = max(params.slices, 1u);
    let row = idx / slices;
    let in_range = row < params.rows;
    let start = (idx % slices) * SLICE_LEN;
    let end = select(0u, min(params.n, start + SLICE_LEN), in_range);
    var bv = 0.0;
    var bi = NONE;
    var bad = NONE;
    for (var i = start + lid; i < end; i += WG_SIZE) {
        let v = values[row * params.n + i];
        if better(v, i, bv, bi) {
            bv = v;
            bi = i;
        }
        // Strided ascending: this invocation's first non-finite column is its smallest.
        if bad == NONE && is_non_finite(v) {
            bad = i;
        }
    }
    rank_workgroup(lid, bv, bi, bad);
    if in_range && lid == 0u {
        let at = 3u * idx;
        partials[at] = bitcast<u32>(best_value[0]);
        partials[at + 1u] = best_index[0];
        partials[at + 2u] = first_bad[0];
    }
}

// Dispatch: one workgroup per row (folded past the grid limit).
@compute @workgroup_size(WG_SIZE)
fn argmax_merge(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let row = group.x + group.y * groups.x;
    let in_range = row < params.rows;
    let slices = select(0u, params.slices, in_range);
    var bv = 0.0;
    var bi = NONE;
    var bad = NONE;
    for (var s = lid; s < slices; s += WG_SIZE) {
        let at = 3u * (row * slices + s);
        let v = bitcast<f32>(partials[at]);
        let i = partials[at + 1u];
        if better(v, i, bv, bi) {
            bv = v;
            bi = i;
        }
        bad = min(bad, partials[at + 2u]);
    }
    rank_workgroup(lid, bv, bi, bad);
    if in_range && lid == 0u {
        out[2u * row] = best_index[0];
        out[2u * row + 1u] = first_bad[0];
    }
}

// top_k bindings (its own, at 3..7):
//   select   uniform  n (candidates), k, indexed (1: candidate i's index is in_indices[i])
//   in_v     read     [n] f32 candidate values
//   in_i     read     [n] u32 candidate indices (when indexed)
//   out_v    write    [groups, k] f32, each workgroup's k best in rank order
//   out_i    write    [groups, k] u32 (NONE past a segment with fewer than k candidates)
// Dispatch: one workgroup per segment of WG_SIZE * PER_THREAD candidates. Each invocation keeps
// its PER_THREAD candidates in registers; k rounds each take the best candidate ranked below
// the previous round's winner (a workgroup tree). The launcher chains levels until one
// segment remains.

struct TopKParams {
    n: u32,
    k: u32,
    indexed: u32,
    _pad: u32,
}

// Candidates per invocation: the launcher's PER_THREAD (kernels/top_k.rs; the registry test
// compares them). It sizes function arrays, so it is a const, not an override.
const PER_THREAD: u32 = 16u;

@group(0) @binding(3) var<uniform> select_params: TopKParams;
@group(0) @binding(4) var<storage, read> in_v: array<f32>;
@group(0) @binding(5) var<storage, read> in_i: array<u32>;
@group(0) @binding(6) var<storage, read_write> out_v: array<f32>;
@group(0) @binding(7) var<storage, read_write> out_i: array<u32>;

@compute @workgroup_size(WG_SIZE)
fn top_k(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) group: vec3<u32>,
) {
    let seg0 = group.x * WG_SIZE * PER_THREAD;
    var vals: array<f32, PER_THREAD>;
    var idxs: array<u32, PER_THREAD>;
    for (var e = 0u; e < PER_THREAD; e++) {
        let at = seg0 + e * WG_SIZE + lid;
        idxs[e] = NONE;
        if at < select_params.n {
            vals[e] = in_v[at];
            idxs[e] = at;
            if select_params.indexed != 0u {
                idxs[e] = in_i[at];
            }
        }
    }
    // The previous round's winner; candidates must rank below it once `started`.
    var prev_v = 0.0;
    var prev_i = NONE;
    var started = false;
    for (var r = 0u; r < select_params.k; r++) {
        var bv = 0.0;
        var bi = NONE;
        for (var e = 0u; e < PER_THREAD; e++) {
            let below = !started || better(prev_v, prev_i, vals[e], idxs[e]);
            if below && better(vals[e], idxs[e], bv, bi) {
                bv = vals[e];
                bi = idxs[e];
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
        prev_v = best_value[0];
        prev_i = best_index[0];
        started = true;
        if lid == 0u {
            out_v[group.x * select_params.k + r] = prev_v;
            out_i[group.x * select_params.k + r] = prev_i;
        }
        workgroupBarrier();
    }
}
