//! GPU time of one submit, from timestamps the GPU writes at the start and end of its compute
//! pass. A diagnostic: the dispatches run exactly as [`Gpu::run`] runs them.

use crate::device::Gpu;
use crate::dispatch::{Dispatch, encode_pass};
use crate::error::{GpuError, ObjectKind};
use std::time::Duration;

impl Gpu {
    /// Runs `dispatches` in one compute pass and one submit, as [`Gpu::run`] does, waits for
    /// them, and returns the GPU time from the start to the end of the pass. Needs the
    /// `timestamp-query` feature ([`DeviceCaps::has_timestamps`]).
    ///
    /// [`DeviceCaps::has_timestamps`]: crate::DeviceCaps::has_timestamps
    pub fn run_timed(&self, label: &str, dispatches: &[Dispatch]) -> Result<Duration, GpuError> {
        if !self.caps().has_timestamps() {
            return Err(GpuError::MissingFeature {
                variant: "run_timed",
                feature: "timestamp-query",
                adapter: self.caps().adapter_name.clone(),
            });
        }
        let query_set = self.guarded(ObjectKind::QuerySet, label, |d| {
            d.create_query_set(&wgpu::QuerySetDescriptor {
                label: Some(label),
                ty: wgpu::QueryType::Timestamp,
                count: 2,
            })
        })?;
        let resolved = self.create_buffer(
            label,
            2 * wgpu::QUERY_SIZE as u64,
            wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
        )?;
        let mut encoder = self
            .device()
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some(label) });
        let writes = wgpu::ComputePassTimestampWrites {
            query_set: &query_set,
            beginning_of_pass_write_index: Some(0),
            end_of_pass_write_index: Some(1),
        };
        encode_pass(&mut encoder, label, dispatches, Some(writes));
        encoder.resolve_query_set(&query_set, 0..2, &resolved, 0);
        self.submit(label, encoder)?;
        // The read-back is submitted after the run, so it waits for it.
        let bytes = self.read_bytes(label, &resolved, 2 * wgpu::QUERY_SIZE as u64)?;
        let (Some(start), Some(end)) = (tick(&bytes, 0), tick(&bytes, 8)) else {
            return Err(GpuError::Readback {
                label: label.to_owned(),
                message: format!("{} bytes of timestamps, expected 16", bytes.len()),
            });
        };
        let ticks = end.saturating_sub(start);
        let nanos = ticks as f64 * f64::from(self.queue().get_timestamp_period());
        Ok(Duration::from_nanos(nanos as u64))
    }
}

/// The little-endian u64 at byte `at`.
fn tick(bytes: &[u8], at: usize) -> Option<u64> {
    let word: [u8; 8] = bytes.get(at..at + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(word))
}
