//! Passes submitted without waiting for them, whose few result words come back later through
//! host-readable slots reused from pass to pass (no buffer is created per pass).
//!
//! What pipelined decoding needs: pass N+1 is submitted before pass N's argmax reaches the
//! host, its token id copied on the GPU from pass N's picks ([`TokenCopy`]) and its position
//! written through the queue, which orders both after pass N. The host then waits for pass N
//! alone ([`Submitted::wait`]) while the GPU goes on with pass N+1.

use crate::device::Gpu;
use crate::dispatch::{Dispatch, encode_pass};
use crate::error::GpuError;
use crate::kernels::argmax::IndexBuffer;
use crate::timing::STAMP_BYTES;
use std::time::Duration;

/// Slots a pass copies its result words into, used in turn. A slot is reused two passes
/// later, by when the pass that filled it has been read (pipelining runs one pass ahead).
#[derive(Debug)]
pub struct ReadSlots {
    slots: Vec<Slot>,
    /// u32 words each slot brings back.
    words: usize,
    next: usize,
}

#[derive(Debug)]
struct Slot {
    /// MAP_READ: the words, then (when timed) the two timestamps.
    host: wgpu::Buffer,
    /// With timestamps: the pass's start and end, resolved into `stamps`.
    timer: Option<(wgpu::QuerySet, wgpu::Buffer)>,
}

/// How many slots a [`ReadSlots`] keeps: the pass in flight and the one being read.
const SLOTS: usize = 2;

/// A copy of one token id on the GPU: `from[index]` into `to[0]`, before the pass runs.
#[derive(Debug, Clone, Copy)]
pub struct TokenCopy<'a> {
    /// The previous pass's picks.
    pub from: &'a IndexBuffer,
    /// Which word of `from` (a row's argmax).
    pub index: usize,
    /// The pass's token ids.
    pub to: &'a IndexBuffer,
}

/// A submitted pass whose words have not been read yet.
#[derive(Debug)]
#[must_use = "a submitted pass is read with `wait`"]
pub struct Submitted {
    submission: wgpu::SubmissionIndex,
    host: wgpu::Buffer,
    words: usize,
    timed: bool,
    label: &'static str,
}

impl Gpu {
    /// Slots for passes that bring back `words` u32 values each, with the pass's GPU time
    /// when `timed` (needs `timestamp-query`).
    pub fn read_slots(
        &self,
        label: &str,
        words: usize,
        timed: bool,
    ) -> Result<ReadSlots, GpuError> {
        if timed && !self.caps().has_timestamps() {
            return Err(GpuError::MissingFeature {
                variant: "read_slots",
                feature: "timestamp-query",
                adapter: self.caps().adapter_name.clone(),
            });
        }
        let bytes = words_bytes(words) + if timed { STAMP_BYTES } else { 0 };
        let slots = (0..SLOTS)
            .map(|i| {
                let name = format!("{label}.slot{i}");
                let host = self.create_buffer(
                    &name,
                    bytes.max(wgpu::COPY_BUFFER_ALIGNMENT),
                    wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
                )?;
                let timer = timed.then(|| self.pass_stamps(&name)).transpose()?;
                Ok(Slot { host, timer })
            })
            .collect::<Result<Vec<_>, GpuError>>()?;
        Ok(ReadSlots {
            slots,
            words,
            next: 0,
        })
    }

    /// Records `copy` (if any), then `dispatches` in one compute pass, then a copy of the
    /// first words of `result` into the next slot, and submits, without waiting.
    pub fn submit_pass(
        &self,
        label: &'static str,
        copy: Option<TokenCopy<'_>>,
        dispatches: &[Dispatch],
        result: &IndexBuffer,
        slots: &mut ReadSlots,
    ) -> Result<Submitted, GpuError> {
        let words = slots.words.min(result.len());
        let slot = &slots.slots[slots.next % slots.slots.len()];
        slots.next = slots.next.wrapping_add(1);
        let mut encoder = self
            .device()
            .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some(label) });
        if let Some(c) = copy {
            encoder.copy_buffer_to_buffer(c.from.raw(), 4 * c.index as u64, c.to.raw(), 0, 4);
        }
        let writes = slot
            .timer
            .as_ref()
            .map(|(set, _)| wgpu::ComputePassTimestampWrites {
                query_set: set,
                beginning_of_pass_write_index: Some(0),
                end_of_pass_write_index: Some(1),
            });
        encode_pass(&mut encoder, label, dispatches, writes);
        let word_bytes = words_bytes(words);
        if word_bytes > 0 {
            encoder.copy_buffer_to_buffer(result.raw(), 0, &slot.host, 0, word_bytes);
        }
        if let Some((set, stamps)) = &slot.timer {
            encoder.resolve_query_set(set, 0..2, stamps, 0);
            encoder.copy_buffer_to_buffer(stamps, 0, &slot.host, word_bytes, STAMP_BYTES);
        }
        let submission = self.submit(label, encoder)?;
        Ok(Submitted {
            submission,
            host: slot.host.clone(),
            words,
            timed: slot.timer.is_some(),
            label,
        })
    }
}

impl Submitted {
    /// Waits for this pass only (later submits keep running) and returns its words and, with
    /// timed slots, its GPU time.
    pub fn wait(self, gpu: &Gpu) -> Result<(Vec<u32>, Option<Duration>), GpuError> {
        let word_bytes = words_bytes(self.words) as usize;
        let (words, stamps) =
            gpu.read_mapped(self.label, &self.host, self.submission, |bytes| {
                let words: Vec<u32> = bytes
                    .get(..word_bytes)
                    .unwrap_or_default()
                    .chunks_exact(4)
                    .take(self.words)
                    .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect();
                (words, bytes.get(word_bytes..).unwrap_or_default().to_vec())
            })?;
        let time = if self.timed {
            Some(gpu.elapsed(self.label, &stamps)?)
        } else {
            None
        };
        Ok((words, time))
    }
}

/// Bytes of `words` u32 values, rounded up to the copy alignment.
fn words_bytes(words: usize) -> u64 {
    (words as u64 * 4).next_multiple_of(wgpu::COPY_BUFFER_ALIGNMENT)
}
