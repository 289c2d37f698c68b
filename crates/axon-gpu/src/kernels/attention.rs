//! Launcher for `wgsl/attention_decode.wgsl`: one query token attending over a KV cache
//! (grouped-query heads, optional sliding window, optional sigmoid output gate), split over the
//! cache: one dispatch cuts the visible positions into [`splits`] runs per KV head (whole tiles
//! of [`DECODE_CHUNK`] positions, sized on the GPU from the position) and writes each run's
//! partial softmax sums for its query heads, a second merges the runs per head.
//!
//! Contract: `q` `[heads, head_dim]` at position `pos`, `head_dim <=`
//! [`DECODE_MAX_HEAD_DIM`]; `keys`/`values` `[positions >= pos + 1, kv_heads, head_dim]` of
//! the call's [`KvType`] (words of it: [`KvType::words`]);
//! `partials` scratch of at least [`partials_len`]; `out` `[heads, head_dim]`;
//! `gate` `[heads, head_dim]` when given. CPU twins:
//! `axon_reference::ops::attention::{attend, sigmoid_gate}`.

use super::{check_binding, check_len, check_room, grid};
use crate::buffer::DeviceBuffer;
use crate::device::Gpu;
use crate::dispatch::Dispatch;
use crate::error::GpuError;
use crate::kernels::Reduction;
use crate::kernels::kv_cache::KvType;
use crate::kernels::position::Position;
use crate::registry::variants::{ATTN_MERGE, ATTN_SPLIT, ATTN_SPLIT_F16, DECODE_MAX_HEAD_DIM};

/// One decode-attention call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecodeAttention {
    /// Query heads.
    pub heads: usize,
    /// Key/value heads (divides `heads`).
    pub kv_heads: usize,
    /// Values per head.
    pub head_dim: usize,
    /// The query's position (the cache holds positions `0..=pos`).
    pub pos: usize,
    /// Only the last `window` positions are visible.
    pub window: Option<usize>,
    /// Score scale, usually `1/sqrt(head_dim)`.
    pub scale: f32,
    /// Reduction variant of the merge pass.
    pub reduction: Reduction,
    /// Element type of the cache.
    pub cache: KvType,
}

#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    heads: u32,
    kv_heads: u32,
    head_dim: u32,
    pos: u32,
    window: u32,
    gated: u32,
    scale: f32,
    splits: u32,
}

/// Split-pass workgroups aimed at per call: enough to keep every compute unit of a large GPU
/// busy at depth (an H200 has 132, an RX 7900 XTX 96) while the merge stays short.
const SPLIT_WORKGROUPS: usize = 256;
/// Most runs per KV head: the merge walks this many partials per value (WGSL's `MAX_SPLITS`;
/// the registry test compares them).
pub const MAX_SPLITS: usize = 64;

/// Runs each KV head's visible positions are cut into. It depends on the head count alone, so
/// a pass recorded for a whole cache and one for an exact position sum in the same order.
pub fn splits(kv_heads: usize) -> usize {
    (SPLIT_WORKGROUPS / kv_heads.max(1)).clamp(1, MAX_SPLITS)
}

/// f32 elements of the `partials` scratch a decode attention needs: per query head and run,
/// the unnormalised value sum (`head_dim`), the run's score maximum and its sum of
/// exponentials.
pub fn partials_len(heads: usize, kv_heads: usize, head_dim: usize) -> usize {
    heads * splits(kv_heads) * (head_dim + 2)
}

/// The two dispatches of one decode attention (run them in order, in one submit).
pub fn attention_decode(
    gpu: &Gpu,
    a: &DecodeAttention,
    buffers: [&DeviceBuffer; 5],
    gate: Option<&DeviceBuffer>,
) -> Result<[Dispatch; 2], GpuError> {
    launch(gpu, a, buffers, gate, &gpu.position(0)?)
}

/// [`attention_decode`] for the query at `a.pos + position`, the position read from its
/// uniform when the pass runs. The caller keeps the position inside the cache.
pub fn attention_decode_at(
    gpu: &Gpu,
    a: &DecodeAttention,
    buffers: [&DeviceBuffer; 5],
    gate: Option<&DeviceBuffer>,
    position: &Position,
) -> Result<[Dispatch; 2], GpuError> {
    launch(gpu, a, buffers, gate, position)
}

fn launch(
    gpu: &Gpu,
    a: &DecodeAttention,
    [q, keys, values, partials, out]: [&DeviceBuffer; 5],
    gate: Option<&DeviceBuffer>,
    position: &Position,
) -> Result<[Dispatch; 2], GpuError> {
    const KERNEL: &str = "attention_decode";
    let (heads, kv_heads, hd) = (a.heads, a.kv_heads, a.head_dim);
    if heads == 0 || kv_heads == 0 || hd == 0 || !heads.is_multiple_of(kv_heads) {
        return Err(GpuError::ShapeMismatch {
            kernel: KERNEL,
            what: "heads (a multiple of kv_heads)",
            expected: kv_heads.max(1),
            got: heads,
        });
    }
    if hd > DECODE_MAX_HEAD_DIM as usize {
        return Err(GpuError::ShapeMismatch {
            kernel: KERNEL,
            what: "head_dim (at most DECODE_MAX_HEAD_DIM)",
            expected: DECODE_MAX_HEAD_DIM as usize,
            got: hd,
        });
    }
    check_len(KERNEL, "q", q, heads * hd)?;
    check_room(KERNEL, "out", out, heads * hd)?;
    if let Some(g) = gate {
        check_len(KERNEL, "gate", g, heads * hd)?;
    }
    let cached = (a.pos + 1) * kv_heads * hd;
    for (what, buf) in [("keys", keys), ("values", values)] {
        a.cache.check_room(KERNEL, what, buf, cached)?;
    }
    let needed = partials_len(heads, kv_heads, hd);
    if partials.len() < needed {
        return Err(GpuError::ShapeMismatch {
            kernel: KERNEL,
            what: "partials scratch",
            expected: needed,
            got: partials.len(),
        });
    }
    for (what, buf) in [
        ("q", q),
        ("keys", keys),
        ("values", values),
        ("partials", partials),
        ("out", out),
    ] {
        check_binding(gpu, KERNEL, what, buf)?;
    }
    // Binding checks bound every count by u32::MAX bytes.
    let splits = splits(kv_heads);
    let params = Params {
        heads: heads as u32,
        kv_heads: kv_heads as u32,
        head_dim: hd as u32,
        pos: a.pos as u32,
        window: a.window.map_or(0, |w| w.min(u32::MAX as usize) as u32),
        gated: u32::from(gate.is_some()),
        scale: a.scale,
        splits: splits as u32,
    };
    let uniform = gpu.uniform("attention.params", &params)?;
    let gate = gate.unwrap_or(q);
    let split_grid = grid(gpu, KERNEL, (kv_heads * splits) as u64)?;
    let split = Dispatch::with_bindings(
        gpu,
        a.cache.pick(&ATTN_SPLIT, &ATTN_SPLIT_F16),
        &[
            (0, &uniform),
            (1, q.raw()),
            (2, keys.raw()),
            (3, values.raw()),
            (5, partials.raw()),
            (7, position.raw()),
        ],
        split_grid,
    )?;
    let merge = a.reduction.pick(gpu, KERNEL, &ATTN_MERGE)?;
    // One workgroup per (head, WG_SIZE value dimensions).
    let width = merge.workgroup_size().unwrap_or(1).max(1) as usize;
    let merge_groups = heads * hd.div_ceil(width);
    let merge = Dispatch::with_bindings(
        gpu,
        merge,
        &[
            (0, &uniform),
            (4, gate.raw()),
            (5, partials.raw()),
            (6, out.raw()),
            (7, position.raw()),
        ],
        [u32::try_from(merge_groups).unwrap_or(u32::MAX), 1, 1],
    )?;
    Ok([split, merge])
}

#[cfg(test)]
mod layout {
    use crate::registry::variants;

    crate::kernels::wgsl_layout_test!(
        attention_params: super::Params = variants::ATTN_SPLIT,
        "AttnParams" { heads, kv_heads, head_dim, pos, window, gated, scale, splits }
    );
}
