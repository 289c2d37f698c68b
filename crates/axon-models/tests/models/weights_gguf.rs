//! The real GGUFs of `models/` on the GPU: SmolLM2 uploads whole; Gemma 3's embedding is
//! larger than lavapipe's 128 MiB binding, so there the loader must refuse it by name.

use crate::support::{assert_close, cpu_column, gpu, gpu_column, real_model};
use axon_formats::gguf::GgufFile;
use axon_models::config::ModelConfig;
use axon_models::weights::{
    FallbackReason, FusedGroup, ModelWeights, QkvProjection, WeightLayout, WeightManifest,
    WeightsError,
};

/// Bytes of every tensor in the file.
fn file_tensor_bytes(file: &GgufFile) -> u64 {
    file.tensors().iter().map(|t| t.size).sum()
}

#[test]
fn smollm2_uploads_every_tensor_once() {
    let file = real_model("SmolLM2-135M-Instruct.Q4_1.gguf");
    let config = ModelConfig::from_gguf(&file).unwrap();
    let weights = ModelWeights::load(gpu(), &file, &config, WeightLayout::FUSED).unwrap();
    assert_eq!(weights.layers().len(), 30);
    assert!(
        weights.conversions().is_empty(),
        "Q4_1 and Q8_0 are decoded by the kernels"
    );
    assert!(
        weights.fusion_fallbacks().is_empty(),
        "{:?}",
        weights.fusion_fallbacks()
    );
    assert!(weights.output_is_tied());
    // Every tensor of the file is used, and every size is a whole number of words.
    assert_eq!(weights.weight_bytes(), file_tensor_bytes(&file));

    // Fused rows are the file's Q, K, V rows in that order (Q4_1, decoded by the GPU).
    let QkvProjection::Fused(qkv) = &weights.layers()[3].attention().unwrap().qkv else {
        panic!("QKV not fused")
    };
    for col in [0, 300] {
        let want: Vec<f32> = ["attn_q", "attn_k", "attn_v"]
            .iter()
            .flat_map(|s| {
                let t = file.tensor(&format!("blk.3.{s}.weight")).unwrap();
                let (cols, rows) = (t.info.dims[0] as usize, t.info.dims[1] as usize);
                cpu_column(t.info.ty, t.data, rows, cols, col)
            })
            .collect();
        // Both decode the same Q4_1 bits; the GPU may fuse the block's `d * q + m` into one
        // rounding (Vulkan allows it), so a value may be 1 ULP off: 1e-6 of the column's max.
        assert_close(
            &format!("blk.3 qkv column {col}"),
            &gpu_column(qkv, col),
            &want,
            1e-6,
        );
    }
}

#[test]
fn gemma3_is_checked_whole_and_refused_only_for_the_binding_limit() {
    let file = real_model("gemma-3-270m-q4_k_m.gguf");
    let config = ModelConfig::from_gguf(&file).unwrap();
    // Every tensor present, shaped and decodable: the manifest without a binding limit.
    let manifest = WeightManifest::new(&file, &config, WeightLayout::FUSED, u64::MAX).unwrap();
    assert!(manifest.conversions().is_empty());
    assert_eq!(manifest.gpu_bytes(), file_tensor_bytes(&file));
    // Q4_K_M mixes formats within a layer's Q, K, V: those layers stay separate, recorded.
    for fallback in manifest.fusion_fallbacks() {
        assert_eq!(fallback.group, FusedGroup::Qkv, "{fallback:?}");
        assert!(
            matches!(fallback.reason, FallbackReason::MixedFormats(_)),
            "{fallback:?}"
        );
    }
    let mixed = (0..config.layers)
        .filter(|l| {
            let ty = |s: &str| file.tensor(&format!("blk.{l}.{s}.weight")).unwrap().info.ty;
            ty("attn_q") != ty("attn_k") || ty("attn_q") != ty("attn_v")
        })
        .count();
    assert!(mixed > 0);
    assert_eq!(manifest.fusion_fallbacks().len(), mixed);

    let embedding = file.tensor("token_embd.weight").unwrap().info.size;
    let max = ModelWeights::max_binding_bytes(gpu());
    match ModelWeights::load(gpu(), &file, &config, WeightLayout::FUSED) {
        Ok(weights) => {
            assert!(embedding <= max);
            assert_eq!(weights.weight_bytes(), manifest.gpu_bytes());
            assert!(weights.output_is_tied());
        }
        Err(WeightsError::TooLargeForBinding {
            tensor,
            bytes,
            max: limit,
        }) => {
            assert!(embedding > max);
            assert_eq!(
                (tensor.as_str(), bytes, limit),
                ("token_embd.weight", embedding, max)
            );
            // The refusal is checked; the upload, which this adapter cannot hold, is not.
            axon_testkit::skip::skip(&format!(
                "this adapter binds at most {max} bytes; Gemma 3's embedding is {embedding}"
            ));
        }
        Err(e) => panic!("unexpected error: {e}"),
    }
}
