// Gated DeltaNet's gated delta rule, sequential form (decode, and prefill token by token),
// with state carried in and out. Value columns are independent, so no barriers.

struct DeltaParams {
    tokens: u32,
    k_heads: u32,
    v_heads: u32,
    dk: u32,
    dv: u32,
    // 1: value head h reads key head h % k_heads (llama.cpp GGUF order);
    // 0: h / (v_heads / k_heads) (Hugging Face order).
    tiled: u32,
    _pad0: u32,
    _pad1: u32,
}

override WG_SIZE: u32 = 64u;

// The gated delta rule per value head; invocation j of a head's workgroup owns columns
// j, j + WG_SIZE, ... of the head's state S [dk][dv]:
//   S *= exp(g); p = S^T k; S += k (beta (v - p))^T; o = S^T q
//   params  uniform
//   q, k    read  [tokens, k_heads, dk]: L2-normalised (q also scaled by 1/sqrt(dk))
//   v       read  [tokens, v_heads, dv]
//   bg      read  [tokens, v_heads, 2]: (beta, g) per value head
//   state   rw    [v_heads, dk, dv]
//   o       write [tokens, v_heads, dv]
@group(0) @binding(0) var<uniform> params: DeltaParams;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read> bg: array<f32>;
@group(0) @binding(5) var<storage, read_write> state: array<f32>;
@group(0) @binding(6) var<storage, read_write> o: array<f32>;

@compute @workgroup_size(WG_SIZE)
fn delta_rule(
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) group: vec3<u32>,
) {
    let h = group.x;
    if h >= params.v_heads {
        return;
    }
    let dk = params.dk;
    let dv = params.dv;
    let ratio = max(params.v_heads / max(params.k_heads, 1u), 1u);
    let kh = select(h / ratio, h % max(params.k_heads, 1u), params.tiled != 0u);
    let s0 = h * dk * dv;
    for (var t = 0u; t < params.tokens; t++) {
        let kq = (t * params.k_heads + kh) * dk;
        let beta = bg[(t * params.v_heads + h) * 2u];
        let decay = exp(bg[(t * params.v_heads + h) * 2u + 1u]);
        for (var j = lid; j < dv; j += WG_SIZE) {
            var p = 0.0;
            for (var i = 0u; i < dk; i++) {
                let s = state[s0 + i * dv + j] * decay;
                state[s0 + i * dv + j] = s;
                p += s * k[kq + i];
            }
            let u = beta * (v[(t * params.v_heads + h) * dv + j] - p);
            var out = 0.0;
            for (var i = 0u; i < dk; i++) {
                let s = state[s0 + i * dv + j] + k[kq + i] * u;
                state[s0 + i * dv + j] = s;
                out += s * q[kq + i];
            }
            o[(t * params.v_heads + h) * dv + j] = out;
        }
    }
}
