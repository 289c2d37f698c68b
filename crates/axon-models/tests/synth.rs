//! `axon_models::synth` on the CPU: preset sizes against the published parameter counts, and
//! the Q4_K_M type of every tensor against what llama.cpp's `llama-quantize` (2026-10) wrote
//! for the same shapes.

use axon_formats::quant::GgmlType;
use axon_models::synth::tensors::tensors;
use axon_models::synth::{PRESETS, Preset, QuantMix, mix::assign, preset};

fn types(p: &Preset, mix: QuantMix) -> Vec<(String, GgmlType)> {
    let t = tensors(p);
    let ty = assign(&t, mix);
    t.into_iter().map(|t| t.name).zip(ty).collect()
}

fn type_of(all: &[(String, GgmlType)], name: &str) -> GgmlType {
    all.iter()
        .find(|(n, _)| n == name)
        .map(|(_, t)| *t)
        .unwrap_or_else(|| panic!("no tensor {name}"))
}

/// Blocks whose `suffix` tensor is Q6_K.
fn q6_layers(all: &[(String, GgmlType)], suffix: &str) -> Vec<usize> {
    all.iter()
        .filter(|(n, t)| n.ends_with(suffix) && *t == GgmlType::Q6K)
        .filter_map(|(n, _)| n.split('.').nth(1)?.parse().ok())
        .collect()
}

#[test]
fn presets_have_their_published_sizes() {
    let billions = |name: &str| preset(name).unwrap().parameters() as f64 / 1e9;
    for (name, want) in [
        ("llama3-8b", 8.03),
        ("smollm2-135m", 0.135),
        ("gemma3-270m", 0.268),
        ("qwen35-0.8b", 0.75),
        ("qwen35-27b", 26.9),
    ] {
        let got = billions(name);
        assert!(
            (got - want).abs() <= 0.03 * want,
            "{name}: {got:.3} B, published {want} B"
        );
    }
    // Sizes the spec marks unconfirmed: at least in the right class.
    for (name, lo, hi) in [
        ("qwen35-2b", 1.5, 2.5),
        ("qwen35-4b", 3.5, 5.0),
        ("qwen35-9b", 8.0, 10.0),
    ] {
        let got = billions(name);
        assert!((lo..=hi).contains(&got), "{name}: {got:.2} B");
    }
    assert_eq!(PRESETS.len(), 8);
}

#[test]
fn q4_k_m_keeps_more_bits_where_llama_quantize_does() {
    // llama-quantize on a 16-block qwen35 (one shared counter over attn_qkv and attn_v):
    // blocks 0, 1, 4, 7, 10, 13, 14, 15 got Q6_K, the others Q4_K.
    let mut p = *preset("qwen35-0.8b").unwrap();
    p.layers = 16;
    let all = types(&p, QuantMix::Q4KM);
    let more = vec![0, 1, 4, 7, 10, 13, 14, 15];
    let mut v = q6_layers(&all, "attn_qkv.weight");
    v.extend(q6_layers(&all, "attn_v.weight"));
    v.sort_unstable();
    assert_eq!(v, more, "attn_qkv / attn_v");
    assert_eq!(q6_layers(&all, "ffn_down.weight"), more, "ffn_down");
    assert_eq!(
        type_of(&all, "token_embd.weight"),
        GgmlType::Q6K,
        "tied output"
    );
    for name in [
        "blk.2.attn_gate.weight",
        "blk.2.ssm_out.weight",
        "blk.2.ssm_alpha.weight",
        "blk.3.attn_q.weight",
        "blk.3.attn_output.weight",
        "blk.5.ffn_up.weight",
    ] {
        assert_eq!(type_of(&all, name), GgmlType::Q4K, "{name}");
    }
    for name in [
        "blk.0.ssm_conv1d.weight",
        "blk.0.ssm_a",
        "blk.0.ssm_dt.bias",
        "blk.0.ssm_norm.weight",
        "blk.3.attn_q_norm.weight",
        "output_norm.weight",
    ] {
        assert_eq!(type_of(&all, name), GgmlType::F32, "{name}");
    }

    // gemma3-270m: 640-wide rows fall back (Q4_K -> Q5_0, Q6_K -> Q8_0); 2048- and 1024-wide
    // ones keep their k-quant.
    let all = types(preset("gemma3-270m").unwrap(), QuantMix::Q4KM);
    assert_eq!(type_of(&all, "token_embd.weight"), GgmlType::Q8_0);
    for name in [
        "blk.5.attn_q.weight",
        "blk.5.attn_k.weight",
        "blk.5.ffn_gate.weight",
        "blk.5.ffn_up.weight",
    ] {
        assert_eq!(type_of(&all, name), GgmlType::Q5_0, "{name}");
    }
    assert_eq!(type_of(&all, "blk.0.attn_v.weight"), GgmlType::Q8_0);
    assert_eq!(type_of(&all, "blk.3.attn_v.weight"), GgmlType::Q5_0);
    assert_eq!(type_of(&all, "blk.0.ffn_down.weight"), GgmlType::Q6K);
    assert_eq!(type_of(&all, "blk.3.ffn_down.weight"), GgmlType::Q4K);
    assert_eq!(type_of(&all, "blk.3.attn_output.weight"), GgmlType::Q4K);

    // An untied model: the output matrix gets Q6_K, the embedding the base type.
    let all = types(preset("llama3-8b").unwrap(), QuantMix::Q4KM);
    assert_eq!(type_of(&all, "output.weight"), GgmlType::Q6K);
    assert_eq!(type_of(&all, "token_embd.weight"), GgmlType::Q4K);
}

#[test]
fn q8_0_and_f16_quantize_every_matrix_and_keep_vectors_f32() {
    for (mix, ty) in [
        (QuantMix::Q8_0, GgmlType::Q8_0),
        (QuantMix::F16, GgmlType::F16),
    ] {
        for p in PRESETS {
            let t = tensors(p);
            for (t, got) in t.iter().zip(assign(&t, mix)) {
                let vector = t.dims.len() < 2 || t.name.contains("ssm_conv1d");
                let want = if vector { GgmlType::F32 } else { ty };
                assert_eq!(got, want, "{} {} in {}", p.name, t.name, mix.name());
            }
        }
    }
}
