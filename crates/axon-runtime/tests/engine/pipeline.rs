//! Pipelined greedy generation (`EngineOptions::pipeline`): the pass that feeds a token is
//! submitted before that token is read, its id copied on the GPU. On every fixture, against
//! the same generation with every pass read before the next (the CPU sampler over read-back
//! logits): the same tokens and finish, and sessions left bit-identical (the logits of a
//! further token agree bit for bit) after a budget, a stop token and a cancellation.

use crate::{ALL_FIXTURES, Expected, fixture, gpu};
use axon_models::weights::WeightLayout;
use axon_runtime::Session;
use axon_runtime::{Engine, EngineOptions, Finish, GenerateParams, Generation, open_model};
use std::ops::ControlFlow;

type Model = Engine<'static, axon_models::weights::ModelWeights>;

fn engine(name: &str, pipeline: bool) -> Model {
    let options = EngineOptions {
        pipeline,
        ..EngineOptions::default()
    };
    open_model(gpu(), &fixture(name), WeightLayout::FUSED, options).unwrap()
}

/// Generates with `params`, cancelling after `cancel_after` tokens if given, and returns the
/// generation, the session, and the logits of one more token fed to it.
fn run(
    engine: &Model,
    prompt: &[u32],
    params: &GenerateParams,
    cancel_after: Option<usize>,
) -> (Generation, Session, Vec<f32>) {
    let mut session = engine.session(64).unwrap();
    let mut seen = 0;
    let generation = engine
        .generate(&mut session, prompt, params, |_| {
            seen += 1;
            if Some(seen) == cancel_after {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
    let logits = engine.forward(&mut session, &[prompt[0]]).unwrap();
    (generation, session, logits)
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn pipelined_greedy_equals_reading_every_pass() {
    for name in ALL_FIXTURES {
        let expected = Expected::read(name);
        let prompt = &expected.prompt;
        let (piped, stepped) = (engine(name, true), engine(name, false));
        let budget = GenerateParams {
            max_tokens: 12,
            ..GenerateParams::default()
        };
        let stop = GenerateParams {
            stop_tokens: vec![expected.greedy[3]],
            ..budget.clone()
        };
        let cases = [
            ("budget", &budget, None),
            ("stop token", &stop, None),
            ("cancel", &budget, Some(2)),
        ];
        for (case, params, cancel) in cases {
            let (ga, sa, la) = run(&piped, prompt, params, cancel);
            let (gb, sb, lb) = run(&stepped, prompt, params, cancel);
            assert_eq!(ga, gb, "{name} {case}: generation");
            assert_eq!(sa.tokens(), sb.tokens(), "{name} {case}: session tokens");
            assert_eq!(sa.position(), sb.position(), "{name} {case}: position");
            assert_eq!(bits(&la), bits(&lb), "{name} {case}: logits after");
        }
        let (g, _, _) = run(&piped, prompt, &stop, None);
        assert!(
            matches!(g.finish, Finish::StopToken(_)),
            "{name}: the stop token ended it"
        );
    }
}

/// The pass feeding a token is submitted before the token is returned: after the first
/// token, two submits (the prefill and the pass feeding that token) when pipelined, one
/// (the prefill) otherwise.
#[test]
fn the_feeding_pass_is_submitted_before_the_token_is_returned() {
    let name = ALL_FIXTURES[2];
    let prompt = Expected::read(name).prompt;
    let params = GenerateParams {
        max_tokens: 4,
        ..GenerateParams::default()
    };
    // A device of its own: the shared one counts the other tests' submits too.
    let own = axon_gpu::Gpu::new().unwrap();
    for (pipeline, submits) in [(true, 2), (false, 1)] {
        let options = EngineOptions {
            pipeline,
            ..EngineOptions::default()
        };
        let engine = open_model(&own, &fixture(name), WeightLayout::FUSED, options).unwrap();
        let mut session = engine.session(64).unwrap();
        let before = own.submit_count();
        let mut stream = engine.stream(&mut session, &prompt, &params).unwrap();
        stream.next().unwrap().unwrap();
        assert_eq!(
            own.submit_count() - before,
            submits,
            "pipeline {pipeline}: submits by the first token"
        );
        let generation = stream.finish().unwrap();
        assert_eq!(generation.tokens.len(), 1);
        assert_eq!(session.position(), prompt.len() + 1);
    }
}
