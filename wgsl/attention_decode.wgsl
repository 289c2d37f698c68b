// Decode attention for one query token over a KV cache, split over the cache ("flash
// decoding"): `attn_split` gives each (KV head, chunk of CHUNK positions) one workgroup, which
// scores its positions for every query head of the group (the K and V rows are loaded once for
// all of them) and writes, per query head, the chunk's score maximum m, its sum of
// exp(score - m) l, and its unnormalised value sum o = Σ exp(score - m) v. `attn_merge` gives
// each query head one workgroup that rescales the visible chunks' partials to the common
// maximum and divides: out = Σ_s o_s e^(m_s - M) / Σ_s l_s e^(m_s - M).
//
// Shared bindings:
//   params   uniform  heads, kv_heads, head_dim, pos (the query's position, before the
//                     position uniform is added), window (0: none; else the last `window`
//                     positions are visible), gated (1: multiply the output by
//                     sigmoid(gate)), scale, chunks (chunks of the cache the grid covers)
//   position uniform  the call's position (kernels/position.rs), added to params.pos
//   q        read     [heads, head_dim]
//   keys     read     [positions, kv_heads, head_dim] (positions first..first+count visible)
//   values   read     [positions, kv_heads, head_dim]
//   gate     read     [heads, head_dim] (bound even when ungated)
//   partials rw       [heads, chunks, head_dim + 2] scratch: o, then m, then l
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
    chunks: u32,
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

// Positions per split workgroup: the launcher's DECODE_CHUNK (the registry test compares
// them). Each position is scored by PARTS invocations (interleaved dimensions, so
// neighbouring invocations read neighbouring floats), so a workgroup is CHUNK * PARTS
// invocations and an invocation walks head_dim / PARTS dimensions: 16 at 256. (With 4 parts a
// decode step's few workgroups each walked 64 dependent loads: 47 µs per Qwen3.5-9B layer on
// the H200.)
const CHUNK: u32 = 16u;
const PARTS: u32 = 16u;
const THREADS: u32 = CHUNK * PARTS;
// Query heads scored together per round (more heads per KV head take more rounds); their
// accumulators are unrolled registers.
const GROUP: u32 = 4u;
// Below every finite score: exp(NO_SCORE - m) is 0 for any finite m.
const NO_SCORE: f32 = -3.4028235e38;

// Per (head of the round, position, part): partial dot products; then, in the first
// GROUP * CHUNK slots, the positions' exp(score - m).
var<workgroup> dots_sh: array<f32, GROUP * CHUNK * PARTS>;
var<workgroup> scores_sh: array<f32, GROUP * CHUNK>;

fn query_pos() -> u32 {
    return params.pos + position.pos;
}

// First visible position: 0, or pos + 1 - window.
fn first_visible() -> u32 {
    let p = query_pos();
    return select(0u, p + 1u - min(params.window, p + 1u), params.window != 0u);
}

fn group_size() -> u32 {
    return max(params.heads / max(params.kv_heads, 1u), 1u);
}

fn partial_at(h: u32, chunk: u32) -> u32 {
    return (h * params.chunks + chunk) * (params.head_dim + 2u);
}

// The chunk's maximum score for head g of the round (scores_sh must be complete).
fn chunk_max(g: u32) -> f32 {
    var best = NO_SCORE;
    for (var i = 0u; i < CHUNK; i++) {
        best = max(best, scores_sh[g * CHUNK + i]);
    }
    return best;
}

// Dispatch: kv_heads * chunks workgroups (folded into x/y past the grid limit); workgroup
// (kv, chunk) covers positions chunk * CHUNK ..; chunks with no visible position return at once
// (the whole workgroup: the condition depends only on the workgroup id).
@compute @workgroup_size(THREADS)
fn attn_split(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = group.x + group.y * groups.x;
    // The launcher's chunk count is at least 1; max() lets the module drop its division guard.
    let chunks = max(params.chunks, 1u);
    let chunk = idx % chunks;
    let kv = idx / chunks;
    let first = first_visible();
    let last = query_pos();
    let start = chunk * CHUNK;
    if kv >= params.kv_heads || start > last || start + CHUNK <= first {
        return;
    }
    let hd = params.head_dim;
    let heads_per_kv = group_size();
    // Score phase: invocation lid takes dimensions part, part + PARTS, ... of position
    // start + slot.
    let slot = lid / PARTS;
    let part = lid % PARTS;
    let p = start + slot;
    let scored = p >= first && p <= last;
    let row = (p * params.kv_heads + kv) * hd;
    for (var g0 = 0u; g0 < heads_per_kv; g0 += GROUP) {
        let n = min(GROUP, heads_per_kv - g0);
        let h0 = kv * heads_per_kv + g0;
        var acc: array<f32, GROUP>;
        if scored {
            for (var d = part; d < hd; d += PARTS) {
                let k = keys[row + d];
                for (var g = 0u; g < GROUP; g++) {
                    // Heads past the round's n repeat its last (their sums are not used).
                    acc[g] += q[(h0 + min(g, n - 1u)) * hd + d] * k;
                }
            }
        }
        for (var g = 0u; g < GROUP; g++) {
            dots_sh[(g * CHUNK + slot) * PARTS + part] = acc[g];
        }
        workgroupBarrier();
        for (var t = lid; t < n * CHUNK; t += THREADS) {
            let g = t / CHUNK;
            let i = t % CHUNK;
            var dot = 0.0;
            for (var j = 0u; j < PARTS; j++) {
                dot += dots_sh[(g * CHUNK + i) * PARTS + j];
            }
            let pos = start + i;
            scores_sh[t] = select(NO_SCORE, dot * params.scale, pos >= first && pos <= last);
        }
        workgroupBarrier();
        // Every invocation reads the maxima it needs (CHUNK values) instead of reducing.
        for (var t = lid; t < n * CHUNK; t += THREADS) {
            let s = scores_sh[t];
            dots_sh[t] = select(0.0, exp(s - chunk_max(t / CHUNK)), s != NO_SCORE);
        }
        workgroupBarrier();
        // Value phase: invocation lid owns dimensions lid, lid + THREADS, ...; each V row is
        // read once for the round's heads.
        let span = min(last + 1u, start + CHUNK) - start;
        for (var d = lid; d < hd; d += THREADS) {
            var o: array<f32, GROUP>;
            for (var i = 0u; i < span; i++) {
                let v = values[((start + i) * params.kv_heads + kv) * hd + d];
                for (var g = 0u; g < GROUP; g++) {
                    o[g] += dots_sh[min(g, n - 1u) * CHUNK + i] * v;
                }
            }
            for (var g = 0u; g < n; g++) {
                partials[partial_at(h0 + g, chunk) + d] = o[g];
            }
        }
        if lid < n {
            var l = 0.0;
            for (var i = 0u; i < CHUNK; i++) {
                l += dots_sh[lid * CHUNK + i];
            }
            let at = partial_at(h0 + lid, chunk) + hd;
            partials[at] = chunk_max(lid);
            partials[at + 1u] = l;
        }
        // The next round overwrites both workgroup arrays.
        workgroupBarrier();
    }
}

// One workgroup per query head. No early return: every invocation reaches the reductions.
@compute @workgroup_size(WG_SIZE)
fn attn_merge(ids: ReduceIds, @builtin(workgroup_id) group: vec3<u32>) {
    let h = group.x;
    let in_range = h < params.heads;
    let c0 = first_visible() / CHUNK;
    let c1 = select(c0, query_pos() / CHUNK + 1u, in_range);
    let hd = params.head_dim;
    var local_max = NO_SCORE;
    for (var c = c0 + ids.lid; c < c1; c += WG_SIZE) {
        local_max = max(local_max, partials[partial_at(h, c) + hd]);
    }
    let m = workgroup_max(local_max, ids);
    var local_sum = 0.0;
    for (var c = c0 + ids.lid; c < c1; c += WG_SIZE) {
        let at = partial_at(h, c) + hd;
        local_sum += partials[at + 1u] * exp(partials[at] - m);
    }
    let total = workgroup_sum(local_sum, ids);
    if !in_range {
        return;
    }
    for (var d = ids.lid; d < hd; d += WG_SIZE) {
        var acc = 0.0;
        for (var c = c0; c < c1; c++) {
            let at = partial_at(h, c);
            acc += partials[at + d] * exp(partials[at + hd] - m);
        }
        var o = acc / total;
        if params.gated != 0u {
            o *= 1.0 / (1.0 + exp(-gate[h * hd + d]));
        }
        out[h * hd + d] = o;
    }
}
