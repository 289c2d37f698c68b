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

/// The ordered regex splits for a pre-tokenizer name.
pub fn splits_for(pre: &str) -> Result<&'static [&'static str], TokenizerError> {
    Ok(match pre {
        "default" | "gpt2" | "gpt-2" | "mpt" | "olmo" | "jais" => &[GPT2],
        "llama3" | "llama-v3" | "llama-bpe" | "falcon3" | "smaug-bpe" | "pixtral" => &[LLAMA3],
        "qwen2" | "deepseek-r1-qwen" | "stablelm2" | "hunyuan" => &[QWEN2],
        "qwen35" => &[QWEN35],
        "smollm" | "starcoder" | "refact" | "command-r" | "codeshell" | "exaone" | "minerva-7b" => {
            &[r"\p{N}", GPT2]
        }
        _ => {
            return Err(TokenizerError::UnsupportedPre {
                pre: pre.to_owned(),
                supported: SUPPORTED.join(", "),
            });
        }
    })
}

/// Whether the vocabulary emits whole-word tokens before trying merges (Llama 3 does).
pub fn ignores_merges(pre: &str) -> bool {
    matches!(
        pre,
        "llama3" | "llama-v3" | "llama-bpe" | "falcon3" | "smaug-bpe" | "pixtral"
    )
}

/// Names accepted by [`splits_for`] (for error messages and docs).
pub const SUPPORTED: &[&str] = &[
    "default",
    "gpt2",
    "gpt-2",
    "mpt",
    "olmo",
    "jais",
    "llama3",
    "llama-v3",
    "llama-bpe",
    "falcon3",
    "smaug-bpe",
    "pixtral",
    "qwen2",
    "deepseek-r1-qwen",
    "stablelm2",
    "hunyuan",
    "qwen35",
    "smollm",
    "starcoder",
    "refact",
    "command-r",
    "codeshell",
    "exaone",
    "minerva-7b",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_supported_name_resolves_and_others_do_not() {
        for name in SUPPORTED {
            assert!(splits_for(name).is_ok(), "{name}");
        }
        let err = splits_for("klingon").unwrap_err().to_string();
        assert!(err.contains("klingon") && err.contains("qwen35"), "{err}");
    }
}
