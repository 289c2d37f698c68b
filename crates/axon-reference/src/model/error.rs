//! Errors of loading or running a reference model.

use axon_formats::gguf::GgufError;
use axon_formats::quant::QuantError;
use thiserror::Error;

/// Why a model could not be loaded or run.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ModelError {
    /// Reading the file failed.
    #[error(transparent)]
    Gguf(#[from] GgufError),
    /// A tensor could not be dequantized.
    #[error("tensor {tensor:?}: {source}")]
    Dequantize {
        /// The tensor.
        tensor: String,
        /// Why.
        #[source]
        source: QuantError,
    },
    /// The architecture is not one the reference implements.
    #[error(
        "architecture {0:?} is not supported by the reference (supported: llama, gemma3, qwen35)"
    )]
    UnsupportedArchitecture(String),
    /// A tensor has another shape than the hyperparameters imply.
    #[error("tensor {tensor:?} has dims {got:?}, expected {expected:?}")]
    Shape {
        /// The tensor.
        tensor: String,
        /// Its dims (innermost first).
        got: Vec<u64>,
        /// What the config implies.
        expected: Vec<u64>,
    },
    /// A hyperparameter is missing or inconsistent.
    #[error("invalid hyperparameters: {0}")]
    Config(String),
    /// A hyperparameter outside what the architecture allows (see `hparams`).
    #[error("hyperparameter {key:?} is {value}, expected {expected}")]
    BadValue {
        /// The key or the relation between keys.
        key: String,
        /// What the file holds.
        value: String,
        /// What would have been accepted.
        expected: String,
    },
    /// A variant of the architecture the engine does not implement (refused by both).
    #[error("{key} = {value} is not supported: {reason}")]
    Unsupported {
        /// The key or tensor that asks for it.
        key: String,
        /// Its value.
        value: String,
        /// What is missing.
        reason: &'static str,
    },
    /// The forward pass produced a NaN or infinite logit (weights or activations overflowed).
    #[error("non-finite logit at position {position}")]
    NonFiniteLogits {
        /// Position of the first row holding one.
        position: usize,
    },
    /// A token id past the vocabulary.
    #[error("token id {id} is past the {vocab}-token vocabulary")]
    TokenOutOfRange {
        /// The id.
        id: u32,
        /// Vocabulary size.
        vocab: usize,
    },
}
