//! The text-level API on the GPU (lavapipe in CI) with SmolLM2-135M-Instruct: chat template,
//! token counting, a greedy reply equal to the one the CPU reference reproduces from
//! transformers, multi-turn sessions that feed only the new tokens, stop strings, cancellation,
//! streaming, budgets and a full context. Every reply comes from the GPU engine.

use axon_chat::{
    CancelToken, ChatError, FinishReason, GenerateOptions, Message, Model, ModelOptions,
};
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::OnceLock;

const QUESTION: &str = "What is the capital of France?";

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

/// SmolLM2 on the adapter the environment allows, loaded once for every test here.
fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        let path = repo("models/SmolLM2-135M-Instruct.Q4_1.gguf");
        assert!(
            path.exists(),
            "{}: run scripts/fetch-models",
            path.display()
        );
        Model::load(&path, &ModelOptions::default()).unwrap()
    })
}

/// The reference's greedy reply to QUESTION (transformers' tokens, which the CPU reference
/// reproduces: `axon-reference`'s `greedy_smollm2` test), up to the end-of-turn token.
fn reference_reply() -> (Vec<u32>, Vec<u32>) {
    let text = std::fs::read_to_string(repo(
        "crates/axon-reference/tests/fixtures/greedy_smollm2-135m-instruct.json",
    ))
    .unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let ids = |key: &str| -> Vec<u32> {
        json["cases"][0][key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as u32)
            .collect()
    };
    let reply = ids("greedy").into_iter().take_while(|&t| t != 2).collect();
    (ids("prompt_ids"), reply)
}

fn greedy(max_tokens: usize) -> GenerateOptions {
    GenerateOptions {
        max_tokens,
        ..GenerateOptions::default()
    }
}

/// Tokens of the whole conversation QUESTION, `answer`, `follow_up`, ready for the reply.
fn second_turn_tokens(m: &Model, answer: &str, follow_up: &str) -> usize {
    let messages = [
        Message::new("user", QUESTION),
        Message::new("assistant", answer),
        Message::new("user", follow_up),
    ];
    m.count_tokens(&m.apply_chat_template(&messages, true).unwrap())
        .unwrap()
}

fn keep_going(_: &str) -> ControlFlow<()> {
    ControlFlow::Continue(())
}

#[test]
fn the_chat_template_and_tokenizer_give_the_reference_prompt() {
    let m = model();
    let (prompt_ids, _) = reference_reply();
    let text = m
        .apply_chat_template(&[Message::new("user", QUESTION)], true)
        .unwrap();
    assert!(text.ends_with("<|im_start|>assistant\n"), "{text}");
    assert_eq!(m.encode(&text).unwrap(), prompt_ids);
    assert_eq!(m.count_tokens(&text).unwrap(), prompt_ids.len());
    assert_eq!(m.count_tokens("").unwrap(), 0);
    assert_eq!(m.stop_tokens(), &[2], "<|im_end|> ends a turn");
    assert_eq!(m.context(), 4096, "trained 8192, capped at the default");
}

#[test]
fn a_greedy_chat_reply_equals_the_reference_and_ends_the_turn() {
    let m = model();
    let (prompt_ids, reply_ids) = reference_reply();
    let mut chat = m.chat().unwrap();
    let mut streamed = String::new();
    let reply = chat
        .send(QUESTION, &greedy(32), |piece| {
            streamed.push_str(piece);
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(reply.tokens, reply_ids);
    assert_eq!(reply.text, m.decode(&reply_ids).unwrap());
    assert_eq!(reply.text, "The capital of France is Paris.");
    assert_eq!(streamed, reply.text);
    assert_eq!(reply.finish, FinishReason::StopToken(2));
    assert_eq!(reply.prompt_tokens, prompt_ids.len());
    assert_eq!(chat.tokens_used(), prompt_ids.len() + reply_ids.len() + 1);
    assert_eq!(chat.messages().len(), 2);
    assert_eq!(chat.messages()[1].content, reply.text);
}

#[test]
fn a_second_turn_feeds_only_the_new_tokens_and_reset_starts_over() {
    let m = model();
    let mut chat = m.chat().unwrap();
    let first = chat.send(QUESTION, &greedy(32), keep_going).unwrap();
    let used = chat.tokens_used();
    let second = chat.send("And of Italy?", &greedy(24), keep_going).unwrap();
    let whole = second_turn_tokens(m, &first.text, "And of Italy?");
    assert_eq!(
        second.prompt_tokens,
        whole - used,
        "only the tokens after the first turn are fed"
    );
    assert!(!second.text.is_empty());
    chat.reset().unwrap();
    assert_eq!(chat.tokens_used(), 0);
    assert!(chat.messages().is_empty());
    let again = chat.send(QUESTION, &greedy(32), keep_going).unwrap();
    assert_eq!(again.text, first.text, "a reset chat answers as a new one");
}

#[test]
fn a_stop_string_cuts_the_reply_and_the_next_turn_refeeds_the_conversation() {
    let m = model();
    let mut chat = m.chat().unwrap();
    let options = GenerateOptions {
        stop_strings: vec!["Paris".to_owned()],
        ..greedy(32)
    };
    let mut streamed = String::new();
    let reply = chat
        .send(QUESTION, &options, |p| {
            streamed.push_str(p);
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(reply.text, "The capital of France is ");
    assert_eq!(streamed, reply.text, "no part of the stop string is shown");
    assert_eq!(reply.finish, FinishReason::StopString("Paris".to_owned()));
    let next = chat.send("Thanks!", &greedy(4), keep_going).unwrap();
    let whole = second_turn_tokens(m, &reply.text, "Thanks!");
    assert_eq!(
        next.prompt_tokens, whole,
        "the session held the stop string's tokens: the conversation is fed again"
    );
}

#[test]
fn cancelling_stops_after_the_current_token() {
    let m = model();
    let (_, reply_ids) = reference_reply();
    let mut chat = m.chat().unwrap();
    let reply = chat
        .send(QUESTION, &greedy(32), |_| ControlFlow::Break(()))
        .unwrap();
    assert_eq!(reply.finish, FinishReason::Cancelled);
    assert_eq!(reply.tokens, reply_ids[..1]);

    let cancel = CancelToken::new();
    let options = GenerateOptions {
        cancel: Some(cancel.clone()),
        ..greedy(32)
    };
    let mut session = m.session_with_context(128).unwrap();
    let prompt = m
        .apply_chat_template(&[Message::new("user", QUESTION)], true)
        .unwrap();
    let mut pieces = 0;
    let reply = m
        .generate(&mut session, &prompt, &options, |_| {
            pieces += 1;
            if pieces == 2 {
                cancel.cancel();
            }
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(reply.finish, FinishReason::Cancelled);
    assert_eq!(reply.tokens, reply_ids[..2]);
    assert_eq!(
        session.position(),
        reply.prompt_tokens + 2,
        "the tokens emitted are in the session"
    );
}

#[test]
fn the_streaming_iterator_yields_the_reply_and_dropping_it_keeps_the_session_whole() {
    let m = model();
    let (prompt_ids, reply_ids) = reference_reply();
    let mut session = m.session_with_context(128).unwrap();
    let mut stream = m
        .stream_tokens(&mut session, &prompt_ids, &greedy(32))
        .unwrap();
    let mut text = String::new();
    for piece in stream.by_ref() {
        text.push_str(&piece.unwrap());
    }
    let reply = stream.finish().unwrap();
    assert_eq!(text, reply.text);
    assert_eq!(reply.tokens, reply_ids);

    // Dropped after one token, the session is whole: it holds what was fed. Greedy picks come
    // from the GPU and the pass feeding a pick runs before it is returned, so the returned
    // token is in the session; CPU-sampled tokens are fed on the next step, so it is not.
    let mut session = m.session_with_context(128).unwrap();
    let mut stream = m
        .stream_tokens(&mut session, &prompt_ids, &greedy(32))
        .unwrap();
    let first = stream.next().unwrap().unwrap();
    assert_eq!(first, m.decode(&reply_ids[..1]).unwrap());
    drop(stream);
    let mut fed = prompt_ids.clone();
    fed.push(reply_ids[0]);
    assert_eq!(
        session.tokens(),
        &fed[..],
        "a dropped greedy stream holds the token it returned"
    );
    let mut sampled = greedy(32);
    sampled.sampling.temperature = 0.7;
    let mut session = m.session_with_context(128).unwrap();
    let mut stream = m
        .stream_tokens(&mut session, &prompt_ids, &sampled)
        .unwrap();
    stream.next().unwrap().unwrap();
    drop(stream);
    assert_eq!(
        session.tokens(),
        &prompt_ids[..],
        "a dropped sampling stream fed nothing past the prompt: the token it returned is not in the session"
    );
}

#[test]
fn budgets_and_a_full_context_end_the_reply_and_an_oversized_prompt_says_how_to_fix_it() {
    let m = model();
    let (prompt_ids, reply_ids) = reference_reply();
    let mut session = m.session_with_context(128).unwrap();
    let reply = m
        .generate_tokens(&mut session, &prompt_ids, &greedy(3), keep_going)
        .unwrap();
    assert_eq!(reply.finish, FinishReason::MaxTokens);
    assert_eq!(reply.tokens, reply_ids[..3]);

    let context = prompt_ids.len() + 2;
    let mut session = m.session_with_context(context).unwrap();
    let reply = m
        .generate_tokens(&mut session, &prompt_ids, &greedy(32), keep_going)
        .unwrap();
    assert_eq!(reply.finish, FinishReason::ContextFull);
    assert_eq!(reply.tokens, reply_ids[..2]);

    let mut small = m.session_with_context(8).unwrap();
    let err = m
        .generate_tokens(&mut small, &prompt_ids, &greedy(4), keep_going)
        .unwrap_err();
    let message = err.to_string();
    assert!(
        matches!(err, ChatError::Runtime(_)) && message.contains("holds 8 tokens"),
        "{message}"
    );
    assert!(message.contains("larger context"), "{message}");
}

#[test]
fn a_missing_model_file_is_named_with_what_to_pass_instead() {
    let err = Model::load("/nonexistent/model.gguf", &ModelOptions::default()).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("/nonexistent/model.gguf"), "{message}");
    assert!(message.contains("GGUF file"), "{message}");
}

/// A model without a chat template (a base model) loads and generates from raw text, but a
/// chat is refused with what to use instead. The model: `axon synth`'s small llama shape with
/// SmolLM2's vocabulary minus its template.
#[test]
fn a_model_without_a_chat_template_refuses_a_chat_and_says_what_to_do() {
    use axon_formats::gguf::GgufFile;
    use axon_models::synth::{Preset, QuantMix, SynthArch, synthesize};
    let smollm = GgufFile::open(repo("models/SmolLM2-135M-Instruct.Q4_1.gguf")).unwrap();
    let vocabulary: Vec<_> = smollm
        .metadata()
        .filter(|(k, _)| k.starts_with("tokenizer.") && *k != "tokenizer.chat_template")
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect();
    let base = Preset {
        name: "base",
        arch: SynthArch::Llama,
        layers: 2,
        embd: 256,
        ff: 512,
        heads: 4,
        kv_heads: 2,
        head_dim: 64,
        rope_dims: 64,
        vocab: 49_152,
        tied: true,
        context: 2048,
        rope_base: 10_000.0,
        eps: 1e-5,
        sliding_window: None,
        deltanet: None,
    };
    let path = std::env::temp_dir().join(format!("axon-base-{}.gguf", std::process::id()));
    synthesize(&base, QuantMix::Q8_0, &vocabulary, &path, 1, |_, _| {}).unwrap();
    let m = Model::load(&path, &ModelOptions::default()).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert!(!m.has_chat_template());
    let err = m.chat().unwrap_err();
    let message = err.to_string();
    assert!(matches!(err, ChatError::NoTemplate { .. }), "{message}");
    assert!(
        message.contains("has no chat template") && message.contains("Model::generate"),
        "{message}"
    );
    assert!(
        m.apply_chat_template(&[Message::new("user", "hi")], true)
            .is_err()
    );
    let mut session = m.session_with_context(64).unwrap();
    let reply = m
        .generate(&mut session, "Once upon a time", &greedy(4), keep_going)
        .unwrap();
    assert_eq!(
        reply.finish,
        FinishReason::MaxTokens,
        "raw-text generation still works"
    );
    assert_eq!(reply.tokens.len(), 4);
}

/// A turn whose forward pass produces non-finite logits (the model: `axon synth`'s small llama
/// shape, untied, F16, with SmolLM2's vocabulary and template, and a NaN in the embedding row
/// of the token " zebra") fails with the engine's error and leaves the conversation as it
/// was; the next turn, on text without that token, is answered: the broken session is reset
/// and the conversation fed again.
#[test]
fn a_turn_with_non_finite_logits_fails_and_the_next_turn_recovers() {
    use axon_formats::gguf::GgufFile;
    use axon_models::synth::{Preset, QuantMix, SynthArch, synthesize};
    use axon_testkit::mutate::{Mutation, write_mutated};
    let smollm = GgufFile::open(repo("models/SmolLM2-135M-Instruct.Q4_1.gguf")).unwrap();
    let vocabulary: Vec<_> = smollm
        .metadata()
        .filter(|(k, _)| k.starts_with("tokenizer."))
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect();
    let preset = Preset {
        name: "poisoned",
        arch: SynthArch::Llama,
        layers: 2,
        embd: 64,
        ff: 128,
        heads: 4,
        kv_heads: 2,
        head_dim: 16,
        rope_dims: 16,
        vocab: 49_152,
        tied: false,
        context: 2048,
        rope_base: 10_000.0,
        eps: 1e-5,
        sliding_window: None,
        deltanet: None,
    };
    let dir = tempfile::tempdir().unwrap();
    let clean = dir.path().join("clean.gguf");
    synthesize(&preset, QuantMix::F16, &vocabulary, &clean, 1, |_, _| {}).unwrap();
    let clean_model = Model::load(&clean, &ModelOptions::default()).unwrap();
    let zebra = clean_model.encode(" zebra").unwrap();
    assert_eq!(zebra.len(), 1, "one token: {zebra:?}");
    let poisoned = dir.path().join("poisoned.gguf");
    let poison = Mutation::Poison {
        tensor: "token_embd.weight".into(),
        index: zebra[0] as usize * preset.embd,
        value: f32::NAN,
    };
    write_mutated(&GgufFile::open(&clean).unwrap(), &poisoned, &poison).unwrap();
    let m = Model::load(&poisoned, &ModelOptions::default()).unwrap();
    let mut chat = m.chat().unwrap();
    let err = chat.send("A zebra?", &greedy(4), keep_going).unwrap_err();
    assert!(err.to_string().contains("non-finite logit"), "{err}");
    assert!(chat.messages().is_empty(), "the failed turn is not kept");
    let reply = chat.send("Hello there", &greedy(4), keep_going).unwrap();
    assert_eq!(reply.tokens.len(), 4);
    assert_eq!(chat.messages().len(), 2);
    // The same turn on a fresh chat gives the same reply.
    let mut fresh = m.chat().unwrap();
    let want = fresh.send("Hello there", &greedy(4), keep_going).unwrap();
    assert_eq!(reply.tokens, want.tokens);
}
