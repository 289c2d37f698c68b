//! `axon chat` (and `cargo run --example chat`): an interactive chat, or one reply with
//! `--prompt`. Replies stream to stdout as they are decoded; progress, notices and speed go to
//! stderr, so a one-shot reply can be captured alone.

mod args;
mod error;
mod setup;

pub use args::{ChatArgs, ReplyArgs, RunArgs};
pub use error::ChatCliError;

use axon_chat::{CancelToken, Chat, ChatError, FinishReason, Model, Reply};
use axon_runtime::RuntimeError;
use std::io::{BufRead, Write};
use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Runs `axon chat`.
pub fn run(args: &ChatArgs) -> Result<(), ChatCliError> {
    match &args.prompt {
        Some(prompt) => one_shot(&args.reply, prompt),
        None => interactive(&args.reply),
    }
}

/// Runs `axon run`: one turn.
pub fn run_once(args: &RunArgs) -> Result<(), ChatCliError> {
    one_shot(&args.reply, &args.prompt)
}

fn new_chat<'m>(model: &'m Model, args: &ReplyArgs) -> Result<Chat<'m>, ChatError> {
    Ok(model.chat()?.with_system(args.system.clone()))
}

/// Streams one reply to `out`, stopping early when `cancel` fires.
fn reply(
    chat: &mut Chat<'_>,
    args: &ReplyArgs,
    message: &str,
    cancel: Option<&CancelToken>,
    out: &mut impl Write,
) -> Result<Reply, ChatCliError> {
    let mut options = args.generate_options();
    options.cancel = cancel.cloned();
    let mut failure = None;
    let reply = chat.send(message, &options, |piece| {
        match out.write_all(piece.as_bytes()).and_then(|()| out.flush()) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                failure = Some(e);
                ControlFlow::Break(())
            }
        }
    })?;
    if let Some(e) = failure {
        return Err(e.into());
    }
    writeln!(out)?;
    Ok(reply)
}

fn finish_text(reply: &Reply, chat: &Chat<'_>) -> String {
    match &reply.finish {
        FinishReason::StopToken(_) => "end of turn".to_owned(),
        FinishReason::StopString(s) => format!("stop string {s:?}"),
        FinishReason::MaxTokens => "--max-tokens reached".to_owned(),
        FinishReason::Cancelled => "stopped".to_owned(),
        FinishReason::ContextFull => format!(
            "context full ({} tokens): /reset to start over, or restart with a larger --context",
            chat.context()
        ),
    }
}

fn report(reply: &Reply, chat: &Chat<'_>) {
    eprintln!(
        "[axon] {} tokens, {:.1} tok/s (prompt: {} tokens in {:.2} s); context {}/{}; {}",
        reply.tokens.len(),
        reply.decode_tokens_per_second(),
        reply.prompt_tokens,
        reply.prefill_time.as_secs_f64(),
        chat.tokens_used(),
        chat.context(),
        finish_text(reply, chat)
    );
}

fn one_shot(args: &ReplyArgs, prompt: &str) -> Result<(), ChatCliError> {
    let model = setup::load(args)?;
    let mut chat = new_chat(&model, args)?;
    let reply = reply(&mut chat, args, prompt, None, &mut std::io::stdout().lock())?;
    report(&reply, &chat);
    Ok(())
}

const HELP: &str = "Type a message and press Enter. /reset starts a new conversation, /exit \
                    (or Ctrl-D) quits, Ctrl-C stops a reply.";

/// Whether a failed turn leaves the chat usable: the conversation outgrew its context.
fn recoverable(e: &ChatCliError) -> bool {
    matches!(
        e,
        ChatCliError::Chat(ChatError::Runtime(RuntimeError::ContextFull { .. }))
    )
}

fn interactive(args: &ReplyArgs) -> Result<(), ChatCliError> {
    let cancel = CancelToken::new();
    let replying = Arc::new(AtomicBool::new(false));
    {
        let cancel = cancel.clone();
        let replying = Arc::clone(&replying);
        // Ctrl-C during a reply stops the reply; anywhere else it quits, as a terminal expects.
        ctrlc::set_handler(move || {
            if replying.load(Ordering::SeqCst) {
                cancel.cancel();
            } else {
                eprintln!();
                std::process::exit(130);
            }
        })?;
    }
    let model = setup::load(args)?;
    let mut chat = new_chat(&model, args)?;
    eprintln!(
        "[axon] {} ready ({} tokens of context). {HELP}",
        model.path().display(),
        chat.context()
    );
    let stdin = std::io::stdin();
    let mut line = String::new();
    loop {
        print!("> ");
        std::io::stdout().flush()?;
        line.clear();
        if stdin.lock().read_line(&mut line)? == 0 {
            println!();
            return Ok(());
        }
        let message = line.trim();
        match message {
            "" => continue,
            "/exit" | "/quit" => return Ok(()),
            "/reset" => {
                chat.reset()?;
                eprintln!("[axon] new conversation");
                continue;
            }
            "/help" => {
                eprintln!("[axon] {HELP}");
                continue;
            }
            m if m.starts_with('/') => {
                eprintln!("[axon] unknown command {m}. {HELP}");
                continue;
            }
            _ => {}
        }
        cancel.clear();
        replying.store(true, Ordering::SeqCst);
        let result = reply(
            &mut chat,
            args,
            message,
            Some(&cancel),
            &mut std::io::stdout().lock(),
        );
        replying.store(false, Ordering::SeqCst);
        match result {
            Ok(r) => report(&r, &chat),
            Err(e) if recoverable(&e) => {
                eprintln!(
                    "[axon] {e}; /reset starts a new conversation, or restart with a larger --context"
                );
            }
            Err(e) => return Err(e),
        }
    }
}
