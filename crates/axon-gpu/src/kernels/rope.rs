//! Launcher for `wgsl/rope.wgsl`: rotary position embedding in place.
//!
//! Contract: `x` is `[tokens, heads, head_dim]` f32; token `t` sits at position `pos0 + t`;
//! the first `dims` values of each head rotate (`dims` even, at most `head_dim`). The
//! per-pair frequencies are computed here in f64 for every scheme, so the kernel is one:
//! plain (`theta^(-2i/dims)`), linear scaling (divided by the factor), and YaRN (llama.cpp's
//! ramp between interpolated and extrapolated frequencies, and its magnitude scale). CPU
//! twins: `axon_reference::ops::rope::Rope` and `axon_reference::ops::rope_ext::Yarn`.
//!
//! Range reduction: an f32 angle `pos · freq` is off by ~1e-2 rad at position 10^5, and
//! Vulkan bounds sin/cos only on [-π, π] (RDNA3's compiler does no range reduction at all).
//! So each frequency goes to the kernel as turns per position in 64-bit fixed point
//! ([`turns_fixed_point`]); the kernel forms `pos · turns mod 1` exactly in u32 arithmetic,
//! takes it as a signed fraction in [-1/2, 1/2] and only then multiplies by 2π, so sin and cos
//! always see |angle| <= π and the angle is within ~5e-7 rad at every position.

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
    /// Radians per position for each pair (in f64), and the magnitude scale.
    pub fn table(&self) -> (Vec<f64>, f32) {
        let half = self.dims / 2;
        let dims = self.dims as f64;
        match self.frequencies {
            Frequencies::Scaled {
                theta,
                linear_scale,
            } => {
                let f = (0..half)
                    .map(|i| theta.powf(-2.0 * i as f64 / dims) / linear_scale)
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
                        extrap / factor * (1.0 - ramp) + extrap * ramp
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

/// `radians` per position as the kernel reads it: turns per position, modulo one turn, as a
/// 64-bit fixed-point fraction `[high word, low word]` (value / 2^64 turns). The kernel
/// multiplies it by the position in wrapping integer arithmetic, so `pos · freq mod 2π` is
/// exact to 2^-32 turns at any u32 position before anything is rounded to f32.
pub fn turns_fixed_point(radians: f64) -> [u32; 2] {
    let turns = radians / std::f64::consts::TAU;
    let fraction = turns - turns.floor();
    // fraction < 1; a value rounding up to 2^64 saturates to the largest fraction below 1.
    let fixed = (fraction * 18_446_744_073_709_551_616.0) as u64;
    [(fixed >> 32) as u32, fixed as u32]
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
    let turns: Vec<u32> = freqs.iter().flat_map(|&f| turns_fixed_point(f)).collect();
    let table = gpu.upload_u32("rope.turns", &turns)?;
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
    use crate::registry::variants;

    crate::kernels::wgsl_layout_test!(
        rope_params: super::Params = variants::ROPE_F32,
        "RopeParams" { tokens, heads, head_dim, half, pos0, neox, mscale }
    );
}

#[cfg(test)]
mod tests {
    use super::turns_fixed_point;
    use std::f64::consts::TAU;

    /// The fixed-point value back in radians (as f64).
    fn radians([high, low]: [u32; 2]) -> f64 {
        ((u64::from(high) << 32) | u64::from(low)) as f64 / 18_446_744_073_709_551_616.0 * TAU
    }

    #[test]
    fn turns_are_a_64_bit_fraction_of_a_turn() {
        assert_eq!(turns_fixed_point(0.0), [0, 0]);
        assert_eq!(turns_fixed_point(TAU / 4.0), [0x4000_0000, 0]);
        assert_eq!(turns_fixed_point(TAU / 2.0 + TAU), [0x8000_0000, 0]);
        for f in [
            1.0,
            0.5,
            1e-4,
            1e-6 / 4.0,
            0.8 * 10_000f64.powf(-2.0 * 17.0 / 128.0),
        ] {
            // A few f64 roundings (/2π, ·2^64, back) plus one unit of the fixed point.
            let back = radians(turns_fixed_point(f));
            let bound = 8.0 * f64::EPSILON * f + TAU / 18_446_744_073_709_551_616.0;
            assert!((back - f).abs() <= bound, "{f}: {back}");
        }
    }

    #[test]
    fn a_wrapping_integer_product_is_the_angle_mod_one_turn() {
        // What the kernel computes, in u64: pos * fixed mod 2^64, top 32 bits as a signed
        // fraction of a turn.
        for (f, pos) in [(1.0f64, 100_000u32), (0.2, 131_071), (1e-3, 4_000_000_000)] {
            let [high, low] = turns_fixed_point(f);
            let fixed = (u64::from(high) << 32) | u64::from(low);
            let top = (fixed.wrapping_mul(u64::from(pos)) >> 32) as u32 as i32;
            let angle = f64::from(top) / 4_294_967_296.0 * TAU;
            let exact = (f64::from(pos) * f).rem_euclid(TAU);
            let diff = (angle - exact).rem_euclid(TAU);
            assert!(
                diff.min(TAU - diff) < 1e-8,
                "{f} at {pos}: {angle} vs {exact}"
            );
            assert!(angle.abs() <= std::f64::consts::PI);
        }
    }
}
