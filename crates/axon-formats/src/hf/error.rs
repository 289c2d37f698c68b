//! Errors of reading a Hugging Face checkpoint directory; each names the file and the item.

use std::path::PathBuf;
use thiserror::Error;

/// A checkpoint that cannot be read, located.
#[derive(Debug, Error)]
#[error("{}: {item}: {kind}", path.display())]
pub struct HfError {
    /// The file (or directory) at fault.
    pub path: PathBuf,
    /// What was being read: `config.json`, `tensor "model.embed_tokens.weight"`, ...
    pub item: String,
    /// What is wrong.
    pub kind: HfErrorKind,
}

/// What is wrong with a checkpoint.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum HfErrorKind {
    /// Opening or mapping a file failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// `config.json` or the index is not valid JSON of the expected shape.
    #[error("invalid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Neither `model.safetensors` nor `model.safetensors.index.json` exists.
    #[error("no model.safetensors or model.safetensors.index.json in the directory")]
    NoWeights,
    /// The safetensors header is malformed.
    #[error("invalid safetensors file: {0}")]
    Safetensors(String),
    /// A dtype the engine does not read from safetensors (F32, F16 and BF16 are read).
    #[error("unsupported dtype {0} (supported: F32, F16, BF16)")]
    UnsupportedDtype(String),
    /// The index names a tensor that its shard does not hold.
    #[error("listed in the index for {shard:?} but not in that file")]
    NotInShard {
        /// The shard file named by the index.
        shard: String,
    },
    /// The same canonical tensor name appears twice.
    #[error("duplicate tensor (also in {other:?})")]
    Duplicate {
        /// The file holding the first copy.
        other: String,
    },
    /// A tensor is missing.
    #[error("no such tensor")]
    MissingTensor,
    /// The index points outside the directory.
    #[error("shard name {0:?} is not a plain file name")]
    BadShardName(String),
}
