// Matrix-matrix product against quantized weights (prefill): Y[t, r] = sum_c W[r, c] X[t, c].
// Second entry point `matmul_glu`: the fused FFN input for many tokens,
// Y[t, r] = act(G[r] . X[t]) * (U[r] . X[t]), G's rows then U's stored as one matrix.
//
// Bindings:
//   params   uniform  rows (output rows; the FFN width for matmul_glu), cols, tokens,
//                     row_bytes (bytes of one weight row), weight_offset (bytes), activation
//   weights  read     weight rows as u32 words, in the ggml block format the composed
//                     `parts/quant/*.wgsl` part decodes (`block_value`)
//   x        read     [tokens, cols] f32
//   y        write    [tokens, rows] f32
// Dispatch: one SIDE x SIDE (16 x 16) workgroup per TILE x TILE block of Y (x: row tiles, y: token tiles).
// Each K step, the workgroup decodes a TILE x TILE_K slice of W and loads a TILE x TILE_K
// slice of X into workgroup memory (zeros past the edges), then each invocation accumulates
// a 4 x 4 sub-block: rows tx + SIDE j, tokens ty + SIDE i, strided so neighbours write neighbours.
// Decoding W once per tile amortises it over TILE tokens. Ragged rows, tokens and columns are
// handled by the zero fill and the guarded stores; barriers sit in uniform control flow.

struct MatmulParams {
    rows: u32,
    cols: u32,
    tokens: u32,
    row_bytes: u32,
    weight_offset: u32,
    // matmul_glu: 0 SiLU, 1 GELU-tanh.
    activation: u32,
    // Split formats: byte offset of the blocks' heads (kernels/repack.rs).
    head_offset: u32,
    _pad1: u32,
}

@group(0) @binding(0) var<uniform> params: MatmulParams;
@group(0) @binding(1) var<storage, read> weights: array<u32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;

// TILE is the launcher's MATMUL_TILE (registry/weight_variants.rs; the registry test compares them,
// and THREADS with the entry points' workgroup size). They size workgroup arrays and the
// 4 x 4 register blocks, so they cannot be overrides.
const TILE: u32 = 64u;
const TILE_K: u32 = 16u;
// Invocations per side of the workgroup: TILE / 4 (each owns a 4 x 4 block).
const SIDE: u32 = TILE / 4u;
const THREADS: u32 = SIDE * SIDE;

// [TILE_K][TILE], k-major so the inner loop reads along rows / tokens.
var<workgroup> x_tile: array<f32, TILE_K * TILE>;
var<workgroup> w_tile: array<f32, TILE_K * TILE>;
var<workgroup> u_tile: array<f32, TILE_K * TILE>;

// W[row, c], or 0 past the matrix.
fn weight_or_zero(row: u32, c: u32, rows: u32) -> f32 {
    if row >= rows || c >= params.cols {
        return 0.0;
    }
    let block = c / BLOCK_LEN;
    let base = params.weight_offset + row * params.row_bytes + block * BLOCK_BYTES;
    return block_value(base, c % BLOCK_LEN);
}

fn load_x_tile(lid: u32, tok0: u32, k0: u32) {
    for (var i = lid; i < TILE * TILE_K; i += THREADS) {
        let m = i / TILE_K;
        let kk = i % TILE_K;
        let t = tok0 + m;
        let c = k0 + kk;
        var v = 0.0;
        if t < params.tokens && c < params.cols {
            v = x[t * params.cols + c];
        }
        x_tile[kk * TILE + m] = v;
    }
}

fn store(t: u32, r: u32, v: f32) {
    if t < params.tokens && r < params.rows {
        y[t * params.rows + r] = v;
    }
}

fn store4(t: u32, r0: u32, v: vec4<f32>) {
    store(t, r0, v.x);
    store(t, r0 + SIDE, v.y);
    store(t, r0 + 2u * SIDE, v.z);
    store(t, r0 + 3u * SIDE, v.w);
}

fn w_column(kk: u32, tx: u32) -> vec4<f32> {
    let b = kk * TILE + tx;
    return vec4<f32>(w_tile[b], w_tile[b + SIDE], w_tile[b + 2u * SIDE], w_tile[b + 3u * SIDE]);
}

fn u_column(kk: u32, tx: u32) -> vec4<f32> {
    let b = kk * TILE + tx;
    return vec4<f32>(u_tile[b], u_tile[b + SIDE], u_tile[b + 2u * SIDE], u_tile[b + 3u * SIDE]);
}

@compute @workgroup_size(SIDE, SIDE)
fn matmul(
    @builtin(local_invocation_id) local: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) group: vec3<u32>,
) {
    let row0 = group.x * TILE;
    let tok0 = group.y * TILE;
    var acc0 = vec4<f32>();
    var acc1 = vec4<f32>();
    var acc2 = vec4<f32>();
    var acc3 = vec4<f32>();
    for (var k0 = 0u; k0 < params.cols; k0 += TILE_K) {
        load_x_tile(lid, tok0, k0);
        for (var i = lid; i < TILE * TILE_K; i += THREADS) {
            let n = i / TILE_K;
            let kk = i % TILE_K;
            w_tile[kk * TILE + n] = weight_or_zero(row0 + n, k0 + kk, params.rows);
        }
        workgroupBarrier();
        for (var kk = 0u; kk < TILE_K; kk++) {
            let b = w_column(kk, local.x);
            let xb = kk * TILE + local.y;
            acc0 += x_tile[xb] * b;
            acc1 += x_tile[xb + SIDE] * b;
            acc2 += x_tile[xb + 2u * SIDE] * b;
            acc3 += x_tile[xb + 3u * SIDE] * b;
        }
        workgroupBarrier();
    }
    let r = row0 + local.x;
    let t = tok0 + local.y;
    store4(t, r, acc0);
    store4(t + SIDE, r, acc1);
    store4(t + 2u * SIDE, r, acc2);
    store4(t + 3u * SIDE, r, acc3);
}

fn glu4(g: vec4<f32>, u: vec4<f32>) -> vec4<f32> {
    let kind = params.activation;
    return vec4<f32>(
        gate_activation(g.x, kind),
        gate_activation(g.y, kind),
        gate_activation(g.z, kind),
        gate_activation(g.w, kind),
    ) * u;
}

// rows = the FFN width; weights hold 2 * rows rows (gate rows first, then up rows).
@compute @workgroup_size(SIDE, SIDE)
fn matmul_glu(
    @builtin(local_invocation_id) local: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
    @builtin(workgroup_id) group: vec3<u32>,
) {
    let row0 = group.x * TILE;
    let tok0 = group.y * TILE;
    let ff = params.rows;
    var g0 = vec4<f32>();
    var g1 = vec4<f32>();
    var g2 = vec4<f32>();
    var g3 = vec4<f32>();
    var u0 = vec4<f32>();
    var u1 = vec4<f32>();
    var u2 = vec4<f32>();
    var u3 = vec4<f32>();
    for (var k0 = 0u; k0 < params.cols; k0 += TILE_K) {
        load_x_tile(lid, tok0, k0);
        for (var i = lid; i < TILE * TILE_K; i += THREADS) {
            let n = i / TILE_K;
            let kk = i % TILE_K;
            let row = row0 + n;
            w_tile[kk * TILE + n] = weight_or_zero(row, k0 + kk, ff);
            // Up rows follow the ff gate rows (row + ff >= 2 ff reads as zero, like row >= ff).
            u_tile[kk * TILE + n] = weight_or_zero(row + ff, k0 + kk, 2u * ff);
        }
        workgroupBarrier();
        for (var kk = 0u; kk < TILE_K; kk++) {
            let gb = w_column(kk, local.x);
            let ub = u_column(kk, local.x);
            let xb = kk * TILE + local.y;
            let x0 = x_tile[xb];
            let x1 = x_tile[xb + SIDE];
            let x2 = x_tile[xb + 2u * SIDE];
            let x3 = x_tile[xb + 3u * SIDE];
            g0 += x0 * gb;
            g1 += x1 * gb;
            g2 += x2 * gb;
            g3 += x3 * gb;
            u0 += x0 * ub;
            u1 += x1 * ub;
            u2 += x2 * ub;
            u3 += x3 * ub;
        }
        workgroupBarrier();
    }
    let r = row0 + local.x;
    let t = tok0 + local.y;
    store4(t, r, glu4(g0, u0));
    store4(t + SIDE, r, glu4(g1, u1));
    store4(t + 2u * SIDE, r, glu4(g2, u2));
    store4(t + 3u * SIDE, r, glu4(g3, u3));
}
