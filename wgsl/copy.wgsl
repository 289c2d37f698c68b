// dst[i] = src[i] for n 16-byte vectors: the device's read+write bandwidth through a shader
// (the reference `axon bench kernels` reports kernels against) and plain buffer moves.
//
// Bindings:
//   params  uniform  n (vec4 count)
//   src     read     [n] vec4<u32>
//   dst     write    [>= n] vec4<u32>
// Dispatch: ceil(n / WG_SIZE) workgroups, folded into x/y.

struct CopyParams {
    n: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

override WG_SIZE: u32 = 256u;

@group(0) @binding(0) var<uniform> params: CopyParams;
@group(0) @binding(1) var<storage, read> src: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read_write> dst: array<vec4<u32>>;

@compute @workgroup_size(WG_SIZE)
fn copy_vec4(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let i = gid.x + gid.y * groups.x * WG_SIZE;
    if i < params.n {
        dst[i] = src[i];
    }
}
