//! Launcher for `wgsl/l2_norm.wgsl`: `out[r] = x[r] / sqrt(|x[r]|^2 + eps) * scale` per row of
//! `cols` (Gated DeltaNet's q heads use scale `1/sqrt(d_k)`, k heads 1). CPU twin:
//! `axon_reference::ops::l2_norm::l2_norm` (then the scale).

use super::{check_binding, check_room, grid};
use crate::buffer::DeviceBuffer;
use crate::device::Gpu;
use crate::dispatch::Dispatch;
use crate::error::GpuError;
use crate::kernels::Reduction;
use crate::registry::variants::L2_NORM_F32;

#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    rows: u32,
    cols: u32,
    eps: f32,
    scale: f32,
}

/// Normalises each row of `cols` values of `x` into `out`, then scales.
pub fn l2_norm(
    gpu: &Gpu,
    x: &DeviceBuffer,
    out: &DeviceBuffer,
    cols: usize,
    eps: f32,
    scale: f32,
    reduction: Reduction,
) -> Result<Dispatch, GpuError> {
    const KERNEL: &str = "l2_norm";
    if cols == 0 || !x.len().is_multiple_of(cols) {
        return Err(GpuError::ShapeMismatch {
            kernel: KERNEL,
            what: "x (whole rows)",
            expected: cols.max(1),
            got: x.len(),
        });
    }
    check_room(KERNEL, "out", out, x.len())?;
    check_binding(gpu, KERNEL, "x", x)?;
    check_binding(gpu, KERNEL, "out", out)?;
    let rows = x.len() / cols;
    let workgroups = grid(gpu, KERNEL, rows as u64)?;
    let params = Params {
        rows: rows as u32,
        cols: cols as u32,
        eps,
        scale,
    };
    let uniform = gpu.uniform("l2_norm.params", &params)?;
    let kernel = reduction.pick(gpu, KERNEL, &L2_NORM_F32)?;
    Dispatch::new(gpu, kernel, &[&uniform, x.raw(), out.raw()], workgroups)
}

#[cfg(test)]
mod layout {
    use crate::registry::variants;

    crate::kernels::wgsl_layout_test!(
        l2_params: super::Params = variants::L2_NORM_F32_WORKGROUP,
        "L2Params" { rows, cols, eps, scale }
    );
}
