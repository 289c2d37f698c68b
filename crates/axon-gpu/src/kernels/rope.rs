//! Launcher for `wgsl/rope.wgsl`: rotary position embedding in place.
//!
//! Contract: `x` is `[tokens, heads, head_dim]` f32; token `t` sits at position `pos0 + t`;
//! the first `dims` values of each head rotate (`dims` even, at most `head_dim`). The
//! per-pair frequencies are computed here in f64 for every scheme, so the kernel is one:
//! plain (`theta^(-2i/dims)`), linear scaling (divided by the factor), and YaRN (llama.cpp's
//! ramp between interpolated and extrapolated frequencies, and its magnitude scale). CPU
//! twins: `axon_reference::ops::rope::Rope` and `axon_reference::ops::rope_ext::Yarn`.

use super::grid;
use crate::buffer::DeviceBuffer;
use crate::device::Gpu;
use crate::dispatch::Dispatch;
use crate::error::GpuError;
use crate::kernels::position::Position;
use crate::registry::variants::ROPE_F32;

/// Which values rotate together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pairing {
    /// `(2i, 2i + 1)`: ggml's normal mode (GGUF Llama).
    Adjacent,
    /// `(i, i + dims / 2)`: NeoX / Hugging Face; also Qwen3.5's M-RoPE on text positions.
    Neox,
}

/// How pair frequencies are derived.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Frequencies {
    /// `theta^(-2i/dims) / linear_scale` (1 = plain RoPE).
    Scaled {
        /// Base.
        theta: f64,
        /// Position divisor.
        linear_scale: f64,
    },
    /// YaRN context extension.
    Yarn {
        /// Base.
        theta: f64,
        /// Extension factor.
        factor: f64,
        /// Training context.
        original_context: usize,
        /// Ramp strength (1 for YaRN).
        ext_factor: f64,
        /// Extra magnitude scale.
        attn_factor: f64,
        /// High-frequency cut (32).
        beta_fast: f64,
        /// Low-frequency cut (1).
        beta_slow: f64,
    },
}

/// One RoPE configuration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RopeConfig {
    /// Rotated values per head.
    pub dims: usize,
    /// Pairing.
    pub pairing: Pairing,
    /// Frequencies.
    pub frequencies: Frequencies,
}

impl RopeConfig {
    /// Radians per position for each pair, and the magnitude scale.
    pub fn table(&self) -> (Vec<f32>, f32) {
        let half = self.dims / 2;
        let dims = self.dims as f64;
        match self.frequencies {
            Frequencies::Scaled {
                theta,
                linear_scale,
            } => {
                let f = (0..half)
                    .map(|i| (theta.powf(-2.0 * i as f64 / dims) / linear_scale) as f32)
                    .collect();
                (f, 1.0)
            }
            Frequencies::Yarn {
                theta,
                factor,
                original_context,
                ext_factor,
                attn_factor,
                beta_fast,
                beta_slow,
            } => {
                let corr = |rotations: f64| {
                    dims * (original_context as f64 / (rotations * 2.0 * std::f64::consts::PI)).ln()
                        / (2.0 * theta.ln())
                };
                let low = corr(beta_fast).floor().max(0.0);
                let high = corr(beta_slow).ceil().min(dims - 1.0);
                let f = (0..half)
                    .map(|i| {
                        let extrap = theta.powf(-2.0 * i as f64 / dims);
                        let y = (i as f64 - low) / (high - low).max(0.001);
                        let ramp = (1.0 - y.clamp(0.0, 1.0)) * ext_factor;
                        (extrap / factor * (1.0 - ramp) + extrap * ramp) as f32
                    })
                    .collect();
                let mscale = attn_factor
                    * if ext_factor != 0.0 {
                        1.0 + 0.1 * factor.ln()
                    } else {
                        1.0
                    };
                (f, mscale as f32)
            }
        }
    }
}

#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    tokens: u32,
    heads: u32,
    head_dim: u32,
    half: u32,
    pos0: u32,
    neox: u32,
    mscale: f32,
    _pad: u32,
}

/// Rotates the first `tokens` rows of `x` (`[tokens, heads, head_dim]`, possibly longer) in
/// place for positions `pos0..pos0 + tokens`.
pub fn rope(
    gpu: &Gpu,
    x: &DeviceBuffer,
    tokens: usize,
    heads: usize,
    head_dim: usize,
    pos0: u32,
    config: &RopeConfig,
) -> Result<Dispatch, GpuError> {
    let position = gpu.position(0)?;
    launch(gpu, x, [tokens, heads, head_dim], pos0, &position, config)
}

/// [`rope`] at the positions `position..position + tokens`, read from the uniform when the
/// pass runs (so an encoded pass serves every call).
pub fn rope_at(
    gpu: &Gpu,
    x: &DeviceBuffer,
    [tokens, heads, head_dim]: [usize; 3],
    position: &Position,
    config: &RopeConfig,
) -> Result<Dispatch, GpuError> {
    launch(gpu, x, [tokens, heads, head_dim], 0, position, config)
}

fn launch(
    gpu: &Gpu,
    x: &DeviceBuffer,
    [tokens, heads, head_dim]: [usize; 3],
    pos0: u32,
    position: &Position,
    config: &RopeConfig,
) -> Result<Dispatch, GpuError> {
    const KERNEL: &str = "rope";
    if heads == 0 || head_dim == 0 || !config.dims.is_multiple_of(2) || config.dims > head_dim {
        return Err(GpuError::ShapeMismatch {
            kernel: KERNEL,
            what: "heads, head_dim (non-zero; even dims <= head_dim)",
            expected: config.dims.max(1),
            got: head_dim,
        });
    }
    super::check_room(KERNEL, "x", x, tokens * heads * head_dim)?;
    super::check_binding(gpu, KERNEL, "x", x)?;
    let (freqs, mscale) = config.table();
    let half = freqs.len();
    let table = gpu.upload_f32("rope.freqs", &freqs)?;
    let pairs = (tokens * heads * half) as u64;
    let wg = u64::from(ROPE_F32.workgroup_size.unwrap_or(1));
    let workgroups = grid(gpu, KERNEL, pairs.div_ceil(wg))?;
    let params = Params {
        tokens: tokens as u32,
        heads: heads as u32,
        head_dim: head_dim as u32,
        half: half as u32,
        pos0,
        neox: u32::from(config.pairing == Pairing::Neox),
        mscale,
        _pad: 0,
    };
    let uniform = gpu.uniform("rope.params", &params)?;
    Dispatch::new(
        gpu,
        &ROPE_F32,
        &[&uniform, table.raw(), x.raw(), position.raw()],
        workgroups,
    )
}

#[cfg(test)]
mod layout {
    crate::kernels::wgsl_layout_test!(rope_params: super::Params = crate::registry::variants::ROPE_F32, "RopeParams" { tokens, heads, head_dim, half, pos0, neox, mscale });
}
