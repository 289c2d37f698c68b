// Elementwise addition: out[i] = a[i] + b[i].
//
// Bindings (all f32, one element per invocation):
//   params  uniform  n = element count
//   a, b    read     [n]
//   out     write    [n]
// Dispatch: ceil(n / WG_SIZE) workgroups, folded into x/y when above the per-dimension limit;
// invocations past n do nothing.

struct AddParams {
    n: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

override WG_SIZE: u32 = 256u;

@group(0) @binding(0) var<uniform> params: AddParams;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG_SIZE)
fn add_f32(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let i = gid.x + gid.y * groups.x * WG_SIZE;
    if i < params.n {
        out[i] = a[i] + b[i];
    }
}
