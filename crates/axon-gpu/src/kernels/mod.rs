//! Kernel launchers: each checks its contract, binds its buffers and returns a [`Dispatch`].
//!
//! A launcher never runs anything by itself; callers put dispatches into [`Gpu::run`] (one
//! submit), which is what plans will do too.
//!
//! Outputs may be longer than a call needs (a scratch buffer sized for the largest call):
//! launchers check only that they have room, and no kernel writes past the elements its call
//! covers. Every family's GPU test proves that with sentinels past the end of its outputs.

pub mod add;
pub mod argmax;
pub mod attention;
pub mod attention_prefill;
pub mod copy;
pub mod deltanet;
pub mod gather;
pub mod glu;
pub mod l2_norm;
pub mod matmul;
pub mod matvec;
pub mod noop;
pub mod position;
pub mod rms_norm;
pub mod rope;
pub mod subgroup_probe;
pub mod top_k;

use crate::buffer::DeviceBuffer;
use crate::device::Gpu;
use crate::device::caps::DeviceCaps;
use crate::error::GpuError;
use crate::grid::fold_grid;

/// Fails unless `buf` fits one storage binding and is indexable by a `u32`.
pub(crate) fn check_binding(
    gpu: &Gpu,
    kernel: &'static str,
    what: &'static str,
    buf: &DeviceBuffer,
) -> Result<(), GpuError> {
    let max = gpu
        .caps()
        .max_storage_binding_bytes()
        .min(u64::from(u32::MAX));
    if buf.byte_len() > max {
        return Err(GpuError::BindingTooLarge {
            kernel,
            what,
            bytes: buf.byte_len(),
            max,
        });
    }
    Ok(())
}

/// Fails unless `buf` holds exactly `expected` elements.
pub(crate) fn check_len(
    kernel: &'static str,
    what: &'static str,
    buf: &DeviceBuffer,
    expected: usize,
) -> Result<(), GpuError> {
    if buf.len() != expected {
        return Err(GpuError::ShapeMismatch {
            kernel,
            what,
            expected,
            got: buf.len(),
        });
    }
    Ok(())
}

/// Fails unless the output `buf` has room for `needed` elements. Outputs may be longer (a
/// scratch buffer sized for the largest call); kernels never write past `needed`.
pub(crate) fn check_room(
    kernel: &'static str,
    what: &'static str,
    buf: &DeviceBuffer,
    needed: usize,
) -> Result<(), GpuError> {
    if buf.len() < needed {
        return Err(GpuError::ShapeMismatch {
            kernel,
            what,
            expected: needed,
            got: buf.len(),
        });
    }
    Ok(())
}

/// The grid for `groups` workgroups on this device.
pub(crate) fn grid(gpu: &Gpu, kernel: &'static str, groups: u64) -> Result<[u32; 3], GpuError> {
    let max_per_dim = gpu.caps().limits.max_compute_workgroups_per_dimension;
    fold_grid(groups, max_per_dim).ok_or(GpuError::GridTooLarge {
        kernel,
        groups,
        max_per_dim,
    })
}

/// A two-dimensional grid of `x` by `y` workgroups, unfolded (each within the per-dimension
/// limit).
pub(crate) fn grid_2d(
    gpu: &Gpu,
    kernel: &'static str,
    [x, y]: [usize; 2],
) -> Result<[u32; 3], GpuError> {
    let max_per_dim = gpu.caps().limits.max_compute_workgroups_per_dimension;
    let fit = |n: usize| u32::try_from(n).ok().filter(|&n| n <= max_per_dim);
    match (fit(x), fit(y)) {
        (Some(x), Some(y)) => Ok([x, y, 1]),
        _ => Err(GpuError::GridTooLarge {
            kernel,
            groups: (x as u64).saturating_mul(y as u64),
            max_per_dim,
        }),
    }
}

/// How a workgroup adds up its partial sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reduction {
    /// Subgroup operations, then one pass over the per-subgroup partials.
    Subgroup,
    /// A tree in workgroup memory; needs no subgroup support.
    Workgroup,
}

impl Reduction {
    /// Subgroups when the device has them, the workgroup tree otherwise.
    pub fn preferred(caps: &DeviceCaps) -> Self {
        if caps.has_subgroups() {
            Self::Subgroup
        } else {
            Self::Workgroup
        }
    }
}
