//! GPU time of one submit, from timestamps the GPU writes at the start and end of its compute
//! pass. A diagnostic: the dispatches run exactly as [`Gpu::run`] / [`Gpu::run_and_read`] run
//! them, in the same single submit.

use crate::device::Gpu;
use crate::dispatch::{Dispatch, ReadValues, Readback, encode_pass};
use crate::error::{GpuError, ObjectKind};
use std::time::Duration;

/// Bytes of the two resolved timestamps.
pub(crate) const STAMP_BYTES: u64 = 2 * wgpu::QUERY_SIZE as u64;

impl Gpu {
    /// Runs `dispatches` in one compute pass and one submit, as [`Gpu::run`] does, waits for
    /// them, and returns the GPU time from the start to the end of the pass. Needs the
    /// `timestamp-query` feature ([`DeviceCaps::has_timestamps`]).
    ///
    /// [`DeviceCaps::has_timestamps`]: crate::DeviceCaps::has_timestamps
    pub fn run_timed(&self, label: &str, dispatches: &[Dispatch]) -> Result<Duration, GpuError> {
        let (encoder, resolved) = self.timed_pass(label, dispatches)?;
        let parts = self.submit_and_read(label, encoder, &[(&resolved, STAMP_BYTES)])?;
        self.elapsed(label, parts.first().map_or(&[][..], Vec::as_slice))
    }

    /// [`Gpu::run_and_read`] with timestamps at the start and end of the pass: the same
    /// dispatches, the same single submit, plus the pass's GPU time. An observer: the values
    /// read back are those `run_and_read` returns.
    pub fn run_and_read_timed(
        &self,
        label: &str,
        dispatches: &[Dispatch],
        out: Readback<'_>,
    ) -> Result<(ReadValues, Duration), GpuError> {
        let (encoder, resolved) = self.timed_pass(label, dispatches)?;
        let mut sources = out.sources();
        sources.push((&resolved, STAMP_BYTES));
        let parts = self.submit_and_read(label, encoder, &sources)?;
        let stamps = parts.get(out.count()).map_or(&[][..], Vec::as_slice);
        Ok((out.decode(&parts), self.elapsed(label, stamps)?))
    }

    /// An encoder holding the pass with timestamps and their resolve into the returned buffer.
    fn timed_pass(
        &self,
        label: &str,
        dispatches: &[Dispatch],
    ) -> Result<(wgpu::CommandEncoder, wgpu::Buffer), GpuError> {
        if !self.caps().has_timestamps() {
            return Err(GpuError::MissingFeature {
                variant: "run_timed",
                feature: "timestamp-query",
                adapter: self.caps().adapter_name.clone(),
            });
        }
        let (query_set, resolved) = self.pass_stamps(label)?;
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
        Ok((encoder, resolved))
    }

    /// A query set of two timestamps (a pass's start and end) and the buffer they resolve
    /// into ([`STAMP_BYTES`], copyable).
    pub(crate) fn pass_stamps(
        &self,
        label: &str,
    ) -> Result<(wgpu::QuerySet, wgpu::Buffer), GpuError> {
        let query_set = self.guarded(ObjectKind::QuerySet, label, |d| {
            d.create_query_set(&wgpu::QuerySetDescriptor {
                label: Some(label),
                ty: wgpu::QueryType::Timestamp,
                count: 2,
            })
        })?;
        let resolved = self.create_buffer(
            label,
            STAMP_BYTES,
            wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
        )?;
        Ok((query_set, resolved))
    }

    /// The time between the two resolved timestamps in `stamps`.
    pub(crate) fn elapsed(&self, label: &str, stamps: &[u8]) -> Result<Duration, GpuError> {
        let (Some(start), Some(end)) = (tick(stamps, 0), tick(stamps, 8)) else {
            return Err(GpuError::Readback {
                label: label.to_owned(),
                message: format!("{} bytes of timestamps, expected 16", stamps.len()),
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
