//! Generation: greedy generation equals transformers' continuation; stop tokens, cancellation
//! and a full context end a generation as documented. The sampler's own distribution tests need
//! no GPU and live in `tests/sampler.rs`.

use crate::{DECODER_FIXTURES, Expected, engine};
use axon_runtime::{Finish, GenerateParams};
use std::ops::ControlFlow;

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
