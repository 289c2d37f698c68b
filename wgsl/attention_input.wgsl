// An attention layer's input in one dispatch: everything between the Q/K/V projections and
// attention. Per token and head, the query (read in place from the projection, whatever its
// layout) is RMS-normed per head (when the model has q/k norms), rotated (RoPE at the call's
// position) and written contiguous; the output gate that Qwen3.5's query projection carries
// is copied out; per KV head, the key is normed and rotated and written into the key cache
// row of its position, the value copied into the value cache. It computes what two or three
// column copies, two rms_norm calls, two rope calls and two cache writes compute, with the
// same steps (the norm's loop and sum at the same width, parts/rope_angle.wgsl): the same
// values, bit for bit.
//
// Bindings:
//   params      uniform
//   turns       read  [2 * half] u32 (parts/rope_angle.wgsl)
//   q_src       read  q of token t, head h, at t * q_stride + h * q_head_stride (+ i)
//   k_src       read  k of token t, KV head h, at t * k_stride + k_first + h * head_dim
//   v_src       read  v of token t, KV head h, at t * v_stride + v_first + h * head_dim
//   q_norm_w    read  [head_dim] (read only with NORM)
//   k_norm_w    read  [head_dim] (read only with NORM)
//   q_out       write [tokens, heads, head_dim]
//   gate_out    write [tokens, heads, head_dim] (written only with GATE: the gate of head h
//                     at t * q_stride + h * q_head_stride + gate_first)
//   keys        rw    [context, kv_heads * head_dim] cache, in words of the cache part
//                     (parts/kv_f32.wgsl or parts/kv_f16.wgsl; f16 needs an even head_dim,
//                     so a head's values fill whole words)
//   values      rw    [context, kv_heads * head_dim] cache, likewise
//   position    uniform the call's position (kernels/position.rs)
// Dispatch: (heads + kv_heads, tokens) workgroups, tokens folded into y/z; workgroup x < heads
// is a query head, the rest KV heads. Needs a reduction part; every branch is uniform per
// workgroup, so its barriers are reached by the whole workgroup. head_dim <= MAX_HEAD_DIM.

const MAX_HEAD_DIM: u32 = 256u;
const NORM: u32 = 1u;
const GATE: u32 = 2u;

struct InputParams {
    tokens: u32,
    heads: u32,
    kv_heads: u32,
    head_dim: u32,
    q_stride: u32,
    q_head_stride: u32,
    gate_first: u32,
    k_stride: u32,
    k_first: u32,
    v_stride: u32,
    v_first: u32,
    half: u32,
    neox: u32,
    mscale: f32,
    eps: f32,
    weight_offset: f32,
    flags: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

struct Position {
    pos: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: InputParams;
@group(0) @binding(1) var<storage, read> turns: array<u32>;
@group(0) @binding(2) var<storage, read> q_src: array<f32>;
@group(0) @binding(3) var<storage, read> k_src: array<f32>;
@group(0) @binding(4) var<storage, read> v_src: array<f32>;
@group(0) @binding(5) var<storage, read> q_norm_w: array<f32>;
@group(0) @binding(6) var<storage, read> k_norm_w: array<f32>;
@group(0) @binding(7) var<storage, read_write> q_out: array<f32>;
@group(0) @binding(8) var<storage, read_write> gate_out: array<f32>;
@group(0) @binding(9) var<storage, read_write> keys: array<u32>;
@group(0) @binding(10) var<storage, read_write> values: array<u32>;
@group(0) @binding(11) var<uniform> position: Position;

// One head's values, normed, before the rotation (pairs cross invocations).
var<workgroup> head: array<f32, MAX_HEAD_DIM>;

// Loads a head of `head_dim` values from `src` at `base` (the query source, or the key
// source) into `head`, RMS-normed with `weight` (query or key norm) when NORM is set: the
// loop, the sum and the expression of rms_norm.wgsl.
fn load_head(is_query: bool, base: u32, ids: ReduceIds) {
    let hd = params.head_dim;
    var sum_sq = 0.0;
    for (var c = ids.lid; c < hd; c += WG_SIZE) {
        var v = 0.0;
        if is_query {
            v = q_src[base + c];
        } else {
            v = k_src[base + c];
        }
        head[c] = v;
        sum_sq += v * v;
    }
    if (params.flags & NORM) != 0u {
        let total = workgroup_sum(sum_sq, ids);
        let inv_rms = inverseSqrt(total / f32(max(hd, 1u)) + params.eps);
        for (var c = ids.lid; c < hd; c += WG_SIZE) {
            var w = 0.0;
            if is_query {
                w = q_norm_w[c];
            } else {
                w = k_norm_w[c];
            }
            head[c] = head[c] * inv_rms * (w + params.weight_offset);
        }
    }
    workgroupBarrier();
}

@compute @workgroup_size(WG_SIZE)
fn attention_input(
    ids: ReduceIds,
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let t = group.y + group.z * groups.y;
    if t >= params.tokens {
        return;
    }
    let hd = params.head_dim;
    let slot = group.x;
    let is_query = slot < params.heads;
    let h = select(slot - params.heads, slot, is_query);
    var base = t * params.k_stride + params.k_first + h * hd;
    if is_query {
        base = t * params.q_stride + h * params.q_head_stride;
    }
    load_head(is_query, base, ids);
    let pos = position.pos + t;
    let kv_cols = params.kv_heads * hd;
    // Where element c of this head goes.
    var out_base = (pos * kv_cols) + h * hd;
    if is_query {
        out_base = (t * params.heads + h) * hd;
    }
    // Rotated in place: invocation i owns pair i's two slots, so no other reads them.
    for (var i = ids.lid; i < params.half; i += WG_SIZE) {
        var a = 2u * i;
        var b = 2u * i + 1u;
        if params.neox != 0u {
            a = i;
            b = i + params.half;
        }
        let r = rotate_pair(head[a], head[b], angle(pos, i), params.mscale);
        head[a] = r.x;
        head[b] = r.y;
    }
    // Values past the rotated pairs (partial rotary) stay as they are.
    workgroupBarrier();
    if is_query {
        for (var c = ids.lid; c < hd; c += WG_SIZE) {
            q_out[out_base + c] = head[c];
        }
        if (params.flags & GATE) != 0u {
            for (var c = ids.lid; c < hd; c += WG_SIZE) {
                gate_out[out_base + c] = q_src[base + params.gate_first + c];
            }
        }
        return;
    }
    // The cache rows, a word (KV_PER_WORD elements) per step; the second element of a word
    // exists whenever it is read (head_dim is even for f16).
    let v_at = t * params.v_stride + params.v_first + h * hd;
    for (var w = ids.lid; w < hd / KV_PER_WORD; w += WG_SIZE) {
        let c = w * KV_PER_WORD;
        let next = min(c + 1u, hd - 1u);
        let word = (out_base + c) / KV_PER_WORD;
        keys[word] = kv_word(head[c], head[next]);
        values[word] = kv_word(v_src[v_at + c], v_src[v_at + next]);
    }
}
