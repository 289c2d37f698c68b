// Decode attention for one query token over a KV cache, split over the cache ("flash
// decoding"): `attn_split` gives each (KV head, split) one workgroup. The visible positions
// are cut into `splits` runs of equal length (a multiple of CHUNK, computed on the GPU from the
// position, so a replayed pass balances its work at every depth); a workgroup walks its run
// CHUNK positions at a time with an online softmax, scoring each tile for every query head of
// the group (the K and V rows are loaded once for all of them), and writes per query head its
// run's score maximum m, its sum of exp(score - m) l and its unnormalised value sum
// o = Σ exp(score - m) v. `attn_merge` gives each query head one workgroup that rescales the
// runs' partials to the common maximum and divides:
// out = Σ_s o_s e^(m_s - M) / Σ_s l_s e^(m_s - M).
//
// Shared bindings:
//   params   uniform  heads, kv_heads, head_dim, pos (the query's position, before the
//                     position uniform is added), window (0: none; else the last `window`
//                     positions are visible), gated (1: multiply the output by
//                     sigmoid(gate)), scale, splits (runs per KV head; fixed by the launcher
//                     from the head counts alone)
//   position uniform  the call's position (kernels/position.rs), added to params.pos
//   q        read     [heads, head_dim]
//   keys     read     [positions, kv_heads, head_dim] (positions first..=pos visible), in
//                     words of the cache part (parts/kv_f32.wgsl or parts/kv_f16.wgsl)
//   values   read     [positions, kv_heads, head_dim], likewise
//   gate     read     [heads, head_dim] (bound even when ungated)
//   partials rw       [heads, splits, head_dim + 2] scratch: o, then m, then l
//   out      write    [heads, head_dim]
// Query head h reads KV head h / (heads / kv_heads).

struct AttnParams {
    heads: u32,
    kv_heads: u32,
    head_dim: u32,
    pos: u32,
    window: u32,
    gated: u32,
    scale: f32,
    splits: u32,
}

struct Position {
    pos: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: AttnParams;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> keys: array<u32>;
@group(0) @binding(3) var<storage, read> values: array<u32>;
@group(0) @binding(4) var<storage, read> gate: array<f32>;
@group(0) @binding(5) var<storage, read_write> partials: array<f32>;
@group(0) @binding(6) var<storage, read_write> out: array<f32>;
@group(0) @binding(7) var<uniform> position: Position;

// Positions per tile: the launcher's DECODE_CHUNK (the registry test compares them). Each
// position is scored by PARTS invocations (interleaved dimensions, so neighbouring
// invocations read neighbouring floats), so a workgroup is CHUNK * PARTS invocations and an
// invocation walks head_dim / PARTS dimensions: 16 at 256.
const CHUNK: u32 = 16u;
const PARTS: u32 = 16u;
const THREADS: u32 = CHUNK * PARTS;
// Value dimensions an invocation owns (d = lid, lid + THREADS): head_dim <= THREADS * DIMS
// (the launcher's DECODE_MAX_HEAD_DIM). Kept in registers across the run's tiles.
const DIMS: u32 = 2u;
// Query heads scored together per round (more heads per KV head take more rounds); their
// accumulators are unrolled registers.
const GROUP: u32 = 4u;
// Below every finite score: exp(NO_SCORE - m) is 0 for any finite m.
const NO_SCORE: f32 = -3.4028235e38;

// Largest head_dim (the launcher's DECODE_MAX_HEAD_DIM): THREADS * DIMS.
const MAX_HEAD_DIM: u32 = THREADS * DIMS;

// The round's queries, GROUP rows of MAX_HEAD_DIM.
var<workgroup> q_sh: array<f32, GROUP * MAX_HEAD_DIM>;
// Per (head of the round, position, part): partial dot products.
var<workgroup> dots_sh: array<f32, GROUP * CHUNK * PARTS>;
// Per (head of the round, position): the tile's scores, then (in place) exp(score - m).
var<workgroup> scores_sh: array<f32, GROUP * CHUNK>;
// Per head of the round: the running maximum after this tile.
var<workgroup> max_sh: array<f32, GROUP>;

fn query_pos() -> u32 {
    return params.pos + position.pos;
}

// First visible position: 0, or pos + 1 - window.
fn first_visible() -> u32 {
    let p = query_pos();
    return select(0u, p + 1u - min(params.window, p + 1u), params.window != 0u);
}

// Positions the query sees.
fn visible_count() -> u32 {
    return query_pos() + 1u - first_visible();
}

// Positions per run: the visible count over the splits, rounded up to whole tiles.
fn run_len() -> u32 {
    let visible = visible_count();
    let splits = max(params.splits, 1u);
    let per = (visible + splits - 1u) / splits;
    return (per + CHUNK - 1u) / CHUNK * CHUNK;
}

fn group_size() -> u32 {
    return max(params.heads / max(params.kv_heads, 1u), 1u);
}

fn partial_at(h: u32, split: u32) -> u32 {
    return (h * params.splits + split) * (params.head_dim + 2u);
}

// Dimensions an invocation scores per pass over a key row: part, part + PARTS, ... (16 of
// them, so one pass covers head_dim <= 256; wider heads take a second).
const KEY_DIMS: u32 = 16u;

// Element `d` of the row at `row` of `keys`, 0 past head_dim (the load stays inside the row).
fn key_at(row: u32, d: u32) -> f32 {
    let hd = params.head_dim;
    let i = row + min(d, hd - 1u);
    return select(0.0, kv_value(keys[i / KV_PER_WORD], i), d < hd);
}

// Cache element `i` of `values`.
fn value_at(i: u32) -> f32 {
    return kv_value(values[i / KV_PER_WORD], i);
}

// One pass of an invocation's key loads from the key row at `row`: dimensions d0, d0 + PARTS,
// ... (KEY_DIMS of them, 0 past head_dim), all issued together.
fn key_loads(row: u32, d0: u32) -> array<vec4<f32>, 4> {
    var k: array<vec4<f32>, 4>;
    for (var j = 0u; j < 4u; j++) {
        let d = d0 + 4u * j * PARTS;
        k[j] = vec4<f32>(key_at(row, d), key_at(row, d + PARTS), key_at(row, d + 2u * PARTS), key_at(row, d + 3u * PARTS));
    }
    return k;
}

// `acc` plus the round's queries (q_sh) dotted with one pass of key loads `k` from d0.
fn add_pass(acc: array<f32, GROUP>, k: array<vec4<f32>, 4>, d0: u32) -> array<f32, GROUP> {
    var sum = acc;
    for (var g = 0u; g < GROUP; g++) {
        for (var j = 0u; j < 4u; j++) {
            let at = g * MAX_HEAD_DIM + d0 + 4u * j * PARTS;
            let qv = vec4<f32>(q_sh[at], q_sh[at + PARTS], q_sh[at + 2u * PARTS], q_sh[at + 3u * PARTS]);
            sum[g] += dot(qv, k[j]);
        }
    }
    return sum;
}

// Partial dot products of the round's queries with the key row at `row` over this
// invocation's dimensions, its first pass from the loads `first` (issued a tile ahead), the
// rest (head_dim past KEY_DIMS * PARTS) loaded here, a pass's loads together.
fn partial_scores(row: u32, part: u32, first: array<vec4<f32>, 4>) -> array<f32, GROUP> {
    var acc = add_pass(array<f32, GROUP>(), first, part);
    for (var d0 = part + KEY_DIMS * PARTS; d0 < params.head_dim; d0 += KEY_DIMS * PARTS) {
        acc = add_pass(acc, key_loads(row, d0), d0);
    }
    return acc;
}

// Value column d (< head_dim) of the tile's CHUNK positions from t0 (positions past the run repeat its
// last, whose weight there is 0), loaded together; issued before the tile is scored so the
// loads overlap the scoring.
fn tile_values(t0: u32, span: u32, kv: u32, d: u32) -> array<vec4<f32>, 4> {
    let hd = params.head_dim;
    var v: array<vec4<f32>, 4>;
    for (var j = 0u; j < 4u; j++) {
        var p = vec4<u32>(t0 + 4u * j) + vec4<u32>(0u, 1u, 2u, 3u);
        p = min(p, vec4<u32>(t0 + span - 1u));
        let at = (p * params.kv_heads + kv) * hd + d;
        v[j] = vec4<f32>(value_at(at.x), value_at(at.y), value_at(at.z), value_at(at.w));
    }
    return v;
}

// Dispatch: kv_heads * splits workgroups (folded into x/y past the grid limit); workgroup
// (kv, split) covers positions first + split * run_len() ..; runs past the visible positions
// return at once (the whole workgroup: the condition depends only on the workgroup id).
@compute @workgroup_size(THREADS)
fn attn_split(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = group.x + group.y * groups.x;
    // The launcher's split count is at least 1; max() lets the module drop its division guard.
    let splits = max(params.splits, 1u);
    let split = idx % splits;
    let kv = idx / splits;
    let last = query_pos();
    let len = run_len();
    let begin = first_visible() + split * len;
    if kv >= params.kv_heads || begin > last {
        return;
    }
    let end = min(begin + len, last + 1u);
    let hd = params.head_dim;
    let heads_per_kv = group_size();
    // Score phase: invocation lid takes dimensions part, part + PARTS, ... of the tile's
    // position slot.
    let slot = lid / PARTS;
    let part = lid % PARTS;
    for (var g0 = 0u; g0 < heads_per_kv; g0 += GROUP) {
        let n = min(GROUP, heads_per_kv - g0);
        let h0 = kv * heads_per_kv + g0;
        // The run's maximum so far per head (the same in every invocation), this
        // invocation's value sums, and (invocation g < GROUP) head g's weight sum.
        var m: array<f32, GROUP>;
        var l = 0.0;
        var o: array<array<f32, GROUP>, DIMS>;
        for (var g = 0u; g < GROUP; g++) {
            m[g] = NO_SCORE;
        }
        // The dimensions partial_scores reads (whole passes of KEY_DIMS * PARTS), 0 past
        // head_dim; a dimension's GROUP loads are issued together.
        let read = (hd + KEY_DIMS * PARTS - 1u) / (KEY_DIMS * PARTS) * (KEY_DIMS * PARTS);
        for (var d = lid; d < read; d += THREADS) {
            for (var g = 0u; g < GROUP; g++) {
                // Heads past the round's n repeat its last (their sums are not used).
                let at = (h0 + min(g, n - 1u)) * hd + min(d, hd - 1u);
                q_sh[g * MAX_HEAD_DIM + d] = select(0.0, q[at], d < hd);
            }
        }
        workgroupBarrier();
        // The first pass of the keys of this invocation's slot, loaded one tile ahead: a
        // tile's scoring starts from registers while the next tile's keys are on their way.
        var keys_ahead: array<vec4<f32>, 4>;
        if begin + slot < end {
            keys_ahead = key_loads(((begin + slot) * params.kv_heads + kv) * hd, part);
        }
        for (var t0 = begin; t0 < end; t0 += CHUNK) {
            let span = min(end - t0, CHUNK);
            var vt: array<array<vec4<f32>, 4>, DIMS>;
            for (var k = 0u; k < DIMS; k++) {
                let d = lid + k * THREADS;
                if d < hd {
                    vt[k] = tile_values(t0, span, kv, d);
                }
            }
            let p = t0 + slot;
            let keys_now = keys_ahead;
            if p + CHUNK < end {
                keys_ahead = key_loads(((p + CHUNK) * params.kv_heads + kv) * hd, part);
            }
            var acc: array<f32, GROUP>;
            if p < end {
                acc = partial_scores((p * params.kv_heads + kv) * hd, part, keys_now);
            }
            for (var g = 0u; g < GROUP; g++) {
                dots_sh[(g * CHUNK + slot) * PARTS + part] = acc[g];
            }
            workgroupBarrier();
            if lid < GROUP * CHUNK {
                var dot = 0.0;
                for (var j = 0u; j < PARTS; j++) {
                    dot += dots_sh[lid * PARTS + j];
                }
                scores_sh[lid] = select(NO_SCORE, dot * params.scale, t0 + lid % CHUNK < end);
            }
            workgroupBarrier();
            if lid < GROUP {
                var best = m[lid];
                for (var i = 0u; i < CHUNK; i++) {
                    best = max(best, scores_sh[lid * CHUNK + i]);
                }
                max_sh[lid] = best;
            }
            workgroupBarrier();
            // Each score becomes its weight where it lies (read by its own invocation only).
            if lid < GROUP * CHUNK {
                let s = scores_sh[lid];
                scores_sh[lid] = select(0.0, exp(s - max_sh[lid / CHUNK]), s != NO_SCORE);
            }
            workgroupBarrier();
            // Rescale what the run summed so far to the new maximum, then add the tile's
            // weighted values (invocation lid owns dimensions lid, lid + THREADS; each V row
            // is read once for the round's heads). The tile's first position is visible, so
            // the new maximum is finite and exp(NO_SCORE - it) is 0.
            if lid < GROUP {
                var sum = 0.0;
                for (var i = 0u; i < CHUNK; i++) {
                    sum += scores_sh[lid * CHUNK + i];
                }
                l = l * exp(m[lid] - max_sh[lid]) + sum;
            }
            for (var g = 0u; g < GROUP; g++) {
                let top = max_sh[g];
                let factor = exp(m[g] - top);
                m[g] = top;
                var w: array<vec4<f32>, 4>;
                for (var j = 0u; j < 4u; j++) {
                    let at = g * CHUNK + 4u * j;
                    w[j] = vec4<f32>(scores_sh[at], scores_sh[at + 1u], scores_sh[at + 2u], scores_sh[at + 3u]);
                }
                for (var k = 0u; k < DIMS; k++) {
                    var add = 0.0;
                    for (var j = 0u; j < 4u; j++) {
                        add += dot(w[j], vt[k][j]);
                    }
                    o[k][g] = o[k][g] * factor + add;
                }
            }
        }
        for (var k = 0u; k < DIMS; k++) {
            let d = lid + k * THREADS;
            if d < hd {
                for (var g = 0u; g < n; g++) {
                    partials[partial_at(h0 + g, split) + d] = o[k][g];
                }
            }
        }
        if lid < n {
            let at = partial_at(h0 + lid, split) + hd;
            partials[at] = m[lid];
            partials[at + 1u] = l;
        }
        // The next round overwrites the workgroup arrays.
        workgroupBarrier();
    }
}

// Most runs per KV head (the launcher's MAX_SPLITS; the registry test compares them).
const MAX_SPLITS: u32 = 64u;
// Per run: its weight in the merged sum, e^(m_s - M) / Σ_s l_s e^(m_s - M).
var<workgroup> run_weight: array<f32, MAX_SPLITS>;

// Dispatch: heads * ceil(head_dim / WG_SIZE) workgroups; workgroup (h, part) merges value
// dimensions part * WG_SIZE .. of head h, one per invocation. No early return: every
// invocation reaches the reductions and the barrier.
@compute @workgroup_size(WG_SIZE)
fn attn_merge(ids: ReduceIds, @builtin(workgroup_id) group: vec3<u32>) {
    let hd = params.head_dim;
    let parts = max((hd + WG_SIZE - 1u) / WG_SIZE, 1u);
    let h = group.x / parts;
    let d = group.x % parts * WG_SIZE + ids.lid;
    let in_range = h < params.heads;
    // run_len() is at least CHUNK; max() lets the module drop its division guard.
    let len = max(run_len(), 1u);
    // Runs holding a visible position: ceil(visible / len).
    let runs = select(0u, min((visible_count() + len - 1u) / len, MAX_SPLITS), in_range);
    var local_max = NO_SCORE;
    for (var s = ids.lid; s < runs; s += WG_SIZE) {
        local_max = max(local_max, partials[partial_at(h, s) + hd]);
    }
    let m = workgroup_max(local_max, ids);
    var local_sum = 0.0;
    for (var s = ids.lid; s < runs; s += WG_SIZE) {
        let at = partial_at(h, s) + hd;
        local_sum += partials[at + 1u] * exp(partials[at] - m);
    }
    let total = workgroup_sum(local_sum, ids);
    for (var s = ids.lid; s < runs; s += WG_SIZE) {
        run_weight[s] = exp(partials[partial_at(h, s) + hd] - m) / total;
    }
    workgroupBarrier();
    if !in_range || d >= hd {
        return;
    }
    // Eight runs' loads issued together.
    var acc = 0.0;
    let octets = runs / 8u;
    for (var k = 0u; k < octets; k++) {
        let s = 8u * k;
        var o: array<f32, 8>;
        for (var j = 0u; j < 8u; j++) {
            o[j] = partials[partial_at(h, s + j) + d];
        }
        for (var j = 0u; j < 8u; j++) {
            acc += o[j] * run_weight[s + j];
        }
    }
    for (var s = 8u * octets; s < runs; s++) {
        acc += partials[partial_at(h, s) + d] * run_weight[s];
    }
    var o = acc;
    if params.gated != 0u {
        o *= 1.0 / (1.0 + exp(-gate[h * hd + d]));
    }
    out[h * hd + d] = o;
}
