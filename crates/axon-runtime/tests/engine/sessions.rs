//! Sessions: prefill then decode equals one recompute of the whole sequence; a sequence fed
//! over several calls equals one call; several sessions on one engine do not disturb each
//! other; the context limit and reset; one `queue.submit` per decode token.

use crate::{
    ALL_FIXTURES, DECODER_FIXTURES, Expected, argmax, assert_logits_close, engine, engine_with,
    fixture, gpu, reference_for,
};
use axon_gpu::kernels::kv_cache::KvType;
use axon_models::weights::WeightLayout;
use axon_runtime::{EngineOptions, RuntimeError, open_model};

#[test]
fn split_calls_and_decode_equal_one_call() {
    // Every fixture; the 34-token call crosses Qwen3.5's 32-token DeltaNet chunks, and a reset
    // session replays the same split.
    for name in ALL_FIXTURES {
        let prompt = Expected::read(name).prompt;
        let engine = engine(name);
        let vocab = engine.config().vocab;
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
                // Not the same computation: calls of other lengths run other kernels (matvec
                // for one token, tiled matmul and chunked DeltaNet for more) with other
                // summation orders, so the reference tolerance applies, not bit equality.
                let what = format!("{name} round {round} position {p}: split vs whole");
                assert_eq!(argmax(a), argmax(b), "{what}");
                assert_logits_close(a, b, &what);
            }
            engine.reset(&mut split).unwrap();
        }
    }
}

/// The same calls in a session alone and interleaved with another session's calls, and
/// again after a reset, are the same computation: bit-identical logits.
#[test]
fn sessions_are_independent_and_reset_restarts() {
    let name = DECODER_FIXTURES[0];
    let prompt = Expected::read(name).prompt;
    let engine = engine(name);
    let mut a = engine.session(64).unwrap();
    let mut b = engine.session(64).unwrap();
    let calls = |s: &mut axon_runtime::Session, other: Option<&mut axon_runtime::Session>| {
        let mut rows = engine.forward(s, &prompt[..10]).unwrap();
        if let Some(b) = other {
            engine.forward(b, &prompt[20..]).unwrap();
            engine.reset(b).unwrap();
            engine.forward(b, &prompt[..5]).unwrap();
        }
        rows.extend(engine.forward(s, &prompt[10..20]).unwrap());
        rows.extend(engine.forward(s, &prompt[20..21]).unwrap());
        rows
    };
    let alone = calls(&mut a, None);
    engine.reset(&mut a).unwrap();
    assert_eq!(a.position(), 0);
    let interleaved = calls(&mut a, Some(&mut b));
    assert_eq!(bits(&interleaved), bits(&alone), "interleaved vs alone");
    let mut fresh = engine.session(64).unwrap();
    assert_eq!(
        bits(&calls(&mut fresh, None)),
        bits(&alone),
        "a fresh session"
    );
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// A forward pass whose logits are not finite (token 0's embedding row holds a NaN here) is an
/// error naming the position, found by the GPU's argmax step; the session that ran it (its
/// KV cache and DeltaNet state now hold NaN) is refused until it is reset, and after the reset
/// it computes exactly what a fresh session computes.
#[test]
fn a_non_finite_logit_is_an_error_and_breaks_the_session_until_reset() {
    use axon_formats::gguf::GgufFile;
    use axon_formats::hf::HfCheckpoint;
    use axon_models::config::ModelConfig;
    use axon_models::weights::ModelWeights;
    use axon_testkit::convert::{Edits, qwen35_to_gguf};
    use axon_testkit::mutate::{Mutation, write_mutated};
    // Untied: the poisoned embedding row is not also the output row of token 0.
    let name = "qwen35-equal-untied";
    let ckpt = HfCheckpoint::open(fixture(name)).unwrap();
    let clean = GgufFile::from_bytes(
        "clean.gguf",
        qwen35_to_gguf(&ckpt, &Edits::default()).unwrap(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("poisoned.gguf");
    let poison = Mutation::Poison {
        tensor: "token_embd.weight".into(),
        index: 0,
        value: f32::NAN,
    };
    write_mutated(&clean, &path, &poison).unwrap();
    let file = GgufFile::open(&path).unwrap();
    let config = ModelConfig::from_gguf(&file).unwrap();
    let weights = ModelWeights::load(gpu(), &file, &config, WeightLayout::FUSED).unwrap();
    let engine = axon_runtime::Engine::new(gpu(), config, weights, EngineOptions::default());
    let mut s = engine.session(32).unwrap();
    engine.forward(&mut s, &[5, 6]).unwrap();
    // Decode, then prefill with the poisoned token first (in a chunked pass a NaN later in the
    // call can reach earlier rows through masked products, 0 · NaN).
    for (ids, position) in [(&[0u32][..], 2usize), (&[0, 7, 8][..], 2)] {
        let err = engine.forward(&mut s, ids).unwrap_err();
        assert!(
            matches!(err, RuntimeError::NonFiniteLogits { position: p, .. } if p == position),
            "{err}"
        );
        assert!(s.broken().is_some());
        let refused = engine.forward(&mut s, &[1]).unwrap_err();
        assert!(
            matches!(refused, RuntimeError::SessionBroken { .. }),
            "{refused}"
        );
        assert!(refused.to_string().contains("reset"), "{refused}");
        engine.reset(&mut s).unwrap();
        engine.forward(&mut s, &[5, 6]).unwrap();
    }
    let after = engine.forward(&mut s, &[9, 10, 11]).unwrap();
    let mut fresh = engine.session(32).unwrap();
    engine.forward(&mut fresh, &[5, 6]).unwrap();
    let want = engine.forward(&mut fresh, &[9, 10, 11]).unwrap();
    assert_eq!(bits(&after), bits(&want), "a reset session is a fresh one");
}

/// Sessions belong to the engine that made them by id: an engine built where a dropped one
/// lived (the same memory, so an address would match) refuses the old engine's session.
#[test]
fn a_session_is_refused_by_an_engine_built_in_its_engines_place() {
    let name = DECODER_FIXTURES[0];
    let mut slot = Some(engine(name));
    let mut old = slot.as_ref().unwrap().session(16).unwrap();
    let first_place = slot.as_ref().map(|e| e as *const _ as usize);
    slot = Some(engine(name));
    let second_place = slot.as_ref().map(|e| e as *const _ as usize);
    assert_eq!(
        first_place, second_place,
        "the new engine lives where the old one did"
    );
    let engine = slot.as_ref().unwrap();
    assert!(matches!(
        engine.forward(&mut old, &[1, 2]),
        Err(RuntimeError::ForeignSession)
    ));
    assert!(matches!(
        engine.reset(&mut old),
        Err(RuntimeError::ForeignSession)
    ));
    let mut own = engine.session(16).unwrap();
    engine.forward(&mut own, &[1, 2]).unwrap();
}

/// A chat of 1,000 turns (prompts of 23 different lengths, then a decode step; the session is
/// reset when its context fills) on an engine that caches one plan: the plan scratch alive
/// stays within what the cache and the session's recorded passes may hold, where every
/// length used to keep its scratch for ever. The first turns' logits are bit-identical to an
/// engine that caches every plan (evicting and rebuilding a plan changes nothing).
#[test]
fn a_thousand_turns_of_different_lengths_keep_plan_scratch_bounded() {
    let name = DECODER_FIXTURES[0];
    let open = |plan_cache_bytes| {
        let options = EngineOptions {
            plan_cache_bytes,
            ..EngineOptions::default()
        };
        open_model(gpu(), &fixture(name), WeightLayout::FUSED, options).unwrap()
    };
    let small = open(1);
    let large = open(u64::MAX);
    let (mut s, mut t) = (small.session(64).unwrap(), large.session(64).unwrap());
    let mut largest_plan = 0u64;
    for turn in 0..1000usize {
        let len = turn * 7 % 23 + 1;
        let prompt: Vec<u32> = (0..len)
            .map(|i| ((turn * 31 + i * 17) % 200) as u32)
            .collect();
        if s.position() + len + 1 > 64 {
            small.reset(&mut s).unwrap();
            if turn < 100 {
                large.reset(&mut t).unwrap();
            }
        }
        let a = small.forward_last(&mut s, &prompt).unwrap();
        largest_plan = largest_plan.max(small.scratch_bytes());
        let next = argmax(&a) as u32;
        let b = small.forward(&mut s, &[next]).unwrap();
        if turn < 100 {
            let c = large.forward_last(&mut t, &prompt).unwrap();
            let d = large.forward(&mut t, &[next]).unwrap();
            assert_eq!(bits(&a), bits(&c), "turn {turn}: prefill");
            assert_eq!(bits(&b), bits(&d), "turn {turn}: decode");
        }
        assert_eq!(small.cached_plans(), 1, "turn {turn}");
        assert!(s.encoded_passes() <= axon_runtime::MAX_ENCODED_PASSES);
        let bound = (axon_runtime::MAX_ENCODED_PASSES as u64 + 1) * largest_plan;
        assert!(
            small.live_scratch_bytes() <= bound,
            "turn {turn}: {} live scratch bytes > {bound}",
            small.live_scratch_bytes()
        );
    }
    assert!(
        large.cached_plans() > 20,
        "the unbounded engine kept every length's plan: {}",
        large.cached_plans()
    );
    drop(s);
    assert!(
        small.live_scratch_bytes() <= largest_plan,
        "only the cached plan lives on"
    );
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
    // A context past what a model may have, or whose KV cache one binding of this device
    // cannot hold, is refused before anything is allocated, saying which tensor.
    let err = engine.session((1 << 24) + 1).unwrap_err();
    assert!(
        matches!(&err, RuntimeError::ContextTooLarge { tensor, .. } if tensor == "positions"),
        "{err}"
    );
    let per_position = engine.config().kv_dim() as u64 * 4;
    let max = gpu()
        .caps()
        .max_storage_binding_bytes()
        .min(u64::from(u32::MAX));
    let context = (max / per_position + 1) as usize;
    if context <= 1 << 24 {
        let err = engine.session(context).unwrap_err();
        assert!(
            matches!(&err, RuntimeError::ContextTooLarge { tensor, bytes, .. }
                if tensor.ends_with("cache_k") || tensor.ends_with("cache_v") && *bytes > max),
            "{err}"
        );
        assert!(err.to_string().contains("smaller context"), "{err}");
    }
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
/// (top-1 equal, max |Δlogit| <= 1e-3 · max|logit|, `LOGITS_TOLERANCE`), for every fixture (Gemma's
/// sliding window is far shorter than the context; Qwen3.5's DeltaNet runs 17 chunks) and
/// both KV cache types (the reference rounding an f16 cache's keys and values as it stores
/// them).
#[test]
fn long_context_prefill_and_decode_equal_the_reference() {
    for name in ALL_FIXTURES {
        for kv in KvType::ALL {
            let options = EngineOptions {
                kv_cache: kv,
                ..EngineOptions::default()
            };
            let engine = engine_with(name, options);
            let vocab = engine.config().vocab;
            let tokens: Vec<u32> = (0..520 + 64)
                .map(|i| ((i * 37 + 11) % vocab) as u32)
                .collect();
            let mut s = engine.session(tokens.len()).unwrap();
            let mut rows = engine.forward(&mut s, &tokens[..520]).unwrap();
            for &t in &tokens[520..] {
                rows.extend(engine.forward(&mut s, &[t]).unwrap());
            }
            let reference = reference_for(&fixture(name), &options);
            let want = reference
                .forward(&mut reference.new_session(), &tokens)
                .unwrap();
            for (p, (got, want)) in rows.chunks_exact(vocab).zip(&want).enumerate() {
                let what = format!("{name} {kv} cache, position {p}");
                assert_eq!(argmax(got), argmax(want), "{what}: top-1");
                assert_logits_close(got, want, &what);
            }
        }
    }
}

/// `forward_last` (only the last token's logits) leaves the session exactly where `forward`
/// would: the layers are the same computation, so the next decode step is bit-identical. Its
/// logits come from a matrix-vector product where `forward`'s rows come from the tiled
/// matmul (a different summation order), so the last row is held to the path-equivalence
/// check instead (`TESTING.md`, kind 5).
#[test]
fn last_token_logits_equal_the_last_row() {
    for name in ALL_FIXTURES {
        let prompt = Expected::read(name).prompt;
        let engine = engine(name);
        let vocab = engine.config().vocab;
        let mut a = engine.session(64).unwrap();
        let mut b = engine.session(64).unwrap();
        let all = engine.forward(&mut a, &prompt).unwrap();
        let last = engine.forward_last(&mut b, &prompt).unwrap();
        assert_eq!(last.len(), vocab);
        let row = &all[all.len() - vocab..];
        if let Err(e) = axon_testkit::equivalence::check_paths(&last, row, vocab) {
            panic!("{name}: the last row: {e}");
        }
        assert_eq!(a.position(), b.position());
        let next = engine.forward(&mut b, &[7]).unwrap();
        let want = engine.forward(&mut a, &[7]).unwrap();
        assert_eq!(
            bits(&next),
            bits(&want),
            "{name}: decode after forward_last"
        );
    }
}
