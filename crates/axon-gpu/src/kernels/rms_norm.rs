//! Launcher for `wgsl/rms_norm.wgsl`.
//!
//! Contract: `x` is `[rows, cols]` f32 (`out` at least that), `weight` is `[cols]`, `cols >= 1`, any `rows`
//! (0 gives an empty grid). One workgroup per row, wider than the table's size for a few rows
//! ([`row_kernel`]). `out[r, c] = x[r, c] *
//! inverseSqrt(mean(x[r]^2) + eps) * (weight[c] + weight_offset)`; the CPU twin is
//! `axon_reference::rms_norm`.

use super::{check_binding, check_len, check_room, grid};
use crate::buffer::DeviceBuffer;
use crate::device::Gpu;
use crate::dispatch::Dispatch;
use crate::error::GpuError;
pub use crate::kernels::Reduction;
use crate::kernels::quantize_q8::{Q8_PAIR, q8_words};
use crate::pipelines::Kernel;
use crate::registry::ReducedPair;
use crate::registry::variants::{
    ADD_RMS_NORM_F32, ADD_RMS_NORM_Q8_F32, GATED_RMS_NORM_F32, RMS_NORM_F32, RMS_NORM_Q8_F32,
};

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

/// Rows at or below which a norm runs wider than its table size: a decode step's one row is
/// one workgroup, and at the table's 256 invocations a 4096-wide row is 16 dependent loads per
/// invocation (about 15 µs on an H200; measured in `docs/KERNELS.md`).
pub const FEW_ROWS: usize = 4;

/// Largest workgroup a few-row norm takes.
pub const MAX_ROW_WIDTH: u32 = 1024;

/// The kernel for `rows` rows of `cols`: `pair` at the table size, one subgroup for
/// [`Reduction::OneSubgroup`], and for at most [`FEW_ROWS`] rows, wider: the power of two
/// that covers `cols` (at least the table size), capped at [`MAX_ROW_WIDTH`] and at the
/// device's limits.
pub fn row_kernel(
    gpu: &Gpu,
    kernel: &'static str,
    pair: &ReducedPair,
    reduction: Reduction,
    [rows, cols]: [usize; 2],
) -> Result<Kernel, GpuError> {
    let table = reduction.pick(gpu, kernel, pair)?;
    let (Some(size), false) = (table.workgroup_size(), reduction == Reduction::OneSubgroup) else {
        return Ok(table);
    };
    if rows > FEW_ROWS {
        return Ok(table);
    }
    let limits = &gpu.caps().limits;
    let cap = MAX_ROW_WIDTH
        .min(limits.max_compute_invocations_per_workgroup)
        .min(limits.max_compute_workgroup_size_x);
    // The largest power of two within the device's cap.
    let cap = 1u32 << (31 - cap.max(1).leading_zeros());
    let want = u32::try_from(cols).unwrap_or(u32::MAX).next_power_of_two();
    let width = want.min(cap).max(size);
    if width == size {
        return Ok(table);
    }
    Kernel::sized(table.variant(), width, gpu.caps())
}

/// Checks shapes and builds the uniform shared by both entry points.
fn prepare(
    gpu: &Gpu,
    kernel: &'static str,
    x: &DeviceBuffer,
    weight: &DeviceBuffer,
    out: &DeviceBuffer,
    params: RmsNormParams,
    pair: &ReducedPair,
) -> Result<(wgpu::Buffer, [u32; 3], Kernel), GpuError> {
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
    let kernel = row_kernel(gpu, kernel, pair, params.reduction, [rows, cols])?;
    Ok((
        gpu.uniform("rms_norm.params", &uniform)?,
        workgroups,
        kernel,
    ))
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
    let (uniform, workgroups, kernel) =
        prepare(gpu, KERNEL, x, weight, out, params, &RMS_NORM_F32)?;
    Dispatch::new(
        gpu,
        kernel,
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
    let (uniform, workgroups, kernel) =
        prepare(gpu, KERNEL, x, weight, out, params, &ADD_RMS_NORM_F32)?;
    let buffers = [&uniform, x.raw(), weight.raw(), out.raw(), residual.raw()];
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
    let (uniform, workgroups, kernel) =
        prepare(gpu, KERNEL, x, weight, out, params, &GATED_RMS_NORM_F32)?;
    let bindings = [
        (0, &uniform),
        (1, x.raw()),
        (2, weight.raw()),
        (3, out.raw()),
        (5, gate.raw()),
    ];
    Dispatch::with_bindings(gpu, kernel, &bindings, workgroups)
}

/// [`rms_norm`] of one row that also writes the row's 8-bit blocks into `xq`, equal word for
/// word to [`quantize_q8`](super::quantize_q8::quantize_q8) of `out` (the blocks are made
/// from `out` as stored): a decode step's norm before projections that take an 8-bit x, in
/// one dispatch instead of two.
pub fn rms_norm_q8(
    gpu: &Gpu,
    x: &DeviceBuffer,
    weight: &DeviceBuffer,
    (out, xq): (&DeviceBuffer, &DeviceBuffer),
    params: RmsNormParams,
) -> Result<Dispatch, GpuError> {
    const KERNEL: &str = "rms_norm_q8";
    check_q8_row(gpu, KERNEL, x, weight, xq)?;
    let (uniform, workgroups, kernel) =
        prepare(gpu, KERNEL, x, weight, out, params, &RMS_NORM_Q8_F32)?;
    let bindings = [
        (0, &uniform),
        (1, x.raw()),
        (2, weight.raw()),
        (3, out.raw()),
        (6, xq.raw()),
    ];
    Dispatch::with_bindings(gpu, kernel, &bindings, workgroups)
}

/// [`add_rms_norm`] of one row that also writes the normed row's 8-bit blocks into `xq`, as
/// [`rms_norm_q8`].
pub fn add_rms_norm_q8(
    gpu: &Gpu,
    residual: &DeviceBuffer,
    x: &DeviceBuffer,
    weight: &DeviceBuffer,
    (out, xq): (&DeviceBuffer, &DeviceBuffer),
    params: RmsNormParams,
) -> Result<Dispatch, GpuError> {
    const KERNEL: &str = "add_rms_norm_q8";
    check_len(KERNEL, "residual", residual, x.len())?;
    check_binding(gpu, KERNEL, "residual", residual)?;
    check_q8_row(gpu, KERNEL, x, weight, xq)?;
    let (uniform, workgroups, kernel) =
        prepare(gpu, KERNEL, x, weight, out, params, &ADD_RMS_NORM_Q8_F32)?;
    let bindings = [
        (0, &uniform),
        (1, x.raw()),
        (2, weight.raw()),
        (3, out.raw()),
        (4, residual.raw()),
        (6, xq.raw()),
    ];
    Dispatch::with_bindings(gpu, kernel, &bindings, workgroups)
}

/// The `_q8` norms take one row (the kernel quantizes row 0) of whole pairs of 8-bit blocks,
/// and `xq` must hold its [`q8_words`].
fn check_q8_row(
    gpu: &Gpu,
    kernel: &'static str,
    x: &DeviceBuffer,
    weight: &DeviceBuffer,
    xq: &DeviceBuffer,
) -> Result<(), GpuError> {
    let cols = weight.len();
    if x.len() != cols {
        return Err(GpuError::ShapeMismatch {
            kernel,
            what: "x (one row of weight.len())",
            expected: cols,
            got: x.len(),
        });
    }
    if !cols.is_multiple_of(Q8_PAIR) {
        return Err(GpuError::ShapeMismatch {
            kernel,
            what: "cols (a multiple of 32 values)",
            expected: cols.next_multiple_of(Q8_PAIR),
            got: cols,
        });
    }
    check_room(kernel, "xq", xq, q8_words(cols))?;
    check_binding(gpu, kernel, "xq", xq)
}

#[cfg(test)]
mod layout {
    use crate::registry::variants;

    crate::kernels::wgsl_layout_test!(
        rms_norm_params: super::Uniform = variants::RMS_NORM_F32_WORKGROUP,
        "RmsNormParams" { rows, cols, eps, weight_offset }
    );
}
