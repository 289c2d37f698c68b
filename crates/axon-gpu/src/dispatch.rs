//! A recorded kernel launch, and running a list of them in one submit.

use crate::buffer::DeviceBuffer;
use crate::device::Gpu;
use crate::error::{GpuError, ObjectKind};
use crate::kernels::argmax::IndexBuffer;
use crate::pipelines::Kernel;
use crate::registry::KernelVariant;
use std::sync::Arc;

/// One kernel launch: pipeline, its bindings, and the grid.
#[derive(Debug)]
pub struct Dispatch {
    /// The variant, whose name labels the dispatch.
    pub variant: &'static KernelVariant,
    workgroup_size: Option<u32>,
    pipeline: Arc<wgpu::ComputePipeline>,
    bind_group: wgpu::BindGroup,
    workgroups: [u32; 3],
}

impl Dispatch {
    /// Binds `buffers` to group 0 at bindings 0, 1, ... of `kernel`'s pipeline (a variant at
    /// its table size, or a [`Kernel`] sized otherwise).
    pub fn new(
        gpu: &Gpu,
        kernel: impl Into<Kernel>,
        buffers: &[&wgpu::Buffer],
        workgroups: [u32; 3],
    ) -> Result<Self, GpuError> {
        let numbered: Vec<(u32, &wgpu::Buffer)> = (0u32..).zip(buffers.iter().copied()).collect();
        Self::with_bindings(gpu, kernel, &numbered, workgroups)
    }

    /// Binds each buffer to group 0 at the given binding number (for entry points that use
    /// only some of their module's bindings).
    pub fn with_bindings(
        gpu: &Gpu,
        kernel: impl Into<Kernel>,
        buffers: &[(u32, &wgpu::Buffer)],
        workgroups: [u32; 3],
    ) -> Result<Self, GpuError> {
        let kernel = kernel.into();
        let variant = kernel.variant();
        let pipeline = gpu.pipeline(kernel)?;
        let layout = pipeline.get_bind_group_layout(0);
        let entries: Vec<wgpu::BindGroupEntry<'_>> = buffers
            .iter()
            .map(|&(binding, buffer)| wgpu::BindGroupEntry {
                binding,
                resource: buffer.as_entire_binding(),
            })
            .collect();
        let bind_group = gpu.guarded(ObjectKind::BindGroup, variant.name, |d| {
            d.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some(variant.name),
                layout: &layout,
                entries: &entries,
            })
        })?;
        Ok(Self {
            variant,
            workgroup_size: kernel.workgroup_size(),
            pipeline,
            bind_group,
            workgroups,
        })
    }

    /// The grid, in workgroups.
    pub fn workgroups(&self) -> [u32; 3] {
        self.workgroups
    }

    /// The `WG_SIZE` its pipeline was created with (`None`: fixed in the WGSL).
    pub fn workgroup_size(&self) -> Option<u32> {
        self.workgroup_size
    }
}

/// Records `dispatches` in order into one compute pass of `encoder` (empty grids skipped).
pub(crate) fn encode_pass(
    encoder: &mut wgpu::CommandEncoder,
    label: &str,
    dispatches: &[Dispatch],
    timestamp_writes: Option<wgpu::ComputePassTimestampWrites<'_>>,
) {
    let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
        label: Some(label),
        timestamp_writes,
    });
    for d in dispatches {
        let [x, y, z] = d.workgroups;
        if x == 0 || y == 0 || z == 0 {
            continue;
        }
        pass.set_pipeline(&d.pipeline);
        pass.set_bind_group(0, &d.bind_group, &[]);
        pass.dispatch_workgroups(x, y, z);
    }
}

impl Gpu {
    /// Encodes `dispatches` in order into one compute pass and submits once.
    pub fn run(
        &self,
        label: &str,
        dispatches: &[Dispatch],
    ) -> Result<wgpu::SubmissionIndex, GpuError> {
        // Device health is checked once, by `submit`'s guarded finish.
        let mut encoder = self
            .device()
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some(label) });
        encode_pass(&mut encoder, label, dispatches, None);
        self.submit(label, encoder)
    }

    /// Runs `dispatches` as [`Gpu::run`] does and reads `out` back, in one submit (the copies
    /// to the host are recorded after the pass), so a forward pass that returns logits costs
    /// one `queue.submit`.
    pub fn run_and_read(
        &self,
        label: &str,
        dispatches: &[Dispatch],
        out: Readback<'_>,
    ) -> Result<ReadValues, GpuError> {
        let mut encoder = self
            .device()
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some(label) });
        encode_pass(&mut encoder, label, dispatches, None);
        let parts = self.submit_and_read(label, encoder, &out.sources())?;
        Ok(out.decode(&parts))
    }
}

/// What a pass reads back to the host in its one submit: f32 values (the logits) and, when
/// asked, u32 values (the argmax kernel's picks).
#[derive(Debug, Clone, Copy)]
pub struct Readback<'a> {
    /// The f32 buffer.
    pub values: &'a DeviceBuffer,
    /// The u32 buffer, if any.
    pub indices: Option<&'a IndexBuffer>,
}

impl<'a> From<&'a DeviceBuffer> for Readback<'a> {
    fn from(values: &'a DeviceBuffer) -> Self {
        Self {
            values,
            indices: None,
        }
    }
}

/// What a [`Readback`] brought back.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReadValues {
    /// Every value of the f32 buffer.
    pub values: Vec<f32>,
    /// Every value of the u32 buffer (empty when none was asked for).
    pub indices: Vec<u32>,
}

impl Readback<'_> {
    /// The buffers to copy to the host, in order: values, then indices.
    pub(crate) fn sources(&self) -> Vec<(&wgpu::Buffer, u64)> {
        let mut sources = vec![(self.values.raw(), self.values.byte_len())];
        if let Some(i) = self.indices {
            sources.push((i.raw(), i.len() as u64 * 4));
        }
        sources
    }

    /// How many of `sources` (the first ones of a read) are this read-back's.
    pub(crate) fn count(&self) -> usize {
        1 + usize::from(self.indices.is_some())
    }

    /// The values of the first [`Readback::count`] `parts` of a read.
    pub(crate) fn decode(&self, parts: &[Vec<u8>]) -> ReadValues {
        let bytes = |i: usize| parts.get(i).map_or(&[][..], Vec::as_slice);
        ReadValues {
            values: f32s(bytes(0), self.values.len()),
            indices: self.indices.map_or_else(Vec::new, |i| {
                bytes(1)
                    .chunks_exact(4)
                    .take(i.len())
                    .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect()
            }),
        }
    }
}

/// A validation tap: a copy of `buffer` taken right after the dispatch at index `after`
/// (before any later dispatch can overwrite it).
#[derive(Debug, Clone, Copy)]
pub struct Tap<'a> {
    /// Index of the dispatch after which the copy is taken.
    pub after: usize,
    /// What to copy.
    pub buffer: &'a DeviceBuffer,
}

impl Gpu {
    /// [`Gpu::run_and_read`] with validation taps: the same dispatches in the same order and
    /// the same single submit; the pass is split after each tapped dispatch for a copy of
    /// the tapped buffer (an observer: it reads, never writes, what the kernels use).
    /// Returns `out` and each tap's values.
    pub fn run_and_read_tapped(
        &self,
        label: &str,
        dispatches: &[Dispatch],
        taps: &[Tap<'_>],
        out: Readback<'_>,
    ) -> Result<(ReadValues, Vec<Vec<f32>>), GpuError> {
        let mut order: Vec<usize> = (0..taps.len()).collect();
        order.sort_by_key(|&i| taps[i].after);
        let copies = taps
            .iter()
            .map(|t| {
                self.create_buffer(
                    &format!("{label}.tap"),
                    t.buffer.byte_len().max(4),
                    wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::COPY_SRC,
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut encoder = self
            .device()
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some(label) });
        let mut start = 0;
        for &i in &order {
            let end = (taps[i].after + 1).min(dispatches.len()).max(start);
            encode_pass(&mut encoder, label, &dispatches[start..end], None);
            start = end;
            let bytes = taps[i].buffer.byte_len();
            if bytes > 0 {
                encoder.copy_buffer_to_buffer(taps[i].buffer.raw(), 0, &copies[i], 0, bytes);
            }
        }
        encode_pass(&mut encoder, label, &dispatches[start..], None);
        let mut sources = out.sources();
        sources.extend(
            taps.iter()
                .zip(&copies)
                .map(|(t, c)| (c, t.buffer.byte_len())),
        );
        let parts = self.submit_and_read(label, encoder, &sources)?;
        let values = out.decode(&parts);
        let tapped = taps
            .iter()
            .zip(parts.iter().skip(out.count()))
            .map(|(t, bytes)| f32s(bytes, t.buffer.len()))
            .collect();
        Ok((values, tapped))
    }
}

/// The first `len` little-endian f32 values of `bytes`.
pub(crate) fn f32s(bytes: &[u8], len: usize) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .take(len)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}
