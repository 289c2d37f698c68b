//! Launcher for `wgsl/copy.wgsl`: `dst[..n] = src` in 16-byte vectors, the shader-side
//! bandwidth reference of `axon bench kernels` (a compute copy reaches more of the memory
//! bandwidth than `copy_buffer_to_buffer` on some drivers).
//!
//! Contract: `src` holds a multiple of 4 f32 values; `dst` at least as many. Exact.

use super::{check_binding, check_room, grid};
use crate::buffer::DeviceBuffer;
use crate::device::Gpu;
use crate::dispatch::Dispatch;
use crate::error::GpuError;
use crate::registry::variants::COPY_VEC4;

#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    n: u32,
    _pad: [u32; 3],
}

/// `dst[i] = src[i]` for every element of `src`.
pub fn copy(gpu: &Gpu, src: &DeviceBuffer, dst: &DeviceBuffer) -> Result<Dispatch, GpuError> {
    const KERNEL: &str = "copy";
    if !src.len().is_multiple_of(4) {
        return Err(GpuError::ShapeMismatch {
            kernel: KERNEL,
            what: "src (a multiple of 4 values)",
            expected: src.len().next_multiple_of(4),
            got: src.len(),
        });
    }
    check_room(KERNEL, "dst", dst, src.len())?;
    check_binding(gpu, KERNEL, "src", src)?;
    check_binding(gpu, KERNEL, "dst", dst)?;
    let vectors = src.len() / 4;
    let wg = u64::from(COPY_VEC4.workgroup_size.unwrap_or(1));
    let workgroups = grid(gpu, KERNEL, (vectors as u64).div_ceil(wg))?;
    let params = Params {
        n: vectors as u32,
        _pad: [0; 3],
    };
    let uniform = gpu.uniform("copy.params", &params)?;
    Dispatch::new(
        gpu,
        &COPY_VEC4,
        &[&uniform, src.raw(), dst.raw()],
        workgroups,
    )
}
