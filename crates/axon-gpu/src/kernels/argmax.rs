//! Launcher for `wgsl/argmax.wgsl`: the index of each row's largest value, so greedy decoding
//! reads back two u32 per row instead of the vocabulary, and the first column of the row that
//! holds a NaN or an infinity, so the engine refuses non-finite logits at no extra cost.
//!
//! Contract: `values` is `[rows, n]` f32 with `n >= 1`; `partials` a scratch of at least
//! [`partials_len`] elements (any contents; the kernel uses its words as u32); `out` is a u32
//! buffer of at least `2 * rows` elements (see [`Gpu::zeros_u32`]): `out[2r]` is row `r`'s
//! argmax, `out[2r + 1]` its first non-finite column or [`NONE`]. Ties go to the lower index,
//! NaN never wins, an all-NaN row gives 0. Two dispatches: each [`ARGMAX_SLICE`] values of a
//! row, then each row's slices. The CPU twins are `axon_reference::ops::sampling::argmax` and
//! a scan for the first non-finite value.

use super::{check_binding, grid};
use crate::buffer::DeviceBuffer;
use crate::device::Gpu;
use crate::dispatch::Dispatch;
use crate::error::GpuError;
use crate::kernels::Reduction;
use crate::registry::variants::{ARGMAX_MERGE, ARGMAX_SLICES};

#[repr(C)]
#[derive(Debug, Clone, Copy, bytemuck::Pod, bytemuck::Zeroable)]
struct Params {
    n: u32,
    rows: u32,
    slices: u32,
    _pad: u32,
}

/// Values one workgroup of the first pass ranks: WGSL's `SLICE_LEN` (the registry test
/// compares them).
pub const ARGMAX_SLICE: usize = 4096;

/// Elements of the `partials` scratch for `rows` rows of `n` values: three words per slice.
pub fn partials_len(rows: usize, n: usize) -> usize {
    3 * rows * n.div_ceil(ARGMAX_SLICE).max(1)
}

/// `out[2r + 1]` when row `r` holds only finite values.
pub const NONE: u32 = u32::MAX;

/// A device buffer of u32 results (a clone shares the buffer).
#[derive(Debug, Clone)]
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

/// `out[2r] = argmax(values[r, ..n])` and `out[2r + 1]` = the first column of row `r` holding
/// a NaN or an infinity ([`NONE`] when every value is finite).
pub fn argmax(
    gpu: &Gpu,
    values: &DeviceBuffer,
    n: usize,
    partials: &DeviceBuffer,
    out: &IndexBuffer,
) -> Result<[Dispatch; 2], GpuError> {
    argmax_with(gpu, values, n, partials, out, Reduction::Workgroup)
}

/// [`argmax`] in workgroups of `reduction`'s width: the kernel's tree over workgroup memory
/// either way, at the table's size, or one subgroup wide for [`Reduction::OneSubgroup`].
pub fn argmax_with(
    gpu: &Gpu,
    values: &DeviceBuffer,
    n: usize,
    partials: &DeviceBuffer,
    out: &IndexBuffer,
    reduction: Reduction,
) -> Result<[Dispatch; 2], GpuError> {
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
    if out.len < 2 * rows {
        return Err(GpuError::ShapeMismatch {
            kernel: KERNEL,
            what: "out (at least 2 * rows: an argmax and a first non-finite column per row)",
            expected: 2 * rows,
            got: out.len,
        });
    }
    if partials.len() < partials_len(rows, n) {
        return Err(GpuError::ShapeMismatch {
            kernel: KERNEL,
            what: "partials scratch",
            expected: partials_len(rows, n),
            got: partials.len(),
        });
    }
    check_binding(gpu, KERNEL, "values", values)?;
    check_binding(gpu, KERNEL, "partials", partials)?;
    let slices = n.div_ceil(ARGMAX_SLICE);
    // check_binding bounds every count by u32::MAX bytes.
    let params = Params {
        n: n as u32,
        rows: rows as u32,
        slices: slices as u32,
        _pad: 0,
    };
    let uniform = gpu.uniform("argmax.params", &params)?;
    let first = Dispatch::with_bindings(
        gpu,
        reduction.width(gpu, KERNEL, &ARGMAX_SLICES)?,
        &[(0, &uniform), (1, values.raw()), (8, partials.raw())],
        grid(gpu, KERNEL, (rows * slices) as u64)?,
    )?;
    let second = Dispatch::with_bindings(
        gpu,
        reduction.width(gpu, KERNEL, &ARGMAX_MERGE)?,
        &[(0, &uniform), (2, &out.buffer), (8, partials.raw())],
        grid(gpu, KERNEL, rows as u64)?,
    )?;
    Ok([first, second])
}

#[cfg(test)]
mod layout {
    use crate::registry::variants;

    crate::kernels::wgsl_layout_test!(
        argmax_params: super::Params = variants::ARGMAX_SLICES,
        "ArgmaxParams" { n, rows, slices }
    );
}
