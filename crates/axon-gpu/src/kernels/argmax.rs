//! Launcher for `wgsl/argmax.wgsl`: the index of each row's largest value, so greedy decoding
//! reads back one u32 per row instead of the vocabulary.
//!
//! Contract: `values` is `[rows, n]` f32 with `n >= 1`; `out` is a u32 buffer of at least
//! `rows` elements (see [`Gpu::zeros_u32`]). Ties go to the lower index, NaN never wins, an
//! all-NaN row gives 0. The CPU twin is `axon_reference::ops::sampling::argmax`.

use super::{check_binding, grid};
use crate::buffer::DeviceBuffer;
use crate::device::Gpu;
use crate::dispatch::Dispatch;
use crate::error::GpuError;
use crate::kernels::Reduction;
use crate::registry::variants::ARGMAX_F32;

#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    n: u32,
    rows: u32,
    _pad: [u32; 2],
}

/// A device buffer of u32 results.
#[derive(Debug)]
pub struct IndexBuffer {
    buffer: wgpu::Buffer,
    len: usize,
}

impl IndexBuffer {
    /// Number of values.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it holds no values.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(crate) fn raw(&self) -> &wgpu::Buffer {
        &self.buffer
    }
}

impl Gpu {
    /// A zeroed buffer of `len` u32 values, readable with [`Gpu::read_u32`].
    pub fn zeros_u32(&self, label: &str, len: usize) -> Result<IndexBuffer, GpuError> {
        let usage = wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_SRC
            | wgpu::BufferUsages::COPY_DST;
        let buffer = self.create_buffer(label, (len as u64 * 4).max(4), usage)?;
        Ok(IndexBuffer { buffer, len })
    }

    /// A buffer holding `data` (token ids, indices).
    pub fn upload_u32(&self, label: &str, data: &[u32]) -> Result<IndexBuffer, GpuError> {
        let buf = self.zeros_u32(label, data.len())?;
        if !data.is_empty() {
            self.queue()
                .write_buffer(&buf.buffer, 0, bytemuck::cast_slice(data));
        }
        Ok(buf)
    }

    /// Overwrites the start of `buf` with `data` (queued before later submits).
    pub fn write_u32(&self, buf: &IndexBuffer, data: &[u32]) -> Result<(), GpuError> {
        if data.len() > buf.len {
            return Err(GpuError::ShapeMismatch {
                kernel: "write_u32",
                what: "data (at most the buffer's length)",
                expected: buf.len,
                got: data.len(),
            });
        }
        if !data.is_empty() {
            self.queue()
                .write_buffer(&buf.buffer, 0, bytemuck::cast_slice(data));
        }
        Ok(())
    }

    /// Reads every value of `buf`.
    pub fn read_u32(&self, buf: &IndexBuffer) -> Result<Vec<u32>, GpuError> {
        let bytes = self.read_bytes("indices", &buf.buffer, buf.len as u64 * 4)?;
        Ok(bytes
            .chunks_exact(4)
            .take(buf.len)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
}

/// `out[r] = argmax(values[r, ..n])`.
pub fn argmax(
    gpu: &Gpu,
    values: &DeviceBuffer,
    n: usize,
    out: &IndexBuffer,
) -> Result<Dispatch, GpuError> {
    argmax_with(gpu, values, n, out, Reduction::Workgroup)
}

/// [`argmax`] in a workgroup of `reduction`'s width: the kernel's tree over workgroup memory
/// either way, at the table's size, or one subgroup wide for [`Reduction::OneSubgroup`].
pub fn argmax_with(
    gpu: &Gpu,
    values: &DeviceBuffer,
    n: usize,
    out: &IndexBuffer,
    reduction: Reduction,
) -> Result<Dispatch, GpuError> {
    const KERNEL: &str = "argmax";
    if n == 0 || !values.len().is_multiple_of(n) {
        return Err(GpuError::ShapeMismatch {
            kernel: KERNEL,
            what: "values (whole rows of n)",
            expected: n.max(1),
            got: values.len(),
        });
    }
    let rows = values.len() / n;
    if out.len < rows {
        return Err(GpuError::ShapeMismatch {
            kernel: KERNEL,
            what: "out (at least rows)",
            expected: rows,
            got: out.len,
        });
    }
    check_binding(gpu, KERNEL, "values", values)?;
    let workgroups = grid(gpu, KERNEL, rows as u64)?;
    // check_binding bounds both by u32::MAX bytes.
    let params = Params {
        n: n as u32,
        rows: rows as u32,
        _pad: [0; 2],
    };
    let uniform = gpu.uniform("argmax.params", &params)?;
    Dispatch::new(
        gpu,
        reduction.width(gpu, KERNEL, &ARGMAX_F32)?,
        &[&uniform, values.raw(), &out.buffer],
        workgroups,
    )
}

#[cfg(test)]
mod layout {
    use crate::registry::variants;

    crate::kernels::wgsl_layout_test!(
        argmax_params: super::Params = variants::ARGMAX_F32,
        "ArgmaxParams" { n, rows }
    );
}
