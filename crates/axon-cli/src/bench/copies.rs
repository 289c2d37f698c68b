//! The bandwidth references of `axon bench kernels`: one buffer copied into another of the same
//! size, by `copy_buffer_to_buffer` (the copy engine's path) and by the vec4 copy shader
//! ([`axon_gpu::kernels::copy`], a compute kernel's path). Each copy reads and writes the
//! buffer, so it moves twice its size; the faster of the two is the reference a kernel's
//! bandwidth is compared with.

use super::BenchError;
use super::timing::{KernelTime, Timer};
use axon_gpu::Gpu;
use axon_gpu::kernels::copy::copy;
use std::time::Duration;

/// Both copies' times.
#[derive(Debug, Clone, Copy)]
pub struct CopyTimes {
    /// Size of the source buffer (and of the destination), in bytes.
    pub bytes: u64,
    /// Median time of one `copy_buffer_to_buffer`.
    pub buffer: Duration,
    /// Median time of one dispatch of the copy shader.
    pub shader: KernelTime,
}

impl CopyTimes {
    /// Bytes one copy reads plus bytes it writes.
    pub fn moved(&self) -> u64 {
        2 * self.bytes
    }
}

/// The buffer size to copy: `wanted` bytes, less where the device cannot allocate or bind
/// that much (the shader binds the whole buffer), rounded down to whole 16-byte vectors.
pub fn copy_bytes(gpu: &Gpu, wanted: u64) -> u64 {
    let caps = gpu.caps();
    let limit = caps
        .limits
        .max_buffer_size
        .min(caps.max_storage_binding_bytes())
        .min(u64::from(u32::MAX));
    (wanted.min(limit) & !15).max(16)
}

/// Times both copies of a buffer of [`copy_bytes`]`(gpu, wanted)` bytes.
pub fn measure(gpu: &Gpu, timer: &Timer<'_>, wanted: u64) -> Result<CopyTimes, BenchError> {
    let bytes = copy_bytes(gpu, wanted);
    let values = (bytes / 4) as usize;
    let src = gpu.zeros_f32("bench.copy.src", values)?;
    let dst = gpu.zeros_f32("bench.copy.dst", values)?;
    let buffer = timer.copy(src.raw(), dst.raw(), bytes)?;
    let shader = timer.kernel("bench.shader_copy", &mut || copy(gpu, &src, &dst))?;
    tracing::info!(bytes, ?buffer, ?shader, "copies measured");
    Ok(CopyTimes {
        bytes,
        buffer,
        shader,
    })
}
