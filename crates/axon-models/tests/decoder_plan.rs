//! Decoder plans validate (every read has a writer, weights are never written, placements
//! are sound) for llama- and Gemma-shaped models, fused and unfused QKV, decode and prefill.

use axon_models::config::Activation;
use axon_models::config::{
    Architecture, DeltaNetLayers, FileFormat, ModelConfig, NormWeightConvention,
    SlidingWindowAttention, ValueHeadOrder,
};
use axon_models::config::{Frequencies, Pairing, RopeConfig};
use axon_models::decoder::{DecoderOp, PlanOptions, build_plan};
use axon_models::plan::{Limits, ScratchMode, TensorKind, place_scratch, validate};

/// A small llama- or Gemma 3-shaped config (Gemma: two sliding layers, then a global one).
fn dims(gemma: bool) -> ModelConfig {
    let rope = RopeConfig {
        dims: 16,
        pairing: Pairing::Neox,
        frequencies: Frequencies::Scaled {
            theta: 10_000.0,
            linear_scale: 1.0,
        },
    };
    ModelConfig {
        file_format: FileFormat::Gguf,
        architecture: if gemma {
            Architecture::Gemma3(SlidingWindowAttention {
                window: 8,
                sliding_layers: vec![true, true, false],
                local_rope: rope,
            })
        } else {
            Architecture::Llama
        },
        layers: 3,
        embd: 64,
        ff: 96,
        heads: 4,
        kv_heads: 2,
        head_dim: 16,
        vocab: 100,
        rms_eps: 1e-6,
        rope,
        activation: if gemma {
            Activation::GeluTanh
        } else {
            Activation::Silu
        },
        attention_scale: 0.25,
        embedding_scale: if gemma { 8.0 } else { 1.0 },
        qk_norm: gemma,
        post_attention_norm: gemma,
        post_ffn_norm: gemma,
        tied_embeddings: true,
        norm_weights: NormWeightConvention::Direct,
        trained_context: None,
    }
}

/// `base` made a Qwen3.5-shaped hybrid: Gated DeltaNet layers where `full_attention` is
/// false, gated attention (with per-head norms) where it is true.
fn qwen35(
    mut base: ModelConfig,
    full_attention: Vec<bool>,
    [k_heads, v_heads, dk, dv]: [usize; 4],
) -> ModelConfig {
    base.layers = full_attention.len();
    base.qk_norm = true;
    base.architecture = Architecture::Qwen35(DeltaNetLayers {
        full_attention,
        k_heads,
        v_heads,
        dk,
        dv,
        conv_kernel: 4,
        value_head_order: ValueHeadOrder::Grouped,
        l2_norm_eps: 1e-6,
    });
    base
}

/// Every weight of a fused (or unfused) model exists with a plausible size, except
/// `missing`; the output is tied.
fn weights(fused: bool, missing: &'static str) -> impl Fn(&str) -> Option<u64> {
    let unfused = ["attn_q", "attn_k", "attn_v", "ffn_gate", "ffn_up"];
    let fused_only = ["attn_qkv", "ffn_gate_up"];
    move |name: &str| {
        let stem = name.rsplit('.').next().unwrap_or(name);
        let absent = name == missing
            || name == "output"
            || stem == "attn_q_gate"
            || (fused && unfused.contains(&stem))
            || (!fused && fused_only.contains(&stem));
        (!absent).then_some(1024)
    }
}

fn sizes(missing: &'static str) -> impl Fn(&str) -> Option<u64> {
    weights(true, missing)
}

#[test]
fn plans_validate_in_both_scratch_modes() {
    for (gemma, fold_norms) in [(false, false), (true, false), (false, true), (true, true)] {
        for (fused_qkv, fuse_norm) in [(false, false), (true, true), (true, false)] {
            let options = PlanOptions {
                fuse_norm,
                fold_norms,
                ..PlanOptions::default()
            };
            for tokens in [1, 5] {
                let d = dims(gemma);
                let plan = build_plan(&d, tokens, 32, options, &weights(fused_qkv, "")).unwrap();
                let gates = plan
                    .steps()
                    .iter()
                    .filter(|s| matches!(s, DecoderOp::Gate { .. }))
                    .count();
                assert_eq!(gates, if fused_qkv { 0 } else { d.layers });
                let adds = plan
                    .steps()
                    .iter()
                    .filter(|s| matches!(s, DecoderOp::Add { .. }))
                    .count();
                // Decode plans fold their adds into projections, except around Gemma 3's
                // post-norms.
                let folded = fold_norms && tokens == 1 && !gemma;
                assert_eq!(adds, if fuse_norm || folded { 0 } else { 2 * d.layers });
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
                // Decode attention needs a partial-softmax scratch; prefill does not.
                let partials = plan.steps().iter().any(|s| {
                    matches!(
                        s,
                        DecoderOp::Attention {
                            partials: Some(_),
                            ..
                        }
                    )
                });
                assert_eq!(partials, tokens == 1);
                // Weights are only ever read.
                for step in 0..plan.steps().len() {
                    for w in &plan.accesses(step).unwrap().writes {
                        assert_ne!(plan.decl(w.tensor).unwrap().kind, TensorKind::Weight);
                    }
                }
            }
        }
    }
}

/// What the validator checks is derived from the op that runs: point one step's input at a
/// tensor only a later step writes, and the plan is refused, with no list beside the op to
/// update. Every op of real plans reports each tensor it names.
#[test]
fn a_corrupted_binding_is_refused_by_the_validator() {
    let limits = Limits {
        max_binding_bytes: 1 << 20,
        scratch_bound: None,
    };
    for (tokens, fold_norms) in [(1, false), (1, true), (5, false)] {
        let options = PlanOptions {
            fold_norms,
            ..PlanOptions::default()
        };
        let plan = build_plan(&dims(false), tokens, 32, options, &sizes("")).unwrap();
        validate(&plan, &place_scratch(&plan, ScratchMode::Reuse), &limits).unwrap();
        let logits = plan
            .tensors()
            .iter()
            .position(|t| t.name == "logits")
            .map(|i| axon_models::plan::TensorId(i as u32))
            .unwrap();
        // Layer 0's first norm (its own step, or folded into the first projection) reads the
        // embedding rows; make it read the logits instead.
        let mut corrupted = plan.clone();
        let first_norm = corrupted
            .steps_mut()
            .iter_mut()
            .find_map(|op| match op {
                DecoderOp::Norm { x, .. } => Some(x),
                DecoderOp::Linear {
                    x, norm: Some(_), ..
                } => Some(x),
                _ => None,
            })
            .unwrap();
        *first_norm = logits;
        let placement = place_scratch(&corrupted, ScratchMode::Reuse);
        let err = validate(&corrupted, &placement, &limits).unwrap_err();
        assert!(
            matches!(&err, axon_models::plan::PlanError::ReadBeforeWrite { tensor, .. } if tensor == "logits"),
            "{err}"
        );
        // A write into a weight through an op's output field is refused too.
        let mut corrupted = plan.clone();
        let table = plan
            .tensors()
            .iter()
            .position(|t| t.name == "token_embd")
            .unwrap();
        if let Some(DecoderOp::Embed { out, .. }) = corrupted.steps_mut().first_mut() {
            *out = axon_models::plan::TensorId(table as u32);
        }
        let placement = place_scratch(&corrupted, ScratchMode::Reuse);
        assert!(matches!(
            validate(&corrupted, &placement, &limits),
            Err(axon_models::plan::PlanError::WriteToReadOnly { kind: "weight", .. })
        ));
        // Every tensor an op names is among its operands, and so checked.
        for op in plan.steps() {
            let named = format!("{op:?}").matches("TensorId(").count();
            assert_eq!(named, op.operands().len(), "{op:?}");
        }
    }
}

#[test]
fn tied_output_reads_the_embedding() {
    let plan = build_plan(&dims(false), 1, 8, PlanOptions::default(), &sizes("")).unwrap();
    // The output projection, then the argmax step that reads its logits.
    let [
        ..,
        DecoderOp::Linear { w, y, .. },
        DecoderOp::Argmax { logits, .. },
    ] = plan.steps()
    else {
        panic!("the plan does not end with the output projection and the argmax");
    };
    assert_eq!(plan.decl(*w).unwrap().name, "token_embd");
    assert_eq!(logits, y);
}

#[test]
fn a_missing_weight_is_named() {
    let err = build_plan(
        &dims(true),
        1,
        8,
        PlanOptions::default(),
        &sizes("blk.1.attn_k_norm"),
    )
    .unwrap_err();
    assert!(err.to_string().contains("blk.1.attn_k_norm"), "{err}");
    assert!(build_plan(&dims(false), 9, 8, PlanOptions::default(), &sizes("")).is_err());
}

/// A Qwen3.5-shaped model: three Gated DeltaNet layers to one gated attention layer. Its
/// plans validate in both scratch modes, every DeltaNet layer carries conv and recurrent
/// state, and attention layers apply their output gate.
#[test]
fn hybrid_plans_validate() {
    let d = qwen35(dims(false), vec![false, false, false, true], [2, 4, 16, 16]);
    let names = |name: &str| {
        let stem = name.rsplit('.').next().unwrap_or(name);
        let absent = ["output", "attn_qkv", "attn_q", "ffn_gate", "ffn_up"].contains(&stem);
        (!absent).then_some(1024)
    };
    for (tokens, fuse_deltanet_input) in [(1, true), (40, true), (1, false), (40, false)] {
        let options = PlanOptions {
            fuse_deltanet_input,
            fuse_attention_input: fuse_deltanet_input,
            fold_norms: true,
            ..PlanOptions::default()
        };
        let plan = build_plan(&d, tokens, 64, options, &names).unwrap();
        for mode in [ScratchMode::Reuse, ScratchMode::NoReuse] {
            let limits = Limits {
                max_binding_bytes: 1 << 20,
                scratch_bound: None,
            };
            validate(&plan, &place_scratch(&plan, mode), &limits).unwrap();
        }
        let count = |f: fn(&DecoderOp) -> bool| plan.steps().iter().filter(|s| f(s)).count();
        assert_eq!(count(|op| matches!(op, DecoderOp::DeltaRule { .. })), 3);
        let (fused, convs) = (
            count(|op| matches!(op, DecoderOp::DeltaNetInput { .. })),
            count(|op| matches!(op, DecoderOp::Conv { .. })),
        );
        let (l2, gates) = (
            count(|op| matches!(op, DecoderOp::L2Norm { .. })),
            count(|op| matches!(op, DecoderOp::Gates { .. })),
        );
        // One-token plans fold every norm into the projections after it and every residual
        // add into the projection before it (4 layers: 2 adds each); plans over more tokens
        // keep the norm steps.
        let norms = count(|op| {
            matches!(
                op,
                DecoderOp::Norm { .. } | DecoderOp::AddNorm { .. } | DecoderOp::Add { .. }
            )
        });
        let adds = count(|op| {
            matches!(
                op,
                DecoderOp::Linear {
                    accumulate: true,
                    ..
                }
            )
        });
        let folded_norms = count(|op| {
            matches!(
                op,
                DecoderOp::Linear { norm: Some(_), .. } | DecoderOp::Glu { norm: Some(_), .. }
            )
        });
        if tokens == 1 {
            // Only the attention layer's per-head q/k norms remain, when its input is unfused.
            let head_norms = if fuse_deltanet_input { 0 } else { 2 };
            assert_eq!(
                (norms, adds),
                (head_norms, 8),
                "folded: no residual norm step, 2 adds per layer"
            );
            assert!(
                folded_norms > 2 * 4,
                "{folded_norms} projections fold a norm"
            );
        } else {
            assert_eq!(
                (adds, folded_norms),
                (0, 0),
                "{tokens} tokens: nothing folded"
            );
            assert!(norms > 2 * 4, "{norms} norm steps");
        }
        if fuse_deltanet_input {
            assert_eq!(
                (fused, convs, l2, gates),
                (3, 0, 0, 0),
                "one input step per layer"
            );
        } else {
            assert_eq!(
                (fused, convs, l2, gates),
                (0, 3, 6, 3),
                "separate input steps"
            );
        }
        assert_eq!(
            count(|op| matches!(op, DecoderOp::Attention { gate: Some(_), .. })),
            1
        );
        let states = plan
            .tensors()
            .iter()
            .filter(|t| t.kind == TensorKind::State)
            .count();
        assert_eq!(
            states,
            3 * 2 + 2,
            "conv + recurrent state per DeltaNet layer, K/V cache"
        );
    }
}

/// Qwen3.5-27B's shapes (`docs/QWEN35.md`: 64 layers, 48 Gated DeltaNet + 16
/// gated attention, d 5120, ff 17408, 24/4 heads of 256, H_k 16, H_v 48, d_k = d_v = 128,
/// vocab 248320, untied), every matrix at Q4_K (the smallest common format, so the bound is
/// the strictest): at a 4096-token context, the scratch of a decode step and of a 512-token
/// prefill chunk that keeps only the last token's logits is at most 3 % of the weights.
#[test]
fn qwen35_27b_scratch_is_under_3_percent_of_the_weights() {
    use axon_formats::quant::GgmlType;
    let (embd, ff, heads, kv, hd, vocab) = (5120, 17408, 24, 4, 256, 248_320);
    let (k_heads, v_heads, dk, dv) = (16, 48, 128, 128);
    let full: Vec<bool> = (0..64).map(|l| (l + 1) % 4 == 0).collect();
    let mut d = qwen35(dims(false), full.clone(), [k_heads, v_heads, dk, dv]);
    (d.embd, d.ff, d.heads, d.kv_heads, d.head_dim, d.vocab) = (embd, ff, heads, kv, hd, vocab);
    let conv = 2 * k_heads * dk + v_heads * dv;
    // (rows, cols) of each matrix; vectors are f32.
    let matrix = |stem: &str| -> Option<(usize, usize)> {
        Some(match stem {
            "token_embd" | "output" => (vocab, embd),
            "attn_q_gate" => (2 * heads * hd, embd),
            "attn_k" | "attn_v" => (kv * hd, embd),
            "attn_output" => (embd, heads * hd),
            "ssm_in_qkv" => (conv, embd),
            "ssm_in_z" => (v_heads * dv, embd),
            "ssm_in_b" | "ssm_in_a" => (v_heads, embd),
            "ssm_out" => (embd, v_heads * dv),
            "ffn_gate_up" => (2 * ff, embd),
            "ffn_down" => (embd, ff),
            _ => return None,
        })
    };
    let vector = |stem: &str| -> Option<usize> {
        Some(match stem {
            "attn_norm" | "ffn_norm" | "output_norm" => embd,
            "attn_q_norm" | "attn_k_norm" => hd,
            "ssm_conv1d" => conv * 4,
            "ssm_a" | "ssm_dt_bias" => v_heads,
            "ssm_norm" => dv,
            _ => return None,
        })
    };
    let bytes = |name: &str| -> Option<u64> {
        let stem = name.rsplit('.').next().unwrap_or(name);
        if let Some((rows, cols)) = matrix(stem) {
            return GgmlType::Q4K.bytes_for((rows * cols) as u64);
        }
        vector(stem).map(|n| 4 * n as u64)
    };
    let mut names = vec![
        "token_embd".to_owned(),
        "output".to_owned(),
        "output_norm".to_owned(),
    ];
    for (l, &is_full) in full.iter().enumerate() {
        let mixer: &[&str] = if is_full {
            &[
                "attn_q_gate",
                "attn_k",
                "attn_v",
                "attn_output",
                "attn_q_norm",
                "attn_k_norm",
            ]
        } else {
            &[
                "ssm_in_qkv",
                "ssm_in_z",
                "ssm_in_b",
                "ssm_in_a",
                "ssm_out",
                "ssm_conv1d",
                "ssm_a",
                "ssm_dt_bias",
                "ssm_norm",
            ]
        };
        for stem in mixer
            .iter()
            .chain(&["attn_norm", "ffn_norm", "ffn_gate_up", "ffn_down"])
        {
            names.push(format!("blk.{l}.{stem}"));
        }
    }
    let weights: u64 = names.iter().map(|n| bytes(n).unwrap()).sum();
    assert!(weights > 14_000_000_000, "27B at Q4_K: {weights} bytes");
    let options = PlanOptions {
        all_logits: false,
        ..PlanOptions::default()
    };
    for tokens in [1, 512] {
        let plan = build_plan(&d, tokens, 4096, options, &bytes).unwrap();
        let scratch = place_scratch(&plan, ScratchMode::Reuse).total_bytes();
        let limits = Limits {
            max_binding_bytes: u64::from(u32::MAX),
            scratch_bound: Some(weights * 3 / 100),
        };
        validate(&plan, &place_scratch(&plan, ScratchMode::Reuse), &limits).unwrap();
        println!(
            "27B, {tokens} tokens: scratch {scratch} bytes = {:.3} % of {weights}",
            100.0 * scratch as f64 / weights as f64
        );
    }
}
