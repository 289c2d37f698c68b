//! Tokenization of a fixed set of strings equals independent tokenizers, 100%: llama.cpp for
//! the SmolLM2 and Gemma 3 GGUF vocabularies, tiktoken for the real Qwen3.5 vocabulary
//! (fixtures made by scripts/fixtures/tokenizer_fixtures.py).

mod common;
#[path = "common/tokens.rs"]
mod tokens;

use axon_formats::gguf::GgufFile;
use axon_formats::tokenizer::Tokenizer;

fn check_gguf(fixture_name: &str) {
    let fx = tokens::fixture(&format!("tokenizer/{fixture_name}"));
    let file = GgufFile::open(common::model(fx["model_file"].as_str().unwrap())).unwrap();
    let tokenizer = Tokenizer::from_gguf(&file).unwrap();
    tokens::assert_same_ids(&tokenizer, &fx["cases"], false, "llama.cpp");
    // With special tokens: BOS where the vocabulary asks for it, exactly as llama.cpp adds it.
    for case in fx["cases"].as_array().unwrap() {
        let text = case["text"].as_str().unwrap();
        assert_eq!(
            tokenizer.encode(text, true).unwrap(),
            tokens::ids(&case["ids_add_special"]),
            "{text:?}"
        );
    }
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

#[test]
fn tokenizer_metadata_survives_the_gguf_writer() {
    use axon_formats::gguf::GgufWriter;
    let source = GgufFile::open(common::model("SmolLM2-135M-Instruct.Q4_1.gguf")).unwrap();
    let mut w = GgufWriter::new();
    for (key, value) in source.metadata() {
        w.set(key, value.clone());
    }
    let norm = source.tensor("output_norm.weight").unwrap();
    w.add_tensor(
        "output_norm.weight",
        norm.info.ty,
        &norm.info.dims,
        norm.data.to_vec(),
    )
    .unwrap();
    let copy = GgufFile::from_bytes("copy.gguf", w.to_bytes().unwrap()).unwrap();
    assert_eq!(copy.metadata().count(), source.metadata().count());
    let a = Tokenizer::from_gguf(&source).unwrap();
    let b = Tokenizer::from_gguf(&copy).unwrap();
    let text = "<|im_start|>user\nCopy me: 12345 héllo 🦀<|im_end|>";
    assert_eq!(a.encode(text, true).unwrap(), b.encode(text, true).unwrap());
    assert_eq!(a.chat_template(), b.chat_template());
    assert_eq!(copy.tensor("output_norm.weight").unwrap().data, norm.data);
}
