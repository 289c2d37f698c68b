//! Building a `tokenizers` tokenizer from GGUF `tokenizer.ggml.*` metadata.
//!
//! - `gpt2`: byte-level BPE from `tokens` + `merges`, split first by the regexes llama.cpp uses
//!   for `tokenizer.ggml.pre`.
//! - `llama`: SentencePiece-style vocabulary (tokens + scores, no merges, as Gemma 3 ships). It
//!   becomes a BPE whose merges are every split of a token into two vocabulary tokens, ranked by
//!   the merged token's score: merging the best-scoring adjacent pair first is exactly what
//!   llama.cpp's SPM tokenizer does. Spaces become `▁`; unknown characters fall back to
//!   `<0xXX>` byte tokens.
//!
//! Control (type 3) and user-defined (type 4) tokens are added tokens matched in the raw text
//! before anything else, as llama.cpp partitions them out before tokenizing.

use super::error::TokenizerError;
use super::pretok::{ignores_merges, splits_for};
use crate::gguf::{Array, GgufFile, Value};
use std::collections::HashMap;
use tokenizers::decoders::byte_fallback::ByteFallback;
use tokenizers::decoders::byte_level::ByteLevel as ByteLevelDecoder;
use tokenizers::decoders::fuse::Fuse;
use tokenizers::decoders::sequence::Sequence as DecoderSequence;
use tokenizers::decoders::strip::Strip;
use tokenizers::models::bpe::{BPE, Merges, Vocab};
use tokenizers::normalizers::{Prepend, Replace};
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::sequence::Sequence as PreSequence;
use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
use tokenizers::{
    AddedToken, DecoderWrapper, NormalizerWrapper, PreTokenizerWrapper, SplitDelimiterBehavior,
    Tokenizer,
};

/// llama.cpp's token types (`tokenizer.ggml.token_type`).
pub mod token_type {
    /// Ordinary vocabulary entry.
    pub const NORMAL: i32 = 1;
    /// The unknown token.
    pub const UNKNOWN: i32 = 2;
    /// Control tokens (`<bos>`, `<|im_start|>`).
    pub const CONTROL: i32 = 3;
    /// User-defined tokens, matched verbatim in text.
    pub const USER_DEFINED: i32 = 4;
    /// Unused slots.
    pub const UNUSED: i32 = 5;
    /// `<0xXX>` byte-fallback tokens.
    pub const BYTE: i32 = 6;
}

/// The vocabulary facts read from GGUF, before building.
pub(crate) struct GgufVocab<'a> {
    pub model: &'a str,
    pub pre: &'a str,
    pub tokens: &'a [String],
    pub types: Vec<i32>,
    pub scores: Option<&'a [f32]>,
    pub merges: Option<&'a [String]>,
    pub add_space_prefix: bool,
}

impl<'a> GgufVocab<'a> {
    pub fn read(file: &'a GgufFile) -> Result<Self, TokenizerError> {
        let model = file.get_str("tokenizer.ggml.model")?;
        let pre = file.get_str("tokenizer.ggml.pre").unwrap_or("default");
        let tokens = file.get_strings("tokenizer.ggml.tokens")?;
        let types = match file.get("tokenizer.ggml.token_type") {
            Some(Value::Array(Array::I32(t))) => t.clone(),
            Some(Value::Array(Array::U32(t))) => t.iter().map(|&x| x as i32).collect(),
            None => vec![token_type::NORMAL; tokens.len()],
            Some(other) => {
                return Err(TokenizerError::Invalid(format!(
                    "token_type is {:?}",
                    other.value_type()
                )));
            }
        };
        if types.len() != tokens.len() {
            return Err(TokenizerError::Invalid(format!(
                "{} token types for {} tokens",
                types.len(),
                tokens.len()
            )));
        }
        let scores = match file.get("tokenizer.ggml.scores") {
            Some(Value::Array(Array::F32(s))) if s.len() == tokens.len() => Some(s.as_slice()),
            Some(_) => {
                return Err(TokenizerError::Invalid(
                    "scores are not one f32 per token".to_owned(),
                ));
            }
            None => None,
        };
        let merges = file.get_strings("tokenizer.ggml.merges").ok();
        // llama.cpp's default: SentencePiece vocabularies prefix a space unless told otherwise.
        let add_space_prefix = file
            .get_bool("tokenizer.ggml.add_space_prefix")
            .unwrap_or(model == "llama");
        Ok(Self {
            model,
            pre,
            tokens,
            types,
            scores,
            merges,
            add_space_prefix,
        })
    }

    pub fn build(&self) -> Result<Tokenizer, TokenizerError> {
        let mut tokenizer = match self.model {
            "gpt2" => self.byte_level_bpe()?,
            "llama" => self.sentencepiece_bpe()?,
            other => {
                return Err(TokenizerError::UnsupportedModel {
                    model: other.to_owned(),
                });
            }
        };
        let added: Vec<AddedToken> = self
            .tokens
            .iter()
            .zip(&self.types)
            .filter(|(_, t)| **t == token_type::CONTROL || **t == token_type::USER_DEFINED)
            .map(|(text, &t)| {
                AddedToken::from(text.clone(), t == token_type::CONTROL).normalized(false)
            })
            .collect();
        tokenizer.add_special_tokens(added)?;
        Ok(tokenizer)
    }

    fn vocab(&self) -> Vocab {
        self.tokens
            .iter()
            .zip(0u32..)
            .map(|(t, i)| (t.clone(), i))
            .collect()
    }

    fn byte_level_bpe(&self) -> Result<Tokenizer, TokenizerError> {
        let merges: Merges = self
            .merges
            .ok_or_else(|| {
                TokenizerError::Invalid("gpt2 vocabulary without tokenizer.ggml.merges".to_owned())
            })?
            .iter()
            .map(|m| {
                m.split_once(' ')
                    .map(|(a, b)| (a.to_owned(), b.to_owned()))
                    .ok_or_else(|| {
                        TokenizerError::Invalid(format!("merge {m:?} is not two tokens"))
                    })
            })
            .collect::<Result<_, _>>()?;
        // Llama 3's tokenizer emits a pre-token that is itself in the vocabulary as one token,
        // even when no merge sequence reaches it (llama.cpp: `ignore_merges` for llama3).
        let model = BPE::builder()
            .vocab_and_merges(self.vocab(), merges)
            .ignore_merges(ignores_merges(self.pre))
            .build()?;
        let mut tokenizer = Tokenizer::new(model);
        let mut pre: Vec<PreTokenizerWrapper> = Vec::new();
        for regex in splits_for(self.pre)? {
            let pattern = SplitPattern::Regex((*regex).to_owned());
            pre.push(Split::new(pattern, SplitDelimiterBehavior::Isolated, false)?.into());
        }
        pre.push(ByteLevel::new(false, false, false).into());
        tokenizer.with_pre_tokenizer(Some(PreSequence::new(pre)));
        tokenizer.with_decoder(Some(ByteLevelDecoder::default()));
        Ok(tokenizer)
    }

    fn sentencepiece_bpe(&self) -> Result<Tokenizer, TokenizerError> {
        let scores = self.scores.ok_or_else(|| {
            TokenizerError::Invalid("llama vocabulary without tokenizer.ggml.scores".to_owned())
        })?;
        let merges = merges_from_scores(self.tokens, scores, &self.types);
        let model = BPE::builder()
            .vocab_and_merges(self.vocab(), merges)
            .byte_fallback(true)
            .build()?;
        let mut tokenizer = Tokenizer::new(model);
        let mut normalizers: Vec<NormalizerWrapper> = Vec::new();
        if self.add_space_prefix {
            normalizers.push(Prepend::new("▁".to_owned()).into());
        }
        normalizers.push(Replace::new(" ", "▁")?.into());
        tokenizer.with_normalizer(Some(tokenizers::normalizers::Sequence::new(normalizers)))?;
        let mut decoders: Vec<DecoderWrapper> = vec![
            Replace::new("▁", " ")?.into(),
            ByteFallback::new().into(),
            Fuse::new().into(),
        ];
        if self.add_space_prefix {
            decoders.push(Strip::new(' ', 1, 0).into());
        }
        tokenizer.with_decoder(Some(DecoderSequence::new(decoders)));
        Ok(tokenizer)
    }
}

/// Every way to write a token as two vocabulary tokens, best merged score first (ties: lower
/// merged id first). Byte tokens never take part; they are only the fallback.
pub(crate) fn merges_from_scores(tokens: &[String], scores: &[f32], types: &[i32]) -> Merges {
    let ids: HashMap<&str, usize> = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| (t.as_str(), i))
        .collect();
    let mut ranked: Vec<(f32, usize, &str, &str)> = Vec::new();
    for (id, token) in tokens.iter().enumerate() {
        if types.get(id) == Some(&token_type::BYTE) {
            continue;
        }
        let score = scores.get(id).copied().unwrap_or(f32::NEG_INFINITY);
        for (split, _) in token.char_indices().skip(1) {
            let (left, right) = token.split_at(split);
            let is_piece = |s: &str| {
                ids.get(s)
                    .is_some_and(|&i| types.get(i) != Some(&token_type::BYTE))
            };
            if is_piece(left) && is_piece(right) {
                ranked.push((score, id, left, right));
            }
        }
    }
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked
        .into_iter()
        .map(|(_, _, l, r)| (l.to_owned(), r.to_owned()))
        .collect()
}
