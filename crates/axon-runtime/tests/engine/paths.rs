//! Path equivalence, on every fixture: choices that must not change the result. Scratch reuse on or off gives
//! bit-identical logits; fused and unfused QKV, FFN and residual add + norm agree (top-1
//! equal, top-1 logit gap < 0.01, full-vocabulary KL < 1e-4 at every position); both
//! reductions agree the same way; GPU timestamps (an observer) leave the logits bit-identical;
//! the fused attention and Gated DeltaNet layer inputs are bit-identical to the separate
//! kernels.

use crate::{ALL_FIXTURES, DECODER_FIXTURES, Expected, fixture, gpu};
use axon_gpu::kernels::Reduction;
use axon_models::plan::ScratchMode;
use axon_models::weights::WeightLayout;
use axon_runtime::{EngineOptions, open_model};
use axon_testkit::equivalence::check_paths;
use axon_testkit::skip::skip;

fn logits(name: &str, layout: WeightLayout, options: EngineOptions) -> (Vec<f32>, usize) {
    let engine = open_model(gpu(), &fixture(name), layout, options).unwrap();
    let prompt = Expected::read(name).prompt;
    let mut s = engine.session(64).unwrap();
    let mut rows = engine.forward(&mut s, &prompt[..30]).unwrap();
    for &t in &prompt[30..] {
        rows.extend(engine.forward(&mut s, &[t]).unwrap());
    }
    (rows, engine.config().vocab)
}

/// Panics unless the two paths agree at every position (`axon_testkit::equivalence`:
/// top-1 equal, top-1 logit gap < 0.01, full-vocabulary KL < 1e-4).
fn assert_equivalent(a: &[f32], b: &[f32], vocab: usize, what: &str) {
    if let Err(e) = check_paths(a, b, vocab) {
        panic!("{what}: {e}");
    }
}

#[test]
fn scratch_reuse_is_bit_identical() {
    for name in ALL_FIXTURES {
        let default = EngineOptions::default();
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let (a, _) = logits(name, WeightLayout::FUSED, default);
        for (scratch, decode_scratch) in [
            (ScratchMode::NoReuse, ScratchMode::NoReuse),
            (ScratchMode::Reuse, ScratchMode::Reuse),
        ] {
            let other = EngineOptions {
                scratch,
                decode_scratch,
                ..default
            };
            let (b, _) = logits(name, WeightLayout::FUSED, other);
            assert_eq!(
                bits(&a),
                bits(&b),
                "{name}: scratch {scratch:?}, decode scratch {decode_scratch:?} changed the logits"
            );
        }
    }
}

#[test]
fn timestamps_only_observe() {
    let name = DECODER_FIXTURES[1];
    let observed = EngineOptions {
        timestamps: true,
        ..EngineOptions::default()
    };
    if !gpu().caps().has_timestamps() {
        let engine = open_model(gpu(), &fixture(name), WeightLayout::FUSED, observed).unwrap();
        let mut s = engine.session(8).unwrap();
        assert!(
            engine.forward(&mut s, &[1, 2]).is_err(),
            "timestamps without the feature"
        );
        skip("the adapter has no timestamp queries");
        return;
    }
    let (plain, _) = logits(name, WeightLayout::FUSED, EngineOptions::default());
    let (timed, _) = logits(name, WeightLayout::FUSED, observed);
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&plain), bits(&timed), "timestamps changed the logits");
    let engine = open_model(gpu(), &fixture(name), WeightLayout::FUSED, observed).unwrap();
    assert_eq!(engine.last_gpu_time(), None);
    let mut s = engine.session(8).unwrap();
    engine.forward(&mut s, &[1, 2, 3]).unwrap();
    assert!(engine.last_gpu_time().is_some_and(|t| t.as_nanos() > 0));
}

#[test]
fn profiling_only_observes_and_times_every_dispatch() {
    for name in ALL_FIXTURES {
        let engine = open_model(
            gpu(),
            &fixture(name),
            WeightLayout::FUSED,
            EngineOptions::default(),
        )
        .unwrap();
        let prompt = Expected::read(name).prompt;
        let (mut a, mut b) = (engine.session(64).unwrap(), engine.session(64).unwrap());
        let plain = engine.forward_last(&mut a, &prompt[..20]).unwrap();
        let (profiled, times) = engine.forward_profiled(&mut b, &prompt[..20]).unwrap();
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&plain), bits(&profiled), "{name}: prefill");
        assert_eq!(
            times.len(),
            engine.last_stats().unwrap().dispatches,
            "{name}"
        );
        assert!(
            times.iter().any(|(f, _)| *f == "matmul"),
            "{name}: {times:?}"
        );
        let plain = engine.forward(&mut a, &[prompt[20]]).unwrap();
        let (profiled, times) = engine.forward_profiled(&mut b, &[prompt[20]]).unwrap();
        assert_eq!(
            bits(&plain),
            bits(&profiled),
            "{name}: decode after a profiled pass"
        );
        let families: std::collections::BTreeSet<&str> = times.iter().map(|(f, _)| *f).collect();
        for family in ["matvec", "gather", "attention_decode", "argmax"] {
            assert!(families.contains(family), "{name}: {families:?}");
        }
        // The default keeps decode's norm steps (AXON_FOLD_NORMS folds them).
        assert!(families.contains("rms_norm"), "{name}: {families:?}");
        let total: std::time::Duration = times.iter().map(|(_, t)| *t).sum();
        assert!(total.as_nanos() > 0, "{name}: GPU time");
    }
}

#[test]
fn noop_dispatches_only_observe() {
    for name in ALL_FIXTURES {
        let padded = EngineOptions {
            noop_dispatches: 50,
            ..EngineOptions::default()
        };
        let (plain, _) = logits(name, WeightLayout::FUSED, EngineOptions::default());
        let (noops, _) = logits(name, WeightLayout::FUSED, padded);
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(&plain),
            bits(&noops),
            "{name}: no-op dispatches changed the logits"
        );
        let dispatches = |options| {
            let engine = open_model(gpu(), &fixture(name), WeightLayout::FUSED, options).unwrap();
            let mut s = engine.session(8).unwrap();
            engine.forward(&mut s, &[1]).unwrap();
            engine.last_stats().unwrap().dispatches
        };
        assert_eq!(
            dispatches(padded),
            dispatches(EngineOptions::default()) + 50,
            "{name}: 50 more dispatches in the pass"
        );
    }
}

#[test]
fn fused_and_unfused_projections_agree() {
    for name in ALL_FIXTURES {
        let options = EngineOptions::default();
        let (fused, vocab) = logits(name, WeightLayout::FUSED, options);
        for (layout, what) in [
            (
                WeightLayout {
                    fuse_qkv: false,
                    fuse_ffn: true,
                },
                "unfused QKV",
            ),
            (
                WeightLayout {
                    fuse_qkv: true,
                    fuse_ffn: false,
                },
                "unfused FFN",
            ),
            (WeightLayout::SEPARATE, "unfused"),
        ] {
            let (other, _) = logits(name, layout, options);
            assert_equivalent(&fused, &other, vocab, &format!("{name}: fused vs {what}"));
        }
    }
}

#[test]
fn unfused_residual_add_and_norm_agree() {
    for name in ALL_FIXTURES {
        let fused = EngineOptions::default();
        let unfused = EngineOptions {
            fuse_norm: false,
            ..fused
        };
        let (a, vocab) = logits(name, WeightLayout::FUSED, fused);
        let (b, _) = logits(name, WeightLayout::FUSED, unfused);
        assert_equivalent(
            &a,
            &b,
            vocab,
            &format!("{name}: fused vs unfused residual norm"),
        );
    }
}

/// An attention layer's fused input (query split, q/k norms, RoPE, cache writes in one kernel)
/// and the separate kernels give bit-identical logits at every position, prefill and decode,
/// on every fixture (Qwen3.5's query + gate, Gemma 3's norms and local RoPE, Llama's fused
/// and separate QKV): the fused kernel computes the same steps and sums
/// (`kernels/attention_input.rs` in the GPU tests proves it kernel by kernel).
#[test]
fn fused_attention_input_is_bit_identical() {
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    for name in ALL_FIXTURES {
        for layout in [WeightLayout::FUSED, WeightLayout::SEPARATE] {
            let fused = EngineOptions::default();
            let separate = EngineOptions {
                fuse_attention_input: false,
                ..fused
            };
            let (a, _) = logits(name, layout, fused);
            let (b, _) = logits(name, layout, separate);
            assert_eq!(
                bits(&a),
                bits(&b),
                "{name} {layout:?}: fused attention input changed the logits"
            );
        }
    }
}

/// Gated DeltaNet's fused layer input (conv, split, L2 norms and gates in one kernel) and the
/// separate kernels give bit-identical logits at every position, prefill and decode: the
/// fused kernel computes the same steps and sums (`kernels/deltanet_input.rs` in the GPU
/// tests proves it kernel by kernel).
#[test]
fn fused_deltanet_input_is_bit_identical() {
    for name in ALL_FIXTURES.into_iter().filter(|n| n.starts_with("qwen35")) {
        let fused = EngineOptions::default();
        let separate = EngineOptions {
            fuse_deltanet_input: false,
            ..fused
        };
        let (a, _) = logits(name, WeightLayout::FUSED, fused);
        let (b, _) = logits(name, WeightLayout::FUSED, separate);
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(
            bits(&a),
            bits(&b),
            "{name}: fused DeltaNet input changed the logits"
        );
    }
}

/// The RMSNorms folded into the decode projections after them and the residual adds into the
/// projections before them, against separate `add_rms_norm` steps: equivalent at every
/// position (`check_paths`; not bit-identical: the norm's factor multiplies finished sums), on
/// every fixture (Gemma 3's post-norms keep the separate steps, so it compares a plan with
/// itself there) and both layouts.
#[test]
fn folded_norms_and_residual_adds_agree() {
    for name in ALL_FIXTURES {
        for layout in [WeightLayout::FUSED, WeightLayout::SEPARATE] {
            let separate = EngineOptions::default();
            let folded = EngineOptions {
                fold_norms: true,
                ..separate
            };
            assert!(!separate.fold_norms, "the default keeps the norm steps");
            let (a, vocab) = logits(name, layout, folded);
            let (b, _) = logits(name, layout, separate);
            assert_equivalent(
                &a,
                &b,
                vocab,
                &format!("{name} {layout:?}: folded vs separate norms"),
            );
        }
    }
}

/// Subgroup operations, the workgroup-memory tree, and workgroups one subgroup wide (the
/// case RDNA3's wave64 runs) are equivalent paths on every fixture.
#[test]
fn every_reduction_agrees() {
    for name in ALL_FIXTURES {
        let with = |reduction| EngineOptions {
            reduction: Some(reduction),
            ..EngineOptions::default()
        };
        let (a, vocab) = logits(name, WeightLayout::FUSED, with(Reduction::Subgroup));
        for other in [Reduction::Workgroup, Reduction::OneSubgroup] {
            let (b, _) = logits(name, WeightLayout::FUSED, with(other));
            assert_equivalent(&a, &b, vocab, &format!("{name}: subgroup vs {other:?}"));
        }
    }
}

/// Validation taps (copies of plan tensors taken right after the step that last writes
/// them) only observe: the logits stay bit-identical, a tap of `logits` equals them, and a
/// tap of layer 0's normed input equals RMSNorm of the embedding rows computed on the CPU.
#[test]
fn validation_taps_only_observe() {
    use axon_formats::hf::HfCheckpoint;
    use axon_formats::quant::dequantize;
    let name = DECODER_FIXTURES[0];
    let engine = open_model(
        gpu(),
        &fixture(name),
        WeightLayout::FUSED,
        EngineOptions::default(),
    )
    .unwrap();
    let prompt = &Expected::read(name).prompt[..9];
    let mut plain = engine.session(16).unwrap();
    let mut tapped = engine.session(16).unwrap();
    let want = engine.forward(&mut plain, prompt).unwrap();
    let (got, taps) = engine
        .forward_tapped(&mut tapped, prompt, &["logits", "blk.0.n"])
        .unwrap();
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&got), bits(&want), "taps changed the logits");
    assert_eq!(bits(&taps[0]), bits(&want), "the logits tap");
    let ckpt = HfCheckpoint::open(fixture(name)).unwrap();
    let tensor = |n: &str| {
        let t = ckpt.tensor(n).unwrap();
        dequantize(t.ty, t.data, t.shape.iter().product()).unwrap()
    };
    let embd = engine.config().embd;
    let table = tensor("model.embed_tokens.weight");
    let rows: Vec<f32> = prompt
        .iter()
        .flat_map(|&t| table[t as usize * embd..(t as usize + 1) * embd].to_vec())
        .collect();
    let weight = tensor("model.layers.0.input_layernorm.weight");
    let normed = axon_reference::rms_norm(&rows, &weight, engine.config().rms_eps, 0.0).unwrap();
    for (i, (g, w)) in taps[1].iter().zip(&normed).enumerate() {
        assert!(
            (g - w).abs() <= 1e-5 * w.abs() + 1e-6,
            "blk.0.n[{i}]: {g} vs {w}"
        );
    }
    assert!(
        engine
            .forward_tapped(&mut tapped, &[1], &["no.such"])
            .is_err()
    );
}
