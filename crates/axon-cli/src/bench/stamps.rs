//! GPU timestamps around work recorded in one encoder (the buffer-to-buffer copy, which no
//! compute pass holds): a two-entry query set written at the start of empty compute passes,
//! resolved and read back. Needs only `timestamp-query`, not timestamps inside encoders.
//!
//! Vulkan writes these timestamps at the bottom of the pipe: the first is taken once every
//! command recorded before it has finished, the second once the timed work has.

use super::BenchError;
use axon_gpu::{Gpu, ObjectKind};
use std::time::Duration;

/// Query index of the start mark.
pub const START: u32 = 0;
/// Query index of the end mark.
pub const END: u32 = 1;

/// Two timestamp queries and the buffer they resolve into.
#[derive(Debug)]
pub struct Stamps {
    set: wgpu::QuerySet,
    resolved: wgpu::Buffer,
    period_ns: f64,
}

impl Stamps {
    /// Makes the queries; the device must have `TIMESTAMP_QUERY`.
    pub fn new(gpu: &Gpu) -> Result<Self, BenchError> {
        const LABEL: &str = "bench.timestamps";
        let set = gpu.guarded(ObjectKind::QuerySet, LABEL, |d| {
            d.create_query_set(&wgpu::QuerySetDescriptor {
                label: Some(LABEL),
                ty: wgpu::QueryType::Timestamp,
                count: 2,
            })
        })?;
        let resolved = gpu.create_buffer(
            LABEL,
            2 * wgpu::QUERY_SIZE as u64,
            wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
        )?;
        Ok(Self {
            set,
            resolved,
            period_ns: f64::from(gpu.queue().get_timestamp_period()),
        })
    }

    /// Records an empty compute pass that writes timestamp `index` when the GPU reaches it.
    pub fn mark(&self, encoder: &mut wgpu::CommandEncoder, index: u32) {
        // The pass records nothing but its timestamp; dropping it ends it.
        let _pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("bench.mark"),
            timestamp_writes: Some(wgpu::ComputePassTimestampWrites {
                query_set: &self.set,
                beginning_of_pass_write_index: Some(index),
                end_of_pass_write_index: None,
            }),
        });
    }

    /// Records the copy of both timestamps into the readback buffer (after the end mark).
    pub fn resolve(&self, encoder: &mut wgpu::CommandEncoder) {
        encoder.resolve_query_set(&self.set, START..END + 1, &self.resolved, 0);
    }

    /// Waits for the resolved timestamps and returns the time between the marks.
    pub fn read(&self, gpu: &Gpu, what: &str) -> Result<Duration, BenchError> {
        let bytes = gpu.read_bytes("bench.timestamps", &self.resolved, 16)?;
        let tick = |i: usize| {
            bytes
                .get(8 * i..8 * i + 8)
                .and_then(|b| <[u8; 8]>::try_from(b).ok())
                .map(u64::from_le_bytes)
        };
        let (Some(start), Some(end)) = (tick(0), tick(1)) else {
            return Err(timing_error(what, "the timestamp readback is short"));
        };
        if end <= start {
            return Err(timing_error(
                what,
                &format!("timestamps did not advance (start {start}, end {end})"),
            ));
        }
        let ns = (end - start) as f64 * self.period_ns;
        Ok(Duration::from_secs_f64(ns * 1e-9))
    }
}

/// A fresh command encoder.
pub fn new_encoder(gpu: &Gpu, label: &str) -> wgpu::CommandEncoder {
    gpu.device()
        .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some(label) })
}

/// A [`BenchError::Timing`] for `what`.
pub fn timing_error(what: &str, reason: &str) -> BenchError {
    BenchError::Timing {
        what: what.to_owned(),
        reason: reason.to_owned(),
    }
}
