//! Launcher for `wgsl/attention_decode.wgsl`: one query token attending over a KV cache
//! (grouped-query heads, optional sliding window, optional sigmoid output gate), as two
//! dispatches: all visible scores, then softmax + value sum per head.
//!
//! Contract: `q` `[heads, head_dim]` at position `pos`; `keys`/`values`
//! `[positions >= pos + 1, kv_heads, head_dim]`; `scores` scratch of at least
//! `heads * visible`; `out` `[heads, head_dim]`; `gate` `[heads, head_dim]` when given.
//! CPU twins: `axon_reference::ops::attention::{attend, sigmoid_gate}`.

use super::{check_binding, check_len, check_room, grid};
use crate::buffer::DeviceBuffer;
use crate::device::Gpu;
use crate::dispatch::Dispatch;
use crate::error::GpuError;
use crate::kernels::Reduction;
use crate::kernels::position::Position;
use crate::registry::variants::{ATTN_COMBINE, ATTN_SCORES};

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
    /// Reduction variant of the combine pass.
    pub reduction: Reduction,
}

impl DecodeAttention {
    /// First visible position and how many are visible.
    pub fn visible(&self) -> (usize, usize) {
        let first = self.window.map_or(0, |w| (self.pos + 1).saturating_sub(w));
        (first, self.pos + 1 - first)
    }
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
    _pad: u32,
}

/// The two dispatches of one decode attention (run them in order, in one submit).
pub fn attention_decode(
    gpu: &Gpu,
    a: &DecodeAttention,
    buffers: [&DeviceBuffer; 5],
    gate: Option<&DeviceBuffer>,
) -> Result<[Dispatch; 2], GpuError> {
    let (_, count) = a.visible();
    launch(gpu, a, buffers, gate, (&gpu.position(0)?, count))
}

/// [`attention_decode`] for the query at `a.pos + position`, the position read from its
/// uniform when the pass runs: the score pass covers every row of the cache (invocations past
/// the visible positions return), so `scores` holds `heads * cache rows`. The caller keeps the
/// position inside the cache.
pub fn attention_decode_at(
    gpu: &Gpu,
    a: &DecodeAttention,
    buffers: [&DeviceBuffer; 5],
    gate: Option<&DeviceBuffer>,
    position: &Position,
) -> Result<[Dispatch; 2], GpuError> {
    let rows = buffers[1].len() / (a.kv_heads * a.head_dim).max(1);
    launch(gpu, a, buffers, gate, (position, rows))
}

/// `rows`: positions the score pass covers.
fn launch(
    gpu: &Gpu,
    a: &DecodeAttention,
    [q, keys, values, scores, out]: [&DeviceBuffer; 5],
    gate: Option<&DeviceBuffer>,
    (position, rows): (&Position, usize),
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
    check_len(KERNEL, "q", q, heads * hd)?;
    check_room(KERNEL, "out", out, heads * hd)?;
    if let Some(g) = gate {
        check_len(KERNEL, "gate", g, heads * hd)?;
    }
    let cached = (a.pos + 1) * kv_heads * hd;
    for (what, buf) in [("keys", keys), ("values", values)] {
        if buf.len() < cached {
            return Err(GpuError::ShapeMismatch {
                kernel: KERNEL,
                what,
                expected: cached,
                got: buf.len(),
            });
        }
    }
    if scores.len() < heads * rows {
        return Err(GpuError::ShapeMismatch {
            kernel: KERNEL,
            what: "scores scratch",
            expected: heads * rows,
            got: scores.len(),
        });
    }
    for (what, buf) in [
        ("q", q),
        ("keys", keys),
        ("values", values),
        ("scores", scores),
        ("out", out),
    ] {
        check_binding(gpu, KERNEL, what, buf)?;
    }
    // Binding checks bound every count by u32::MAX bytes.
    let params = Params {
        heads: heads as u32,
        kv_heads: kv_heads as u32,
        head_dim: hd as u32,
        pos: a.pos as u32,
        window: a.window.map_or(0, |w| w.min(u32::MAX as usize) as u32),
        gated: u32::from(gate.is_some()),
        scale: a.scale,
        _pad: 0,
    };
    let uniform = gpu.uniform("attention.params", &params)?;
    let gate = gate.unwrap_or(q);
    let wg = u64::from(ATTN_SCORES.workgroup_size.unwrap_or(1));
    let scores_grid = grid(gpu, KERNEL, ((heads * rows) as u64).div_ceil(wg))?;
    let pass1 = Dispatch::with_bindings(
        gpu,
        &ATTN_SCORES,
        &[
            (0, &uniform),
            (1, q.raw()),
            (2, keys.raw()),
            (5, scores.raw()),
            (7, position.raw()),
        ],
        scores_grid,
    )?;
    let combine = a.reduction.pick(gpu, KERNEL, &ATTN_COMBINE)?;
    let pass2 = Dispatch::with_bindings(
        gpu,
        combine,
        &[
            (0, &uniform),
            (3, values.raw()),
            (4, gate.raw()),
            (5, scores.raw()),
            (6, out.raw()),
            (7, position.raw()),
        ],
        [u32::try_from(heads).unwrap_or(u32::MAX), 1, 1],
    )?;
    Ok([pass1, pass2])
}

#[cfg(test)]
mod layout {
    use crate::registry::variants;

    crate::kernels::wgsl_layout_test!(
        attention_params: super::Params = variants::ATTN_SCORES,
        "AttnParams" { heads, kv_heads, head_dim, pos, window, gated, scale }
    );
}
