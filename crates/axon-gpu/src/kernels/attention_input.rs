//! Launcher for `wgsl/attention_input.wgsl`: an attention layer's input in one dispatch (the
//! per-head q/k RMSNorm when the model has one, RoPE, the output gate's copy, the K/V cache
//! writes), what the column copies, [`rms_norm`](super::rms_norm::rms_norm),
//! [`rope_at`](super::rope::rope_at) and
//! [`cache_write_at`](super::copy::cache_write_at) compute, bit for bit at the same
//! [`Reduction`] (same steps, same sums; tested).
//!
//! Contract: the query of token `t`, head `h` is `head_dim` values of `q.buffer` at
//! `t * q.stride + h * q.head_stride`, its gate (when asked for) `gate_first` further; the key
//! of KV head `h` at `t * k.stride + k.first + h * head_dim`, the value likewise in `v`.
//! Outputs: `q_out` `[tokens, heads, head_dim]`, `gate_out` likewise, the caches
//! `[context, kv_heads * head_dim]` of `cache`'s element type (an f16 cache needs an even
//! `head_dim`, so each head fills whole words) written at rows `position..position + tokens` (room
//! checked for position 0; the kernel's bounds checks keep later rows inside the buffer).
//! `head_dim <= MAX_HEAD_DIM`. It binds [`INPUT_STORAGE_BUFFERS`] storage buffers: a device
//! allowing fewer per stage gets [`GpuError::TooManyStorageBuffers`] (plans then keep the
//! separate kernels).

use super::attention_prefill::MAX_HEAD_DIM;
use super::rope::{RopeTable, upload_turns};
use super::{check_binding, check_len, check_room, check_storage_buffers};
use crate::buffer::DeviceBuffer;
use crate::device::Gpu;
use crate::dispatch::Dispatch;
use crate::error::GpuError;
use crate::kernels::Reduction;
use crate::kernels::kv_cache::KvType;
use crate::kernels::position::Position;
use crate::registry::variants::{ATTENTION_INPUT, ATTENTION_INPUT_F16};

/// Storage buffers the fused kernel binds.
pub const INPUT_STORAGE_BUFFERS: u32 = 10;

/// Head counts and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Heads {
    /// Query heads.
    pub heads: usize,
    /// Key/value heads.
    pub kv_heads: usize,
    /// Values per head.
    pub head_dim: usize,
}

/// Where the queries are: `head_dim` values per head at `t * stride + h * head_stride`.
#[derive(Debug, Clone, Copy)]
pub struct QuerySource<'a> {
    /// The projection holding them.
    pub buffer: &'a DeviceBuffer,
    /// Values per token.
    pub stride: usize,
    /// Values from one head to the next.
    pub head_stride: usize,
    /// The output gate's offset from its head's query, when the projection carries one.
    pub gate_first: Option<usize>,
}

/// Where keys or values are: KV head `h` of token `t` at `t * stride + first + h * head_dim`.
#[derive(Debug, Clone, Copy)]
pub struct KvSource<'a> {
    /// The projection holding them.
    pub buffer: &'a DeviceBuffer,
    /// Values per token.
    pub stride: usize,
    /// Offset of KV head 0.
    pub first: usize,
}

/// The per-head RMSNorm of queries and keys.
#[derive(Debug, Clone, Copy)]
pub struct HeadNorms<'a> {
    /// `[head_dim]`.
    pub q: &'a DeviceBuffer,
    /// `[head_dim]`.
    pub k: &'a DeviceBuffer,
    /// Added to the mean of squares.
    pub eps: f32,
    /// Added to every weight.
    pub weight_offset: f32,
}

/// What the fused kernel reads and writes.
#[derive(Debug, Clone, Copy)]
pub struct AttentionInput<'a> {
    /// Queries (and gates).
    pub q: QuerySource<'a>,
    /// Keys.
    pub k: KvSource<'a>,
    /// Values.
    pub v: KvSource<'a>,
    /// q/k norms, when the model has them.
    pub norms: Option<HeadNorms<'a>>,
    /// Rotated queries out.
    pub q_out: &'a DeviceBuffer,
    /// Gates out (with `q.gate_first`).
    pub gate_out: Option<&'a DeviceBuffer>,
    /// Key cache.
    pub keys: &'a DeviceBuffer,
    /// Value cache.
    pub values: &'a DeviceBuffer,
    /// Element type of the caches.
    pub cache: KvType,
}

#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    tokens: u32,
    heads: u32,
    kv_heads: u32,
    head_dim: u32,
    q_stride: u32,
    q_head_stride: u32,
    gate_first: u32,
    k_stride: u32,
    k_first: u32,
    v_stride: u32,
    v_first: u32,
    half: u32,
    neox: u32,
    mscale: f32,
    eps: f32,
    weight_offset: f32,
    flags: u32,
    _pad: [u32; 3],
}

/// WGSL's `NORM` and `GATE` flags.
const NORM: u32 = 1;
const GATE: u32 = 2;

/// The fused input of `tokens` tokens at the positions the `position` uniform holds when the
/// pass runs (see the module docs).
pub fn attention_input_at(
    gpu: &Gpu,
    shape: Heads,
    tokens: usize,
    input: AttentionInput<'_>,
    (position, table): (&Position, &RopeTable),
    reduction: Reduction,
) -> Result<Dispatch, GpuError> {
    const KERNEL: &str = "attention_input";
    check_storage_buffers(gpu, &ATTENTION_INPUT, INPUT_STORAGE_BUFFERS)?;
    let Heads {
        heads,
        kv_heads,
        head_dim: hd,
    } = shape;
    let mismatch = |what, expected, got| GpuError::ShapeMismatch {
        kernel: KERNEL,
        what,
        expected,
        got,
    };
    if hd == 0 || hd > MAX_HEAD_DIM || heads == 0 || kv_heads == 0 {
        return Err(mismatch(
            "heads, kv_heads (> 0), head_dim (1..=256)",
            MAX_HEAD_DIM,
            hd,
        ));
    }
    if table.freqs.is_empty() || table.dims() > hd {
        return Err(mismatch("rotated dims (2..=head_dim)", hd, table.dims()));
    }
    if input.q.gate_first.is_some() != input.gate_out.is_some() {
        return Err(mismatch("gate_out (given with gate_first)", 1, 0));
    }
    // Largest index read, plus one, for the last token (nothing read when tokens is 0).
    let end = |stride: usize, last_head: usize| {
        if tokens == 0 {
            0
        } else {
            (tokens - 1) * stride + last_head + hd
        }
    };
    let q_last = (heads - 1) * input.q.head_stride + input.q.gate_first.unwrap_or(0);
    let reads = [
        ("q source", input.q.buffer, end(input.q.stride, q_last)),
        (
            "k source",
            input.k.buffer,
            end(input.k.stride, input.k.first + (kv_heads - 1) * hd),
        ),
        (
            "v source",
            input.v.buffer,
            end(input.v.stride, input.v.first + (kv_heads - 1) * hd),
        ),
    ];
    for (what, buf, needed) in reads {
        if buf.len() < needed {
            return Err(mismatch(what, needed, buf.len()));
        }
    }
    if let Some(n) = input.norms {
        check_len(KERNEL, "q norm", n.q, hd)?;
        check_len(KERNEL, "k norm", n.k, hd)?;
    }
    check_room(KERNEL, "q_out", input.q_out, tokens * heads * hd)?;
    if let Some(g) = input.gate_out {
        check_room(KERNEL, "gate_out", g, tokens * heads * hd)?;
    }
    input
        .cache
        .check_aligned(KERNEL, "head_dim (whole cache words)", hd)?;
    input
        .cache
        .check_room(KERNEL, "keys", input.keys, tokens * kv_heads * hd)?;
    input
        .cache
        .check_room(KERNEL, "values", input.values, tokens * kv_heads * hd)?;
    // Absent operands bind placeholders the kernel never reads or writes (one per access
    // mode: a buffer is read-only or read-write within a dispatch, not both).
    let unread = gpu.zeros_f32("attention_input.unread", 1)?;
    let unwritten = gpu.zeros_f32("attention_input.unwritten", 1)?;
    let (q_norm, k_norm) = input.norms.map_or((&unread, &unread), |n| (n.q, n.k));
    let gate_out = input.gate_out.unwrap_or(&unwritten);
    let bound = [
        ("q source", input.q.buffer),
        ("k source", input.k.buffer),
        ("v source", input.v.buffer),
        ("q norm", q_norm),
        ("k norm", k_norm),
        ("q_out", input.q_out),
        ("gate_out", gate_out),
        ("keys", input.keys),
        ("values", input.values),
    ];
    for (what, buf) in bound {
        check_binding(gpu, KERNEL, what, buf)?;
    }
    let turns = upload_turns(gpu, table)?;
    let pair = input.cache.pick(&ATTENTION_INPUT, &ATTENTION_INPUT_F16);
    let kernel = reduction.pick(gpu, KERNEL, pair)?;
    let max_per_dim = gpu.caps().limits.max_compute_workgroups_per_dimension as usize;
    let slots = heads + kv_heads;
    let y = tokens.clamp(1, max_per_dim);
    let z = tokens.div_ceil(y).max(1);
    if slots > max_per_dim || z > max_per_dim {
        return Err(GpuError::GridTooLarge {
            kernel: KERNEL,
            groups: (slots * tokens) as u64,
            max_per_dim: max_per_dim as u32,
        });
    }
    let flags = input.norms.map_or(0, |_| NORM) | input.gate_out.map_or(0, |_| GATE);
    // check_binding bounds every count and offset by u32::MAX bytes.
    let params = Params {
        tokens: tokens as u32,
        heads: heads as u32,
        kv_heads: kv_heads as u32,
        head_dim: hd as u32,
        q_stride: input.q.stride as u32,
        q_head_stride: input.q.head_stride as u32,
        gate_first: input.q.gate_first.unwrap_or(0) as u32,
        k_stride: input.k.stride as u32,
        k_first: input.k.first as u32,
        v_stride: input.v.stride as u32,
        v_first: input.v.first as u32,
        half: table.freqs.len() as u32,
        neox: u32::from(table.neox),
        mscale: table.mscale,
        eps: input.norms.map_or(0.0, |n| n.eps),
        weight_offset: input.norms.map_or(0.0, |n| n.weight_offset),
        flags,
        _pad: [0; 3],
    };
    let uniform = gpu.uniform("attention_input.params", &params)?;
    let mut buffers = vec![&uniform, turns.raw()];
    buffers.extend(bound.iter().map(|(_, b)| b.raw()));
    buffers.push(position.raw());
    Dispatch::new(gpu, kernel, &buffers, [slots as u32, y as u32, z as u32])
}

#[cfg(test)]
mod layout {
    use crate::registry::variants;

    crate::kernels::wgsl_layout_test!(
        input_params: super::Params = variants::ATTENTION_INPUT_WORKGROUP,
        "InputParams" {
            tokens, heads, kv_heads, head_dim, q_stride, q_head_stride, gate_first, k_stride,
            k_first, v_stride, v_first, half, neox, mscale, eps, weight_offset, flags
        }
    );
}
