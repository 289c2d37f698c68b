//! One conversation: its KV cache (one key and one value buffer per attention layer, f32,
//! `context` rows each), its position and the tokens it has seen.

use crate::engine::Prepared;
use axon_gpu::kernels::argmax::IndexBuffer;
use axon_gpu::kernels::position::Position;
use axon_gpu::{DeviceBuffer, Dispatch, ReadSlots};
use std::collections::HashMap;
use std::sync::Arc;

/// A plan's steps recorded for one session: run again for every call of the same token
/// count, after the ids and the position are rewritten.
pub(crate) struct Encoded {
    /// The plan (and scratch) the dispatches bind.
    pub(crate) prepared: Arc<Prepared>,
    pub(crate) dispatches: Vec<Dispatch>,
    /// Per plan step: dispatches recorded up to and including it.
    pub(crate) step_ends: Vec<usize>,
    /// The call's token ids.
    pub(crate) ids: IndexBuffer,
    /// What the argmax step writes and the host reads: per logits row its argmax and first
    /// non-finite column.
    pub(crate) picks: IndexBuffer,
    /// Host slots the picks come back through when the pass is submitted without waiting
    /// (made by the first such submit).
    pub(crate) slots: Option<ReadSlots>,
}

/// Most recorded passes a session keeps (the decode pass and the latest prefill lengths);
/// the least recently used past it is dropped, and with it the plan scratch it held.
pub const MAX_ENCODED_PASSES: usize = 4;

/// A session's recorded passes by (token count, all logits), least recently used dropped
/// past [`MAX_ENCODED_PASSES`].
#[derive(Default)]
pub(crate) struct EncodedPasses {
    passes: HashMap<(usize, bool), (Encoded, u64)>,
    clock: u64,
}

impl EncodedPasses {
    /// Takes the pass for `key` out (it is put back after the run).
    pub(crate) fn take(&mut self, key: &(usize, bool)) -> Option<Encoded> {
        self.passes.remove(key).map(|(e, _)| e)
    }

    /// Puts `encoded` back as the most recently used, dropping the oldest past the bound.
    pub(crate) fn put(&mut self, key: (usize, bool), encoded: Encoded) {
        self.clock += 1;
        self.passes.insert(key, (encoded, self.clock));
        while self.passes.len() > MAX_ENCODED_PASSES {
            let oldest = self
                .passes
                .iter()
                .min_by_key(|(_, (_, stamp))| *stamp)
                .map(|(k, _)| *k);
            if let Some(k) = oldest {
                self.passes.remove(&k);
            }
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.passes.len()
    }
}

/// A sequence being processed: prefill, then decode token by token.
pub struct Session {
    pub(crate) context: usize,
    pub(crate) pos: usize,
    pub(crate) tokens: Vec<u32>,
    /// State tensors by plan name (`blk.N.cache_k`, `blk.N.cache_v`).
    pub(crate) state: HashMap<String, DeviceBuffer>,
    /// The id of the engine whose state layout this is.
    pub(crate) engine: u64,
    /// Why the session cannot be used until it is reset: a forward pass failed after its
    /// work was submitted, so the KV cache and the recurrent state may be half updated.
    pub(crate) broken: Option<String>,
    /// The position the encoded passes read.
    pub(crate) position: Position,
    /// Recorded passes, replayed with a new position.
    pub(crate) encoded: EncodedPasses,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("context", &self.context)
            .field("pos", &self.pos)
            .field("encoded_passes", &self.encoded.len())
            .field("broken", &self.broken)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Tokens the cache holds.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Most tokens the session can hold.
    pub fn context(&self) -> usize {
        self.context
    }

    /// Every token processed so far, in order.
    pub fn tokens(&self) -> &[u32] {
        &self.tokens
    }

    /// Passes this session keeps recorded (one per recent token count: a decode step is
    /// recorded once and replayed with a new position; at most [`MAX_ENCODED_PASSES`]).
    pub fn encoded_passes(&self) -> usize {
        self.encoded.len()
    }

    /// Why the session must be reset before its next use, if a forward pass failed after
    /// submitting work (its state may be half updated).
    pub fn broken(&self) -> Option<&str> {
        self.broken.as_deref()
    }

    /// Bytes of this session's state on the device (KV cache and recurrent state).
    pub fn state_bytes(&self) -> u64 {
        self.state.values().map(DeviceBuffer::byte_len).sum()
    }

    /// Bytes of the KV cache (`blk.N.cache_k`, `blk.N.cache_v`); the rest of
    /// [`Session::state_bytes`] is Gated DeltaNet's convolution and recurrent state.
    pub fn kv_cache_bytes(&self) -> u64 {
        self.state
            .iter()
            .filter(|(name, _)| name.ends_with(".cache_k") || name.ends_with(".cache_v"))
            .map(|(_, b)| b.byte_len())
            .sum()
    }
}
