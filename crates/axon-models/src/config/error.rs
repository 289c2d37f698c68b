//! Why a model file's hyperparameters could not be read; every error names the file and key.

use std::path::PathBuf;
use thiserror::Error;

/// A model file whose hyperparameters Axon cannot use.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A key the architecture needs is absent. The file is incomplete or from a converter
    /// that names keys differently; re-convert it with a current llama.cpp / transformers.
    #[error("{}: missing key {key:?}", file.display())]
    MissingKey {
        /// The GGUF file or `config.json`.
        file: PathBuf,
        /// The key, as the file spells it (`llama.block_count`, `hidden_size`).
        key: String,
    },
    /// A key holds a value of the wrong type or outside what the architecture allows.
    #[error("{}: key {key:?} is {value}, expected {expected}", file.display())]
    BadValue {
        /// The GGUF file or `config.json`.
        file: PathBuf,
        /// The key (or the relation between keys, e.g. `head_count / head_count_kv`).
        key: String,
        /// What the file holds.
        value: String,
        /// What would have been accepted.
        expected: String,
    },
    /// The file is a model of an architecture this crate does not build.
    #[error(
        "{}: architecture {architecture:?} is not supported (supported: {})",
        file.display(),
        SUPPORTED_ARCHITECTURES
    )]
    UnsupportedArchitecture {
        /// The GGUF file or `config.json`.
        file: PathBuf,
        /// `general.architecture`, `architectures[0]` or `model_type`.
        architecture: String,
    },
    /// The architecture is supported but this model uses a variant of it the engine does not
    /// implement (a RoPE scaling type, attention biases, logit soft-capping, ...). Loading it
    /// anyway would give wrong logits, so it is refused.
    #[error("{}: {key} = {value} is not supported: {reason}", file.display())]
    UnsupportedFeature {
        /// The GGUF file or `config.json`.
        file: PathBuf,
        /// The key or tensor that asks for the feature.
        key: String,
        /// Its value.
        value: String,
        /// What is missing in the engine.
        reason: &'static str,
    },
}

/// The architectures [`ModelConfig`](super::ModelConfig) reads, as named in error messages.
pub const SUPPORTED_ARCHITECTURES: &str = "GGUF llama, gemma3, qwen35; Hugging Face \
     LlamaForCausalLM, Gemma3ForCausalLM, Gemma3ForConditionalGeneration, Qwen3_5ForCausalLM, \
     Qwen3_5ForConditionalGeneration";
