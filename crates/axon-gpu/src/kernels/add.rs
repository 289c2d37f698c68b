//! Launcher for `wgsl/add.wgsl`: `out[i] = a[i] + b[i]`.
//!
//! Contract: `a`, `b` `[n]` f32, `out` at least `[n]`; `out` may not alias an input. Any `n`, including 0
//! (an empty grid) and sizes that are not a multiple of the workgroup. Exact in f32 (the CPU twin
//! is `axon_reference::add`).

use super::{check_binding, check_len, check_room, grid};
use crate::buffer::DeviceBuffer;
use crate::device::Gpu;
use crate::dispatch::Dispatch;
use crate::error::GpuError;
use crate::registry::variants::ADD_F32;

#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct AddParams {
    n: u32,
    _pad: [u32; 3],
}

/// `out = a + b`, elementwise.
pub fn add(
    gpu: &Gpu,
    a: &DeviceBuffer,
    b: &DeviceBuffer,
    out: &DeviceBuffer,
) -> Result<Dispatch, GpuError> {
    const KERNEL: &str = "add";
    let n = a.len();
    check_len(KERNEL, "b", b, n)?;
    check_room(KERNEL, "out", out, n)?;
    for (what, buf) in [("a", a), ("b", b), ("out", out)] {
        check_binding(gpu, KERNEL, what, buf)?;
    }
    let wg = u64::from(ADD_F32.workgroup_size.unwrap_or(1));
    let workgroups = grid(gpu, KERNEL, (n as u64).div_ceil(wg))?;
    // check_binding bounds n by u32::MAX bytes, so the count fits.
    let params = AddParams {
        n: u32::try_from(n).unwrap_or(u32::MAX),
        _pad: [0; 3],
    };
    let uniform = gpu.uniform("add.params", &params)?;
    Dispatch::new(
        gpu,
        &ADD_F32,
        &[&uniform, a.raw(), b.raw(), out.raw()],
        workgroups,
    )
}

#[cfg(test)]
mod layout {
    use crate::registry::variants;

    crate::kernels::wgsl_layout_test!(
        add_params: super::AddParams = variants::ADD_F32,
        "AddParams" { n }
    );
}
