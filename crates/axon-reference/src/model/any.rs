//! One entry point over every architecture the reference implements: open a GGUF file or a
//! Hugging Face directory and pick the model by its declared architecture.

use super::{Decoder, ModelError, Qwen35, Qwen35Session, ReferenceOptions, Session};
use axon_formats::gguf::GgufFile;
use axon_formats::hf::HfCheckpoint;
use std::path::Path;

/// A loaded reference model.
#[derive(Debug)]
pub enum ReferenceModel {
    /// llama family or Gemma 3.
    Decoder(Decoder),
    /// Qwen3.5 dense hybrid.
    Qwen35(Qwen35),
}

/// The state of one sequence of a [`ReferenceModel`].
pub enum ReferenceSession {
    /// For [`ReferenceModel::Decoder`].
    Decoder(Session),
    /// For [`ReferenceModel::Qwen35`].
    Qwen35(Qwen35Session),
}

impl ReferenceModel {
    /// Opens a GGUF file (`llama`, `gemma3`, `qwen35`) or a Hugging Face directory
    /// (`llama`, `gemma3_text`, `qwen3_5` / `qwen3_5_text`).
    pub fn open(path: &Path) -> Result<Self, ModelError> {
        Self::open_with(path, ReferenceOptions::default())
    }

    /// [`ReferenceModel::open`] following the engine's choices in `options` (the 8-bit x
    /// concerns GGUF weight formats only: a Hugging Face directory's weights are f32 or bf16;
    /// the KV cache's type concerns both).
    pub fn open_with(path: &Path, options: ReferenceOptions) -> Result<Self, ModelError> {
        if path.is_dir() {
            let ckpt = HfCheckpoint::open(path).map_err(|e| ModelError::Config(e.to_string()))?;
            let model_type = ckpt
                .text_config()
                .get("model_type")
                .and_then(|v| v.as_str())
                .unwrap_or("");
            return match model_type {
                "qwen3_5" | "qwen3_5_text" => {
                    let mut model = Qwen35::from_hf(&ckpt)?;
                    model.kv_f16 = options.kv_f16;
                    Ok(Self::Qwen35(model))
                }
                _ => {
                    let mut model = Decoder::from_hf(&ckpt)?;
                    model.kv_f16 = options.kv_f16;
                    Ok(Self::Decoder(model))
                }
            };
        }
        let file = GgufFile::open(path)?;
        match file.architecture()? {
            "qwen35" => Ok(Self::Qwen35(Qwen35::from_gguf_with(&file, options)?)),
            _ => Ok(Self::Decoder(Decoder::from_gguf_with(&file, options)?)),
        }
    }

    /// Vocabulary size (logits per row).
    pub fn vocab(&self) -> usize {
        match self {
            Self::Decoder(m) => m.config().vocab,
            Self::Qwen35(m) => m.config().vocab,
        }
    }

    /// The context the model was trained for, when its file says.
    pub fn trained_context(&self) -> Option<usize> {
        match self {
            Self::Decoder(m) => m.config().trained_context,
            Self::Qwen35(m) => m.config().trained_context,
        }
    }

    /// An empty sequence.
    pub fn new_session(&self) -> ReferenceSession {
        match self {
            Self::Decoder(m) => ReferenceSession::Decoder(m.new_session()),
            Self::Qwen35(m) => ReferenceSession::Qwen35(m.new_session()),
        }
    }

    /// Runs `tokens` after what `session` holds; one logits row per token.
    pub fn forward(
        &self,
        session: &mut ReferenceSession,
        tokens: &[u32],
    ) -> Result<Vec<Vec<f32>>, ModelError> {
        match (self, session) {
            (Self::Decoder(m), ReferenceSession::Decoder(s)) => m.forward(s, tokens),
            (Self::Qwen35(m), ReferenceSession::Qwen35(s)) => m.forward(s, tokens),
            _ => Err(ModelError::Config(
                "session does not belong to this model".to_owned(),
            )),
        }
    }

    /// Runs `tokens` after what `session` holds as decode steps, one at a time: projections
    /// the engine multiplies by an 8-bit x in decode (`ReferenceOptions::int8_min_cols`) do
    /// so here too. One logits row per token.
    pub fn forward_decode(
        &self,
        session: &mut ReferenceSession,
        tokens: &[u32],
    ) -> Result<Vec<Vec<f32>>, ModelError> {
        match (self, session) {
            (Self::Decoder(m), ReferenceSession::Decoder(s)) => m.forward_decode(s, tokens),
            (Self::Qwen35(m), ReferenceSession::Qwen35(s)) => m.forward_decode(s, tokens),
            _ => Err(ModelError::Config(
                "session does not belong to this model".to_owned(),
            )),
        }
    }
}
