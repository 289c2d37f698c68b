//! `cargo run --release --example chat`: chat with the default model (fetched on first run),
//! or `--model PATH`; `--prompt TEXT` prints one reply and exits. `--help` lists every flag.
//! The front end is `axon chat`'s ([`axon_cli::chat`]); `examples/generate.rs` shows the
//! library calls it makes.

use clap::Parser;
use std::process::ExitCode;

/// Chat with an LLM on any Vulkan GPU.
#[derive(Debug, Parser)]
#[command(name = "chat", about, long_about = None)]
struct Args {
    #[command(flatten)]
    chat: axon_cli::chat::ChatArgs,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match axon_cli::chat::run(&args.chat) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
