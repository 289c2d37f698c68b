//! GPU time of every dispatch of a submit: each dispatch in a compute pass of its own with
//! timestamps at its ends, all in one encoder and one submit. A diagnostic: the dispatches
//! and their order are those of [`Gpu::run_and_read`]; only the pass boundaries differ, so
//! the times include a pass's barrier, and the sum exceeds one pass's time a little.

use crate::device::Gpu;
use crate::dispatch::{Dispatch, ReadValues, Readback, encode_pass};
use crate::error::{GpuError, ObjectKind};
use std::time::Duration;

/// Dispatches per query set (two timestamps each, within wgpu's query-set limit).
const PER_SET: usize = wgpu::QUERY_SET_MAX_QUERIES as usize / 2;

impl Gpu {
    /// [`Gpu::run_and_read`] with each dispatch's GPU time. Needs `timestamp-query`.
    pub fn run_and_read_profiled(
        &self,
        label: &str,
        dispatches: &[Dispatch],
        out: Readback<'_>,
    ) -> Result<(ReadValues, Vec<Duration>), GpuError> {
        if !self.caps().has_timestamps() {
            return Err(GpuError::MissingFeature {
                variant: "run_and_read_profiled",
                feature: "timestamp-query",
                adapter: self.caps().adapter_name.clone(),
            });
        }
        let mut encoder = self
            .device()
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some(label) });
        let mut resolved = Vec::new();
        for group in dispatches.chunks(PER_SET) {
            let count = 2 * group.len() as u32;
            let query_set = self.guarded(ObjectKind::QuerySet, label, |d| {
                d.create_query_set(&wgpu::QuerySetDescriptor {
                    label: Some(label),
                    ty: wgpu::QueryType::Timestamp,
                    count,
                })
            })?;
            for (i, d) in (0u32..).zip(group) {
                let writes = wgpu::ComputePassTimestampWrites {
                    query_set: &query_set,
                    beginning_of_pass_write_index: Some(2 * i),
                    end_of_pass_write_index: Some(2 * i + 1),
                };
                encode_pass(&mut encoder, label, std::slice::from_ref(d), Some(writes));
            }
            let bytes = u64::from(count) * u64::from(wgpu::QUERY_SIZE);
            let buffer = self.create_buffer(
                label,
                bytes,
                wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
            )?;
            encoder.resolve_query_set(&query_set, 0..count, &buffer, 0);
            resolved.push((buffer, bytes));
        }
        let mut sources = out.sources();
        sources.extend(resolved.iter().map(|(b, n)| (b, *n)));
        let parts = self.submit_and_read(label, encoder, &sources)?;
        let values = out.decode(&parts);
        let period = f64::from(self.queue().get_timestamp_period());
        let mut times = Vec::with_capacity(dispatches.len());
        for stamps in parts.iter().skip(out.count()) {
            for pair in stamps.chunks_exact(16) {
                let tick = |at: usize| {
                    pair.get(at..at + 8)
                        .and_then(|b| <[u8; 8]>::try_from(b).ok())
                        .map_or(0, u64::from_le_bytes)
                };
                let ticks = tick(8).saturating_sub(tick(0));
                times.push(Duration::from_nanos((ticks as f64 * period) as u64));
            }
        }
        if times.len() != dispatches.len() {
            return Err(GpuError::Readback {
                label: label.to_owned(),
                message: format!(
                    "{} dispatch times for {} dispatches",
                    times.len(),
                    dispatches.len()
                ),
            });
        }
        Ok((values, times))
    }
}
