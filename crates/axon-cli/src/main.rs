//! The `axon` command-line tool.

// Library code reports failures as typed errors; tests may unwrap (clippy.toml).
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod info;

use clap::{Parser, Subcommand};
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
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("AXON_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Info => info::run(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
