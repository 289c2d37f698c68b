//! Typed hyperparameters of a model, read once from its file.
//!
//! One [`ModelConfig`] describes every decoder-only transformer the engine builds: the fields
//! all of them share (sizes, norms, RoPE of full-attention layers, activation, scales) are
//! plain fields, and what only one family has lives in its [`Architecture`] variant (Gemma 3's
//! sliding-window layers, Qwen3.5's Gated DeltaNet layers).
//!
//! Conventions are resolved here, once, so the plan builder never asks which file a model came
//! from: RoPE pairing (llama.cpp's converter permutes Llama's Q/K rows for adjacent pairs;
//! Hugging Face keeps NeoX halves), attention and embedding scales, tied output, whether
//! stored norm weights still need their `1 +` ([`NormWeightConvention`]), and how Qwen3.5's
//! value heads are ordered ([`ValueHeadOrder`]).

mod deltanet;
mod error;
mod gguf;
mod hf;
mod json;
mod qwen35;
mod rope;
mod validate;

pub use deltanet::{DeltaNetLayers, ValueHeadOrder};
pub use error::{ConfigError, SUPPORTED_ARCHITECTURES};
pub use rope::{Frequencies, Pairing, RopeConfig};
pub use validate::{MAX_DIMENSION, MAX_POSITIONS};

/// The FFN gate's activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// SiLU (SwiGLU: Llama, Qwen).
    Silu,
    /// GELU, tanh approximation (Gemma).
    GeluTanh,
}

/// Which kind of file the model was read from (decides tensor names and stored conventions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// A GGUF file (llama.cpp's names: `blk.0.attn_q.weight`).
    Gguf,
    /// A Hugging Face checkpoint directory (`model.layers.0.self_attn.q_proj.weight`).
    HuggingFace,
}

/// How a stored RMSNorm weight becomes the factor the norm multiplies by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NormWeightConvention {
    /// The stored weight is the factor (Llama; GGUF Gemma, whose converter added the 1).
    Direct,
    /// The factor is `1 + stored` (Hugging Face Gemma's zero-centred norms); the weight
    /// loader adds the 1, so on the GPU every norm multiplies by its weight.
    OnePlus,
}

/// Family-specific hyperparameters.
#[derive(Debug, Clone, PartialEq)]
pub enum Architecture {
    /// Llama, SmolLM2 and other Llama-shaped models: every layer attends to the whole context.
    Llama,
    /// Gemma 3 text: most layers attend within a sliding window.
    Gemma3(SlidingWindowAttention),
    /// Qwen3.5 dense hybrid: Gated DeltaNet (linear attention) layers between gated
    /// full-attention layers. The shared fields (`heads`, `head_dim`, `rope`, `qk_norm`, ...)
    /// describe the full-attention layers.
    Qwen35(DeltaNetLayers),
}

impl Architecture {
    /// The family's name, as GGUF's `general.architecture` spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Llama => "llama",
            Self::Gemma3(_) => "gemma3",
            Self::Qwen35(_) => "qwen35",
        }
    }
}

/// Layers that attend only to the last `window` positions, with a RoPE of their own.
#[derive(Debug, Clone, PartialEq)]
pub struct SlidingWindowAttention {
    /// Positions a sliding layer attends to (its own included).
    pub window: usize,
    /// One flag per layer: `true` where the layer slides. Gemma 3: every 6th layer is global
    /// (`layer_types` of `config.json` overrides the pattern when present).
    pub sliding_layers: Vec<bool>,
    /// RoPE of sliding layers (Gemma 3: base 10 000, no scaling).
    pub local_rope: RopeConfig,
}

/// A model's hyperparameters: everything the GPU engine needs to size buffers and emit a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelConfig {
    /// Which kind of file it came from.
    pub file_format: FileFormat,
    /// Family, with its specific hyperparameters.
    pub architecture: Architecture,
    /// Transformer blocks.
    pub layers: usize,
    /// Hidden size (embedding width).
    pub embd: usize,
    /// Feed-forward (MLP) width.
    pub ff: usize,
    /// Query heads.
    pub heads: usize,
    /// Key/value heads (a divisor of `heads`: grouped-query attention).
    pub kv_heads: usize,
    /// Values per head (query, key and value alike).
    pub head_dim: usize,
    /// Vocabulary size: rows of the token embedding and of the output matrix.
    pub vocab: usize,
    /// RMSNorm epsilon.
    pub rms_eps: f32,
    /// RoPE of full-attention layers (pairing, base, linear scaling).
    pub rope: RopeConfig,
    /// The FFN gate's activation (SiLU for Llama, GELU-tanh for Gemma).
    pub activation: Activation,
    /// Factor applied to `q · k` before the softmax (`1/sqrt(head_dim)` for Llama; Gemma 3:
    /// `query_pre_attn_scalar^-0.5`).
    pub attention_scale: f32,
    /// Factor applied to embedding rows after the lookup (`sqrt(embd)` for Gemma, else 1).
    pub embedding_scale: f32,
    /// RMSNorm on each query and key head before RoPE (Gemma 3).
    pub qk_norm: bool,
    /// RMSNorm on the attention output before the residual add (Gemma 3).
    pub post_attention_norm: bool,
    /// RMSNorm on the FFN output before the residual add (Gemma 3).
    pub post_ffn_norm: bool,
    /// The output projection is the token embedding (no separate output matrix in the file).
    pub tied_embeddings: bool,
    /// Whether stored norm weights still need their `1 +`.
    pub norm_weights: NormWeightConvention,
    /// The context the model was trained for (`context_length`, `max_position_embeddings`),
    /// when the file says.
    pub trained_context: Option<usize>,
}

impl ModelConfig {
    /// Query width: `heads * head_dim`.
    pub fn q_dim(&self) -> usize {
        self.heads * self.head_dim
    }

    /// Key (and value) width: `kv_heads * head_dim`.
    pub fn kv_dim(&self) -> usize {
        self.kv_heads * self.head_dim
    }

    /// Width of a fused Q/K/V projection's output: `q_dim + 2 * kv_dim`.
    pub fn qkv_dim(&self) -> usize {
        self.q_dim() + 2 * self.kv_dim()
    }

    /// The RoPE of sliding-window layers, when it differs from [`ModelConfig::rope`] (Gemma 3).
    pub fn local_rope(&self) -> Option<&RopeConfig> {
        match &self.architecture {
            Architecture::Gemma3(swa) => Some(&swa.local_rope),
            Architecture::Llama | Architecture::Qwen35(_) => None,
        }
    }

    /// The window layer `layer` attends within, or `None` for a full-attention layer.
    pub fn sliding_window(&self, layer: usize) -> Option<usize> {
        match &self.architecture {
            Architecture::Gemma3(swa) if swa.sliding_layers.get(layer) == Some(&true) => {
                Some(swa.window)
            }
            _ => None,
        }
    }

    /// The Gated DeltaNet layers' hyperparameters (Qwen3.5), `None` for other families.
    pub fn deltanet(&self) -> Option<&DeltaNetLayers> {
        match &self.architecture {
            Architecture::Qwen35(h) => Some(h),
            _ => None,
        }
    }

    /// Whether layer `layer` is a Gated DeltaNet layer rather than an attention layer.
    pub fn is_deltanet(&self, layer: usize) -> bool {
        self.deltanet()
            .is_some_and(|h| h.full_attention.get(layer) == Some(&false))
    }

    /// The RoPE that layer `layer` applies.
    pub fn rope_for_layer(&self, layer: usize) -> &RopeConfig {
        match &self.architecture {
            Architecture::Gemma3(swa) if swa.sliding_layers.get(layer) == Some(&true) => {
                &swa.local_rope
            }
            _ => &self.rope,
        }
    }
}

/// Gemma 3's layer pattern: every `period`-th layer (1-based) is global, the rest slide.
fn every_nth_layer_global(layers: usize, period: usize) -> Vec<bool> {
    (0..layers)
        .map(|i| period > 0 && !(i + 1).is_multiple_of(period))
        .collect()
}

/// Gemma 3's pattern period (llama.cpp and transformers: 5 sliding layers, then 1 global).
const GEMMA3_GLOBAL_LAYER_PERIOD: usize = 6;
/// RoPE base of Gemma 3's sliding layers.
const GEMMA3_LOCAL_ROPE_BASE: f64 = 10_000.0;
/// RoPE base when a file names none.
const DEFAULT_ROPE_BASE: f64 = 10_000.0;
