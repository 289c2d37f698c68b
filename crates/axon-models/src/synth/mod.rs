//! Random-weight models of real shapes (`axon synth`): speed depends on shapes and formats,
//! not on trained values, so a file with exactly the tensor names, shapes, types and metadata
//! llama.cpp uses for a model measures both engines as the real file would.
//!
//! [`presets`] holds the shapes, [`tensors`] names and shapes every tensor and says how its
//! values are drawn (scaled so activations stay finite through every layer), [`mix`] picks
//! each tensor's type as `llama-quantize` would, [`metadata`] writes the architecture keys,
//! and [`write`] draws, quantizes and streams the file. Tokenizer keys come from a vocabulary
//! the caller supplies.

pub mod metadata;
pub mod mix;
pub mod presets;
pub mod tensors;
pub mod write;

pub use mix::QuantMix;
pub use presets::{DeltaNetShape, PRESETS, Preset, SynthArch, preset};

use axon_formats::gguf::{GgufError, Value};
use axon_formats::quant::{GgmlType, QuantError};
use std::path::Path;

/// Why a synthetic model could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    /// Writing the file failed.
    #[error(transparent)]
    Gguf(#[from] GgufError),
    /// A tensor could not be quantized.
    #[error("quantizing {tensor}: {source}")]
    Quantize {
        /// The tensor.
        tensor: String,
        /// Why.
        #[source]
        source: QuantError,
    },
    /// A worker thread panicked.
    #[error("a worker thread drawing values failed")]
    Worker,
}

/// What [`synthesize`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Synthesized {
    /// Tensors and their types, in file order.
    pub tensors: Vec<(String, GgmlType)>,
    /// Bytes of tensor data.
    pub data_bytes: u64,
}

/// Writes `preset` with `mix` to `path`: its metadata, then `vocabulary` (the
/// `tokenizer.ggml.*` keys), then every tensor drawn from `seed`. `on_tensor(i, n)` reports
/// progress.
pub fn synthesize(
    preset: &Preset,
    mix: QuantMix,
    vocabulary: &[(String, Value)],
    path: &Path,
    seed: u64,
    mut on_tensor: impl FnMut(usize, usize),
) -> Result<Synthesized, SynthError> {
    let tensors = tensors::tensors(preset);
    let types = mix::assign(&tensors, mix);
    let mut meta = metadata::metadata(preset, mix);
    meta.extend(vocabulary.iter().cloned());
    let planned: Vec<_> = tensors.into_iter().zip(types).collect();
    let n = planned.len();
    if let Err(e) = write::write_file(path, &meta, &planned, seed, |i| on_tensor(i, n)) {
        // A half-written model must not be mistaken for a whole one.
        if let Err(removing) = std::fs::remove_file(path) {
            tracing::warn!(path = %path.display(), %removing, "removing the partial file");
        }
        return Err(e);
    }
    let data_bytes = planned
        .iter()
        .map(|(t, ty)| ty.bytes_for(t.dims.iter().product()).unwrap_or(0))
        .sum();
    Ok(Synthesized {
        tensors: planned.into_iter().map(|(t, ty)| (t.name, ty)).collect(),
        data_bytes,
    })
}
