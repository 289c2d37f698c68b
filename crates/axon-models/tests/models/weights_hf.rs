//! The committed Hugging Face fixtures on the GPU: every tensor uploaded once, fused rows
//! equal to their sources, Gemma's `1 +` applied, the tied output not uploaded twice.

use crate::support::{assert_close, cpu_column, gpu, gpu_column, hf_fixture};
use axon_formats::hf::HfCheckpoint;
use axon_models::config::ModelConfig;
use axon_models::weights::{
    GateUpProjection, ModelWeights, QkvProjection, WeightLayout, WeightManifest,
};

fn open(name: &str) -> (HfCheckpoint, ModelConfig) {
    let ckpt = HfCheckpoint::open(hf_fixture(name)).unwrap();
    let config = ModelConfig::from_hf(&ckpt).unwrap();
    (ckpt, config)
}

/// Bytes of every tensor in the checkpoint (all are used and all are F32, so the GPU holds
/// exactly these bytes, fused or not).
fn checkpoint_bytes(ckpt: &HfCheckpoint) -> u64 {
    ckpt.names()
        .map(|n| ckpt.tensor(n).unwrap().data.len() as u64)
        .sum()
}

/// Column `col` of the named source matrices stacked in order.
fn source_column(ckpt: &HfCheckpoint, names: &[String], col: usize) -> Vec<f32> {
    names
        .iter()
        .flat_map(|n| {
            let t = ckpt.tensor(n).unwrap();
            cpu_column(t.ty, t.data, t.shape[0], t.shape[1], col)
        })
        .collect()
}

#[test]
fn llama_fixture_uploads_fused_rows_in_order() {
    let (ckpt, config) = open("llama-gqa-untied");
    let weights = ModelWeights::load(gpu(), &ckpt, &config, WeightLayout::FUSED).unwrap();
    assert_eq!(weights.layers().len(), config.layers);
    assert!(!weights.output_is_tied());
    assert!(weights.conversions().is_empty() && weights.fusion_fallbacks().is_empty());
    assert_eq!(weights.weight_bytes(), checkpoint_bytes(&ckpt));
    let manifest = WeightManifest::new(&ckpt, &config, WeightLayout::FUSED, u64::MAX).unwrap();
    assert_eq!(manifest.gpu_bytes(), weights.weight_bytes());

    for (l, layer) in weights.layers().iter().enumerate() {
        let p = |s: &str| format!("model.layers.{l}.{s}.weight");
        let QkvProjection::Fused(qkv) = &layer.attention().unwrap().qkv else {
            panic!("layer {l}: QKV not fused")
        };
        assert_eq!(
            (qkv.rows(), qkv.cols()),
            (config.q_dim() + 2 * config.kv_dim(), config.embd)
        );
        let GateUpProjection::Fused(gate_up) = &layer.gate_up else {
            panic!("layer {l}")
        };
        assert_eq!(gate_up.rows(), 2 * config.ff);
        let qkv_names = [
            p("self_attn.q_proj"),
            p("self_attn.k_proj"),
            p("self_attn.v_proj"),
        ];
        let ffn_names = [p("mlp.gate_proj"), p("mlp.up_proj")];
        for col in [0, 17, config.embd - 1] {
            let want = source_column(&ckpt, &qkv_names, col);
            assert_close(
                &format!("layer {l} qkv column {col}"),
                &gpu_column(qkv, col),
                &want,
                0.0,
            );
            let want = source_column(&ckpt, &ffn_names, col);
            assert_close(
                &format!("layer {l} gate_up column {col}"),
                &gpu_column(gate_up, col),
                &want,
                0.0,
            );
        }
        // Llama's norms are used as stored.
        let stored = ckpt.tensor(&p("input_layernorm")).unwrap();
        let stored = axon_formats::quant::dequantize(stored.ty, stored.data, config.embd).unwrap();
        assert_eq!(gpu().read_f32(&layer.attn_norm).unwrap(), stored);
        assert!(layer.attention().unwrap().q_norm.is_none() && layer.post_attention_norm.is_none());
    }
}

#[test]
fn llama_fixture_separate_layout_keeps_three_matrices() {
    let (ckpt, config) = open("llama-gqa-untied");
    let weights = ModelWeights::load(gpu(), &ckpt, &config, WeightLayout::SEPARATE).unwrap();
    assert_eq!(weights.weight_bytes(), checkpoint_bytes(&ckpt));
    let layer = &weights.layers()[1];
    let QkvProjection::Separate { q, k, v } = &layer.attention().unwrap().qkv else {
        panic!("QKV fused")
    };
    assert_eq!(
        (q.rows(), k.rows(), v.rows()),
        (config.q_dim(), config.kv_dim(), config.kv_dim())
    );
    let want = source_column(&ckpt, &["model.layers.1.self_attn.k_proj.weight".into()], 5);
    assert_close("k column 5", &gpu_column(k, 5), &want, 0.0);
    assert!(matches!(layer.gate_up, GateUpProjection::Separate { .. }));
}

#[test]
fn gemma3_fixture_is_tied_and_norms_get_their_one() {
    let (ckpt, config) = open("gemma3-sliding-tied");
    let weights = ModelWeights::load(gpu(), &ckpt, &config, WeightLayout::FUSED).unwrap();
    assert!(weights.output_is_tied());
    assert!(
        std::ptr::eq(weights.output(), weights.token_embedding()),
        "one upload serves both"
    );
    assert_eq!(
        weights.weight_bytes(),
        checkpoint_bytes(&ckpt),
        "no lm_head uploaded"
    );
    let plus_one = |name: &str, len: usize| -> Vec<f32> {
        let t = ckpt.tensor(name).unwrap();
        let w = axon_formats::quant::dequantize(t.ty, t.data, len).unwrap();
        w.iter().map(|v| v + 1.0).collect()
    };
    for (l, layer) in weights.layers().iter().enumerate() {
        let p = |s: &str| format!("model.layers.{l}.{s}.weight");
        let read =
            |b: &Option<axon_gpu::DeviceBuffer>| gpu().read_f32(b.as_ref().unwrap()).unwrap();
        let (e, hd) = (config.embd, config.head_dim);
        assert_eq!(
            read(&layer.attention().unwrap().q_norm),
            plus_one(&p("self_attn.q_norm"), hd)
        );
        assert_eq!(
            read(&layer.attention().unwrap().k_norm),
            plus_one(&p("self_attn.k_norm"), hd)
        );
        assert_eq!(
            read(&layer.post_attention_norm),
            plus_one(&p("post_attention_layernorm"), e)
        );
        assert_eq!(
            read(&layer.post_ffn_norm),
            plus_one(&p("post_feedforward_layernorm"), e)
        );
        let ffn_norm = gpu().read_f32(&layer.ffn_norm).unwrap();
        assert_eq!(ffn_norm, plus_one(&p("pre_feedforward_layernorm"), e));
    }
    let output_norm = gpu().read_f32(weights.output_norm()).unwrap();
    assert_eq!(output_norm, plus_one("model.norm.weight", config.embd));
}

#[test]
fn weights_answer_to_the_decoder_plan_names() {
    let (ckpt, config) = open("gemma3-sliding-tied");
    let fused = ModelWeights::load(gpu(), &ckpt, &config, WeightLayout::FUSED).unwrap();
    let layer = &fused.layers()[2];
    let QkvProjection::Fused(qkv) = &layer.attention().unwrap().qkv else {
        panic!("QKV not fused")
    };
    assert!(std::ptr::eq(fused.matrix("blk.2.attn_qkv").unwrap(), qkv));
    assert!(
        fused.matrix("blk.2.attn_q").is_none(),
        "fused layers have no attn_q"
    );
    assert!(
        fused.matrix("blk.2.ffn_gate_up").is_some() && fused.matrix("blk.2.ffn_down").is_some()
    );
    assert!(
        fused.matrix("output").is_none(),
        "tied: the plan reads token_embd"
    );
    assert!(std::ptr::eq(
        fused.matrix("token_embd").unwrap(),
        fused.token_embedding()
    ));
    for stem in [
        "attn_norm",
        "attn_q_norm",
        "attn_k_norm",
        "post_attention_norm",
        "ffn_norm",
        "post_ffw_norm",
    ] {
        assert!(fused.vector(&format!("blk.5.{stem}")).is_some(), "{stem}");
    }
    assert!(fused.vector("output_norm").is_some());
    assert!(fused.vector("blk.6.attn_norm").is_none(), "6 layers");
    assert!(fused.matrix("blk.x.attn_qkv").is_none());

    let separate = ModelWeights::load(gpu(), &ckpt, &config, WeightLayout::SEPARATE).unwrap();
    for stem in ["attn_q", "attn_k", "attn_v", "ffn_gate", "ffn_up"] {
        assert!(
            separate.matrix(&format!("blk.0.{stem}")).is_some(),
            "{stem}"
        );
    }
    assert!(separate.matrix("blk.0.attn_qkv").is_none());
}
