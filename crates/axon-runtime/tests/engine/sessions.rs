//! Sessions: prefill then decode equals one recompute of the whole sequence; a sequence fed
//! over several calls equals one call; several sessions on one engine do not disturb each
//! other; the context limit and reset; one `queue.submit` per decode token.

use crate::{
    ALL_FIXTURES, DECODER_FIXTURES, Expected, argmax, assert_logits_close, engine, fixture,
};
use axon_models::weights::WeightLayout;
use axon_runtime::{EngineOptions, RuntimeError, open_model};

#[test]
fn split_calls_and_decode_equal_one_call() {
    // Every fixture; the 34-token call crosses Qwen3.5's 32-token DeltaNet chunks, and a reset
    // session replays the same split.
    for name in ALL_FIXTURES {
        let prompt = Expected::read(name).prompt;
        let engine = engine(name);
        let vocab = engine.shape().dims.vocab;
        let mut whole = engine.session(64).unwrap();
        let all = engine.forward(&mut whole, &prompt).unwrap();
        let mut split = engine.session(64).unwrap();
        for round in 0..2 {
            // 1 token, then 34 in one chunk, then 1, then decode the tail token by token.
            let mut rows = engine.forward(&mut split, &prompt[..1]).unwrap();
            rows.extend(engine.forward(&mut split, &prompt[1..35]).unwrap());
            rows.extend(engine.forward(&mut split, &prompt[35..36]).unwrap());
            for &t in &prompt[36..] {
                rows.extend(engine.forward(&mut split, &[t]).unwrap());
            }
            assert_eq!(split.position(), prompt.len());
            assert_eq!(split.tokens(), &prompt[..]);
            for (p, (a, b)) in rows
                .chunks_exact(vocab)
                .zip(all.chunks_exact(vocab))
                .enumerate()
            {
                let what = format!("{name} round {round} position {p}: split vs whole");
                assert_eq!(argmax(a), argmax(b), "{what}");
                assert_logits_close(a, b, &what);
            }
            engine.reset(&mut split).unwrap();
        }
    }
}

#[test]
fn sessions_are_independent_and_reset_restarts() {
    let name = DECODER_FIXTURES[0];
    let prompt = Expected::read(name).prompt;
    let engine = engine(name);
    let mut a = engine.session(64).unwrap();
    let mut b = engine.session(64).unwrap();
    let alone = engine.forward(&mut a, &prompt[..20]).unwrap();
    // Interleave another sequence in b between a's calls.
    engine.forward(&mut b, &prompt[20..]).unwrap();
    engine.reset(&mut a).unwrap();
    assert_eq!(a.position(), 0);
    let first = engine.forward(&mut a, &prompt[..10]).unwrap();
    engine.forward(&mut b, &prompt[..5]).unwrap();
    let second = engine.forward(&mut a, &prompt[10..20]).unwrap();
    let together: Vec<f32> = first.into_iter().chain(second).collect();
    let vocab = engine.shape().dims.vocab;
    for (x, y) in together.chunks_exact(vocab).zip(alone.chunks_exact(vocab)) {
        assert_logits_close(x, y, "interleaved sessions");
    }
}

#[test]
fn the_context_limit_is_an_error() {
    let engine = engine(DECODER_FIXTURES[0]);
    let mut s = engine.session(8).unwrap();
    engine.forward(&mut s, &[1, 2, 3, 4, 5, 6]).unwrap();
    let err = engine.forward(&mut s, &[1, 2, 3]).unwrap_err();
    assert!(
        matches!(
            err,
            RuntimeError::ContextFull {
                context: 8,
                needed: 9
            }
        ),
        "{err}"
    );
    let message = err.to_string();
    assert!(
        message.contains("holds 8 tokens") && message.contains("larger context"),
        "the error says the limit and how to raise it: {message}"
    );
    assert_eq!(
        s.position(),
        6,
        "a refused call leaves the session as it was"
    );
    engine.forward(&mut s, &[1, 2]).unwrap();
    assert!(matches!(
        engine.forward(&mut s, &[1_000_000]),
        Err(RuntimeError::ContextFull { .. } | RuntimeError::TokenId { .. })
    ));
    assert!(matches!(
        engine.forward(&mut s, &[]),
        Err(RuntimeError::NoTokens)
    ));
}

/// A pass is recorded once per token count and replayed: the position and the ids live in
/// buffers rewritten before each submit, so decode steps record nothing new.
#[test]
fn decode_steps_replay_one_recorded_pass() {
    let engine = engine(DECODER_FIXTURES[0]);
    let mut s = engine.session(32).unwrap();
    engine.forward(&mut s, &[3, 4, 5, 6, 7]).unwrap();
    assert_eq!(s.encoded_passes(), 1);
    for t in [8, 9, 10, 11] {
        engine.forward(&mut s, &[t]).unwrap();
        assert_eq!(s.encoded_passes(), 2, "decode steps share one pass");
    }
    engine.forward_last(&mut s, &[1, 2, 3, 4, 5]).unwrap();
    assert_eq!(s.encoded_passes(), 3, "last-logits prefill is its own plan");
}

#[test]
fn one_submit_per_decode_token() {
    // A device of its own: the shared one counts the other tests' submits too.
    let own = axon_gpu::Gpu::new().unwrap();
    let engine = open_model(
        &own,
        &fixture(DECODER_FIXTURES[1]),
        WeightLayout::FUSED,
        EngineOptions::default(),
    )
    .unwrap();
    let mut s = engine.session(32).unwrap();
    engine.forward(&mut s, &[5, 6, 7]).unwrap();
    for t in [8, 9, 10, 11] {
        let before = own.submit_count();
        engine.forward(&mut s, &[t]).unwrap();
        assert_eq!(
            own.submit_count() - before,
            1,
            "submits for one decode token"
        );
    }
}

/// A 520-token prefill (past the 512 mark, across many 64-key attention tiles and 64-token
/// matmul tiles) then 64 decode steps: every position's logits equal the CPU reference's
/// (top-1 equal, max |Δlogit| <= 1e-2 · max|logit|), for every fixture (Gemma's
/// sliding window is far shorter than the context; Qwen3.5's DeltaNet runs 17 chunks).
#[test]
fn long_context_prefill_and_decode_equal_the_reference() {
    use axon_reference::model::ReferenceModel;
    for name in ALL_FIXTURES {
        let engine = engine(name);
        let vocab = engine.shape().dims.vocab;
        let tokens: Vec<u32> = (0..520 + 64)
            .map(|i| ((i * 37 + 11) % vocab) as u32)
            .collect();
        let mut s = engine.session(tokens.len()).unwrap();
        let mut rows = engine.forward(&mut s, &tokens[..520]).unwrap();
        for &t in &tokens[520..] {
            rows.extend(engine.forward(&mut s, &[t]).unwrap());
        }
        let reference = ReferenceModel::open(&fixture(name)).unwrap();
        let want = reference
            .forward(&mut reference.new_session(), &tokens)
            .unwrap();
        for (p, (got, want)) in rows.chunks_exact(vocab).zip(&want).enumerate() {
            let what = format!("{name} position {p}");
            assert_eq!(argmax(got), argmax(want), "{what}: top-1");
            assert_logits_close(got, want, &what);
        }
    }
}

/// `forward_last` (only the last token's logits, one matrix-vector product) equals the last
/// row of `forward` and leaves the session where `forward` would.
#[test]
fn last_token_logits_equal_the_last_row() {
    for name in ALL_FIXTURES {
        let prompt = Expected::read(name).prompt;
        let engine = engine(name);
        let vocab = engine.shape().dims.vocab;
        let mut a = engine.session(64).unwrap();
        let mut b = engine.session(64).unwrap();
        let all = engine.forward(&mut a, &prompt).unwrap();
        let last = engine.forward_last(&mut b, &prompt).unwrap();
        assert_eq!(last.len(), vocab);
        let row = &all[all.len() - vocab..];
        assert_eq!(argmax(&last), argmax(row), "{name}");
        assert_logits_close(&last, row, name);
        assert_eq!(a.position(), b.position());
        let next = engine.forward(&mut b, &[7]).unwrap();
        let want = engine.forward(&mut a, &[7]).unwrap();
        assert_logits_close(&next, &want, &format!("{name}: decode after forward_last"));
    }
}
