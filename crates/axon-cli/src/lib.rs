//! The `axon` command-line tool, as a library so the `chat` example runs the same chat
//! front end ([`chat`]) as `axon chat`.

// Library code reports failures as typed errors; tests may unwrap (clippy.toml).
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod bench;
pub mod chat;
mod info;
mod inspect;
mod logits;
mod synth;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// LLM inference on any Vulkan GPU.
#[derive(Debug, Parser)]
#[command(name = "axon", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List every Vulkan adapter, then open the chosen one and print its features and limits.
    ///
    /// The adapter is chosen by AXON_ADAPTER (an index from this list or part of a name);
    /// otherwise a discrete GPU, then an integrated one. A software adapter (lavapipe) is used
    /// only when named or with AXON_ALLOW_SOFTWARE=1.
    Info,
    /// Print a GGUF file's metadata (arrays abbreviated) and its tensor table
    /// (name, type, shape, absolute offset, bytes). A malformed file is reported with the item
    /// and byte offset at fault, and exit code 1.
    Inspect {
        /// The GGUF file.
        file: PathBuf,
    },
    /// Run token ids through a model and print one JSON object on stdout: backend, adapter,
    /// n_vocab, per-position argmax, top5 and logsumexp, the last position's logits, and an
    /// optional greedy continuation.
    Logits {
        /// A GGUF file (llama, gemma3, qwen35) or a Hugging Face checkpoint directory (qwen3_5).
        #[arg(long)]
        model: PathBuf,
        /// Comma-separated token ids, e.g. 1,2,3.
        #[arg(long)]
        tokens: String,
        /// Which implementation computes the logits.
        #[arg(long, value_enum, default_value = "cpu")]
        backend: logits::Backend,
        /// Continue the prompt greedily for N tokens.
        #[arg(long, default_value_t = 0)]
        greedy: usize,
    },
    /// Chat with a model: interactive, or one reply with --prompt. Without --model, the default
    /// model (SmolLM2-135M-Instruct) is fetched into the cache folder on first use.
    ///
    /// Replies stream to stdout; progress, notices and speed go to stderr. Commands: /reset,
    /// /exit; Ctrl-C stops a reply. Without a GPU the chat runs on the software adapter
    /// (lavapipe), saying so, unless AXON_REQUIRE_GPU=1.
    Chat(chat::ChatArgs),
    /// One chat turn: the prompt through the model's chat template, the reply streamed to
    /// stdout (and nothing else), the speed on stderr. Same flags as `axon chat --prompt`.
    Run(chat::RunArgs),
    /// Measure performance: `axon bench kernels` (copy, matrix-vector and matrix-matrix speed
    /// on the chosen adapter), or `axon bench --model FILE` (prefill and decode speed,
    /// per-token costs and memory of a whole model).
    Bench(bench::BenchArgs),
    /// Write a random-weight GGUF of a real model's shape (tensor names, shapes, types,
    /// metadata and vocabulary as llama.cpp expects them), for benchmarks at real sizes.
    Synth(synth::SynthArgs),
}

/// Parses the command line and runs the command; errors are printed on stderr.
pub fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("AXON_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result: Result<(), Box<dyn std::error::Error>> = match cli.command {
        Command::Info => info::run().map_err(Into::into),
        Command::Inspect { file } => inspect::run(&file).map_err(Into::into),
        Command::Chat(args) => chat::run(&args).map_err(Into::into),
        Command::Run(args) => chat::run_once(&args).map_err(Into::into),
        Command::Logits {
            model,
            tokens,
            backend,
            greedy,
        } => logits::parse_tokens(&tokens)
            .and_then(|ids| logits::run(&model, &ids, backend, greedy))
            .map_err(Into::into),
        Command::Bench(args) => bench::run(args).map_err(Into::into),
        Command::Synth(args) => synth::run(&args).map_err(Into::into),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
