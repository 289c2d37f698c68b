//! The reference on the real GGUF models: greedy continuations of three prompts (32 tokens)
//! equal those of Hugging Face transformers loading the same GGUF (fixtures from
//! scripts/fixtures/reference_fixtures.py; llama.cpp's own continuations are recorded beside
//! them but differ where its 8-bit activation quantization flips a near-tie), and a prefill
//! followed by decode equals a full recompute.

use axon_formats::gguf::GgufFile;
use axon_reference::model::Decoder;
use axon_reference::ops::sampling::argmax;
use std::path::PathBuf;

fn model(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../models")
        .join(name);
    assert!(
        path.exists(),
        "{} is missing: run scripts/fetch-models",
        path.display()
    );
    path
}

fn fixture(name: &str) -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn ids(v: &serde_json::Value) -> Vec<u32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as u32)
        .collect()
}

fn check_greedy(fixture_name: &str) {
    let fx = fixture(fixture_name);
    let file = GgufFile::open(model(fx["model_file"].as_str().unwrap())).unwrap();
    let decoder = Decoder::from_gguf(&file).unwrap();
    for case in fx["cases"].as_array().unwrap() {
        let prompt = ids(&case["prompt_ids"]);
        let want = ids(&case["greedy"]);
        let mut session = decoder.new_session();
        let mut last = decoder
            .forward(&mut session, &prompt)
            .unwrap()
            .pop()
            .unwrap();
        let mut got = Vec::new();
        for _ in 0..want.len() {
            let next = argmax(&last) as u32;
            got.push(next);
            last = decoder
                .forward(&mut session, &[next])
                .unwrap()
                .pop()
                .unwrap();
        }
        assert_eq!(got, want, "prompt {:?}", case["prompt"]);
    }
}

#[test]
fn smollm2_greedy_matches_transformers() {
    check_greedy("greedy_smollm2-135m-instruct.json");
}

#[test]
fn gemma3_greedy_matches_transformers() {
    check_greedy("greedy_gemma-3-270m-q4_k_m.json");
}

#[test]
fn prefill_then_decode_equals_full_recompute() {
    let file = GgufFile::open(model("SmolLM2-135M-Instruct.Q4_1.gguf")).unwrap();
    let decoder = Decoder::from_gguf(&file).unwrap();
    let tokens = [1u32, 504, 2365, 6354, 16438, 30, 198, 17];
    let mut full = decoder.new_session();
    let all = decoder.forward(&mut full, &tokens).unwrap();
    let mut split = decoder.new_session();
    let mut rows = decoder.forward(&mut split, &tokens[..5]).unwrap();
    for &t in &tokens[5..] {
        rows.extend(decoder.forward(&mut split, &[t]).unwrap());
    }
    assert_eq!(
        rows, all,
        "same arithmetic in the same order: bit-identical"
    );
    assert_eq!(split.len(), tokens.len());
}
