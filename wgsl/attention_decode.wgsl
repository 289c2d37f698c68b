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
//   keys     read     [positions, kv_heads, head_dim] (positions first..=pos visible)
//   values   read     [positions, kv_heads, head_dim]
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
@group(0) @binding(2) var<storage, read> keys: array<f32>;
@group(0) @binding(3) var<storage, read> values: array<f32>;
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

// Per (head of the round, position, part): partial dot products.
var<workgroup> dots_sh: array<f32, GROUP * CHUNK * PARTS>;
// Per (head of the round, position): the tile's scores, then exp(score - m).
var<workgroup> scores_sh: array<f32, GROUP * CHUNK>;
var<workgroup> weights_sh: array<f32, GROUP * CHUNK>;
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

// Positions per run: the visible count over the splits, rounded up to whole tiles.
fn run_len() -> u32 {
    let visible = query_pos() + 1u - first_visible();
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

// Partial dot products of q (heads h0.., the round's n) with the key row at `row`, over
// dimensions part, part + PARTS, ...: four loads issued before their products, so a few
// memory latencies cover the row, not one per dimension.
fn partial_scores(row: u32, h0: u32, n: u32, part: u32) -> array<f32, GROUP> {
    let hd = params.head_dim;
    var heads: array<u32, GROUP>;
    for (var g = 0u; g < GROUP; g++) {
        // Heads past the round's n repeat its last (their sums are not used).
        heads[g] = (h0 + min(g, n - 1u)) * hd;
    }
    var acc: array<f32, GROUP>;
    var d = part;
    for (; d + 3u * PARTS < hd; d += 4u * PARTS) {
        let k = vec4<f32>(keys[row + d], keys[row + d + PARTS], keys[row + d + 2u * PARTS], keys[row + d + 3u * PARTS]);
        for (var g = 0u; g < GROUP; g++) {
            let at = heads[g] + d;
            let qv = vec4<f32>(q[at], q[at + PARTS], q[at + 2u * PARTS], q[at + 3u * PARTS]);
            acc[g] += dot(qv, k);
        }
    }
    for (; d < hd; d += PARTS) {
        let k = keys[row + d];
        for (var g = 0u; g < GROUP; g++) {
            acc[g] += q[heads[g] + d] * k;
        }
    }
    return acc;
}

// Σ_i weight[g][i] · V[t0 + i][kv][d] over the tile's `span` positions, per head of the round,
// four V loads at a time.
fn weighted_values(t0: u32, span: u32, kv: u32, d: u32) -> array<f32, GROUP> {
    let stride = params.kv_heads * params.head_dim;
    let at = (t0 * params.kv_heads + kv) * params.head_dim + d;
    var add: array<f32, GROUP>;
    var i = 0u;
    for (; i + 3u < span; i += 4u) {
        let v = vec4<f32>(values[at + i * stride], values[at + (i + 1u) * stride], values[at + (i + 2u) * stride], values[at + (i + 3u) * stride]);
        for (var g = 0u; g < GROUP; g++) {
            let w = g * CHUNK + i;
            add[g] += dot(vec4<f32>(weights_sh[w], weights_sh[w + 1u], weights_sh[w + 2u], weights_sh[w + 3u]), v);
        }
    }
    for (; i < span; i++) {
        let v = values[at + i * stride];
        for (var g = 0u; g < GROUP; g++) {
            add[g] += weights_sh[g * CHUNK + i] * v;
        }
    }
    return add;
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
        for (var t0 = begin; t0 < end; t0 += CHUNK) {
            let p = t0 + slot;
            var acc: array<f32, GROUP>;
            if p < end {
                acc = partial_scores((p * params.kv_heads + kv) * hd, h0, n, part);
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
            if lid < GROUP * CHUNK {
                let s = scores_sh[lid];
                weights_sh[lid] = select(0.0, exp(s - max_sh[lid / CHUNK]), s != NO_SCORE);
            }
            workgroupBarrier();
            // Rescale what the run summed so far to the new maximum, then add the tile's
            // weighted values: invocation lid owns dimensions lid, lid + THREADS; each V row is
            // read once for the round's heads. (The tile's first position is visible, so the
            // new maximum is finite and exp(NO_SCORE - it) is 0.)
            let span = min(end - t0, CHUNK);
            if lid < GROUP {
                var sum = 0.0;
                for (var i = 0u; i < CHUNK; i++) {
                    sum += weights_sh[lid * CHUNK + i];
                }
                l = l * exp(m[lid] - max_sh[lid]) + sum;
            }
            var factor: array<f32, GROUP>;
            for (var g = 0u; g < GROUP; g++) {
                let top = max_sh[g];
                factor[g] = exp(m[g] - top);
                m[g] = top;
            }
            for (var k = 0u; k < DIMS; k++) {
                let d = lid + k * THREADS;
                var add: array<f32, GROUP>;
                if d < hd {
                    add = weighted_values(t0, span, kv, d);
                }
                for (var g = 0u; g < GROUP; g++) {
                    o[k][g] = o[k][g] * factor[g] + add[g];
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

// One workgroup per query head. No early return: every invocation reaches the reductions.
@compute @workgroup_size(WG_SIZE)
fn attn_merge(ids: ReduceIds, @builtin(workgroup_id) group: vec3<u32>) {
    let h = group.x;
    let in_range = h < params.heads;
    let len = run_len();
    // Runs holding a visible position: ceil(visible / len).
    let visible = query_pos() + 1u - first_visible();
    let runs = select(0u, (visible + len - 1u) / len, in_range);
    let hd = params.head_dim;
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
    if !in_range {
        return;
    }
    for (var d = ids.lid; d < hd; d += WG_SIZE) {
        var acc = 0.0;
        for (var s = 0u; s < runs; s++) {
            let at = partial_at(h, s);
            acc += partials[at + d] * exp(partials[at + hd] - m);
        }
        var o = acc / total;
        if params.gated != 0u {
            o *= 1.0 / (1.0 + exp(-gate[h * hd + d]));
        }
        out[h * hd + d] = o;
    }
}
