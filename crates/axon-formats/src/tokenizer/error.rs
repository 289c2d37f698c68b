//! Errors of building and running a tokenizer.

use crate::gguf::GgufError;
use thiserror::Error;

/// A tokenizer that cannot be built, or input it cannot process.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum TokenizerError {
    /// Reading the model file's metadata failed.
    #[error(transparent)]
    Gguf(#[from] GgufError),
    /// `tokenizer.ggml.model` names a vocabulary kind this engine does not build.
    #[error(
        "tokenizer model {model:?} is not supported (supported: gpt2 byte-level BPE, llama SentencePiece)"
    )]
    UnsupportedModel {
        /// The value of `tokenizer.ggml.model`.
        model: String,
    },
    /// `tokenizer.ggml.pre` names a pre-tokenizer this engine does not know.
    #[error("pre-tokenizer {pre:?} is not supported (supported: {supported})")]
    UnsupportedPre {
        /// The value of `tokenizer.ggml.pre`.
        pre: String,
        /// The known names.
        supported: String,
    },
    /// The metadata is inconsistent (e.g. a special token id past the vocabulary).
    #[error("invalid tokenizer metadata: {0}")]
    Invalid(String),
    /// The tokenizers library refused to build or run.
    #[error("tokenizer: {0}")]
    Library(String),
    /// Reading a tokenizer file failed.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
}

impl From<tokenizers::Error> for TokenizerError {
    fn from(e: tokenizers::Error) -> Self {
        Self::Library(e.to_string())
    }
}
