//! Device buffers of f32 elements, and the upload/readback paths the kernels and tests use.

use crate::device::Gpu;
use crate::error::GpuError;
use wgpu::BufferUsages;

/// A storage buffer holding `len` f32 values.
#[derive(Debug)]
pub struct DeviceBuffer {
    buffer: wgpu::Buffer,
    len: usize,
    label: String,
}

impl DeviceBuffer {
    /// The wgpu buffer.
    pub fn raw(&self) -> &wgpu::Buffer {
        &self.buffer
    }

    /// Number of f32 elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the buffer holds no elements.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The label it was created with.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Size in bytes of the elements (the allocation is at least 4 bytes).
    pub fn byte_len(&self) -> u64 {
        self.len as u64 * 4
    }
}

const STORAGE: BufferUsages = BufferUsages::STORAGE
    .union(BufferUsages::COPY_SRC)
    .union(BufferUsages::COPY_DST);

impl Gpu {
    /// Sets every element of `buffers` to zero on the GPU, in one submit (queued before later
    /// submits; nothing is uploaded).
    pub fn clear_f32(&self, label: &str, buffers: &[&DeviceBuffer]) -> Result<(), GpuError> {
        let mut encoder = self
            .device()
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some(label) });
        for b in buffers {
            encoder.clear_buffer(&b.buffer, 0, None);
        }
        self.submit(label, encoder)?;
        Ok(())
    }

    /// A storage buffer of `len` f32 values, zero-filled.
    pub fn zeros_f32(&self, label: &str, len: usize) -> Result<DeviceBuffer, GpuError> {
        let buffer = self.create_buffer(label, (len as u64 * 4).max(4), STORAGE)?;
        Ok(DeviceBuffer {
            buffer,
            len,
            label: label.to_owned(),
        })
    }

    /// A storage buffer holding `data`.
    pub fn upload_f32(&self, label: &str, data: &[f32]) -> Result<DeviceBuffer, GpuError> {
        let buf = self.zeros_f32(label, data.len())?;
        if !data.is_empty() {
            self.queue()
                .write_buffer(&buf.buffer, 0, bytemuck::cast_slice(data));
        }
        Ok(buf)
    }

    /// Reads every element of `buf` back to the host.
    pub fn read_f32(&self, buf: &DeviceBuffer) -> Result<Vec<f32>, GpuError> {
        let bytes = self.read_bytes(&buf.label, &buf.buffer, buf.byte_len())?;
        Ok(bytes
            .chunks_exact(4)
            .take(buf.len)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }

    /// A uniform buffer holding `params`.
    pub fn uniform<T: bytemuck::Pod>(
        &self,
        label: &str,
        params: &T,
    ) -> Result<wgpu::Buffer, GpuError> {
        let bytes = bytemuck::bytes_of(params);
        let buffer = self.create_buffer(
            label,
            (bytes.len() as u64).next_multiple_of(16),
            BufferUsages::UNIFORM | BufferUsages::COPY_DST,
        )?;
        self.queue().write_buffer(&buffer, 0, bytes);
        Ok(buffer)
    }
}
