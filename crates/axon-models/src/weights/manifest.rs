//! Every tensor checked before anything is uploaded (the checks are in `check.rs`). The
//! result, a [`WeightManifest`], knows the exact GPU bytes the upload will take (so a memory
//! budget can refuse a model before the driver is asked) and every conversion and fusion
//! fallback it will make. It holds views of the mapped file only, no copies.

use super::check::Checker;
use super::error::WeightsError;
use super::layer::LayerTensors;
use super::names::{ModelTensor, model_tensor_name};
use super::records::{FormatConversion, FusionFallback, WeightLayout};
use super::source::WeightSource;
use crate::config::ModelConfig;
#[cfg(doc)]
use crate::config::NormWeightConvention;
use axon_formats::quant::GgmlType;

/// Part of a matrix: one tensor's rows as the file stores them.
#[derive(Debug)]
pub(crate) struct MatrixPart<'a> {
    pub tensor: String,
    pub file_ty: GgmlType,
    pub rows: usize,
    pub data: &'a [u8],
}

/// A matrix to upload: one tensor, or several whose rows are concatenated (fusion).
#[derive(Debug)]
pub(crate) struct PlannedMatrix<'a> {
    /// The GPU buffer's label: the tensor names joined by `+`.
    pub label: String,
    pub parts: Vec<MatrixPart<'a>>,
    /// Format on the GPU.
    pub ty: GgmlType,
    pub rows: usize,
    pub cols: usize,
    /// Bytes of one row in `ty`.
    pub row_bytes: usize,
}

impl PlannedMatrix<'_> {
    /// Bytes of its buffer (`Gpu::upload_matrix` pads to whole words).
    pub fn gpu_bytes(&self) -> u64 {
        ((self.rows * self.row_bytes) as u64)
            .next_multiple_of(4)
            .max(4)
    }
}

/// What the upload does to a vector's stored values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VectorTransform {
    /// Uploaded as stored.
    AsStored,
    /// `1 + w`: a zero-centred norm weight ([`NormWeightConvention::OnePlus`]).
    PlusOne,
    /// `-exp(w)`: Hugging Face Qwen3.5's `A_log` as the decay factor GGUF stores.
    NegExp,
}

impl VectorTransform {
    /// Applies the transform in place.
    pub fn apply(self, values: &mut [f32]) {
        match self {
            Self::AsStored => {}
            Self::PlusOne => values.iter_mut().for_each(|w| *w += 1.0),
            Self::NegExp => values
                .iter_mut()
                .for_each(|w| *w = -(f64::from(*w).exp()) as f32),
        }
    }
}

/// A vector (norm weight or other per-channel constant) to upload as f32.
#[derive(Debug)]
pub(crate) struct PlannedVector<'a> {
    pub tensor: String,
    pub file_ty: GgmlType,
    pub len: usize,
    pub data: &'a [u8],
    pub transform: VectorTransform,
}

impl PlannedVector<'_> {
    /// Bytes of its buffer (`Gpu::zeros_f32` allocates at least one word).
    pub fn gpu_bytes(&self) -> u64 {
        (self.len as u64 * 4).max(4)
    }
}

/// Every tensor of a model, checked and ready to upload (see the module docs).
#[derive(Debug)]
pub struct WeightManifest<'a> {
    pub(crate) layout: WeightLayout,
    pub(crate) token_embedding: PlannedMatrix<'a>,
    /// `None`: tied to the token embedding.
    pub(crate) output: Option<PlannedMatrix<'a>>,
    pub(crate) output_norm: PlannedVector<'a>,
    pub(crate) layers: Vec<LayerTensors<PlannedMatrix<'a>, PlannedVector<'a>>>,
    pub(crate) conversions: Vec<FormatConversion>,
    pub(crate) fusion_fallbacks: Vec<FusionFallback>,
}

impl<'a> WeightManifest<'a> {
    /// Checks every tensor `config` needs in `source` (CPU only; nothing is copied).
    /// `max_binding_bytes` is the device's storage binding limit
    /// ([`ModelWeights::max_binding_bytes`](super::ModelWeights::max_binding_bytes)).
    pub fn new<S: WeightSource + ?Sized>(
        source: &'a S,
        config: &'a ModelConfig,
        layout: WeightLayout,
        max_binding_bytes: u64,
    ) -> Result<Self, WeightsError> {
        if source.file_format() != config.file_format {
            return Err(WeightsError::FormatMismatch {
                file: source.path().to_path_buf(),
                config: config.file_format,
                file_format: source.file_format(),
            });
        }
        let mut checker = Checker {
            source,
            config,
            max_binding_bytes,
            conversions: Vec::new(),
            fusion_fallbacks: Vec::new(),
        };
        let name = |t| model_tensor_name(config, t).to_owned();
        let token_embedding =
            checker.matrix(name(ModelTensor::TokenEmbedding), config.vocab, config.embd)?;
        let output = if config.tied_embeddings {
            None
        } else {
            Some(checker.matrix(name(ModelTensor::Output), config.vocab, config.embd)?)
        };
        let output_norm = checker.norm(name(ModelTensor::OutputNorm), config.embd)?;
        let layers = (0..config.layers)
            .map(|i| checker.layer(i, layout))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            layout,
            token_embedding,
            output,
            output_norm,
            layers,
            conversions: checker.conversions,
            fusion_fallbacks: checker.fusion_fallbacks,
        })
    }

    /// Bytes the upload will allocate on the GPU (equal to
    /// [`ModelWeights::weight_bytes`](super::ModelWeights::weight_bytes) after it).
    pub fn gpu_bytes(&self) -> u64 {
        let layers: u64 = self
            .layers
            .iter()
            .map(|l| {
                let m: u64 = l.matrices().iter().map(|m| m.gpu_bytes()).sum();
                let v: u64 = l.vectors().iter().map(|v| v.gpu_bytes()).sum();
                m + v
            })
            .sum();
        self.token_embedding.gpu_bytes()
            + self.output.as_ref().map_or(0, PlannedMatrix::gpu_bytes)
            + self.output_norm.gpu_bytes()
            + layers
    }

    /// Tensors the upload will convert to a format the kernels decode.
    pub fn conversions(&self) -> &[FormatConversion] {
        &self.conversions
    }

    /// Layers whose matrices will stay separate although the layout asked for fusion.
    pub fn fusion_fallbacks(&self) -> &[FusionFallback] {
        &self.fusion_fallbacks
    }
}
