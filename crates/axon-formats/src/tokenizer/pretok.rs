//! Pre-tokenizer regexes by `tokenizer.ggml.pre` name. GGUF stores the name, not the regex;
//! these are the splits llama.cpp applies for each name (`llama-vocab.cpp`), in order.

use super::error::TokenizerError;

/// GPT-2's split.
const GPT2: &str = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";
/// Llama 3's split (numbers in runs of up to three).
const LLAMA3: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
/// Qwen2's split (single digits).
const QWEN2: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
/// Qwen3.5's split: Qwen2's with combining marks (`\p{M}`) kept inside words.
const QWEN35: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// How llama.cpp pre-tokenizes for one family of `tokenizer.ggml.pre` names.
struct PreTokenizer {
    names: &'static [&'static str],
    /// Regex splits, applied in order.
    splits: &'static [&'static str],
    /// Emit a pre-token that is itself a vocabulary entry as one token (Llama 3).
    ignore_merges: bool,
}

/// The one table every lookup below reads.
const PRE_TOKENIZERS: &[PreTokenizer] = &[
    PreTokenizer {
        names: &["default", "gpt2", "gpt-2", "mpt", "olmo", "jais"],
        splits: &[GPT2],
        ignore_merges: false,
    },
    PreTokenizer {
        names: &[
            "llama3",
            "llama-v3",
            "llama-bpe",
            "falcon3",
            "smaug-bpe",
            "pixtral",
        ],
        splits: &[LLAMA3],
        ignore_merges: true,
    },
    PreTokenizer {
        names: &["qwen2", "deepseek-r1-qwen", "stablelm2", "hunyuan"],
        splits: &[QWEN2],
        ignore_merges: false,
    },
    PreTokenizer {
        names: &["qwen35"],
        splits: &[QWEN35],
        ignore_merges: false,
    },
    PreTokenizer {
        names: &[
            "smollm",
            "starcoder",
            "refact",
            "command-r",
            "codeshell",
            "exaone",
            "minerva-7b",
        ],
        splits: &[r"\p{N}", GPT2],
        ignore_merges: false,
    },
];

fn lookup(pre: &str) -> Result<&'static PreTokenizer, TokenizerError> {
    PRE_TOKENIZERS
        .iter()
        .find(|p| p.names.contains(&pre))
        .ok_or_else(|| TokenizerError::UnsupportedPre {
            pre: pre.to_owned(),
            supported: supported().join(", "),
        })
}

/// The ordered regex splits for a pre-tokenizer name.
pub fn splits_for(pre: &str) -> Result<&'static [&'static str], TokenizerError> {
    Ok(lookup(pre)?.splits)
}

/// Whether the vocabulary emits whole-word tokens before trying merges (Llama 3 does).
pub fn ignores_merges(pre: &str) -> bool {
    lookup(pre).is_ok_and(|p| p.ignore_merges)
}

/// Every accepted name (for error messages and docs).
pub fn supported() -> Vec<&'static str> {
    PRE_TOKENIZERS
        .iter()
        .flat_map(|p| p.names.iter().copied())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_supported_name_resolves_and_others_do_not() {
        for name in supported() {
            assert!(splits_for(name).is_ok(), "{name}");
        }
        let err = splits_for("klingon").unwrap_err().to_string();
        assert!(err.contains("klingon") && err.contains("qwen35"), "{err}");
    }
}
