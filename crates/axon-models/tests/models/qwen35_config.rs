//! Qwen3.5 configs: both Hugging Face fixtures against their `config.json`, the other spellings
//! (`full_attention_interval`, `Qwen3_5ForConditionalGeneration`), and the same fixtures
//! converted to GGUF as llama.cpp does (tiled value heads when `v_heads > k_heads`).

use crate::config_hf::with_config;
use crate::qwen35_gguf::convert;
use crate::support::{fixture_json, hf_fixture};
use axon_formats::gguf::Value as GgufValue;
use axon_formats::hf::HfCheckpoint;
use axon_models::config::Activation;
use axon_models::config::{
    Architecture, ConfigError, FileFormat, ModelConfig, NormWeightConvention, ValueHeadOrder,
};
use axon_models::config::{Frequencies, Pairing};
use serde_json::{Value, json};

const FIXTURES: [&str; 2] = ["qwen35-grouped-tied", "qwen35-equal-untied"];

fn n(cfg: &Value, key: &str) -> usize {
    cfg[key].as_u64().unwrap() as usize
}

fn hf_config(name: &str) -> ModelConfig {
    ModelConfig::from_hf(&HfCheckpoint::open(hf_fixture(name)).unwrap()).unwrap()
}

#[test]
fn hf_fixture_configs_match_config_json() {
    for name in FIXTURES {
        let json = fixture_json(name);
        let c = hf_config(name);
        assert_eq!(c.file_format, FileFormat::HuggingFace);
        assert_eq!(c.architecture.name(), "qwen35");
        let sizes = (
            c.layers, c.embd, c.ff, c.heads, c.kv_heads, c.head_dim, c.vocab,
        );
        let want = [
            "num_hidden_layers",
            "hidden_size",
            "intermediate_size",
            "num_attention_heads",
            "num_key_value_heads",
            "head_dim",
            "vocab_size",
        ]
        .map(|k| n(&json, k));
        assert_eq!(
            sizes,
            (
                want[0], want[1], want[2], want[3], want[4], want[5], want[6]
            ),
            "{name}"
        );
        assert_eq!(c.rms_eps, 1e-6);
        assert_eq!(
            c.rope.dims,
            n(&json, "head_dim") / 4,
            "partial_rotary_factor 0.25"
        );
        assert_eq!(c.rope.pairing, Pairing::Neox);
        let theta = json["rope_parameters"]["rope_theta"].as_f64().unwrap();
        let freq = Frequencies::Scaled {
            theta,
            linear_scale: 1.0,
        };
        assert_eq!(c.rope.frequencies, freq);
        assert_eq!(c.activation, Activation::Silu);
        assert_eq!(c.attention_scale, 1.0 / (c.head_dim as f32).sqrt());
        assert_eq!(c.embedding_scale, 1.0);
        assert!(c.qk_norm && !c.post_attention_norm && !c.post_ffn_norm);
        let tied = json["tie_word_embeddings"].as_bool().unwrap();
        assert_eq!(c.tied_embeddings, tied, "{name}");
        assert_eq!(c.norm_weights, NormWeightConvention::OnePlus);

        let h = c.deltanet().unwrap();
        let types = json["layer_types"].as_array().unwrap();
        let full: Vec<bool> = types.iter().map(|t| t == "full_attention").collect();
        assert_eq!(h.full_attention, full, "{name}");
        assert_eq!(h.full_attention.iter().filter(|f| **f).count(), 2);
        assert!(c.is_deltanet(0) && !c.is_deltanet(3));
        assert_eq!(h.k_heads, n(&json, "linear_num_key_heads"));
        assert_eq!(h.v_heads, n(&json, "linear_num_value_heads"));
        assert_eq!(h.dk, n(&json, "linear_key_head_dim"));
        assert_eq!(h.dv, n(&json, "linear_value_head_dim"));
        assert_eq!(h.conv_kernel, n(&json, "linear_conv_kernel_dim"));
        assert_eq!(h.conv_dim(), 2 * h.k_heads * h.dk + h.v_heads * h.dv);
        assert_eq!(h.value_head_order, ValueHeadOrder::Grouped);
        assert_eq!(h.l2_norm_eps, 1e-6);
        assert_eq!(c.sliding_window(0), None);
    }
    // The fixtures differ where they should.
    let (grouped, equal) = (hf_config(FIXTURES[0]), hf_config(FIXTURES[1]));
    assert_eq!(grouped.deltanet().unwrap().v_heads, 4);
    assert_eq!(equal.deltanet().unwrap().v_heads, 2);
    assert!(grouped.tied_embeddings && !equal.tied_embeddings);
}

#[test]
fn value_head_orders_map_value_heads_to_key_heads() {
    let c = hf_config(FIXTURES[0]);
    let h = c.deltanet().unwrap();
    assert_eq!(
        (0..4).map(|v| h.key_head(v)).collect::<Vec<_>>(),
        [0, 0, 1, 1]
    );
    let tiled: Vec<usize> = (0..4)
        .map(|v| ValueHeadOrder::Tiled.key_head(v, 2, 4))
        .collect();
    assert_eq!(tiled, [0, 1, 0, 1]);
}

#[test]
fn interval_and_conditional_generation_spellings() {
    let mut text = fixture_json(FIXTURES[0]);
    let obj = text.as_object_mut().unwrap();
    obj.remove("layer_types");
    obj.insert("full_attention_interval".into(), json!(2));
    obj.insert("model_type".into(), json!("qwen3_5_text"));
    obj.remove("architectures");
    obj.remove("tie_word_embeddings");
    let top = json!({
        "architectures": ["Qwen3_5ForConditionalGeneration"],
        "model_type": "qwen3_5",
        "tie_word_embeddings": true,
        "text_config": text,
    });
    let (_dir, ckpt) = with_config(FIXTURES[0], &top);
    let c = ModelConfig::from_hf(&ckpt).unwrap();
    let h = c.deltanet().unwrap();
    let every_second: Vec<bool> = (0..8).map(|i| i % 2 == 1).collect();
    assert_eq!(h.full_attention, every_second);
    assert!(c.tied_embeddings, "top-level tie_word_embeddings");
    assert_eq!(c.embd, 64);
}

#[test]
fn bad_qwen35_configs_are_named() {
    let mut cfg = fixture_json(FIXTURES[0]);
    cfg["layer_types"][2] = json!("sliding_attention");
    let (_dir, ckpt) = with_config(FIXTURES[0], &cfg);
    let e = ModelConfig::from_hf(&ckpt).unwrap_err();
    assert!(
        matches!(&e, ConfigError::BadValue { key, .. } if key == "layer_types"),
        "{e}"
    );

    let mut cfg = fixture_json(FIXTURES[0]);
    cfg["linear_num_value_heads"] = json!(3);
    let (_dir, ckpt) = with_config(FIXTURES[0], &cfg);
    let e = ModelConfig::from_hf(&ckpt).unwrap_err();
    assert!(matches!(&e, ConfigError::BadValue { .. }), "{e}");

    let mut cfg = fixture_json(FIXTURES[0]);
    cfg.as_object_mut().unwrap().remove("linear_key_head_dim");
    let (_dir, ckpt) = with_config(FIXTURES[0], &cfg);
    let e = ModelConfig::from_hf(&ckpt).unwrap_err();
    assert!(
        matches!(&e, ConfigError::MissingKey { key, .. } if key == "linear_key_head_dim"),
        "{e}"
    );
}

#[test]
fn converted_gguf_config_matches_hf_with_tiled_value_heads() {
    for name in FIXTURES {
        let ckpt = HfCheckpoint::open(hf_fixture(name)).unwrap();
        let hf = hf_config(name);
        let file = convert(&ckpt, &[], &[]);
        let gguf = ModelConfig::from_gguf(&file).unwrap();
        let mut want = hf.clone();
        want.file_format = FileFormat::Gguf;
        want.norm_weights = NormWeightConvention::Direct;
        let Architecture::Qwen35(h) = &mut want.architecture else {
            panic!("{name}: not qwen35")
        };
        if h.v_heads > h.k_heads {
            h.value_head_order = ValueHeadOrder::Tiled;
        }
        assert_eq!(gguf, want, "{name}");
    }
    let ckpt = HfCheckpoint::open(hf_fixture(FIXTURES[0])).unwrap();
    let file = convert(&ckpt, &[], &[]);
    let order = ModelConfig::from_gguf(&file)
        .unwrap()
        .deltanet()
        .unwrap()
        .value_head_order;
    assert_eq!(order, ValueHeadOrder::Tiled);
}

#[test]
fn gguf_multi_token_prediction_layers_are_not_model_layers() {
    let ckpt = HfCheckpoint::open(hf_fixture(FIXTURES[1])).unwrap();
    let hf = hf_config(FIXTURES[1]);
    let extra = [
        ("qwen35.block_count", GgufValue::U32(9)),
        ("qwen35.nextn_predict_layers", GgufValue::U32(1)),
    ];
    let c = ModelConfig::from_gguf(&convert(&ckpt, &[], &extra)).unwrap();
    assert_eq!(c.layers, 8);
    assert_eq!(
        c.deltanet().unwrap().full_attention,
        hf.deltanet().unwrap().full_attention
    );

    let extra = [("qwen35.ssm.inner_size", GgufValue::U32(33))];
    let e = ModelConfig::from_gguf(&convert(&ckpt, &[], &extra)).unwrap_err();
    assert!(
        matches!(&e, ConfigError::BadValue { key, .. } if key == "qwen35.ssm.inner_size"),
        "{e}"
    );
}
