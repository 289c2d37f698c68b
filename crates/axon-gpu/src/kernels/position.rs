//! The position of a call's first token, in a small uniform buffer the position-dependent
//! kernels (RoPE, K/V cache writes, attention) read. Rewriting it between submits moves an
//! already-encoded pass to the next token without recording anything again.

use crate::device::Gpu;
use crate::error::GpuError;

#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct PositionParams {
    pos: u32,
    _pad: [u32; 3],
}

/// A uniform holding one position (`pos` in the kernels' `Position` struct).
#[derive(Debug)]
pub struct Position {
    buffer: wgpu::Buffer,
}

impl Position {
    pub(crate) fn raw(&self) -> &wgpu::Buffer {
        &self.buffer
    }

    /// Sets the position every later submit sees (queued before them).
    pub fn set(&self, gpu: &Gpu, pos: usize) {
        let params = PositionParams {
            pos: u32::try_from(pos).unwrap_or(u32::MAX),
            _pad: [0; 3],
        };
        gpu.queue()
            .write_buffer(&self.buffer, 0, bytemuck::bytes_of(&params));
    }
}

impl Gpu {
    /// A position uniform starting at `pos`.
    pub fn position(&self, pos: usize) -> Result<Position, GpuError> {
        let params = PositionParams {
            pos: u32::try_from(pos).unwrap_or(u32::MAX),
            _pad: [0; 3],
        };
        Ok(Position {
            buffer: self.uniform("position", &params)?,
        })
    }
}

#[cfg(test)]
mod layout {
    use crate::registry::variants;

    crate::kernels::wgsl_layout_test!(
        position_params: super::PositionParams = variants::ROPE_F32,
        "Position" { pos }
    );
}
