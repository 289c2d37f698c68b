//! Launcher for `wgsl/rms_norm.wgsl`.
//!
//! Contract: `x` is `[rows, cols]` f32 (`out` at least that), `weight` is `[cols]`, `cols >= 1`, any `rows`
//! (0 gives an empty grid). One workgroup per row. `out[r, c] = x[r, c] *
//! inverseSqrt(mean(x[r]^2) + eps) * (weight[c] + weight_offset)`; the CPU twin is
//! `axon_reference::rms_norm`.

use super::{check_binding, check_len, check_room, grid};
use crate::buffer::DeviceBuffer;
use crate::device::Gpu;
use crate::dispatch::Dispatch;
use crate::error::GpuError;
pub use crate::kernels::Reduction;
use crate::registry::variants::{ADD_RMS_NORM_F32, GATED_RMS_NORM_F32, RMS_NORM_F32};

/// Parameters of one RMSNorm.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RmsNormParams {
    /// Added to the mean of squares before the square root.
    pub eps: f32,
    /// Added to every weight: 0 for plain RMSNorm, 1 for the zero-centred `(1 + w)` form.
    pub weight_offset: f32,
    /// Which reduction variant to run.
    pub reduction: Reduction,
}

#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Uniform {
    rows: u32,
    cols: u32,
    eps: f32,
    weight_offset: f32,
}

/// Checks shapes and builds the uniform shared by both entry points.
fn prepare(
    gpu: &Gpu,
    kernel: &'static str,
    x: &DeviceBuffer,
    weight: &DeviceBuffer,
    out: &DeviceBuffer,
    params: RmsNormParams,
) -> Result<(wgpu::Buffer, [u32; 3]), GpuError> {
    let cols = weight.len();
    if cols == 0 || !x.len().is_multiple_of(cols) {
        let expected = if cols == 0 {
            1
        } else {
            x.len().next_multiple_of(cols)
        };
        return Err(GpuError::ShapeMismatch {
            kernel,
            what: "x (whole rows of weight.len())",
            expected,
            got: x.len(),
        });
    }
    check_room(kernel, "out", out, x.len())?;
    for (what, buf) in [("x", x), ("weight", weight), ("out", out)] {
        check_binding(gpu, kernel, what, buf)?;
    }
    let rows = x.len() / cols;
    let workgroups = grid(gpu, kernel, rows as u64)?;
    // check_binding bounds both by u32::MAX bytes.
    let uniform = Uniform {
        rows: u32::try_from(rows).unwrap_or(u32::MAX),
        cols: u32::try_from(cols).unwrap_or(u32::MAX),
        eps: params.eps,
        weight_offset: params.weight_offset,
    };
    Ok((gpu.uniform("rms_norm.params", &uniform)?, workgroups))
}

/// Normalises each row of `x` into `out`.
pub fn rms_norm(
    gpu: &Gpu,
    x: &DeviceBuffer,
    weight: &DeviceBuffer,
    out: &DeviceBuffer,
    params: RmsNormParams,
) -> Result<Dispatch, GpuError> {
    const KERNEL: &str = "rms_norm";
    let (uniform, workgroups) = prepare(gpu, KERNEL, x, weight, out, params)?;
    Dispatch::new(
        gpu,
        params.reduction.pick(gpu, KERNEL, &RMS_NORM_F32)?,
        &[&uniform, x.raw(), weight.raw(), out.raw()],
        workgroups,
    )
}

/// The fused residual step: `residual += x` (in place), then `out = RMSNorm(residual)`.
/// `residual` has the shape of `x`.
pub fn add_rms_norm(
    gpu: &Gpu,
    residual: &DeviceBuffer,
    x: &DeviceBuffer,
    weight: &DeviceBuffer,
    out: &DeviceBuffer,
    params: RmsNormParams,
) -> Result<Dispatch, GpuError> {
    const KERNEL: &str = "add_rms_norm";
    check_len(KERNEL, "residual", residual, x.len())?;
    check_binding(gpu, KERNEL, "residual", residual)?;
    let (uniform, workgroups) = prepare(gpu, KERNEL, x, weight, out, params)?;
    let buffers = [&uniform, x.raw(), weight.raw(), out.raw(), residual.raw()];
    let kernel = params.reduction.pick(gpu, KERNEL, &ADD_RMS_NORM_F32)?;
    Dispatch::new(gpu, kernel, &buffers, workgroups)
}

/// Gated DeltaNet's output norm: `out = RMSNorm(x) * (weight + offset) * silu(gate)` over rows
/// of `weight.len()`; `gate` has the shape of `x`.
pub fn gated_rms_norm(
    gpu: &Gpu,
    x: &DeviceBuffer,
    gate: &DeviceBuffer,
    weight: &DeviceBuffer,
    out: &DeviceBuffer,
    params: RmsNormParams,
) -> Result<Dispatch, GpuError> {
    const KERNEL: &str = "gated_rms_norm";
    check_len(KERNEL, "gate", gate, x.len())?;
    check_binding(gpu, KERNEL, "gate", gate)?;
    let (uniform, workgroups) = prepare(gpu, KERNEL, x, weight, out, params)?;
    let kernel = params.reduction.pick(gpu, KERNEL, &GATED_RMS_NORM_F32)?;
    let bindings = [
        (0, &uniform),
        (1, x.raw()),
        (2, weight.raw()),
        (3, out.raw()),
        (5, gate.raw()),
    ];
    Dispatch::with_bindings(gpu, kernel, &bindings, workgroups)
}

#[cfg(test)]
mod layout {
    use crate::registry::variants;

    crate::kernels::wgsl_layout_test!(
        rms_norm_params: super::Uniform = variants::RMS_NORM_F32_WORKGROUP,
        "RmsNormParams" { rows, cols, eps, weight_offset }
    );
}
