// Embedding gather: out[t, c] = W[ids[t], c] * scale, decoding the row from its ggml block
// format with the composed part's `block_value` (Gemma scales embeddings by sqrt(d)).
//
// Bindings:
//   params   uniform  tokens, cols, row_bytes, rows (vocabulary: ids past it give zeros), scale,
//                     head_offset (where split formats keep their blocks' heads)
//   weights  read     [rows * row_bytes] bytes as u32 words
//   ids      read     [tokens] u32
//   out      write    [tokens, cols] f32
// Dispatch: ceil(tokens * cols / WG_SIZE) workgroups, folded into x/y.

struct GatherParams {
    tokens: u32,
    cols: u32,
    row_bytes: u32,
    rows: u32,
    scale: f32,
    // Split formats: byte offset of the blocks' heads (kernels/repack.rs).
    head_offset: u32,
    _pad1: u32,
    _pad2: u32,
}

override WG_SIZE: u32 = 256u;

@group(0) @binding(0) var<uniform> params: GatherParams;
@group(0) @binding(1) var<storage, read> weights: array<u32>;
@group(0) @binding(2) var<storage, read> ids: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG_SIZE)
fn gather(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let idx = gid.x + gid.y * groups.x * WG_SIZE;
    if idx >= params.tokens * params.cols {
        return;
    }
    let t = idx / max(params.cols, 1u);
    let c = idx % max(params.cols, 1u);
    let row = ids[t];
    if row >= params.rows {
        out[idx] = 0.0;
        return;
    }
    let base = row * params.row_bytes + (c / BLOCK_LEN) * BLOCK_BYTES;
    out[idx] = block_value(base, c % BLOCK_LEN) * params.scale;
}
