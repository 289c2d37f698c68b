//! Qwen3.5 weights on the GPU from both Hugging Face fixtures and their llama.cpp-style GGUF
//! conversions: every plan name answers with the right shape, vectors hold the transformed
//! values (`1 + w`, `-exp(A_log)`, conv taps `[channel][tap]`), and a missing Gated DeltaNet
//! tensor is named.

use crate::config_hf::with_config;
use crate::qwen35_gguf::{convert, f32s};
use crate::support::{assert_close, cpu_column, fixture_json, gpu, gpu_column, hf_fixture};
use axon_formats::hf::HfCheckpoint;
use axon_models::config::ModelConfig;
use axon_models::weights::{Mixer, ModelWeights, WeightLayout, WeightManifest, WeightsError};
use serde_json::json;

const FIXTURES: [&str; 2] = ["qwen35-grouped-tied", "qwen35-equal-untied"];

fn open(name: &str) -> (HfCheckpoint, ModelConfig) {
    let ckpt = HfCheckpoint::open(hf_fixture(name)).unwrap();
    let config = ModelConfig::from_hf(&ckpt).unwrap();
    (ckpt, config)
}

fn read(weights: &ModelWeights, name: &str) -> Vec<f32> {
    let buffer = weights
        .vector(name)
        .unwrap_or_else(|| panic!("no vector {name}"));
    gpu().read_f32(buffer).unwrap()
}

/// Every name the plan asks for answers with the shape the config implies, and no other.
fn check_names(weights: &ModelWeights, c: &ModelConfig) {
    let h = c.deltanet().unwrap();
    let shape = |name: &str| {
        let m = weights
            .matrix(name)
            .unwrap_or_else(|| panic!("no matrix {name}"));
        (m.rows(), m.cols())
    };
    assert_eq!(weights.layers().len(), c.layers);
    for l in 0..c.layers {
        let b = |s: &str| format!("blk.{l}.{s}");
        assert_eq!(read(weights, &b("attn_norm")).len(), c.embd);
        assert_eq!(read(weights, &b("ffn_norm")).len(), c.embd);
        assert_eq!(shape(&b("ffn_gate_up")), (2 * c.ff, c.embd));
        assert_eq!(shape(&b("ffn_down")), (c.embd, c.ff));
        let layer = &weights.layers()[l];
        if h.full_attention[l] {
            assert!(matches!(layer.mixer, Mixer::GatedAttention(_)), "layer {l}");
            assert_eq!(shape(&b("attn_q_gate")), (2 * c.q_dim(), c.embd));
            assert_eq!(shape(&b("attn_k")), (c.kv_dim(), c.embd));
            assert_eq!(shape(&b("attn_v")), (c.kv_dim(), c.embd));
            assert_eq!(shape(&b("attn_output")), (c.embd, c.q_dim()));
            assert_eq!(read(weights, &b("attn_q_norm")).len(), c.head_dim);
            assert_eq!(read(weights, &b("attn_k_norm")).len(), c.head_dim);
            for absent in ["attn_qkv", "attn_q", "ssm_in_qkv"] {
                assert!(
                    weights.matrix(&b(absent)).is_none(),
                    "{absent} in layer {l}"
                );
            }
        } else {
            assert!(matches!(layer.mixer, Mixer::DeltaNet(_)), "layer {l}");
            assert_eq!(shape(&b("ssm_in_qkv")), (h.conv_dim(), c.embd));
            assert_eq!(shape(&b("ssm_in_z")), (h.value_dim(), c.embd));
            assert_eq!(shape(&b("ssm_in_b")), (h.v_heads, c.embd));
            assert_eq!(shape(&b("ssm_in_a")), (h.v_heads, c.embd));
            assert_eq!(shape(&b("ssm_out")), (c.embd, h.value_dim()));
            let conv = read(weights, &b("ssm_conv1d"));
            assert_eq!(conv.len(), h.conv_dim() * h.conv_kernel);
            assert_eq!(read(weights, &b("ssm_a")).len(), h.v_heads);
            assert_eq!(read(weights, &b("ssm_dt_bias")).len(), h.v_heads);
            assert_eq!(read(weights, &b("ssm_norm")).len(), h.dv);
            assert!(weights.matrix(&b("attn_q_gate")).is_none());
            assert!(weights.vector(&b("attn_q_norm")).is_none());
        }
    }
    assert_eq!(weights.output_is_tied(), c.tied_embeddings);
    assert_eq!(weights.matrix("output").is_none(), c.tied_embeddings);
}

#[test]
fn hf_fixtures_load_with_plan_names_and_transforms() {
    for name in FIXTURES {
        let (ckpt, c) = open(name);
        let weights = ModelWeights::load(gpu(), &ckpt, &c, WeightLayout::FUSED).unwrap();
        check_names(&weights, &c);
        assert!(weights.conversions().is_empty() && weights.fusion_fallbacks().is_empty());
        let manifest = WeightManifest::new(&ckpt, &c, WeightLayout::FUSED, u64::MAX).unwrap();
        assert_eq!(manifest.gpu_bytes(), weights.weight_bytes());
        let all: u64 = ckpt
            .names()
            .map(|n| ckpt.tensor(n).unwrap().data.len() as u64)
            .sum();
        assert_eq!(weights.weight_bytes(), all, "{name}: every F32 tensor once");

        let get = |s: &str| f32s(&ckpt, s);
        let plus_one = |s: &str| get(s).iter().map(|w| w + 1.0).collect::<Vec<_>>();
        let l0 = |s: &str| format!("model.layers.0.{s}");
        assert_eq!(
            read(&weights, "blk.0.attn_norm"),
            plus_one(&l0("input_layernorm.weight"))
        );
        let post = plus_one(&l0("post_attention_layernorm.weight"));
        assert_eq!(read(&weights, "blk.0.ffn_norm"), post);
        assert_eq!(read(&weights, "output_norm"), plus_one("model.norm.weight"));
        let q_norm = plus_one("model.layers.3.self_attn.q_norm.weight");
        assert_eq!(read(&weights, "blk.3.attn_q_norm"), q_norm);
        let a: Vec<f32> = get(&l0("linear_attn.A_log"))
            .iter()
            .map(|x| -x.exp())
            .collect();
        // The loader takes exp in f64 and rounds once; here it is f32 exp: 1 ULP apart at most.
        assert_close("ssm_a", &read(&weights, "blk.0.ssm_a"), &a, 1e-6);
        assert!(a.iter().all(|&v| v < 0.0));
        // [conv_dim, 1, kernel] row-major is [channel][tap], oldest tap first.
        assert_eq!(
            read(&weights, "blk.0.ssm_conv1d"),
            get(&l0("linear_attn.conv1d.weight"))
        );
        assert_eq!(
            read(&weights, "blk.0.ssm_norm"),
            get(&l0("linear_attn.norm.weight"))
        );
        assert_eq!(
            read(&weights, "blk.0.ssm_dt_bias"),
            get(&l0("linear_attn.dt_bias"))
        );

        // attn_q_gate is q_proj as stored: per head, query rows then gate rows.
        let q = ckpt
            .tensor("model.layers.3.self_attn.q_proj.weight")
            .unwrap();
        let m = weights.matrix("blk.3.attn_q_gate").unwrap();
        let want = cpu_column(q.ty, q.data, q.shape[0], q.shape[1], 5);
        // F32 weights times a one-hot vector: the sum of one product and zeros is exact.
        assert_close("attn_q_gate", &gpu_column(m, 5), &want, 0.0);
    }
}

#[test]
fn separate_layout_keeps_ffn_apart() {
    let (ckpt, c) = open(FIXTURES[1]);
    let weights = ModelWeights::load(gpu(), &ckpt, &c, WeightLayout::SEPARATE).unwrap();
    for name in [
        "blk.0.ffn_gate",
        "blk.0.ffn_up",
        "blk.3.attn_q_gate",
        "blk.0.ssm_in_qkv",
    ] {
        assert!(weights.matrix(name).is_some(), "{name}");
    }
    assert!(weights.matrix("blk.0.ffn_gate_up").is_none());
}

#[test]
fn converted_gguf_loads_with_tiled_values_as_stored() {
    for name in FIXTURES {
        let (ckpt, hf) = open(name);
        let file = convert(&ckpt, &[], &[]);
        let c = ModelConfig::from_gguf(&file).unwrap();
        let weights = ModelWeights::load(gpu(), &file, &c, WeightLayout::FUSED).unwrap();
        check_names(&weights, &c);
        let hf_weights = ModelWeights::load(gpu(), &ckpt, &hf, WeightLayout::FUSED).unwrap();
        assert_eq!(weights.weight_bytes(), hf_weights.weight_bytes(), "{name}");
        // Norms: GGUF stores 1 + w, HF gets it added: the same factors on the GPU.
        for v in [
            "blk.0.attn_norm",
            "blk.3.attn_k_norm",
            "blk.4.ffn_norm",
            "output_norm",
        ] {
            // `1 + w`, rounded to f32 once on each side (the converter, the HF loader).
            assert_close(v, &read(&weights, v), &read(&hf_weights, v), 1e-6);
        }
        // Value-side vectors in the file's (tiled) order, untouched.
        let h = c.deltanet().unwrap();
        let r = h.v_heads / h.k_heads;
        let hf_head = |t: usize| (t % h.k_heads) * r + t / h.k_heads;
        let (a, hf_a) = (
            read(&weights, "blk.0.ssm_a"),
            read(&hf_weights, "blk.0.ssm_a"),
        );
        let want: Vec<f32> = (0..h.v_heads).map(|t| hf_a[hf_head(t)]).collect();
        // -exp(A_log): f32 in the converter, f64 rounded once in the HF loader.
        assert_close("ssm_a", &a, &want, 1e-6);
        let stored = file.tensor("blk.0.ssm_a").unwrap();
        let stored = axon_formats::quant::dequantize(stored.info.ty, stored.data, h.v_heads);
        assert_eq!(a, stored.unwrap());
        let conv = read(&weights, "blk.0.ssm_conv1d");
        let hf_conv = read(&hf_weights, "blk.0.ssm_conv1d");
        let k = h.conv_kernel;
        let qk = 2 * h.key_dim() * k;
        assert_eq!(
            conv[..qk],
            hf_conv[..qk],
            "{name}: Q/K channels are not reordered"
        );
        for t in 0..h.v_heads {
            let (dst, src) = (qk + t * h.dv * k, qk + hf_head(t) * h.dv * k);
            assert_eq!(
                conv[dst..dst + h.dv * k],
                hf_conv[src..src + h.dv * k],
                "head {t}"
            );
        }
    }
}

#[test]
fn missing_delta_net_tensors_are_named() {
    let (ckpt, _) = open(FIXTURES[0]);
    let file = convert(&ckpt, &["blk.4.ssm_dt.bias"], &[]);
    let c = ModelConfig::from_gguf(&file).unwrap();
    let e = ModelWeights::load(gpu(), &file, &c, WeightLayout::FUSED).unwrap_err();
    assert!(
        matches!(&e, WeightsError::MissingTensor { tensor, .. } if tensor == "blk.4.ssm_dt.bias"),
        "{e}"
    );
    assert!(e.to_string().contains("blk.4.ssm_dt.bias"), "{e}");

    // A config that calls full-attention layer 3 linear: its Gated DeltaNet tensors are missing.
    let mut cfg = fixture_json(FIXTURES[0]);
    cfg["layer_types"][3] = json!("linear_attention");
    let (_dir, ckpt) = with_config(FIXTURES[0], &cfg);
    let c = ModelConfig::from_hf(&ckpt).unwrap();
    let e = WeightManifest::new(&ckpt, &c, WeightLayout::FUSED, u64::MAX).unwrap_err();
    let want = "model.layers.3.linear_attn.in_proj_qkv.weight";
    assert!(
        matches!(&e, WeightsError::MissingTensor { tensor, .. } if tensor == want),
        "{e}"
    );
}
