// Gated DeltaNet's layer input in one dispatch: everything between the input projections and
// the delta rule. The causal conv1d + SiLU of the mixed q|k|v channels (state carried), split
// into q, k and v, the L2 norms of the q and k heads (q also scaled), and the gates:
//   q[t, h, :] = l2norm(conv(x)[t, h * dk ..]) * q_scale      (h < k_heads)
//   k[t, h, :] = l2norm(conv(x)[t, key_cols + h * dk ..])
//   v[t, :]    = conv(x)[t, 2 * key_cols ..]
//   gates[t, h] = (sigmoid(b[t, h]), a_neg[h] * softplus(a[t, h] + dt_bias[h]))
// It computes what deltanet_conv, three column copies, two l2_norm rows and deltanet_gates
// compute, with the same steps (parts/deltanet_conv_step.wgsl, parts/deltanet_gate.wgsl) and, at the same workgroup size
// and reduction, the same sums: the unfused plan's outputs, bit for bit.
//
// Bindings:
//   params      uniform
//   conv_w      read  [channels, kernel]
//   conv_state  rw    [kernel - 1, channels]
//   conv_x      read  [tokens, channels] (channels = 2 * k_heads * dk + value_cols)
//   beta_in     read  [tokens, v_heads]
//   alpha_in    read  [tokens, v_heads]
//   a_neg       read  [v_heads]
//   dt_bias     read  [v_heads]
//   q_out       write [tokens, k_heads, dk]
//   k_out       write [tokens, k_heads, dk]
//   v_out       write [tokens, value_cols]
//   gates       write [tokens, v_heads, 2]
// Dispatch: 2 * k_heads + value_groups + 1 workgroups in x. Workgroup g < 2 * k_heads owns q
// head g (then k head g - k_heads) and normalises it token by token; the next value_groups
// workgroups own WG_SIZE value channels each; the last computes the gates. Every channel's
// state has one owner, so no workgroup reads what another writes. Needs a reduction part
// (workgroup_sum, ReduceIds); the branch is uniform per workgroup, so its barriers are reached
// by the whole workgroup.

struct InputParams {
    tokens: u32,
    channels: u32,
    kernel: u32,
    k_heads: u32,
    dk: u32,
    v_heads: u32,
    value_cols: u32,
    value_groups: u32,
    eps: f32,
    q_scale: f32,
    _pad0: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: InputParams;
@group(0) @binding(1) var<storage, read> conv_w: array<f32>;
@group(0) @binding(2) var<storage, read_write> conv_state: array<f32>;
@group(0) @binding(3) var<storage, read> conv_x: array<f32>;
@group(0) @binding(4) var<storage, read> beta_in: array<f32>;
@group(0) @binding(5) var<storage, read> alpha_in: array<f32>;
@group(0) @binding(6) var<storage, read> a_neg: array<f32>;
@group(0) @binding(7) var<storage, read> dt_bias: array<f32>;
@group(0) @binding(8) var<storage, read_write> q_out: array<f32>;
@group(0) @binding(9) var<storage, read_write> k_out: array<f32>;
@group(0) @binding(10) var<storage, read_write> v_out: array<f32>;
@group(0) @binding(11) var<storage, read_write> gates: array<f32>;

@compute @workgroup_size(WG_SIZE)
fn deltanet_input(ids: ReduceIds, @builtin(workgroup_id) group: vec3<u32>) {
    let g = group.x;
    let ch = params.channels;
    let k = params.kernel;
    let dk = params.dk;
    let heads = 2u * params.k_heads;
    if g < heads {
        // A q or k head: channels g * dk .. (q heads first, then k heads, as in x).
        let is_q = g < params.k_heads;
        let head = select(g - params.k_heads, g, is_q);
        let scale = select(1.0, params.q_scale, is_q);
        for (var t = 0u; t < params.tokens; t++) {
            let at = (t * params.k_heads + head) * dk;
            var sum_sq = 0.0;
            for (var c = ids.lid; c < dk; c += WG_SIZE) {
                let y = conv_silu_step(g * dk + c, t, ch, k);
                if is_q {
                    q_out[at + c] = y;
                } else {
                    k_out[at + c] = y;
                }
                sum_sq += y * y;
            }
            let factor = inverseSqrt(workgroup_sum(sum_sq, ids) + params.eps) * scale;
            // Each invocation rescales only what it wrote itself: no barrier needed.
            for (var c = ids.lid; c < dk; c += WG_SIZE) {
                if is_q {
                    q_out[at + c] = q_out[at + c] * factor;
                } else {
                    k_out[at + c] = k_out[at + c] * factor;
                }
            }
        }
    } else if g < heads + params.value_groups {
        let j = (g - heads) * WG_SIZE + ids.lid;
        if j < params.value_cols {
            for (var t = 0u; t < params.tokens; t++) {
                v_out[t * params.value_cols + j] = conv_silu_step(heads * dk + j, t, ch, k);
            }
        }
    } else {
        let rows = params.tokens * params.v_heads;
        for (var i = ids.lid; i < rows; i += WG_SIZE) {
            let h = i % max(params.v_heads, 1u);
            let gate = deltanet_gate(beta_in[i], alpha_in[i], a_neg[h], dt_bias[h]);
            gates[2u * i] = gate.x;
            gates[2u * i + 1u] = gate.y;
        }
    }
}
