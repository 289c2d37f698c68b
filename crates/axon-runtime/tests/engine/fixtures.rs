//! Every committed llama-family and Gemma 3 fixture: the GPU's logits at every position of the
//! prompt equal the CPU reference's (top-1 equal, max |Δlogit| <= 1e-2 · max|logit|) and agree
//! with transformers (argmax at every position, the last logits, the greedy continuation).

use crate::{DECODER_FIXTURES, Expected, argmax, assert_logits_close, fixture, gpu};
use axon_models::weights::WeightLayout;
use axon_reference::model::ReferenceModel;
use axon_runtime::{EngineOptions, open_model};

#[test]
fn prompt_logits_and_greedy_match_reference_and_transformers() {
    for name in DECODER_FIXTURES {
        let expected = Expected::read(name);
        let engine = open_model(
            gpu(),
            &fixture(name),
            WeightLayout::FUSED,
            EngineOptions::default(),
        )
        .unwrap();
        let vocab = engine.shape().dims.vocab;
        let mut session = engine.session(64).unwrap();
        let logits = engine.forward(&mut session, &expected.prompt).unwrap();
        let reference = ReferenceModel::open(&fixture(name)).unwrap();
        let mut ref_session = reference.new_session();
        let want = reference
            .forward(&mut ref_session, &expected.prompt)
            .unwrap();
        for (p, (got, want)) in logits.chunks_exact(vocab).zip(&want).enumerate() {
            let what = format!("{name} position {p}");
            assert_eq!(argmax(got), argmax(want), "{what}: top-1 vs reference");
            assert_eq!(
                argmax(got),
                expected.argmax[p],
                "{what}: top-1 vs transformers"
            );
            assert_logits_close(got, want, &what);
        }
        let last = &logits[logits.len() - vocab..];
        assert_logits_close(
            last,
            &expected.last_logits,
            &format!("{name} last vs transformers"),
        );
        // Greedy continuation, one decode step (one token) at a time.
        let mut next = argmax(last) as u32;
        let mut greedy = vec![next];
        while greedy.len() < expected.greedy.len() {
            let row = engine.forward(&mut session, &[next]).unwrap();
            next = argmax(&row) as u32;
            greedy.push(next);
        }
        assert_eq!(
            greedy, expected.greedy,
            "{name}: greedy continuation vs transformers"
        );
    }
}
