// L2 normalisation of each row (Gated DeltaNet's q and k heads), then a scale:
//   out[r, c] = x[r, c] * inverseSqrt(sum_c x[r, c]^2 + eps) * scale
//
// Bindings:
//   params  uniform  rows, cols, eps, scale
//   x       read     [rows, cols] f32
//   out     write    [rows, cols] f32
// Dispatch: one workgroup per row (folded); needs a reduction part. No early return.

struct L2Params {
    rows: u32,
    cols: u32,
    eps: f32,
    scale: f32,
}

@group(0) @binding(0) var<uniform> params: L2Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG_SIZE)
fn l2_norm_f32(
    ids: ReduceIds,
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let row = group.x + group.y * groups.x;
    let in_range = row < params.rows;
    let cols = select(0u, params.cols, in_range);
    let base = row * params.cols;
    var sum_sq = 0.0;
    for (var c = ids.lid; c < cols; c += WG_SIZE) {
        let v = x[base + c];
        sum_sq += v * v;
    }
    let total = workgroup_sum(sum_sq, ids);
    let factor = inverseSqrt(total + params.eps) * params.scale;
    for (var c = ids.lid; c < cols; c += WG_SIZE) {
        out[base + c] = x[base + c] * factor;
    }
}
