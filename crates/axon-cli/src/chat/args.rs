//! Flags shared by `axon chat`, `axon run` and the `chat` example.

use axon_chat::{GenerateOptions, SamplingParams};
use std::path::PathBuf;

/// Model, system message and sampling flags.
#[derive(Debug, Clone, clap::Args)]
pub struct ReplyArgs {
    /// The model: a GGUF file or a Hugging Face checkpoint directory. Default: the default
    /// model (SmolLM2-135M-Instruct), fetched into the cache folder on first use
    /// ($AXON_CACHE_DIR, else $XDG_CACHE_HOME/axon, else ~/.cache/axon).
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// A system message (the chat template's default when absent).
    #[arg(long, value_name = "TEXT")]
    pub system: Option<String>,
    /// Softmax temperature; 0 (the default) is greedy, so replies are reproducible.
    #[arg(long, default_value_t = 0.0)]
    pub temperature: f32,
    /// Keep only the k most likely tokens.
    #[arg(long, value_name = "K")]
    pub top_k: Option<usize>,
    /// Keep the most likely tokens up to this probability mass.
    #[arg(long, value_name = "P")]
    pub top_p: Option<f32>,
    /// Drop tokens less likely than this fraction of the most likely one.
    #[arg(long, value_name = "P")]
    pub min_p: Option<f32>,
    /// Penalty on the last 64 tokens (1 = none).
    #[arg(long, default_value_t = 1.0)]
    pub repeat_penalty: f32,
    /// Seed of the sampler.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Most tokens in a reply.
    #[arg(long, default_value_t = 512)]
    pub max_tokens: usize,
    /// Tokens the conversation may hold (default: the model's trained context, at most 4096).
    #[arg(long, value_name = "TOKENS")]
    pub context: Option<usize>,
    /// A string that ends the reply (repeatable).
    #[arg(long = "stop", value_name = "TEXT")]
    pub stop_strings: Vec<String>,
}

impl ReplyArgs {
    /// What each reply is generated with.
    pub fn generate_options(&self) -> GenerateOptions {
        GenerateOptions {
            sampling: SamplingParams {
                temperature: self.temperature,
                top_k: self.top_k,
                top_p: self.top_p,
                min_p: self.min_p,
                repeat_penalty: self.repeat_penalty,
                seed: self.seed,
                ..SamplingParams::default()
            },
            max_tokens: self.max_tokens,
            stop_strings: self.stop_strings.clone(),
            ..GenerateOptions::default()
        }
    }
}

/// Flags of `axon chat` (and the `chat` example).
#[derive(Debug, Clone, clap::Args)]
pub struct ChatArgs {
    /// One-shot: send this message, print only the reply on stdout, and exit.
    #[arg(long, value_name = "TEXT")]
    pub prompt: Option<String>,
    /// Model, system message and sampling.
    #[command(flatten)]
    pub reply: ReplyArgs,
}

/// Flags of `axon run`: one chat turn.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// The user's message.
    #[arg(long, value_name = "TEXT")]
    pub prompt: String,
    /// Model, system message and sampling.
    #[command(flatten)]
    pub reply: ReplyArgs,
}
