//! The library API in one page: load a model, chat with streaming, raw-text generation with
//! sampling and a stop string, token counting, cancellation.
//!
//! `cargo run --release --example generate -- models/SmolLM2-135M-Instruct.Q4_1.gguf`
//! (`scripts/fetch-models` downloads that file; set AXON_ALLOW_SOFTWARE=1 without a GPU.)

use axon::{CancelToken, GenerateOptions, Model, ModelOptions, SamplingParams};
use std::io::Write;
use std::ops::ControlFlow;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "models/SmolLM2-135M-Instruct.Q4_1.gguf".to_owned());
    let options = ModelOptions {
        context: Some(2048),
        ..ModelOptions::default()
    };
    let model = Model::load(&path, &options)?;

    // A conversation: the chat template is applied for us, the session keeps the KV cache.
    let mut chat = model.chat()?;
    let greedy = GenerateOptions::default();
    for question in ["What is the capital of France?", "And of Germany?"] {
        println!("> {question}");
        let reply = chat.send(question, &greedy, |piece| {
            print!("{piece}");
            let _ = std::io::stdout().flush();
            ControlFlow::Continue(())
        })?;
        println!(
            "\n  [{} tokens, {:.1} tok/s, {:?}]",
            reply.tokens.len(),
            reply.decode_tokens_per_second(),
            reply.finish
        );
    }

    // Raw text, sampled, ended by a stop string; pieces pulled from an iterator.
    let sampled = GenerateOptions {
        sampling: SamplingParams {
            temperature: 0.8,
            top_k: Some(40),
            top_p: Some(0.95),
            min_p: Some(0.05),
            repeat_penalty: 1.1,
            seed: 7,
            ..SamplingParams::default()
        },
        max_tokens: 64,
        stop_strings: vec!["\n\n".to_owned()],
        ..GenerateOptions::default()
    };
    let prompt = "Once upon a time";
    println!("{prompt} ({} tokens)", model.count_tokens(prompt)?);
    let mut session = model.session()?;
    let mut stream = model.stream(&mut session, prompt, &sampled)?;
    for piece in stream.by_ref() {
        print!("{}", piece?);
    }
    println!("\n  [{:?}]", stream.finish()?.finish);

    // Cancellation from anywhere (here: after 5 pieces).
    let cancel = CancelToken::new();
    let options = GenerateOptions {
        cancel: Some(cancel.clone()),
        ..sampled
    };
    let mut pieces = 0;
    let reply = chat.send("Tell me a long story.", &options, |_| {
        pieces += 1;
        if pieces == 5 {
            cancel.cancel();
        }
        ControlFlow::Continue(())
    })?;
    println!(
        "cancelled after {} tokens: {:?}",
        reply.tokens.len(),
        reply.text
    );
    Ok(())
}
