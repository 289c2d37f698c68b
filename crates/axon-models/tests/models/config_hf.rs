//! `ModelConfig::from_hf` against the committed fixtures' `config.json`, the other spellings
//! transformers writes, and the errors of unsupported or broken configs.

use crate::support::{fixture_json, hf_fixture};
use axon_formats::hf::HfCheckpoint;
use axon_models::config::Activation;
use axon_models::config::{
    Architecture, ConfigError, FileFormat, ModelConfig, NormWeightConvention,
};
use axon_models::config::{Frequencies, Pairing};
use serde_json::{Value, json};

fn n(cfg: &Value, key: &str) -> usize {
    cfg[key].as_u64().unwrap() as usize
}

fn scaled(theta: f64, linear_scale: f64) -> Frequencies {
    Frequencies::Scaled {
        theta,
        linear_scale,
    }
}

/// A checkpoint directory holding `config` and a copy of `fixture`'s weights.
pub fn with_config(fixture: &str, config: &Value) -> (tempfile::TempDir, HfCheckpoint) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("config.json"), config.to_string()).unwrap();
    let weights = hf_fixture(fixture).join("model.safetensors");
    std::fs::copy(weights, dir.path().join("model.safetensors")).unwrap();
    let checkpoint = HfCheckpoint::open(dir.path()).unwrap();
    (dir, checkpoint)
}

#[test]
fn llama_fixture_config_matches_config_json() {
    let json = fixture_json("llama-gqa-untied");
    let c =
        ModelConfig::from_hf(&HfCheckpoint::open(hf_fixture("llama-gqa-untied")).unwrap()).unwrap();
    assert_eq!(c.file_format, FileFormat::HuggingFace);
    assert_eq!(c.architecture, Architecture::Llama);
    assert_eq!(c.layers, n(&json, "num_hidden_layers"));
    assert_eq!(c.embd, n(&json, "hidden_size"));
    assert_eq!(c.ff, n(&json, "intermediate_size"));
    assert_eq!(c.heads, n(&json, "num_attention_heads"));
    assert_eq!(c.kv_heads, n(&json, "num_key_value_heads"));
    assert_eq!(c.head_dim, n(&json, "head_dim"));
    assert_eq!(c.vocab, n(&json, "vocab_size"));
    assert_eq!(c.rms_eps, json["rms_norm_eps"].as_f64().unwrap() as f32);
    assert_eq!(c.rope.dims, c.head_dim);
    assert_eq!(
        c.rope.pairing,
        Pairing::Neox,
        "Hugging Face Q/K rows are not permuted"
    );
    assert_eq!(c.rope.frequencies, scaled(10_000.0, 1.0));
    assert_eq!(c.activation, Activation::Silu);
    assert_eq!(c.attention_scale, 1.0 / (c.head_dim as f32).sqrt());
    assert_eq!(c.embedding_scale, 1.0);
    assert!(!c.qk_norm && !c.post_attention_norm && !c.post_ffn_norm);
    assert!(!c.tied_embeddings, "tie_word_embeddings is false");
    assert_eq!(c.norm_weights, NormWeightConvention::Direct);
    assert!((0..c.layers).all(|l| c.sliding_window(l).is_none()));
}

#[test]
fn gemma3_fixture_config_matches_config_json() {
    let json = fixture_json("gemma3-sliding-tied");
    let c = ModelConfig::from_hf(&HfCheckpoint::open(hf_fixture("gemma3-sliding-tied")).unwrap())
        .unwrap();
    assert_eq!(c.layers, n(&json, "num_hidden_layers"));
    assert_eq!(
        (c.embd, c.ff),
        (n(&json, "hidden_size"), n(&json, "intermediate_size"))
    );
    assert_eq!((c.heads, c.kv_heads), (4, 2));
    assert_eq!(
        (c.head_dim, c.vocab),
        (n(&json, "head_dim"), n(&json, "vocab_size"))
    );
    assert_eq!(c.rms_eps, 1e-6);
    assert_eq!(c.rope.pairing, Pairing::Neox);
    assert_eq!(c.rope.frequencies, scaled(1_000_000.0, 1.0));
    let Architecture::Gemma3(swa) = &c.architecture else {
        panic!("expected Gemma 3, got {:?}", c.architecture)
    };
    assert_eq!(swa.window, n(&json, "sliding_window"));
    let types = json["layer_types"].as_array().unwrap();
    let want: Vec<bool> = types.iter().map(|t| t == "sliding_attention").collect();
    assert_eq!(swa.sliding_layers, want);
    assert_eq!(swa.local_rope.frequencies, scaled(10_000.0, 1.0));
    assert_eq!(c.sliding_window(0), Some(8));
    assert_eq!(c.sliding_window(5), None, "layer 6 is global");
    assert_eq!(c.rope_for_layer(0).frequencies, scaled(10_000.0, 1.0));
    assert_eq!(c.rope_for_layer(5).frequencies, scaled(1_000_000.0, 1.0));
    let scalar = json["query_pre_attn_scalar"].as_f64().unwrap();
    assert_eq!(c.attention_scale, (1.0 / scalar.sqrt()) as f32);
    assert_eq!(c.embedding_scale, (64f32).sqrt());
    assert_eq!(c.activation, Activation::GeluTanh);
    assert!(c.qk_norm && c.post_attention_norm && c.post_ffn_norm);
    assert!(c.tied_embeddings);
    assert_eq!(c.norm_weights, NormWeightConvention::OnePlus);
}

/// transformers 4 spells Gemma 3's RoPE as `rope_theta`, `rope_local_base_freq` and
/// `rope_scaling` (global layers only), and the pattern as `sliding_window_pattern`.
#[test]
fn gemma3_transformers4_spelling_with_linear_scaling() {
    let mut json = fixture_json("gemma3-sliding-tied");
    let obj = json.as_object_mut().unwrap();
    obj.remove("rope_parameters");
    obj.remove("layer_types");
    obj.insert("rope_theta".into(), json!(1_000_000.0));
    obj.insert("rope_local_base_freq".into(), json!(10_000.0));
    obj.insert(
        "rope_scaling".into(),
        json!({"rope_type": "linear", "factor": 8.0}),
    );
    obj.insert("sliding_window_pattern".into(), json!(3));
    let (_dir, ckpt) = with_config("gemma3-sliding-tied", &json);
    let c = ModelConfig::from_hf(&ckpt).unwrap();
    let Architecture::Gemma3(swa) = &c.architecture else {
        panic!()
    };
    assert_eq!(swa.sliding_layers, [true, true, false, true, true, false]);
    assert_eq!(c.rope.frequencies, scaled(1_000_000.0, 8.0));
    assert_eq!(
        swa.local_rope.frequencies,
        scaled(10_000.0, 1.0),
        "local layers are unscaled"
    );
}

/// A vision-language checkpoint: the text model's settings under `text_config`.
#[test]
fn gemma3_conditional_generation_reads_text_config() {
    let text = fixture_json("gemma3-sliding-tied");
    let json = json!({"architectures": ["Gemma3ForConditionalGeneration"], "text_config": text});
    let (_dir, ckpt) = with_config("gemma3-sliding-tied", &json);
    let nested = ModelConfig::from_hf(&ckpt).unwrap();
    let flat =
        ModelConfig::from_hf(&HfCheckpoint::open(hf_fixture("gemma3-sliding-tied")).unwrap())
            .unwrap();
    assert_eq!(nested, flat);
}

fn error_of(fixture: &str, edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> ConfigError {
    let mut json = fixture_json(fixture);
    edit(json.as_object_mut().unwrap());
    let (_dir, ckpt) = with_config(fixture, &json);
    ModelConfig::from_hf(&ckpt).unwrap_err()
}

#[test]
fn unsupported_architecture_is_named() {
    let e = error_of("llama-gqa-untied", |o| {
        o.insert("architectures".into(), json!(["Qwen3ForCausalLM"]));
    });
    assert!(
        matches!(&e, ConfigError::UnsupportedArchitecture { architecture, .. } if architecture == "Qwen3ForCausalLM"),
        "{e}"
    );
    assert!(e.to_string().contains("config.json"), "{e}");
}

#[test]
fn missing_key_is_named() {
    let e = error_of("llama-gqa-untied", |o| {
        o.remove("hidden_size");
    });
    assert!(
        matches!(&e, ConfigError::MissingKey { key, .. } if key == "hidden_size"),
        "{e}"
    );
}

#[test]
fn bad_values_are_named() {
    let e = error_of("llama-gqa-untied", |o| {
        o.insert("num_key_value_heads".into(), json!(3));
    });
    assert!(matches!(&e, ConfigError::BadValue { .. }), "{e}");
    let e = error_of("llama-gqa-untied", |o| {
        o.insert("num_hidden_layers".into(), json!("four"));
    });
    assert!(
        matches!(&e, ConfigError::BadValue { key, .. } if key == "num_hidden_layers"),
        "{e}"
    );
    let e = error_of("gemma3-sliding-tied", |o| {
        o.insert(
            "layer_types".into(),
            json!(["sliding_attention", "full_attention"]),
        );
    });
    assert!(
        matches!(&e, ConfigError::BadValue { key, .. } if key == "layer_types"),
        "{e}"
    );
}

#[test]
fn unsupported_features_are_refused() {
    let e = error_of("llama-gqa-untied", |o| {
        o.insert(
            "rope_parameters".into(),
            json!({"rope_type": "yarn", "factor": 4.0, "rope_theta": 1e4}),
        );
    });
    assert!(
        matches!(&e, ConfigError::UnsupportedFeature { value, .. } if value == "yarn"),
        "{e}"
    );
    let e = error_of("llama-gqa-untied", |o| {
        o.insert("attention_bias".into(), json!(true));
    });
    assert!(
        matches!(&e, ConfigError::UnsupportedFeature { key, .. } if key == "attention_bias"),
        "{e}"
    );
    let e = error_of("gemma3-sliding-tied", |o| {
        o.insert("final_logit_softcapping".into(), json!(30.0));
    });
    assert!(matches!(&e, ConfigError::UnsupportedFeature { .. }), "{e}");
}
