// Decode attention for one query token over a KV cache, in two passes ("split over the cache,
// then combine"): `attn_scores` computes every visible score, `attn_combine` turns one head's
// scores into softmax weights and sums the values.
//
// Shared bindings:
//   params  uniform  heads, kv_heads, head_dim, pos (the query's position, before the
//                    position uniform is added), window (0: none; else the last `window`
//                    positions are visible), gated (1: multiply the output by sigmoid(gate)),
//                    scale
//   position uniform the call's position (kernels/position.rs), added to params.pos
//   q       read     [heads, head_dim]
//   keys    read     [positions, kv_heads, head_dim] (positions first..first+count visible)
//   values  read     [positions, kv_heads, head_dim]
//   gate    read     [heads, head_dim] (bound even when ungated)
//   scores  rw       [heads, count] scratch
//   out     write    [heads, head_dim]
// Query head h reads KV head h / (heads / kv_heads).

struct AttnParams {
    heads: u32,
    kv_heads: u32,
    head_dim: u32,
    pos: u32,
    window: u32,
    gated: u32,
    scale: f32,
    _pad: u32,
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
@group(0) @binding(5) var<storage, read_write> scores: array<f32>;
@group(0) @binding(6) var<storage, read_write> out: array<f32>;
@group(0) @binding(7) var<uniform> position: Position;

fn query_pos() -> u32 {
    return params.pos + position.pos;
}

// First visible position: 0, or pos + 1 - window.
fn first_visible() -> u32 {
    let p = query_pos();
    return select(0u, p + 1u - min(params.window, p + 1u), params.window != 0u);
}

// Visible positions.
fn visible() -> u32 {
    return query_pos() + 1u - first_visible();
}

fn kv_head(h: u32) -> u32 {
    return h / max(params.heads / max(params.kv_heads, 1u), 1u);
}

// One invocation per (head, visible position); the grid may be larger (an encoded pass sized
// for the cache), extra invocations return. Dispatch: ceil(heads * rows / WG_SIZE).
@compute @workgroup_size(WG_SIZE)
fn attn_scores(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = gid.x + gid.y * groups.x * WG_SIZE;
    let count = visible();
    if idx >= params.heads * count {
        return;
    }
    let h = idx / count;
    let p = first_visible() + idx % count;
    let hd = params.head_dim;
    let k0 = (p * params.kv_heads + kv_head(h)) * hd;
    var dot = 0.0;
    for (var d = 0u; d < hd; d++) {
        dot += q[h * hd + d] * keys[k0 + d];
    }
    scores[idx] = dot * params.scale;
}

// One workgroup per head. No early return: every invocation reaches the reductions.
@compute @workgroup_size(WG_SIZE)
fn attn_combine(ids: ReduceIds, @builtin(workgroup_id) group: vec3<u32>) {
    let h = group.x;
    let in_range = h < params.heads;
    let count = visible();
    let first = first_visible();
    let n = select(0u, count, in_range);
    let row = h * count;
    var local_max = -3.4028235e38;
    for (var i = ids.lid; i < n; i += WG_SIZE) {
        local_max = max(local_max, scores[row + i]);
    }
    let m = workgroup_max(local_max, ids);
    var local_sum = 0.0;
    for (var i = ids.lid; i < n; i += WG_SIZE) {
        local_sum += exp(scores[row + i] - m);
    }
    let total = workgroup_sum(local_sum, ids);
    if !in_range {
        return;
    }
    let hd = params.head_dim;
    let kv = kv_head(h);
    for (var d = ids.lid; d < hd; d += WG_SIZE) {
        var acc = 0.0;
        for (var i = 0u; i < n; i++) {
            let p = first + i;
            acc += exp(scores[row + i] - m) * values[(p * params.kv_heads + kv) * hd + d];
        }
        var o = acc / total;
        if params.gated != 0u {
            o *= 1.0 / (1.0 + exp(-gate[h * hd + d]));
        }
        out[h * hd + d] = o;
    }
}
