//! Launcher for `wgsl/attention_prefill.wgsl`: a block of query tokens attending causally over
//! the KV cache (grouped-query heads, optional sliding window, optional sigmoid output gate) in
//! one dispatch, tiled with an online softmax.
//!
//! Contract: `q`, `out` and `gate` (when given) are `[tokens, heads, head_dim]` (`out` may be
//! longer; nothing past that is written) for the
//! positions `start..start + tokens`; `keys`/`values` are `[positions, kv_heads, head_dim]`
//! (words of the call's [`KvType`]) and already hold those positions' own keys and values.
//! `head_dim <= 256`.
//! CPU twins: `axon_reference::ops::attention::{attend, sigmoid_gate}`, one query at a time.

use super::{check_binding, check_len, grid_2d};
use crate::buffer::DeviceBuffer;
use crate::device::Gpu;
use crate::dispatch::Dispatch;
use crate::error::GpuError;
use crate::kernels::kv_cache::KvType;
use crate::kernels::position::Position;
use crate::registry::variants::{ATTN_PREFILL, ATTN_PREFILL_F16};

/// Largest head size the kernel holds (its per-invocation output slice is fixed): WGSL's
/// `MAX_HEAD_DIM` (the registry test compares them).
pub const MAX_HEAD_DIM: usize = 256;

/// Query tokens per workgroup: WGSL's `Q_TILE` (the registry test compares them).
pub const Q_TILE: usize = 8;

/// One prefill-attention call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrefillAttention {
    /// Query heads.
    pub heads: usize,
    /// Key/value heads (divides `heads`).
    pub kv_heads: usize,
    /// Values per head, at most [`MAX_HEAD_DIM`].
    pub head_dim: usize,
    /// Cache position of the first query token.
    pub start: usize,
    /// Query tokens.
    pub tokens: usize,
    /// Only the last `window` positions up to each query are visible.
    pub window: Option<usize>,
    /// Score scale, usually `1/sqrt(head_dim)`.
    pub scale: f32,
    /// Element type of the cache.
    pub cache: KvType,
}

#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    heads: u32,
    kv_heads: u32,
    head_dim: u32,
    tokens: u32,
    start: u32,
    window: u32,
    gated: u32,
    scale: f32,
}

/// The dispatch of one prefill attention.
pub fn attention_prefill(
    gpu: &Gpu,
    a: &PrefillAttention,
    buffers: [&DeviceBuffer; 4],
    gate: Option<&DeviceBuffer>,
) -> Result<Dispatch, GpuError> {
    let position = gpu.position(0)?;
    launch(gpu, a, buffers, gate, &position)
}

/// [`attention_prefill`] with the first query at `a.start + position`, the position read from
/// its uniform when the pass runs. The caches must hold every position the caller will set
/// (checked for position 0).
pub fn attention_prefill_at(
    gpu: &Gpu,
    a: &PrefillAttention,
    buffers: [&DeviceBuffer; 4],
    gate: Option<&DeviceBuffer>,
    position: &Position,
) -> Result<Dispatch, GpuError> {
    launch(gpu, a, buffers, gate, position)
}

fn launch(
    gpu: &Gpu,
    a: &PrefillAttention,
    [q, keys, values, out]: [&DeviceBuffer; 4],
    gate: Option<&DeviceBuffer>,
    position: &Position,
) -> Result<Dispatch, GpuError> {
    const KERNEL: &str = "attention_prefill";
    let (heads, kv_heads, hd) = (a.heads, a.kv_heads, a.head_dim);
    let mismatch = |what, expected, got| GpuError::ShapeMismatch {
        kernel: KERNEL,
        what,
        expected,
        got,
    };
    if heads == 0 || kv_heads == 0 || !heads.is_multiple_of(kv_heads) {
        return Err(mismatch(
            "heads (a multiple of kv_heads)",
            kv_heads.max(1),
            heads,
        ));
    }
    if hd == 0 || hd > MAX_HEAD_DIM {
        return Err(mismatch("head_dim (1..=256)", MAX_HEAD_DIM, hd));
    }
    if a.tokens == 0 {
        return Err(mismatch("tokens (at least one)", 1, 0));
    }
    if a.window == Some(0) {
        return Err(mismatch("window (at least one)", 1, 0));
    }
    let per_token = heads * hd;
    check_len(KERNEL, "q", q, a.tokens * per_token)?;
    if out.len() < a.tokens * per_token {
        return Err(mismatch(
            "out (at least tokens * heads * head_dim)",
            a.tokens * per_token,
            out.len(),
        ));
    }
    if let Some(g) = gate {
        check_len(KERNEL, "gate", g, a.tokens * per_token)?;
    }
    let cached = (a.start + a.tokens) * kv_heads * hd;
    for (what, buf) in [("keys", keys), ("values", values)] {
        a.cache.check_room(KERNEL, what, buf, cached)?;
    }
    for (what, buf) in [("q", q), ("keys", keys), ("values", values), ("out", out)] {
        check_binding(gpu, KERNEL, what, buf)?;
    }
    let workgroups = grid_2d(gpu, KERNEL, [a.tokens.div_ceil(Q_TILE), heads])?;
    // Binding checks bound every position and count by u32::MAX bytes.
    let params = Params {
        heads: heads as u32,
        kv_heads: kv_heads as u32,
        head_dim: hd as u32,
        tokens: a.tokens as u32,
        start: a.start as u32,
        window: a.window.map_or(0, |w| w.min(u32::MAX as usize) as u32),
        gated: u32::from(gate.is_some()),
        scale: a.scale,
    };
    let uniform = gpu.uniform("attention_prefill.params", &params)?;
    let gate = gate.unwrap_or(q);
    Dispatch::new(
        gpu,
        a.cache.pick(&ATTN_PREFILL, &ATTN_PREFILL_F16),
        &[
            &uniform,
            q.raw(),
            keys.raw(),
            values.raw(),
            gate.raw(),
            out.raw(),
            position.raw(),
        ],
        workgroups,
    )
}

#[cfg(test)]
mod layout {
    use crate::registry::variants;

    crate::kernels::wgsl_layout_test!(
        prefill_params: super::Params = variants::ATTN_PREFILL,
        "PrefillParams" { heads, kv_heads, head_dim, tokens, start, window, gated, scale }
    );
}
