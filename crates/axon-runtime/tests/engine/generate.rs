//! Sampling and generation: the engine's sampler draws exactly what the reference's sampler
//! draws (same parameters, same seed, same logits); greedy generation equals transformers'
//! continuation; stop tokens, cancellation and a full context end a generation as documented.

use crate::{DECODER_FIXTURES, Expected, engine};
use axon_reference::ops::sampling as reference;
use axon_runtime::{Finish, GenerateParams, Sampler, SamplingParams};
use std::ops::ControlFlow;

fn noise(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed | 1;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 40) as f32 / (1u64 << 24) as f32) * 8.0 - 4.0
        })
        .collect()
}

#[test]
fn sampler_draws_what_the_reference_draws() {
    let settings = [
        (0.0, None, None, None, 1.0),
        (0.0, None, None, None, 1.2),
        (1.0, None, None, None, 1.0),
        (0.7, Some(40), Some(0.9), Some(0.05), 1.1),
        (1.3, Some(1), None, None, 1.0),
        (0.9, None, Some(0.5), None, 0.8),
        (1.0, None, None, Some(0.2), 1.3),
    ];
    for (case, &(temperature, top_k, top_p, min_p, repeat_penalty)) in settings.iter().enumerate() {
        for seed in [0u64, 7, 12_345] {
            let params = SamplingParams {
                temperature,
                top_k,
                top_p,
                min_p,
                repeat_penalty,
                repeat_last_n: 16,
                seed,
            };
            let want_params = reference::SamplingParams {
                temperature,
                top_k,
                top_p,
                min_p,
                repeat_penalty,
                repeat_last_n: 16,
            };
            let mut ours = Sampler::new(params);
            let mut theirs = reference::Rng::new(seed);
            let mut history: Vec<u32> = Vec::new();
            for step in 0..100 {
                let logits = noise(300, seed ^ (step * 31 + case as u64));
                let a = ours.pick(&logits, &history);
                let b = reference::sample(&logits, &history, &want_params, &mut theirs);
                assert_eq!(a, b, "case {case}, seed {seed}, step {step}");
                history.push(a);
            }
        }
    }
}

#[test]
fn greedy_generation_equals_transformers() {
    for name in DECODER_FIXTURES {
        let expected = Expected::read(name);
        let engine = engine(name);
        let mut session = engine.session(64).unwrap();
        let params = GenerateParams {
            max_tokens: expected.greedy.len(),
            ..GenerateParams::default()
        };
        let mut streamed = Vec::new();
        let generation = engine
            .generate(&mut session, &expected.prompt, &params, |t| {
                streamed.push(t);
                ControlFlow::Continue(())
            })
            .unwrap();
        assert_eq!(generation.tokens, expected.greedy, "{name}");
        assert_eq!(streamed, expected.greedy, "{name}: streamed as picked");
        assert_eq!(generation.finish, Finish::MaxTokens);
        assert_eq!(
            session.position(),
            expected.prompt.len() + expected.greedy.len()
        );
    }
}

#[test]
fn stop_tokens_cancellation_and_a_full_context_end_a_generation() {
    let name = DECODER_FIXTURES[0];
    let expected = Expected::read(name);
    let engine = engine(name);
    let prompt = &expected.prompt;
    // Stop on the fourth greedy token: three emitted, the stop token fed but not emitted.
    let stop = expected.greedy[3];
    let first = expected.greedy.iter().position(|&t| t == stop).unwrap();
    let params = GenerateParams {
        max_tokens: 16,
        stop_tokens: vec![stop],
        ..GenerateParams::default()
    };
    let mut s = engine.session(64).unwrap();
    let g = engine
        .generate(&mut s, prompt, &params, |_| ControlFlow::Continue(()))
        .unwrap();
    assert_eq!(g.finish, Finish::StopToken(stop));
    assert_eq!(g.tokens, expected.greedy[..first]);
    assert_eq!(s.position(), prompt.len() + first + 1);
    // Cancel after two tokens.
    let params = GenerateParams {
        max_tokens: 16,
        ..GenerateParams::default()
    };
    let mut s = engine.session(64).unwrap();
    let mut seen = 0;
    let g = engine
        .generate(&mut s, prompt, &params, |_| {
            seen += 1;
            if seen == 2 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
    assert_eq!(g.finish, Finish::Cancelled);
    assert_eq!(g.tokens, expected.greedy[..2]);
    // A context with room for two more tokens.
    let mut s = engine.session(prompt.len() + 2).unwrap();
    let g = engine
        .generate(&mut s, prompt, &params, |_| ControlFlow::Continue(()))
        .unwrap();
    assert_eq!(g.finish, Finish::ContextFull);
    assert_eq!(g.tokens, expected.greedy[..2]);
}
