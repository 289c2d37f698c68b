// The FFN gate applied elementwise: out[i] = act(gate[i]) * up[i], for layers whose gate and
// up projections are separate matrices (the fused kernels apply it inside matvec_glu and
// matmul_glu). act from `parts/activation.wgsl`.
//
// Bindings:
//   params  uniform  n, activation (0 SiLU, 1 GELU-tanh)
//   gate    read     [n]
//   up      read     [n]
//   out     write    [>= n]
// Dispatch: ceil(n / WG_SIZE) workgroups, folded into x/y.

struct GluParams {
    n: u32,
    activation: u32,
    _pad0: u32,
    _pad1: u32,
}

override WG_SIZE: u32 = 256u;

@group(0) @binding(0) var<uniform> params: GluParams;
@group(0) @binding(1) var<storage, read> gate: array<f32>;
@group(0) @binding(2) var<storage, read> up: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG_SIZE)
fn glu_f32(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let i = gid.x + gid.y * groups.x * WG_SIZE;
    if i < params.n {
        out[i] = gate_activation(gate[i], params.activation) * up[i];
    }
}
