// Gated DeltaNet's per-token, per-value-head gates from their projections:
//   beta = sigmoid(b),  g = a_neg * softplus(a + dt_bias)   (log decay, <= 0)
// written as (beta, g) pairs, the layout the delta-rule kernels read.
//
// Bindings:
//   params   uniform  rows (tokens * v_heads), v_heads
//   b, a     read     [tokens, v_heads] projections
//   a_neg    read     [v_heads] = -exp(A_log)
//   dt_bias  read     [v_heads]
//   out      write    [tokens, v_heads, 2]
// Dispatch: ceil(rows / WG_SIZE) workgroups, folded into x/y. Needs
// parts/deltanet_gate.wgsl (the gate formula).

struct GateParams {
    rows: u32,
    v_heads: u32,
    _pad0: u32,
    _pad1: u32,
}

override WG_SIZE: u32 = 256u;

@group(0) @binding(0) var<uniform> params: GateParams;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> a: array<f32>;
@group(0) @binding(3) var<storage, read> a_neg: array<f32>;
@group(0) @binding(4) var<storage, read> dt_bias: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG_SIZE)
fn deltanet_gates(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let i = gid.x + gid.y * groups.x * WG_SIZE;
    if i >= params.rows {
        return;
    }
    let h = i % max(params.v_heads, 1u);
    let gate = deltanet_gate(b[i], a[i], a_neg[h], dt_bias[h]);
    out[2u * i] = gate.x;
    out[2u * i + 1u] = gate.y;
}
