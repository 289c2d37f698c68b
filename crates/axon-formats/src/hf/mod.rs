//! Hugging Face checkpoint directories: `config.json` plus one `model.safetensors` or several
//! shards listed by `model.safetensors.index.json`, memory-mapped, read zero-copy.
//!
//! Tensor names are canonicalised so the text model of a vision-language checkpoint reads like
//! a text-only one: `model.language_model.X` becomes `model.X`, and the vision tower
//! (`model.visual.*`) and multi-token-prediction head (`mtp.*`) are set aside.

mod checkpoint;
mod error;

pub use checkpoint::{HfCheckpoint, HfTensor, canonical_name};
pub use error::{HfError, HfErrorKind};
