//! Launcher for `wgsl/noop.wgsl`: a dispatch that reads nothing it acts on and writes nothing.
//! The engine appends them to a pass to measure the cost of one dispatch
//! (`AXON_INSERT_NOOP_DISPATCHES`).

use crate::device::Gpu;
use crate::dispatch::Dispatch;
use crate::error::GpuError;
use crate::registry::variants::NOOP;

#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct NoopParams {
    tag: u32,
    _pad: [u32; 3],
}

/// `count` empty dispatches sharing one small uniform.
pub fn noops(gpu: &Gpu, count: usize) -> Result<Vec<Dispatch>, GpuError> {
    if count == 0 {
        return Ok(Vec::new());
    }
    let params = NoopParams {
        tag: 0,
        _pad: [0; 3],
    };
    let uniform = gpu.uniform("noop.params", &params)?;
    (0..count)
        .map(|_| Dispatch::new(gpu, &NOOP, &[&uniform], [1, 1, 1]))
        .collect()
}

#[cfg(test)]
mod layout {
    use crate::registry::variants;

    crate::kernels::wgsl_layout_test!(
        noop_params: super::NoopParams = variants::NOOP,
        "NoopParams" { tag }
    );
}
