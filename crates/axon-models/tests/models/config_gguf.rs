//! `ModelConfig::from_gguf` on the real SmolLM2 and Gemma 3 files and on synthetic files
//! with one key changed.

use crate::support::{EMBD, TinyLlama, real_model};
use axon_formats::gguf::Value;
use axon_formats::quant::GgmlType;
use axon_models::config::Activation;
use axon_models::config::{
    Architecture, ConfigError, FileFormat, ModelConfig, NormWeightConvention,
};
use axon_models::config::{Frequencies, Pairing};

fn scaled(theta: f64, linear_scale: f64) -> Frequencies {
    Frequencies::Scaled {
        theta,
        linear_scale,
    }
}

#[test]
fn smollm2_config() {
    let c = ModelConfig::from_gguf(&real_model("SmolLM2-135M-Instruct.Q4_1.gguf")).unwrap();
    assert_eq!(c.file_format, FileFormat::Gguf);
    assert_eq!(c.architecture, Architecture::Llama);
    assert_eq!((c.layers, c.embd, c.ff), (30, 576, 1536));
    assert_eq!(
        (c.heads, c.kv_heads, c.head_dim, c.vocab),
        (9, 3, 64, 49152)
    );
    assert_eq!(c.rms_eps, 1e-5);
    assert_eq!(c.rope.dims, 64);
    assert_eq!(
        c.rope.pairing,
        Pairing::Adjacent,
        "llama.cpp's converter permuted Q/K"
    );
    assert_eq!(c.rope.frequencies, scaled(100_000.0, 1.0));
    assert_eq!(c.activation, Activation::Silu);
    assert_eq!(c.attention_scale, 0.125);
    assert_eq!(c.embedding_scale, 1.0);
    assert!(c.tied_embeddings, "the file has no output.weight");
    assert_eq!(c.norm_weights, NormWeightConvention::Direct);
}

#[test]
fn gemma3_config() {
    let c = ModelConfig::from_gguf(&real_model("gemma-3-270m-q4_k_m.gguf")).unwrap();
    assert_eq!((c.layers, c.embd, c.ff), (18, 640, 2048));
    assert_eq!(
        (c.heads, c.kv_heads, c.head_dim, c.vocab),
        (4, 1, 256, 262_144)
    );
    assert_eq!(c.rms_eps, 1e-6);
    assert_eq!(c.rope.pairing, Pairing::Neox);
    assert_eq!(c.rope.frequencies, scaled(1_000_000.0, 1.0));
    let Architecture::Gemma3(swa) = &c.architecture else {
        panic!("expected Gemma 3, got {:?}", c.architecture)
    };
    assert_eq!(swa.window, 512);
    let globals: Vec<usize> = (0..18).filter(|&l| !swa.sliding_layers[l]).collect();
    assert_eq!(globals, [5, 11, 17], "every 6th layer is global");
    assert_eq!(c.rope_for_layer(0).frequencies, scaled(10_000.0, 1.0));
    assert_eq!(c.rope_for_layer(5).frequencies, scaled(1_000_000.0, 1.0));
    assert_eq!(
        c.attention_scale,
        1.0 / 16.0,
        "query_pre_attn_scalar = head_dim = 256"
    );
    assert_eq!(c.embedding_scale, 640f32.sqrt());
    assert_eq!(c.activation, Activation::GeluTanh);
    assert!(c.qk_norm && c.post_attention_norm && c.post_ffn_norm);
    assert!(c.tied_embeddings);
    assert_eq!(
        c.norm_weights,
        NormWeightConvention::Direct,
        "GGUF holds 1 + w already"
    );
}

#[test]
fn synthetic_llama_config() {
    let c = ModelConfig::from_gguf(&TinyLlama::new().build()).unwrap();
    assert_eq!(
        (c.embd, c.heads, c.kv_heads, c.head_dim),
        (EMBD as usize, 2, 1, 16)
    );
    assert!(c.tied_embeddings);
    let with_output = TinyLlama::new().build_with_extra("output.weight", GgmlType::F32, &[EMBD, 8]);
    assert!(
        !ModelConfig::from_gguf(&with_output)
            .unwrap()
            .tied_embeddings
    );
}

#[test]
fn linear_rope_scaling_is_read() {
    let file = TinyLlama::new()
        .set("llama.rope.scaling.type", Value::String("linear".into()))
        .set("llama.rope.scaling.factor", Value::F32(4.0))
        .build();
    let c = ModelConfig::from_gguf(&file).unwrap();
    assert_eq!(c.rope.frequencies, scaled(10_000.0, 4.0));
}

#[test]
fn unsupported_architecture_is_named() {
    let file = TinyLlama::new()
        .set("general.architecture", Value::String("qwen3next".into()))
        .build();
    let e = ModelConfig::from_gguf(&file).unwrap_err();
    assert!(
        matches!(&e, ConfigError::UnsupportedArchitecture { architecture, .. } if architecture == "qwen3next"),
        "{e}"
    );
    assert!(e.to_string().contains("tiny-llama.gguf"), "{e}");
}

#[test]
fn missing_and_bad_keys_are_named() {
    let file = TinyLlama::new()
        .set("general.architecture", Value::String("gemma3".into()))
        .build();
    // A llama file relabelled gemma3: its keys are under `llama.`.
    let e = ModelConfig::from_gguf(&file).unwrap_err();
    assert!(
        matches!(&e, ConfigError::MissingKey { key, .. } if key.starts_with("gemma3.")),
        "{e}"
    );

    let file = TinyLlama::new()
        .set("llama.block_count", Value::String("one".into()))
        .build();
    let e = ModelConfig::from_gguf(&file).unwrap_err();
    assert!(
        matches!(&e, ConfigError::BadValue { key, .. } if key == "llama.block_count"),
        "{e}"
    );

    let file = TinyLlama::new()
        .set("llama.attention.head_count_kv", Value::U32(3))
        .build();
    let e = ModelConfig::from_gguf(&file).unwrap_err();
    assert!(matches!(&e, ConfigError::BadValue { .. }), "{e}");
}

#[test]
fn unsupported_rope_variants_are_refused() {
    let file = TinyLlama::new()
        .set("llama.rope.scaling.type", Value::String("yarn".into()))
        .build();
    let e = ModelConfig::from_gguf(&file).unwrap_err();
    assert!(
        matches!(&e, ConfigError::UnsupportedFeature { value, .. } if value == "yarn"),
        "{e}"
    );

    let file = TinyLlama::new().build_with_extra("rope_freqs.weight", GgmlType::F32, &[8]);
    let e = ModelConfig::from_gguf(&file).unwrap_err();
    assert!(matches!(&e, ConfigError::UnsupportedFeature { .. }), "{e}");
}
