//! One conversation: its KV cache (one key and one value buffer per attention layer, f32,
//! `context` rows each), its position and the tokens it has seen.

use crate::engine::Prepared;
use axon_gpu::kernels::argmax::IndexBuffer;
use axon_gpu::kernels::position::Position;
use axon_gpu::{DeviceBuffer, Dispatch};
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
}

/// A sequence being processed: prefill, then decode token by token.
pub struct Session {
    pub(crate) context: usize,
    pub(crate) pos: usize,
    pub(crate) tokens: Vec<u32>,
    /// State tensors by plan name (`blk.N.cache_k`, `blk.N.cache_v`).
    pub(crate) state: HashMap<String, DeviceBuffer>,
    /// Identifies the engine whose cache layout this is.
    pub(crate) layout_key: usize,
    /// The position the encoded passes read.
    pub(crate) position: Position,
    /// Encoded passes by (token count, all logits).
    pub(crate) encoded: HashMap<(usize, bool), Encoded>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("context", &self.context)
            .field("pos", &self.pos)
            .field("encoded_passes", &self.encoded.len())
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

    /// Passes recorded for this session so far (one per token count it has run: a decode
    /// step is recorded once and replayed with a new position).
    pub fn encoded_passes(&self) -> usize {
        self.encoded.len()
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
