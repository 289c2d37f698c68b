// RMS normalisation of each row:
//   out[r, c] = x[r, c] * inverseSqrt(mean_c(x[r, :]^2) + eps) * (weight[c] + weight_offset)
//
// Bindings:
//   params  uniform  rows, cols, eps, weight_offset
//   x       read     [rows, cols] f32
//   weight  read     [cols] f32
//   out     write    [rows, cols] f32
// Dispatch: one workgroup per row, folded into x/y when rows exceed the per-dimension limit.
// Needs a `workgroup_sum` reduction part (parts/reduce_*.wgsl), which also defines `ReduceIds`.
// No early return: every invocation reaches the barriers inside `workgroup_sum`.

struct RmsNormParams {
    rows: u32,
    cols: u32,
    eps: f32,
    weight_offset: f32,
}

@group(0) @binding(0) var<uniform> params: RmsNormParams;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

// The loops below take four of an invocation's columns (c, c + WG_SIZE, ...) per step with
// every load issued before the first use, so a row costs a few memory latencies rather than
// one per column: `quads` whole steps of 4 * WG_SIZE columns, then the rest one at a time.
// Sums still add each column in the same order as a one-column loop.

// Whole steps of 4 * WG_SIZE columns in a row of `cols`.
fn quads(cols: u32) -> u32 {
    return cols / 4u / WG_SIZE;
}

// x at i, i + WG_SIZE, i + 2 WG_SIZE, i + 3 WG_SIZE.
fn quad(i: u32) -> vec4<f32> {
    return vec4<f32>(x[i], x[i + WG_SIZE], x[i + 2u * WG_SIZE], x[i + 3u * WG_SIZE]);
}

// (weight + weight_offset) at c, c + WG_SIZE, ...
fn weight_quad(c: u32) -> vec4<f32> {
    let w = vec4<f32>(weight[c], weight[c + WG_SIZE], weight[c + 2u * WG_SIZE], weight[c + 3u * WG_SIZE]);
    return w + vec4<f32>(params.weight_offset);
}

// This invocation's sum of x^2 over its columns of the row at `base`.
fn squares_of_x(base: u32, cols: u32, lid: u32) -> f32 {
    var sum_sq = 0.0;
    for (var q = 0u; q < quads(cols); q++) {
        let c = lid + 4u * WG_SIZE * q;
        let v = quad(base + c);
        for (var k = 0u; k < 4u; k++) {
            sum_sq += v[k] * v[k];
        }
    }
    for (var c = lid + 4u * WG_SIZE * quads(cols); c < cols; c += WG_SIZE) {
        let v = x[base + c];
        sum_sq += v * v;
    }
    return sum_sq;
}

@compute @workgroup_size(WG_SIZE)
fn rms_norm_f32(
    ids: ReduceIds,
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    rms_norm_row(ids, group.x + group.y * groups.x);
}

// `rms_norm_f32`, then the row's 8-bit blocks into xq (one row: a decode step's norm before
// projections that take an 8-bit x).
@compute @workgroup_size(WG_SIZE)
fn rms_norm_q8_f32(ids: ReduceIds) {
    rms_norm_row(ids, 0u);
    quantize_out(ids.lid);
}

fn rms_norm_row(ids: ReduceIds, row: u32) {
    let in_range = row < params.rows;
    let cols = select(0u, params.cols, in_range);
    let base = row * params.cols;
    let sum_sq = squares_of_x(base, cols, ids.lid);
    let total = workgroup_sum(sum_sq, ids);
    let inv_rms = inverseSqrt(total / f32(max(cols, 1u)) + params.eps);
    for (var q = 0u; q < quads(cols); q++) {
        let c = ids.lid + 4u * WG_SIZE * q;
        let v = quad(base + c);
        let w = weight_quad(c);
        for (var k = 0u; k < 4u; k++) {
            out[base + c + k * WG_SIZE] = v[k] * inv_rms * w[k];
        }
    }
    for (var c = ids.lid + 4u * WG_SIZE * quads(cols); c < cols; c += WG_SIZE) {
        out[base + c] = x[base + c] * inv_rms * (weight[c] + params.weight_offset);
    }
}

// Fused residual step: residual[r, c] += x[r, c], then out = RMSNorm(residual) as above.
// Extra binding:
//   residual  read-write  [rows, cols] f32 (updated in place: the next layer's input)
// Each invocation reads back only the residual values it wrote itself, so the update needs no
// barrier before the second pass.
@group(0) @binding(4) var<storage, read_write> residual: array<f32>;

// residual at i, i + WG_SIZE, ...
fn residual_quad(i: u32) -> vec4<f32> {
    return vec4<f32>(residual[i], residual[i + WG_SIZE], residual[i + 2u * WG_SIZE], residual[i + 3u * WG_SIZE]);
}

@compute @workgroup_size(WG_SIZE)
fn add_rms_norm_f32(
    ids: ReduceIds,
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    add_rms_norm_row(ids, group.x + group.y * groups.x);
}

// `add_rms_norm_f32`, then the row's 8-bit blocks into xq, as `rms_norm_q8_f32`.
@compute @workgroup_size(WG_SIZE)
fn add_rms_norm_q8_f32(ids: ReduceIds) {
    add_rms_norm_row(ids, 0u);
    quantize_out(ids.lid);
}

fn add_rms_norm_row(ids: ReduceIds, row: u32) {
    let in_range = row < params.rows;
    let cols = select(0u, params.cols, in_range);
    let base = row * params.cols;
    var sum_sq = 0.0;
    for (var q = 0u; q < quads(cols); q++) {
        let c = ids.lid + 4u * WG_SIZE * q;
        let i = base + c;
        let v = residual_quad(i) + quad(i);
        for (var k = 0u; k < 4u; k++) {
            residual[i + k * WG_SIZE] = v[k];
            sum_sq += v[k] * v[k];
        }
    }
    for (var c = ids.lid + 4u * WG_SIZE * quads(cols); c < cols; c += WG_SIZE) {
        let v = residual[base + c] + x[base + c];
        residual[base + c] = v;
        sum_sq += v * v;
    }
    let total = workgroup_sum(sum_sq, ids);
    let inv_rms = inverseSqrt(total / f32(max(cols, 1u)) + params.eps);
    for (var q = 0u; q < quads(cols); q++) {
        let c = ids.lid + 4u * WG_SIZE * q;
        let v = residual_quad(base + c);
        let w = weight_quad(c);
        for (var k = 0u; k < 4u; k++) {
            out[base + c + k * WG_SIZE] = v[k] * inv_rms * w[k];
        }
    }
    for (var c = ids.lid + 4u * WG_SIZE * quads(cols); c < cols; c += WG_SIZE) {
        out[base + c] = residual[base + c] * inv_rms * (weight[c] + params.weight_offset);
    }
}

// The `_q8` entry points (one row) also write the row's 8-bit blocks, in quantize_q8.wgsl's
// layout, so the projections after them need no quantize_q8 dispatch. Extra binding:
//   xq  write  [cols / 16 + cols / 32] vec4<u32> (cols a multiple of 32)
// The blocks are made from `out` as stored (read back after a storage barrier), so they equal
// quantize_q8 of the norm's output bit for bit.
@group(0) @binding(6) var<storage, read_write> xq: array<vec4<u32>>;

// Quantizes row 0 of `out`: invocation lid takes pairs of blocks lid, lid + WG_SIZE, ...
fn quantize_out(lid: u32) {
    storageBarrier();
    let blocks = params.cols / 16u;
    for (var p = lid; p < blocks / 2u; p += WG_SIZE) {
        var scales: array<vec2<u32>, 2>;
        for (var h = 0u; h < 2u; h++) {
            let b = 2u * p + h;
            var v: array<vec4<f32>, 4>;
            for (var k = 0u; k < 4u; k++) {
                let i = 16u * b + 4u * k;
                v[k] = vec4<f32>(out[i], out[i + 1u], out[i + 2u], out[i + 3u]);
            }
            let block = quantize_values(v);
            xq[b] = block.q;
            scales[h] = block.scale;
        }
        xq[blocks + p] = vec4<u32>(scales[0], scales[1]);
    }
}

// Gated RMSNorm of Gated DeltaNet: out = RMSNorm(x) * (weight + weight_offset) * silu(gate),
// rows of weight.len() (one value head each). Extra binding:
//   gate  read  [rows, cols] f32
@group(0) @binding(5) var<storage, read> gate: array<f32>;

@compute @workgroup_size(WG_SIZE)
fn gated_rms_norm_f32(
    ids: ReduceIds,
    @builtin(workgroup_id) group: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let row = group.x + group.y * groups.x;
    let in_range = row < params.rows;
    let cols = select(0u, params.cols, in_range);
    let base = row * params.cols;
    let sum_sq = squares_of_x(base, cols, ids.lid);
    let total = workgroup_sum(sum_sq, ids);
    let inv_rms = inverseSqrt(total / f32(max(cols, 1u)) + params.eps);
    for (var c = ids.lid; c < cols; c += WG_SIZE) {
        let g = gate[base + c];
        out[base + c] = x[base + c] * inv_rms * (weight[c] + params.weight_offset) * (g / (1.0 + exp(-g)));
    }
}
