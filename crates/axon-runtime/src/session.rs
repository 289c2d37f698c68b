//! One conversation: its KV cache (one key and one value buffer per attention layer, f32,
//! `context` rows each), its position and the tokens it has seen.

use axon_gpu::DeviceBuffer;
use std::collections::HashMap;

/// A sequence being processed: prefill, then decode token by token.
#[derive(Debug)]
pub struct Session {
    pub(crate) context: usize,
    pub(crate) pos: usize,
    pub(crate) tokens: Vec<u32>,
    /// State tensors by plan name (`blk.N.cache_k`, `blk.N.cache_v`).
    pub(crate) state: HashMap<String, DeviceBuffer>,
    /// Identifies the engine whose cache layout this is.
    pub(crate) layout_key: usize,
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

    /// Bytes of this session's state on the device.
    pub fn state_bytes(&self) -> u64 {
        self.state.values().map(DeviceBuffer::byte_len).sum()
    }
}
