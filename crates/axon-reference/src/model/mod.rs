//! Whole-model forward passes: the oracle every GPU forward is judged against.
//!
//! Weights are dequantized to f32 once at load (exactly as the formats crate dequantizes them);
//! every op accumulates in f64. A [`Session`] carries the KV cache, so a prefill followed by
//! incremental decode is the same computation as a full recompute.

mod any;
mod decoder;
mod error;
mod hf;
pub mod hparams;
mod projection;
mod qwen35;
mod weights;

pub use any::{ReferenceModel, ReferenceSession};
pub use decoder::{Decoder, DecoderConfig, Family};
pub use error::ModelError;
pub use projection::{INT8_X_TYPES, Projection, ReferenceOptions};
pub use qwen35::{Qwen35, Qwen35Config, Qwen35Session, ValueHeadOrder};

/// Per-sequence state: the key/value cache of every layer.
#[derive(Debug, Clone, Default)]
pub struct Session {
    /// Tokens processed so far.
    pub(crate) len: usize,
    /// Per layer: keys `[positions, kv_heads * head_dim]`, flattened.
    pub(crate) keys: Vec<Vec<f32>>,
    /// Per layer: values, same layout.
    pub(crate) values: Vec<Vec<f32>>,
}

impl Session {
    /// Tokens processed so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing has been processed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}
