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

// `copy_columns`: a block of columns of a row-major matrix into another, at any offsets:
//   dst[r * dst_stride + dst_offset + pos * dst_pos_stride + c] = src[r * src_stride + src_offset + c]
// for r < rows, c < cols, pos from the position uniform. Splits a fused QKV projection into
// Q, K and V, and writes K/V rows into the cache at the call's position. `dst` holds words of
// the cache part (parts/kv_f32.wgsl: f32 elements; parts/kv_f16.wgsl: halves, for an f16
// cache, where cols and every dst offset and stride are even). One invocation per dst word.
struct ColumnsParams {
    rows: u32,
    cols: u32,
    src_stride: u32,
    src_offset: u32,
    dst_stride: u32,
    dst_offset: u32,
    dst_pos_stride: u32,
    _pad1: u32,
}

struct Position {
    pos: u32,
    _pad0: u32,
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(6) var<uniform> position: Position;

@group(0) @binding(3) var<uniform> columns: ColumnsParams;
@group(0) @binding(4) var<storage, read> src_f32: array<f32>;
@group(0) @binding(5) var<storage, read_write> dst_words: array<u32>;

@compute @workgroup_size(WG_SIZE)
fn copy_columns(
    @builtin(global_invocation_id) gid: vec3<u32>,
    @builtin(num_workgroups) groups: vec3<u32>,
) {
    let i = gid.x + gid.y * groups.x * WG_SIZE;
    // Words per row; divisors are at least 1 (launchers refuse empty shapes; max() keeps it
    // provable).
    let words = max(columns.cols / KV_PER_WORD, 1u);
    if i >= columns.rows * words {
        return;
    }
    let r = i / words;
    let c = i % words * KV_PER_WORD;
    let at = columns.dst_offset + position.pos * columns.dst_pos_stride;
    let src_at = r * columns.src_stride + columns.src_offset + c;
    // The word's second element (f16) is in the row; with f32 it is not stored.
    let next = src_at + min(KV_PER_WORD - 1u, columns.cols - 1u - c);
    dst_words[(r * columns.dst_stride + at + c) / KV_PER_WORD] =
        kv_word(src_f32[src_at], src_f32[next]);
}
