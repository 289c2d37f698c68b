//! A model's weights on the GPU: every tensor the forward pass reads, checked against the
//! config and uploaded once into immutable buffers.
//!
//! Loading is two steps. [`WeightManifest::new`] checks every tensor on the CPU (present,
//! shape, format, binding size) and decides conversions and fusions; [`WeightManifest::upload`]
//! then converts and uploads. [`ModelWeights::load`] does both.
//!
//! - Matrices become [`QuantMatrix`] values in their file's block format when a kernel decodes
//!   it ([`MATVEC_TYPES`]); any other format the CPU can dequantize is re-encoded as Q8_0 (F64
//!   as F32), logged, and listed in [`ModelWeights::conversions`].
//! - With [`WeightLayout::fuse_qkv`] / [`WeightLayout::fuse_ffn`], a layer's Q, K, V rows (gate,
//!   up rows) are concatenated into one matrix when they share a format and fit one binding;
//!   otherwise they stay separate and [`ModelWeights::fusion_fallbacks`] says why.
//! - Norm weights become f32 [`DeviceBuffer`]s holding the factor the norm multiplies by.
//! - Qwen3.5 layers hold a [`Mixer::GatedAttention`] (never fused: its query rows interleave the
//!   output gate per head) or a [`Mixer::DeltaNet`], whose f32 vectors are the convolution taps
//!   (`[channel][tap]`), `-exp(A_log)`, the `dt` bias and the gated norm weight (as stored).
//!   Value heads stay in the file's order ([`ValueHeadOrder`](crate::config::ValueHeadOrder)).
//! - A tied output matrix is the token embedding's buffer, not a second upload.
//! - [`ModelWeights::matrix`] / [`ModelWeights::vector`] find a weight by the decoder plan's
//!   name (`blk.3.attn_qkv`, `blk.0.ssm_in_qkv`); the typed accessors
//!   ([`ModelWeights::layers`]) are the rest.
//!
//! Limitation: one matrix must fit one storage binding (lavapipe: 128 MiB), else loading fails
//! with [`WeightsError::TooLargeForBinding`]. Splitting a matrix by rows over several bindings
//! (needed for large vocabularies, e.g. Gemma 3's embedding on lavapipe) is future work.
//!
//! [`MATVEC_TYPES`]: axon_gpu::kernels::matvec::MATVEC_TYPES

mod assemble;
mod check;
mod error;
mod layer;
mod lookup;
mod manifest;
mod mixer;
mod names;
mod records;
mod source;
mod upload;

pub use error::WeightsError;
pub use layer::{GateUpProjection, LayerTensors, QkvProjection};
pub use manifest::WeightManifest;
pub use mixer::{AttentionTensors, DeltaNetTensors, GatedAttentionTensors, Mixer};
pub use records::{FallbackReason, FormatConversion, FusedGroup, FusionFallback, WeightLayout};
pub use source::{SourceTensor, WeightSource};

use crate::config::ModelConfig;
use axon_gpu::kernels::matvec::QuantMatrix;
use axon_gpu::{DeviceBuffer, Gpu};

/// One transformer block's weights on the GPU.
pub type LayerWeights = LayerTensors<QuantMatrix, DeviceBuffer>;

/// Every weight of a model, on the GPU, immutable (see the module docs).
#[derive(Debug)]
pub struct ModelWeights {
    pub(crate) layout: WeightLayout,
    pub(crate) token_embedding: QuantMatrix,
    pub(crate) output: Option<QuantMatrix>,
    pub(crate) output_norm: DeviceBuffer,
    pub(crate) layers: Vec<LayerWeights>,
    pub(crate) conversions: Vec<FormatConversion>,
    pub(crate) fusion_fallbacks: Vec<FusionFallback>,
    pub(crate) weight_bytes: u64,
}

impl ModelWeights {
    /// Checks and uploads every tensor `config` needs from `source` (see the module docs).
    pub fn load<S: WeightSource + ?Sized>(
        gpu: &Gpu,
        source: &S,
        config: &ModelConfig,
        layout: WeightLayout,
    ) -> Result<Self, WeightsError> {
        Self::load_with_progress(gpu, source, config, layout, &mut |_, _| {})
    }

    /// [`ModelWeights::load`], calling `on_progress(uploaded, total)` (bytes on the GPU) after
    /// each tensor.
    pub fn load_with_progress<S: WeightSource + ?Sized>(
        gpu: &Gpu,
        source: &S,
        config: &ModelConfig,
        layout: WeightLayout,
        on_progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Self, WeightsError> {
        WeightManifest::new(source, config, layout, Self::max_binding_bytes(gpu))?
            .upload_with_progress(gpu, on_progress)
    }

    /// The largest matrix `gpu` can bind: its storage binding limit, and at most `u32::MAX`
    /// (the kernels address weights with u32 byte offsets).
    pub fn max_binding_bytes(gpu: &Gpu) -> u64 {
        gpu.caps()
            .max_storage_binding_bytes()
            .min(u64::from(u32::MAX))
    }

    /// The token embedding, `vocab x embd` (the gather kernel's table).
    pub fn token_embedding(&self) -> &QuantMatrix {
        &self.token_embedding
    }

    /// The output (logits) projection, `vocab x embd`: the token embedding when tied.
    pub fn output(&self) -> &QuantMatrix {
        self.output.as_ref().unwrap_or(&self.token_embedding)
    }

    /// Whether [`ModelWeights::output`] is the token embedding's buffer.
    pub fn output_is_tied(&self) -> bool {
        self.output.is_none()
    }

    /// The final RMSNorm's weight, `embd`.
    pub fn output_norm(&self) -> &DeviceBuffer {
        &self.output_norm
    }

    /// The blocks, in order.
    pub fn layers(&self) -> &[LayerWeights] {
        &self.layers
    }

    /// The layout the weights were loaded with.
    pub fn layout(&self) -> WeightLayout {
        self.layout
    }

    /// Tensors that were converted at load time.
    pub fn conversions(&self) -> &[FormatConversion] {
        &self.conversions
    }

    /// Layers whose matrices stayed separate although the layout asked for fusion.
    pub fn fusion_fallbacks(&self) -> &[FusionFallback] {
        &self.fusion_fallbacks
    }

    /// Bytes of GPU memory all weight buffers take.
    pub fn weight_bytes(&self) -> u64 {
        self.weight_bytes
    }
}
