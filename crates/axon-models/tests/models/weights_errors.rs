//! Synthetic GGUFs with one tensor wrong: each error names the tensor; formats no kernel
//! decodes are converted (and recorded); fusions that cannot happen are recorded.

use crate::support::{EMBD, FF, KV, TinyLlama, assert_close, cpu_column, gpu, gpu_column};
use axon_formats::gguf::GgufFile;
use axon_formats::hf::HfCheckpoint;
use axon_formats::quant::GgmlType;
use axon_models::config::ModelConfig;
use axon_models::weights::{
    FallbackReason, FormatConversion, FusedGroup, FusionFallback, GateUpProjection, ModelWeights,
    QkvProjection, WeightLayout, WeightManifest, WeightsError,
};

fn load(file: &GgufFile, layout: WeightLayout) -> Result<ModelWeights, WeightsError> {
    let config = ModelConfig::from_gguf(file).unwrap();
    ModelWeights::load(gpu(), file, &config, layout)
}

#[test]
fn missing_tensor_is_named() {
    let file = TinyLlama::new().without("blk.0.attn_k.weight").build();
    let e = load(&file, WeightLayout::FUSED).unwrap_err();
    assert!(
        matches!(&e, WeightsError::MissingTensor { tensor, .. } if tensor == "blk.0.attn_k.weight"),
        "{e}"
    );
    assert!(
        e.to_string().contains("blk.0.attn_k.weight") && e.to_string().contains("tiny-llama.gguf")
    );
}

#[test]
fn wrong_shape_is_named_with_both_shapes() {
    let file = TinyLlama::new()
        .with("blk.0.ffn_up.weight", GgmlType::F32, &[EMBD, FF + 1])
        .build();
    let e = load(&file, WeightLayout::FUSED).unwrap_err();
    match &e {
        WeightsError::Shape {
            tensor,
            expected,
            got,
            ..
        } => {
            assert_eq!(tensor, "blk.0.ffn_up.weight");
            assert_eq!(expected, &[FF as usize, EMBD as usize]);
            assert_eq!(got, &[FF as usize + 1, EMBD as usize]);
        }
        other => panic!("expected a shape error, got {other}"),
    }
}

#[test]
fn undecodable_format_is_named() {
    let file = TinyLlama::new()
        .with("blk.0.attn_output.weight", GgmlType::Q8_1, &[EMBD, EMBD])
        .build();
    let e = load(&file, WeightLayout::FUSED).unwrap_err();
    assert!(
        matches!(&e, WeightsError::UnsupportedDtype { tensor, dtype: "Q8_1", .. } if tensor == "blk.0.attn_output.weight"),
        "{e}"
    );
    // The message lists what is supported.
    let message = e.to_string();
    assert!(
        message.contains("Q4_K") && message.contains("IQ4_XS"),
        "{message}"
    );
}

/// Q5_1 and IQ4_NL have no kernel: they become Q8_0 at load, recorded; three converted
/// matrices share Q8_0 and still fuse.
#[test]
fn other_formats_are_converted_to_q8_0_and_recorded() {
    let file = TinyLlama::new()
        .with("blk.0.attn_q.weight", GgmlType::Q5_1, &[EMBD, EMBD])
        .with("blk.0.attn_k.weight", GgmlType::Q5_1, &[EMBD, KV])
        .with("blk.0.attn_v.weight", GgmlType::Q8_0, &[EMBD, KV])
        .with("blk.0.ffn_down.weight", GgmlType::Iq4Nl, &[FF, EMBD])
        .build();
    let weights = load(&file, WeightLayout::FUSED).unwrap();
    let converted = |tensor: &str, from| FormatConversion {
        tensor: tensor.into(),
        from,
        to: GgmlType::Q8_0,
    };
    assert_eq!(
        weights.conversions(),
        [
            converted("blk.0.attn_q.weight", GgmlType::Q5_1),
            converted("blk.0.attn_k.weight", GgmlType::Q5_1),
            converted("blk.0.ffn_down.weight", GgmlType::Iq4Nl),
        ]
    );
    let layer = &weights.layers()[0];
    let QkvProjection::Fused(qkv) = &layer.attention().unwrap().qkv else {
        panic!("QKV not fused")
    };
    assert_eq!(qkv.ty(), GgmlType::Q8_0);
    assert_eq!(layer.ffn_down.ty(), GgmlType::Q8_0);
    for col in [0, 31] {
        let want: Vec<f32> = [("attn_q", EMBD), ("attn_k", KV), ("attn_v", KV)]
            .iter()
            .flat_map(|(s, rows)| {
                let t = file.tensor(&format!("blk.0.{s}.weight")).unwrap();
                cpu_column(t.info.ty, t.data, *rows as usize, EMBD as usize, col)
            })
            .collect();
        // Q8_0's error bound: half a step of amax/127, plus the f16 scale's rounding.
        assert_close(
            &format!("qkv column {col}"),
            &gpu_column(qkv, col),
            &want,
            1.0 / 200.0,
        );
        let t = file.tensor("blk.0.ffn_down.weight").unwrap();
        let want = cpu_column(t.info.ty, t.data, EMBD as usize, FF as usize, col);
        assert_close(
            &format!("ffn_down column {col}"),
            &gpu_column(&layer.ffn_down, col),
            &want,
            1.0 / 200.0,
        );
    }
}

#[test]
fn mixed_formats_stay_separate_and_are_recorded() {
    let file = TinyLlama::new()
        .with("blk.0.attn_v.weight", GgmlType::F16, &[EMBD, KV])
        .with("blk.0.ffn_up.weight", GgmlType::Q8_0, &[EMBD, FF])
        .build();
    let weights = load(&file, WeightLayout::FUSED).unwrap();
    let fallback = |group, types: &[GgmlType]| FusionFallback {
        layer: 0,
        group,
        reason: FallbackReason::MixedFormats(types.to_vec()),
    };
    use GgmlType::{F16, F32, Q8_0};
    assert_eq!(
        weights.fusion_fallbacks(),
        [
            fallback(FusedGroup::Qkv, &[F32, F32, F16]),
            fallback(FusedGroup::GateUp, &[F32, Q8_0])
        ]
    );
    let layer = &weights.layers()[0];
    assert!(matches!(
        layer.attention().unwrap().qkv,
        QkvProjection::Separate { .. }
    ));
    assert!(matches!(layer.gate_up, GateUpProjection::Separate { .. }));
}

#[test]
fn binding_limit_is_a_typed_error_and_a_fusion_fallback() {
    let file = TinyLlama::new().build();
    let config = ModelConfig::from_gguf(&file).unwrap();
    // The FFN gate and up are 64 x 32 f32 = 8192 bytes each; fused 16384.
    let manifest = WeightManifest::new(&file, &config, WeightLayout::FUSED, 8192).unwrap();
    let too_large = FallbackReason::TooLargeForBinding {
        bytes: 16384,
        max: 8192,
    };
    assert!(
        manifest
            .fusion_fallbacks()
            .iter()
            .any(|f| f.group == FusedGroup::GateUp && f.reason == too_large)
    );
    // 4096 bytes: the gate alone is over the limit.
    let e = WeightManifest::new(&file, &config, WeightLayout::FUSED, 4096).unwrap_err();
    assert!(
        matches!(&e, WeightsError::TooLargeForBinding { tensor, bytes: 8192, max: 4096 } if tensor == "blk.0.ffn_gate.weight"),
        "{e}"
    );
}

#[test]
fn config_and_tensors_from_different_formats_are_refused() {
    let ckpt = HfCheckpoint::open(crate::support::hf_fixture("llama-gqa-untied")).unwrap();
    let hf_config = ModelConfig::from_hf(&ckpt).unwrap();
    let file = TinyLlama::new().build();
    let e = WeightManifest::new(&file, &hf_config, WeightLayout::FUSED, u64::MAX).unwrap_err();
    assert!(matches!(e, WeightsError::FormatMismatch { .. }), "{e}");
}
