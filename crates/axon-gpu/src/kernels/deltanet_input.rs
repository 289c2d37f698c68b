//! Launcher for `wgsl/deltanet_input.wgsl`: a Gated DeltaNet layer's input in one dispatch
//! (conv1d + SiLU with state carried, the q/k/v split, the q and k L2 norms, the gates), what
//! [`conv1d_silu`](super::deltanet::conv1d_silu), three column copies, two
//! [`l2_norm`](super::l2_norm::l2_norm)s and [`deltanet_gates`](super::deltanet::deltanet_gates)
//! compute, bit for bit at the same [`Reduction`] (same steps, same sums; tested).
//!
//! Contract: `x` is `[tokens, channels]` with `channels = 2 * k_heads * dk + value_cols`
//! (q, k, v channels in that order); `conv_w` `[channels, kernel]`; `conv_state`
//! `[kernel - 1, channels]` (updated); `beta`, `alpha` `[tokens, v_heads]`; `a_neg`, `dt_bias`
//! `[v_heads]`; outputs with room for `q`, `k` `[tokens, k_heads, dk]`, `v`
//! `[tokens, value_cols]`, `gates` `[tokens, v_heads, 2]`. It binds
//! [`INPUT_STORAGE_BUFFERS`] storage buffers: a device allowing fewer per stage gets
//! [`GpuError::TooManyStorageBuffers`] (plans then keep the separate kernels).

use super::{check_binding, check_len, check_room, check_storage_buffers, grid_2d};
use crate::buffer::DeviceBuffer;
use crate::device::Gpu;
use crate::dispatch::Dispatch;
use crate::error::GpuError;
use crate::kernels::Reduction;
use crate::registry::variants::DELTANET_INPUT;

/// Storage buffers the fused kernel binds.
pub const INPUT_STORAGE_BUFFERS: u32 = 11;

/// Head layout and constants of a layer input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InputShape {
    /// Key heads (q and k each have this many).
    pub k_heads: usize,
    /// Key head size.
    pub dk: usize,
    /// Value heads (the gates' rows per token).
    pub v_heads: usize,
    /// Value channels (`v_heads * dv`).
    pub value_cols: usize,
    /// Conv taps.
    pub kernel: usize,
    /// The L2 norms' epsilon.
    pub eps: f32,
    /// q's scale after its norm (`1 / sqrt(dk)`).
    pub q_scale: f32,
}

/// What the fused kernel reads and writes.
#[derive(Debug, Clone, Copy)]
pub struct InputBuffers<'a> {
    /// Conv weights `[channels, kernel]`.
    pub conv_w: &'a DeviceBuffer,
    /// Conv state `[kernel - 1, channels]`, updated.
    pub conv_state: &'a DeviceBuffer,
    /// The mixed projection `[tokens, channels]`.
    pub x: &'a DeviceBuffer,
    /// The beta projection `[tokens, v_heads]`.
    pub beta: &'a DeviceBuffer,
    /// The alpha projection `[tokens, v_heads]`.
    pub alpha: &'a DeviceBuffer,
    /// `-exp(A_log)` `[v_heads]`.
    pub a_neg: &'a DeviceBuffer,
    /// `[v_heads]`.
    pub dt_bias: &'a DeviceBuffer,
    /// Normalised, scaled q out.
    pub q: &'a DeviceBuffer,
    /// Normalised k out.
    pub k: &'a DeviceBuffer,
    /// v out.
    pub v: &'a DeviceBuffer,
    /// `(beta, g)` pairs out.
    pub gates: &'a DeviceBuffer,
}

#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    tokens: u32,
    channels: u32,
    kernel: u32,
    k_heads: u32,
    dk: u32,
    v_heads: u32,
    value_cols: u32,
    value_groups: u32,
    eps: f32,
    q_scale: f32,
    _pad: [u32; 2],
}

/// The fused layer input (see the module docs).
pub fn deltanet_input(
    gpu: &Gpu,
    shape: InputShape,
    b: InputBuffers<'_>,
    reduction: Reduction,
) -> Result<Dispatch, GpuError> {
    const KERNEL: &str = "deltanet_input";
    check_storage_buffers(gpu, &DELTANET_INPUT, INPUT_STORAGE_BUFFERS)?;
    let key_cols = shape.k_heads * shape.dk;
    let channels = 2 * key_cols + shape.value_cols;
    if shape.kernel == 0
        || channels == 0
        || shape.v_heads == 0
        || !b.x.len().is_multiple_of(channels)
    {
        return Err(GpuError::ShapeMismatch {
            kernel: KERNEL,
            what: "x (whole rows of 2 * k_heads * dk + value_cols channels)",
            expected: channels.max(1),
            got: b.x.len(),
        });
    }
    let tokens = b.x.len() / channels;
    check_len(KERNEL, "conv_w", b.conv_w, channels * shape.kernel)?;
    check_len(
        KERNEL,
        "conv_state",
        b.conv_state,
        (shape.kernel - 1).max(1) * channels,
    )?;
    check_len(KERNEL, "beta", b.beta, tokens * shape.v_heads)?;
    check_len(KERNEL, "alpha", b.alpha, tokens * shape.v_heads)?;
    check_len(KERNEL, "a_neg", b.a_neg, shape.v_heads)?;
    check_len(KERNEL, "dt_bias", b.dt_bias, shape.v_heads)?;
    check_room(KERNEL, "q", b.q, tokens * key_cols)?;
    check_room(KERNEL, "k", b.k, tokens * key_cols)?;
    check_room(KERNEL, "v", b.v, tokens * shape.value_cols)?;
    check_room(KERNEL, "gates", b.gates, 2 * tokens * shape.v_heads)?;
    let all = [
        ("conv_w", b.conv_w),
        ("conv_state", b.conv_state),
        ("x", b.x),
        ("beta", b.beta),
        ("alpha", b.alpha),
        ("a_neg", b.a_neg),
        ("dt_bias", b.dt_bias),
        ("q", b.q),
        ("k", b.k),
        ("v", b.v),
        ("gates", b.gates),
    ];
    for (what, buf) in all {
        check_binding(gpu, KERNEL, what, buf)?;
    }
    let kernel = reduction.pick(gpu, KERNEL, &DELTANET_INPUT)?;
    let wg = kernel.workgroup_size().unwrap_or(1) as usize;
    let value_groups = shape.value_cols.div_ceil(wg);
    let groups = 2 * shape.k_heads + value_groups + 1;
    let grid = grid_2d(gpu, KERNEL, [groups, 1])?;
    // check_binding bounds every count by u32::MAX bytes.
    let params = Params {
        tokens: tokens as u32,
        channels: channels as u32,
        kernel: shape.kernel as u32,
        k_heads: shape.k_heads as u32,
        dk: shape.dk as u32,
        v_heads: shape.v_heads as u32,
        value_cols: shape.value_cols as u32,
        value_groups: value_groups as u32,
        eps: shape.eps,
        q_scale: shape.q_scale,
        _pad: [0; 2],
    };
    let uniform = gpu.uniform("deltanet_input.params", &params)?;
    let buffers: Vec<&wgpu::Buffer> = std::iter::once(&uniform)
        .chain(all.iter().map(|(_, buf)| buf.raw()))
        .collect();
    Dispatch::new(gpu, kernel, &buffers, grid)
}

#[cfg(test)]
mod layout {
    use crate::registry::variants;

    crate::kernels::wgsl_layout_test!(
        input_params: super::Params = variants::DELTANET_INPUT_WORKGROUP,
        "InputParams" {
            tokens, channels, kernel, k_heads, dk, v_heads, value_cols, value_groups, eps, q_scale
        }
    );
}
