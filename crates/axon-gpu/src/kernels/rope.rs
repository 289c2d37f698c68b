//! Launcher for `wgsl/rope.wgsl`: rotary position embedding in place.
//!
//! Contract: `x` is `[tokens, heads, head_dim]` f32; token `t` sits at position `pos0 + t`;
//! the first `2 * freqs.len()` values of each head rotate (at most `head_dim`). Every
//! frequency scheme (plain, linear scaling, YaRN) is a per-pair table computed on the CPU in
//! f64 ([`RopeTable`]; the model's settings make it), so the kernel is one. CPU twins:
//! `axon_reference::ops::rope::Rope` and `axon_reference::ops::rope_ext::Yarn`.
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
use crate::kernels::argmax::IndexBuffer;
use crate::kernels::position::Position;
use crate::registry::variants::ROPE_F32;

/// What the kernel needs of one RoPE: radians per position for each rotated pair (pair `i`
/// turns by `position · freqs[i]`), which values pair up, and the magnitude scale (YaRN's;
/// 1 otherwise). A model's RoPE settings become one through their own formulas
/// (`axon_models::config::RopeConfig::table`), computed in f64 on the CPU.
#[derive(Debug, Clone, PartialEq)]
pub struct RopeTable {
    /// Radians per position, one per pair; `2 * freqs.len()` values of a head rotate.
    pub freqs: Vec<f64>,
    /// `(i, i + dims / 2)` pairs (NeoX / Hugging Face) rather than `(2i, 2i + 1)` (ggml's
    /// normal mode, GGUF Llama).
    pub neox: bool,
    /// Factor on every rotated value.
    pub mscale: f32,
}

impl RopeTable {
    /// Rotated values per head.
    pub fn dims(&self) -> usize {
        2 * self.freqs.len()
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
    table: &RopeTable,
) -> Result<Dispatch, GpuError> {
    let position = gpu.position(0)?;
    launch(gpu, x, [tokens, heads, head_dim], pos0, &position, table)
}

/// [`rope`] at the positions `position..position + tokens`, read from the uniform when the
/// pass runs (so an encoded pass serves every call).
pub fn rope_at(
    gpu: &Gpu,
    x: &DeviceBuffer,
    [tokens, heads, head_dim]: [usize; 3],
    position: &Position,
    table: &RopeTable,
) -> Result<Dispatch, GpuError> {
    launch(gpu, x, [tokens, heads, head_dim], 0, position, table)
}

/// The table's frequencies as the kernels read them ([`turns_fixed_point`], two words each).
pub(crate) fn upload_turns(gpu: &Gpu, table: &RopeTable) -> Result<IndexBuffer, GpuError> {
    let turns: Vec<u32> = table
        .freqs
        .iter()
        .flat_map(|&f| turns_fixed_point(f))
        .collect();
    gpu.upload_u32("rope.turns", &turns)
}

fn launch(
    gpu: &Gpu,
    x: &DeviceBuffer,
    [tokens, heads, head_dim]: [usize; 3],
    pos0: u32,
    position: &Position,
    table: &RopeTable,
) -> Result<Dispatch, GpuError> {
    const KERNEL: &str = "rope";
    if heads == 0 || head_dim == 0 || table.freqs.is_empty() || table.dims() > head_dim {
        return Err(GpuError::ShapeMismatch {
            kernel: KERNEL,
            what: "heads, head_dim (non-zero; 2 <= rotated dims <= head_dim)",
            expected: table.dims().max(2),
            got: head_dim,
        });
    }
    super::check_room(KERNEL, "x", x, tokens * heads * head_dim)?;
    super::check_binding(gpu, KERNEL, "x", x)?;
    let half = table.freqs.len();
    let turns = upload_turns(gpu, table)?;
    let pairs = (tokens * heads * half) as u64;
    let wg = u64::from(ROPE_F32.workgroup_size.unwrap_or(1));
    let workgroups = grid(gpu, KERNEL, pairs.div_ceil(wg))?;
    let params = Params {
        tokens: tokens as u32,
        heads: heads as u32,
        head_dim: head_dim as u32,
        half: half as u32,
        pos0,
        neox: u32::from(table.neox),
        mscale: table.mscale,
        _pad: 0,
    };
    let uniform = gpu.uniform("rope.params", &params)?;
    Dispatch::new(
        gpu,
        &ROPE_F32,
        &[&uniform, turns.raw(), x.raw(), position.raw()],
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
