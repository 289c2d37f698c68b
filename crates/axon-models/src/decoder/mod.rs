//! The decoder-only transformer of the llama family and Gemma 3 as execution plans: the
//! shape of the model ([`DecoderDims`]), the ops ([`DecoderOp`]) and the plan builder
//! ([`build_plan`]).

mod build;
mod op;

pub use build::{PlanBuildError, PlanOptions, build_plan};
pub use op::DecoderOp;

use axon_gpu::kernels::matvec::Activation;

/// What a decoder plan needs to know about the model.
#[derive(Debug, Clone, PartialEq)]
pub struct DecoderDims {
    /// Blocks.
    pub layers: usize,
    /// Hidden size.
    pub embd: usize,
    /// FFN width.
    pub ff: usize,
    /// Query heads.
    pub heads: usize,
    /// Key/value heads.
    pub kv_heads: usize,
    /// Values per head.
    pub head_dim: usize,
    /// Vocabulary.
    pub vocab: usize,
    /// Embedding scale (Gemma: sqrt(embd); 1 otherwise).
    pub embed_scale: f32,
    /// The FFN gate's activation.
    pub gate: Activation,
    /// Gemma 3: RMSNorm on each query and key head.
    pub qk_norm: bool,
    /// Gemma 3: norms after attention and after the FFN, before the residual add.
    pub post_norms: bool,
    /// Per layer: its sliding window (Gemma 3's local layers), `None` for global attention.
    pub windows: Vec<Option<usize>>,
}

impl DecoderDims {
    /// Width of the fused QKV output.
    pub fn qkv_cols(&self) -> usize {
        (self.heads + 2 * self.kv_heads) * self.head_dim
    }

    /// Width of one KV cache row.
    pub fn kv_cols(&self) -> usize {
        self.kv_heads * self.head_dim
    }
}
