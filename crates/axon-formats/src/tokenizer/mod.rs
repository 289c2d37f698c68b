//! Tokenizers built from model metadata (GGUF `tokenizer.ggml.*`) or Hugging Face
//! `tokenizer.json`, on the `tokenizers` crate, plus streaming decoding.
//!
//! Encoding always recognises control and user-defined tokens written in the text (chat
//! templates produce `<|im_start|>` as text); BOS is prepended when asked for and the
//! vocabulary says so (`tokenizer.ggml.add_bos_token`).

mod error;
mod gguf_vocab;
mod pretok;
mod stream;
pub mod tiktoken;

pub use error::TokenizerError;
pub use gguf_vocab::token_type;
pub use pretok::supported as supported_pre_tokenizers;
pub use stream::TextStream;

use crate::gguf::GgufFile;
use gguf_vocab::GgufVocab;

/// Special token ids and flags of a vocabulary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpecialTokens {
    /// Beginning of sequence.
    pub bos: Option<u32>,
    /// End of sequence.
    pub eos: Option<u32>,
    /// End of turn, when the vocabulary has one distinct from EOS (e.g. `<end_of_turn>`).
    pub eot: Option<u32>,
    /// Unknown token.
    pub unk: Option<u32>,
    /// Padding.
    pub pad: Option<u32>,
    /// Prepend BOS when encoding a prompt.
    pub add_bos: bool,
    /// Append EOS when encoding a prompt.
    pub add_eos: bool,
}

/// A ready tokenizer.
#[derive(Debug, Clone)]
pub struct Tokenizer {
    inner: tokenizers::Tokenizer,
    special: SpecialTokens,
    control: Vec<bool>,
    chat_template: Option<String>,
}

impl Tokenizer {
    /// Builds the tokenizer described by a GGUF file's metadata.
    pub fn from_gguf(file: &GgufFile) -> Result<Self, TokenizerError> {
        let vocab = GgufVocab::read(file)?;
        let inner = vocab.build()?;
        let n = vocab.tokens.len() as u64;
        let id = |key: &str| -> Result<Option<u32>, TokenizerError> {
            match file.get_u64(key) {
                Ok(v) if v < n => Ok(Some(v as u32)),
                Ok(v) => Err(TokenizerError::Invalid(format!(
                    "{key} = {v} is past the {n}-token vocabulary"
                ))),
                Err(_) => Ok(None),
            }
        };
        let eot = match id("tokenizer.ggml.eot_token_id")? {
            Some(t) => Some(t),
            // Gemma marks turns with <end_of_turn> without naming it in the metadata.
            None => vocab
                .tokens
                .iter()
                .position(|t| t == "<end_of_turn>")
                .map(|i| i as u32),
        };
        let special = SpecialTokens {
            bos: id("tokenizer.ggml.bos_token_id")?,
            eos: id("tokenizer.ggml.eos_token_id")?,
            eot,
            unk: id("tokenizer.ggml.unknown_token_id")?,
            pad: id("tokenizer.ggml.padding_token_id")?,
            add_bos: file
                .get_bool("tokenizer.ggml.add_bos_token")
                .unwrap_or(vocab.model == "llama"),
            add_eos: file
                .get_bool("tokenizer.ggml.add_eos_token")
                .unwrap_or(false),
        };
        let control = vocab
            .types
            .iter()
            .map(|&t| t == token_type::CONTROL)
            .collect();
        let chat_template = file
            .get_str("tokenizer.chat_template")
            .ok()
            .map(str::to_owned);
        Ok(Self {
            inner,
            special,
            control,
            chat_template,
        })
    }

    /// Loads a Hugging Face `tokenizer.json`; `special` and `chat_template` come from the
    /// checkpoint's `tokenizer_config.json` / `config.json`, which the caller has read.
    pub fn from_hf_file(
        path: impl AsRef<std::path::Path>,
        special: SpecialTokens,
        chat_template: Option<String>,
    ) -> Result<Self, TokenizerError> {
        let path = path.as_ref();
        let inner = tokenizers::Tokenizer::from_file(path).map_err(|e| TokenizerError::File {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        let size = inner.get_vocab_size(true);
        let mut control = vec![false; size];
        for (id, added) in inner.get_added_tokens_decoder() {
            if added.special {
                if let Some(c) = control.get_mut(id as usize) {
                    *c = true;
                }
            }
        }
        Ok(Self {
            inner,
            special,
            control,
            chat_template,
        })
    }

    /// Loads `tokenizer.json` from a Hugging Face directory, with BOS/EOS/PAD, `add_bos_token`
    /// and the chat template from its `tokenizer_config.json` (when present).
    pub fn from_hf_dir(dir: impl AsRef<std::path::Path>) -> Result<Self, TokenizerError> {
        let dir = dir.as_ref();
        let config_path = dir.join("tokenizer_config.json");
        let config: serde_json::Value = match std::fs::read_to_string(&config_path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| TokenizerError::File {
                path: config_path.display().to_string(),
                message: e.to_string(),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => serde_json::Value::Null,
            Err(e) => {
                return Err(TokenizerError::File {
                    path: config_path.display().to_string(),
                    message: e.to_string(),
                });
            }
        };
        let chat_template = config
            .get("chat_template")
            .and_then(|t| t.as_str())
            .map(str::to_owned);
        let mut tokenizer = Self::from_hf_file(
            dir.join("tokenizer.json"),
            SpecialTokens::default(),
            chat_template,
        )?;
        // Special tokens are named by text (or by {"content": text}) in tokenizer_config.json.
        let id_of = |key: &str| -> Option<u32> {
            let value = config.get(key)?;
            let text = value
                .as_str()
                .or_else(|| value.get("content").and_then(|c| c.as_str()))?;
            tokenizer.token_id(text)
        };
        let flag = |key: &str| {
            config
                .get(key)
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false)
        };
        tokenizer.special = SpecialTokens {
            bos: id_of("bos_token"),
            eos: id_of("eos_token"),
            eot: None,
            unk: id_of("unk_token"),
            pad: id_of("pad_token"),
            add_bos: flag("add_bos_token"),
            add_eos: flag("add_eos_token"),
        };
        Ok(tokenizer)
    }

    /// Token ids of `text`; with `add_special`, BOS/EOS as the vocabulary asks.
    pub fn encode(&self, text: &str, add_special: bool) -> Result<Vec<u32>, TokenizerError> {
        let encoding = self.inner.encode_fast(text, false)?;
        let mut ids = Vec::with_capacity(encoding.len() + 2);
        if add_special && self.special.add_bos {
            ids.extend(self.special.bos);
        }
        ids.extend_from_slice(encoding.get_ids());
        if add_special && self.special.add_eos {
            ids.extend(self.special.eos);
        }
        Ok(ids)
    }

    /// Text of `ids`; control tokens are left out when `skip_control` is set.
    pub fn decode(&self, ids: &[u32], skip_control: bool) -> Result<String, TokenizerError> {
        Ok(self.inner.decode(ids, skip_control)?)
    }

    /// A decoder that turns ids into text as they arrive, holding back incomplete UTF-8.
    pub fn stream(&self, skip_control: bool) -> TextStream<'_> {
        TextStream::new(self, skip_control)
    }

    /// Vocabulary size (added tokens included).
    pub fn vocab_size(&self) -> usize {
        self.inner.get_vocab_size(true)
    }

    /// The id of a token's exact text, if it is in the vocabulary.
    pub fn token_id(&self, text: &str) -> Option<u32> {
        self.inner.token_to_id(text)
    }

    /// The vocabulary text of an id.
    pub fn token_text(&self, id: u32) -> Option<String> {
        self.inner.id_to_token(id)
    }

    /// Whether `id` is a control token (BOS, EOS, chat markers...).
    pub fn is_control(&self, id: u32) -> bool {
        self.control.get(id as usize).copied().unwrap_or(false)
    }

    /// Special ids and flags.
    pub fn special(&self) -> &SpecialTokens {
        &self.special
    }

    /// The model's Jinja chat template, if it ships one.
    pub fn chat_template(&self) -> Option<&str> {
        self.chat_template.as_deref()
    }

    pub(crate) fn inner(&self) -> &tokenizers::Tokenizer {
        &self.inner
    }
}
