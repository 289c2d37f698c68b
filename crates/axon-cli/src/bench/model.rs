//! `axon bench --model FILE`: the whole-model benchmark (prefill and generation speed). Its
//! flags are parsed so that scripts can be written against them; running it is not
//! implemented yet (issue #8).

use super::BenchError;
use std::path::PathBuf;

/// Flags of the whole-model benchmark.
#[derive(Debug, clap::Args)]
pub struct ModelArgs {
    /// The GGUF model to benchmark.
    #[arg(long, required = true, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Prompt tokens to prefill.
    #[arg(long, value_name = "N", default_value_t = 512)]
    pub prompt: usize,
    /// Tokens to generate.
    #[arg(long = "gen", value_name = "N", default_value_t = 128)]
    pub generate: usize,
    /// How many times to repeat the measurement.
    #[arg(long, value_name = "N", default_value_t = 5)]
    pub repeat: usize,
    /// Print one JSON object on stdout instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Answers that the whole-model benchmark is not implemented yet.
pub fn run(args: &ModelArgs) -> Result<(), BenchError> {
    let model = args
        .model
        .as_ref()
        .map_or_else(|| "FILE".to_owned(), |m| m.display().to_string());
    let json = if args.json { " --json" } else { "" };
    Err(BenchError::NotSupported(format!(
        "`axon bench --model {model} --prompt {} --gen {} --repeat {}{json}`: the whole-model \
         benchmark is not implemented yet (issue #8); `axon bench kernels` measures the kernels",
        args.prompt, args.generate, args.repeat
    )))
}
