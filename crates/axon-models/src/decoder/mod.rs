//! The decoder-only transformer of the llama family and Gemma 3 as execution plans: the
//! shape of the model ([`DecoderDims`]), the ops ([`DecoderOp`]) and the plan builder
//! ([`build_plan`]).

mod build;
mod hybrid;
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
    /// Qwen3.5's Gated DeltaNet layers, when the model has them.
    pub hybrid: Option<HybridDims>,
}

/// The Gated DeltaNet side of a hybrid model (Qwen3.5).
#[derive(Debug, Clone, PartialEq)]
pub struct HybridDims {
    /// Per layer: `true` for full attention, `false` for Gated DeltaNet.
    pub full_attention: Vec<bool>,
    /// Key heads.
    pub k_heads: usize,
    /// Value heads.
    pub v_heads: usize,
    /// Key head size.
    pub dk: usize,
    /// Value head size.
    pub dv: usize,
    /// Causal conv1d taps.
    pub conv_kernel: usize,
}

impl HybridDims {
    /// Channels of the conv1d (queries, keys, values).
    pub fn conv_channels(&self) -> usize {
        2 * self.k_heads * self.dk + self.v_heads * self.dv
    }

    /// Values per token of the recurrence's output.
    pub fn value_cols(&self) -> usize {
        self.v_heads * self.dv
    }
}

impl DecoderDims {
    /// Whether layer `l` is a Gated DeltaNet layer.
    pub fn is_deltanet(&self, l: usize) -> bool {
        self.hybrid
            .as_ref()
            .is_some_and(|h| h.full_attention.get(l) == Some(&false))
    }

    /// Width of the fused QKV output.
    pub fn qkv_cols(&self) -> usize {
        (self.heads + 2 * self.kv_heads) * self.head_dim
    }

    /// Width of one KV cache row.
    pub fn kv_cols(&self) -> usize {
        self.kv_heads * self.head_dim
    }
}
