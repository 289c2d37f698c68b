//! `axon run --model FILE --prompt TEXT`: one chat turn on the GPU engine. The prompt goes
//! through the model's chat template (with an optional system message), the reply is sampled
//! token by token and streamed to stdout as text (only the reply: scripts can capture it), and
//! the speed is reported on stderr.

use axon_formats::gguf::GgufFile;
use axon_formats::template::{ChatTemplate, Message};
use axon_formats::tokenizer::Tokenizer;
use axon_runtime::{GenerateParams, SamplingParams, layout_from_env, open_model, options_from_env};
use std::io::Write;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Flags of `axon run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The model: a GGUF file or a Hugging Face checkpoint directory.
    #[arg(long, value_name = "FILE")]
    pub model: PathBuf,
    /// The user's message.
    #[arg(long)]
    pub prompt: String,
    /// A system message (the template's default when absent).
    #[arg(long)]
    pub system: Option<String>,
    /// Softmax temperature; 0 is greedy.
    #[arg(long, default_value_t = 0.0)]
    pub temperature: f32,
    /// Keep only the k most likely tokens.
    #[arg(long)]
    pub top_k: Option<usize>,
    /// Keep the most likely tokens up to this probability mass.
    #[arg(long)]
    pub top_p: Option<f32>,
    /// Drop tokens less likely than this fraction of the most likely one.
    #[arg(long)]
    pub min_p: Option<f32>,
    /// Penalty on recently seen tokens (1 = none).
    #[arg(long, default_value_t = 1.0)]
    pub repeat_penalty: f32,
    /// Seed of the sampler.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Most tokens in the reply.
    #[arg(long, default_value_t = 256)]
    pub max_tokens: usize,
}

/// Why `axon run` failed.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The model file is unreadable.
    #[error(transparent)]
    Gguf(#[from] axon_formats::gguf::GgufError),
    /// The vocabulary could not be read.
    #[error(transparent)]
    Tokenizer(#[from] axon_formats::tokenizer::TokenizerError),
    /// The chat template failed.
    #[error(transparent)]
    Template(#[from] axon_formats::template::TemplateError),
    /// The model has no chat template.
    #[error("{0} has no chat template; `axon logits --tokens` runs raw token ids")]
    NoTemplate(String),
    /// No GPU device.
    #[error(transparent)]
    BringUp(#[from] axon_gpu::BringUpError),
    /// The engine could not load the model.
    #[error(transparent)]
    Load(#[from] axon_runtime::LoadError),
    /// The engine failed.
    #[error(transparent)]
    Runtime(#[from] axon_runtime::RuntimeError),
    /// Writing the reply failed.
    #[error("writing to stdout: {0}")]
    Io(#[from] std::io::Error),
}

fn tokenizer(model: &Path) -> Result<Tokenizer, RunError> {
    if model.is_dir() {
        Ok(Tokenizer::from_hf_dir(model)?)
    } else {
        Ok(Tokenizer::from_gguf(&GgufFile::open(model)?)?)
    }
}

/// The prompt's token ids: the chat template over the messages, then the tokenizer.
fn prompt_ids(tok: &Tokenizer, args: &RunArgs) -> Result<Vec<u32>, RunError> {
    let source = tok
        .chat_template()
        .ok_or_else(|| RunError::NoTemplate(args.model.display().to_string()))?;
    let mut messages = Vec::new();
    if let Some(system) = &args.system {
        messages.push(Message::new("system", system.as_str()));
    }
    messages.push(Message::new("user", args.prompt.as_str()));
    let text_of = |id: Option<u32>| id.and_then(|i| tok.token_text(i)).unwrap_or_default();
    let variables = serde_json::json!({
        "bos_token": text_of(tok.special().bos),
        "eos_token": text_of(tok.special().eos),
    });
    let text = ChatTemplate::new(source)?.render(&messages, true, &variables)?;
    Ok(tok.encode(&text, false)?)
}

/// Runs one turn and streams the reply.
pub fn run(args: &RunArgs) -> Result<(), RunError> {
    let tok = tokenizer(&args.model)?;
    let prompt = prompt_ids(&tok, args)?;
    let gpu = axon_gpu::Gpu::new()?;
    let engine = open_model(&gpu, &args.model, layout_from_env()?, options_from_env()?)?;
    let mut session = engine.session(prompt.len() + args.max_tokens)?;
    let special = tok.special();
    let params = GenerateParams {
        sampling: SamplingParams {
            temperature: args.temperature,
            top_k: args.top_k,
            top_p: args.top_p,
            min_p: args.min_p,
            repeat_penalty: args.repeat_penalty,
            seed: args.seed,
            ..SamplingParams::default()
        },
        max_tokens: args.max_tokens,
        stop_tokens: [special.eos, special.eot].into_iter().flatten().collect(),
    };
    let mut stream = tok.stream(true);
    let mut out = std::io::stdout().lock();
    let mut failure = None;
    let start = Instant::now();
    let reply = engine.generate(&mut session, &prompt, &params, |id| {
        let text = stream.push(id).map_err(RunError::from);
        let written = text.and_then(|t| {
            out.write_all(t.unwrap_or_default().as_bytes())?;
            Ok(out.flush()?)
        });
        match written {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                failure = Some(e);
                ControlFlow::Break(())
            }
        }
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    writeln!(out)?;
    let seconds = start.elapsed().as_secs_f64();
    eprintln!(
        "[axon run] {} tokens in {seconds:.2} s ({:.1} tok/s), ended by {:?}",
        reply.tokens.len(),
        reply.tokens.len() as f64 / seconds.max(1e-9),
        reply.finish
    );
    Ok(())
}
