//! `axon_models::synth` files through the GPU engine and the CPU reference: a small model of
//! each architecture in every mix, and SmolLM2-135M's real shape, give the same logits on both
//! sides, all finite (the random weights are scaled to keep activations in range).

use super::{argmax, assert_logits_close, gpu};
use axon_formats::gguf::{Array, Value};
use axon_models::synth::{DeltaNetShape, Preset, QuantMix, SynthArch, preset, synthesize};
use axon_models::weights::WeightLayout;
use axon_reference::model::ReferenceModel;
use axon_runtime::{EngineOptions, open_model};
use std::path::PathBuf;

/// A vocabulary of `n` placeholder tokens (the engine and the reference need only its size).
fn vocabulary(n: usize) -> Vec<(String, Value)> {
    vec![
        (
            "tokenizer.ggml.model".to_owned(),
            Value::String("gpt2".into()),
        ),
        (
            "tokenizer.ggml.tokens".to_owned(),
            Value::Array(Array::String((0..n).map(|i| format!("t{i}")).collect())),
        ),
    ]
}

/// Small shapes of each architecture: rows of 256 so the k-quants apply, and one matrix with
/// 320-wide rows (the FFN) so llama.cpp's fallbacks (Q5_0, Q8_0) appear too.
fn small(arch: SynthArch) -> Preset {
    Preset {
        name: "small",
        arch,
        layers: 4,
        embd: 256,
        ff: 320,
        heads: 4,
        kv_heads: 2,
        head_dim: 64,
        rope_dims: 64,
        vocab: 512,
        tied: arch != SynthArch::Llama,
        context: 4096,
        rope_base: 10_000.0,
        eps: 1e-6,
        sliding_window: (arch == SynthArch::Gemma3).then_some(8),
        deltanet: (arch == SynthArch::Qwen35).then_some(DeltaNetShape {
            k_heads: 2,
            v_heads: 4,
            dk: 32,
            dv: 32,
            conv_kernel: 4,
            interval: 2,
        }),
    }
}

fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("axon-synth-{}-{name}.gguf", std::process::id()))
}

/// The engine's logits for `tokens` (prefill, then two decode steps) equal the reference's.
fn check(p: &Preset, mix: QuantMix, tokens: &[u32]) {
    let path = scratch(&format!("{}-{}-{}", p.name, p.arch.name(), mix.name()));
    synthesize(p, mix, &vocabulary(p.vocab), &path, 7, |_, _| {}).unwrap();
    let what = format!("{} {} {}", p.name, p.arch.name(), mix.name());
    let engine = open_model(gpu(), &path, WeightLayout::FUSED, EngineOptions::default()).unwrap();
    let split = tokens.len() - 2;
    let mut s = engine.session(tokens.len()).unwrap();
    let mut rows = engine.forward(&mut s, &tokens[..split]).unwrap();
    for &t in &tokens[split..] {
        rows.extend(engine.forward(&mut s, &[t]).unwrap());
    }
    let reference = ReferenceModel::open(&path).unwrap();
    let want = reference
        .forward(&mut reference.new_session(), tokens)
        .unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(rows.iter().all(|v| v.is_finite()), "{what}: finite logits");
    let vocab = rows.len() / tokens.len();
    for (i, (got, want)) in rows.chunks_exact(vocab).zip(&want).enumerate() {
        assert_eq!(argmax(got), argmax(want), "{what} position {i}: top-1");
        assert_logits_close(got, want, &format!("{what} position {i}"));
    }
}

#[test]
fn small_synthetic_models_of_every_architecture_and_mix_equal_the_reference() {
    let tokens: Vec<u32> = (0..12).map(|i| (i * 37 + 5) % 512).collect();
    for arch in [SynthArch::Llama, SynthArch::Gemma3, SynthArch::Qwen35] {
        for mix in [QuantMix::F16, QuantMix::Q8_0, QuantMix::Q4KM] {
            check(&small(arch), mix, &tokens);
        }
    }
}

#[test]
fn smollm2_shape_synthetic_model_equals_the_reference() {
    let p = preset("smollm2-135m").unwrap();
    let tokens: Vec<u32> = (0..6).map(|i| (i * 7919 + 13) % 49_152).collect();
    check(p, QuantMix::Q4KM, &tokens);
}

/// Decode with an 8-bit x (`EngineOptions::matvec_q8`) on every architecture and quantized
/// mix: the integer-dot path runs (each decode pass has `quantize_q8` dispatches, no more than
/// its projections, and fewer where several share an input: Qwen3.5's Gated DeltaNet), and the
/// decode logits agree with the CPU reference's f32-x model at top-1 and within
/// [`Q8_LOGITS_TOLERANCE`] of max|logit|.
#[test]
fn decode_with_8_bit_x_agrees_with_the_reference() {
    let tokens: Vec<u32> = (0..12).map(|i| (i * 37 + 5) % 512).collect();
    let split = tokens.len() - 3;
    let mut top1_checked = 0;
    for arch in [SynthArch::Llama, SynthArch::Gemma3, SynthArch::Qwen35] {
        for mix in [QuantMix::Q8_0, QuantMix::Q4KM] {
            let p = small(arch);
            let path = scratch(&format!("q8-{}-{}", arch.name(), mix.name()));
            synthesize(&p, mix, &vocabulary(p.vocab), &path, 7, |_, _| {}).unwrap();
            let what = format!("{} {}", arch.name(), mix.name());
            let options = EngineOptions {
                matvec_q8: true,
                ..EngineOptions::default()
            };
            let engine = open_model(gpu(), &path, WeightLayout::FUSED, options).unwrap();
            let mut s = engine.session(tokens.len()).unwrap();
            engine.forward(&mut s, &tokens[..split]).unwrap();
            let mut rows = Vec::new();
            for (i, &t) in tokens[split..].iter().enumerate() {
                if i == 0 {
                    let (row, profile) = engine.forward_profiled(&mut s, &[t]).unwrap();
                    let count = |family: &str| profile.iter().filter(|(f, _)| *f == family).count();
                    let quantizes = count("quantize_q8");
                    assert!(quantizes > 0, "{what}: no quantize_q8 in a decode pass");
                    let projections = count("matvec_wide");
                    // Qwen3.5's Gated DeltaNet projects one normed row four times.
                    let shared = arch == SynthArch::Qwen35;
                    assert!(
                        quantizes <= projections && (!shared || quantizes < projections),
                        "{what}: {quantizes} quantizes for {projections} projections"
                    );
                    rows.extend(row);
                } else {
                    rows.extend(engine.forward(&mut s, &[t]).unwrap());
                }
            }
            let reference = ReferenceModel::open(&path).unwrap();
            let want = reference
                .forward(&mut reference.new_session(), &tokens)
                .unwrap();
            std::fs::remove_file(&path).unwrap();
            let vocab = p.vocab;
            for (i, got) in rows.chunks_exact(vocab).enumerate() {
                let want = &want[split + i];
                let scale = want.iter().fold(0.0f32, |m, v| m.max(v.abs()));
                let worst = got
                    .iter()
                    .zip(want)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0f32, f32::max);
                let tol = Q8_LOGITS_TOLERANCE * scale;
                assert!(
                    worst <= tol,
                    "{what} decode {i}: max |Δlogit| {worst} > {Q8_LOGITS_TOLERANCE} · {scale}"
                );
                let best = argmax(want);
                let runner_up = want
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| j != best)
                    .fold(f32::NEG_INFINITY, |m, (_, &v)| m.max(v));
                if want[best] - runner_up > 2.0 * tol {
                    assert_eq!(argmax(got), best, "{what} decode {i}: top-1");
                    top1_checked += 1;
                }
            }
        }
    }
    assert!(top1_checked > 0, "no decode position had a clear top-1");
    eprintln!("top-1 compared at {top1_checked} of 18 decode positions");
}

/// How far decode logits with an 8-bit x may sit from the reference's f32-x ones, relative to
/// max|logit|. The quantization moves each projection input by up to d/2 = amax/254 of its
/// 16-value block (0.4 %), an error the layers carry to the logits: on the small synthetic
/// models above the worst measured on lavapipe is 0.9 % (2026-12-02); three times that keeps
/// a wrong kernel (a swapped block, a missing min term, a wrong scale), which moves logits by
/// tens of percent, far outside. Top-1 is compared where the reference's margin exceeds twice
/// this: these random models' logits are flat, and their top-2 are often closer than the
/// quantization's reach. The kernels themselves are checked exactly against the reference of
/// the quantized vector (`axon-gpu` tests, `kernels/matvec_q8.rs`).
const Q8_LOGITS_TOLERANCE: f32 = 3e-2;
