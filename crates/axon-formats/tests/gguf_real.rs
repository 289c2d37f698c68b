//! The real GGUF files users have: SmolLM2-135M-Instruct (llama, Q4_1) and Gemma 3 270M
//! (gemma3, Q4_K_M), fetched by `scripts/fetch-models`. Facts checked against the PyPI `gguf`
//! package's reader (`docs/MODEL_FILES.md`).

mod common;

use axon_formats::gguf::{Array, GgufFile, Value};
use axon_formats::quant::GgmlType;
use std::collections::BTreeMap;

fn type_counts(f: &GgufFile) -> BTreeMap<GgmlType, usize> {
    let mut counts = BTreeMap::new();
    for t in f.tensors() {
        *counts.entry(t.ty).or_insert(0) += 1;
    }
    counts
}

#[test]
fn smollm2_header_metadata_and_tensors() {
    let f = GgufFile::open(common::model("SmolLM2-135M-Instruct.Q4_1.gguf")).unwrap();
    assert_eq!(f.version(), 3);
    assert_eq!(f.alignment(), 32);
    assert_eq!(f.data_offset(), 1_785_664);
    assert_eq!(f.metadata().count(), 33);
    assert_eq!(f.tensors().len(), 272);
    assert_eq!(f.architecture().unwrap(), "llama");
    assert_eq!(f.arch_u64("block_count").unwrap(), 30);
    assert_eq!(f.arch_u64("embedding_length").unwrap(), 576);
    assert_eq!(f.arch_u64("feed_forward_length").unwrap(), 1536);
    assert_eq!(f.arch_u64("attention.head_count").unwrap(), 9);
    assert_eq!(f.arch_u64("attention.head_count_kv").unwrap(), 3);
    assert_eq!(f.arch_u64("context_length").unwrap(), 8192);
    assert_eq!(f.arch_f64("rope.freq_base").unwrap(), 100_000.0);
    assert!((f.arch_f64("attention.layer_norm_rms_epsilon").unwrap() - 1e-5).abs() < 1e-12);
    assert_eq!(f.get_u64("general.file_type").unwrap(), 3);
    assert_eq!(f.get_str("tokenizer.ggml.model").unwrap(), "gpt2");
    assert_eq!(f.get_str("tokenizer.ggml.pre").unwrap(), "smollm");
    let tokens = f.get_strings("tokenizer.ggml.tokens").unwrap();
    assert_eq!(tokens.len(), 49_152);
    assert_eq!(tokens[1], "<|im_start|>");
    assert_eq!(
        f.get_strings("tokenizer.ggml.merges").unwrap().len(),
        48_900
    );
    assert!(
        f.get_str("tokenizer.chat_template")
            .unwrap()
            .contains("<|im_start|>")
    );

    let counts = type_counts(&f);
    assert_eq!(counts.get(&GgmlType::Q4_1), Some(&210));
    assert_eq!(counts.get(&GgmlType::Q8_0), Some(&1));
    assert_eq!(counts.get(&GgmlType::F32), Some(&61));
    let embd = f.tensor("token_embd.weight").unwrap();
    assert_eq!(embd.info.ty, GgmlType::Q8_0);
    assert_eq!(embd.info.dims, vec![576, 49_152]);
    assert_eq!(embd.data.len() as u64, 576 * 49_152 / 32 * 34);
    assert!(
        f.tensor("output.weight").is_err(),
        "SmolLM2 ties its output to token_embd"
    );
}

#[test]
fn gemma3_header_metadata_and_tensors() {
    let f = GgufFile::open(common::model("gemma-3-270m-q4_k_m.gguf")).unwrap();
    assert_eq!(f.version(), 3);
    assert_eq!(f.data_offset(), 6_525_120);
    assert_eq!(f.metadata().count(), 33);
    assert_eq!(f.tensors().len(), 236);
    assert_eq!(f.architecture().unwrap(), "gemma3");
    assert_eq!(f.arch_u64("block_count").unwrap(), 18);
    assert_eq!(f.arch_u64("embedding_length").unwrap(), 640);
    assert_eq!(f.arch_u64("attention.sliding_window").unwrap(), 512);
    assert_eq!(f.arch_u64("attention.key_length").unwrap(), 256);
    assert_eq!(f.get_u64("general.file_type").unwrap(), 15);
    assert_eq!(f.get_str("tokenizer.ggml.model").unwrap(), "llama");
    assert_eq!(
        f.get_strings("tokenizer.ggml.tokens").unwrap().len(),
        262_144
    );
    match f.get("tokenizer.ggml.scores") {
        Some(Value::Array(Array::F32(scores))) => assert_eq!(scores.len(), 262_144),
        other => panic!("scores: {other:?}"),
    }
    assert!(f.get("tokenizer.chat_template").is_none());
    let counts = type_counts(&f);
    let expect = [
        (GgmlType::Q5_0, 81),
        (GgmlType::Q4K, 27),
        (GgmlType::Q6K, 9),
        (GgmlType::Q8_0, 10),
        (GgmlType::F32, 109),
    ];
    for (ty, n) in expect {
        assert_eq!(counts.get(&ty), Some(&n), "{ty}");
    }
}

#[test]
fn every_tensor_view_is_exactly_its_size_and_inside_the_file() {
    for name in [
        "SmolLM2-135M-Instruct.Q4_1.gguf",
        "gemma-3-270m-q4_k_m.gguf",
    ] {
        let f = GgufFile::open(common::model(name)).unwrap();
        let mut total = 0u64;
        for info in f.tensors() {
            let view = f.view(info);
            assert_eq!(view.data.len() as u64, info.size, "{}", info.name);
            assert_eq!((f.data_offset() + info.offset) % f.alignment(), 0);
            total += info.size;
        }
        assert!(f.data_offset() + total <= f.file_len());
    }
}
