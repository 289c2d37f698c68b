//! What a model is loaded with and what a generation is asked for.

use crate::cancel::CancelToken;
use axon_gpu::AdapterPreference;
use axon_models::weights::WeightLayout;
use axon_runtime::{EngineOptions, LoadError, SamplingParams};

/// Context used when neither the caller nor the model file says (and the cap on a trained
/// context: a session's KV cache is allocated whole up front).
pub const DEFAULT_CONTEXT: usize = 4096;

/// How to load a model.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelOptions {
    /// Which adapter to open. The default reads `AXON_ADAPTER` and `AXON_ALLOW_SOFTWARE`
    /// (as [`axon_gpu::Gpu::new`] does): a software adapter only when asked for.
    pub adapter: AdapterPreference,
    /// Tokens a session holds; `None`: the model's trained context, at most
    /// [`DEFAULT_CONTEXT`].
    pub context: Option<usize>,
    /// Fused QKV and FFN gate+up weights (the default) or separate ones.
    pub layout: WeightLayout,
    /// Engine choices that do not change the logits (fused residual norm, scratch reuse).
    pub engine: EngineOptions,
}

impl Default for ModelOptions {
    fn default() -> Self {
        Self {
            adapter: AdapterPreference::from_env(),
            context: None,
            layout: WeightLayout::FUSED,
            engine: EngineOptions::default(),
        }
    }
}

impl ModelOptions {
    /// The defaults, with the fusions switched by `AXON_FUSE_QKV`, `AXON_FUSE_FFN` and
    /// `AXON_FUSE_NORM` (`0` or `1`).
    pub fn from_env() -> Result<Self, LoadError> {
        Ok(Self {
            layout: axon_runtime::layout_from_env()?,
            engine: axon_runtime::options_from_env()?,
            ..Self::default()
        })
    }
}

/// Progress of a model load: weight bytes uploaded to the GPU so far, of the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadProgress {
    /// Bytes uploaded.
    pub uploaded: u64,
    /// Bytes the model's weights take on the GPU.
    pub total: u64,
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenerateOptions {
    /// How each token is picked (temperature 0 is greedy).
    pub sampling: SamplingParams,
    /// Most tokens in the reply.
    pub max_tokens: usize,
    /// Strings that end the reply; the reply's text stops before the first one completed.
    pub stop_strings: Vec<String>,
    /// Tokens that end the reply besides the model's end-of-sequence and end-of-turn tokens.
    pub stop_tokens: Vec<u32>,
    /// Stops the generation from another thread.
    pub cancel: Option<CancelToken>,
}

impl Default for GenerateOptions {
    fn default() -> Self {
        Self {
            sampling: SamplingParams::default(),
            max_tokens: 256,
            stop_strings: Vec::new(),
            stop_tokens: Vec::new(),
            cancel: None,
        }
    }
}
