//! Decoder plans validate (every read has a writer, weights are never written, placements
//! are sound) for llama- and Gemma-shaped models, fused and unfused QKV, decode and prefill.

use axon_gpu::kernels::matvec::Activation;
use axon_models::decoder::{DecoderDims, DecoderOp, WeightLayout, build_plan};
use axon_models::plan::{Limits, ScratchMode, TensorKind, place_scratch, validate};

fn dims(gemma: bool) -> DecoderDims {
    DecoderDims {
        layers: 3,
        embd: 64,
        ff: 96,
        heads: 4,
        kv_heads: 2,
        head_dim: 16,
        vocab: 100,
        embed_scale: if gemma { 8.0 } else { 1.0 },
        gate: if gemma {
            Activation::GeluTanh
        } else {
            Activation::Silu
        },
        qk_norm: gemma,
        post_norms: gemma,
        windows: if gemma {
            vec![Some(8), Some(8), None]
        } else {
            vec![None; 3]
        },
    }
}

/// Every weight exists with a plausible size, except `missing`.
fn sizes(missing: &'static str) -> impl Fn(&str) -> Option<u64> {
    move |name: &str| (name != missing && name != "output").then_some(1024)
}

#[test]
fn plans_validate_in_both_scratch_modes() {
    for gemma in [false, true] {
        for fused_qkv in [false, true] {
            for tokens in [1, 5] {
                let d = dims(gemma);
                let plan =
                    build_plan(&d, WeightLayout { fused_qkv }, tokens, 32, &sizes("")).unwrap();
                let limits = Limits {
                    max_binding_bytes: 1 << 20,
                    scratch_bound: None,
                };
                for mode in [ScratchMode::Reuse, ScratchMode::NoReuse] {
                    let placement = place_scratch(&plan, mode);
                    validate(&plan, &placement, &limits).unwrap();
                }
                let reuse = place_scratch(&plan, ScratchMode::Reuse).total_bytes();
                let separate = place_scratch(&plan, ScratchMode::NoReuse).total_bytes();
                assert!(
                    reuse < separate,
                    "reuse saves nothing: {reuse} vs {separate}"
                );
                // Decode attention needs a scores scratch; prefill does not.
                let scores = plan.steps().iter().any(|s| {
                    matches!(
                        s.op,
                        DecoderOp::Attention {
                            scores: Some(_),
                            ..
                        }
                    )
                });
                assert_eq!(scores, tokens == 1);
                // Weights are only ever read.
                for s in plan.steps() {
                    for w in &s.writes {
                        assert_ne!(plan.decl(w.tensor).unwrap().kind, TensorKind::Weight);
                    }
                }
            }
        }
    }
}

#[test]
fn tied_output_reads_the_embedding() {
    let plan = build_plan(
        &dims(false),
        WeightLayout { fused_qkv: true },
        1,
        8,
        &sizes(""),
    )
    .unwrap();
    let Some(DecoderOp::Linear { w, .. }) = plan.steps().last().map(|s| &s.op) else {
        panic!("the last step is not the output projection");
    };
    assert_eq!(plan.decl(*w).unwrap().name, "token_embd");
}

#[test]
fn a_missing_weight_is_named() {
    let err = build_plan(
        &dims(true),
        WeightLayout { fused_qkv: true },
        1,
        8,
        &sizes("blk.1.attn_k_norm"),
    )
    .unwrap_err();
    assert!(err.to_string().contains("blk.1.attn_k_norm"), "{err}");
    assert!(
        build_plan(
            &dims(false),
            WeightLayout { fused_qkv: true },
            9,
            8,
            &sizes("")
        )
        .is_err()
    );
}
