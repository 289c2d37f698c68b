//! `axon logits`: run a token sequence through a model and print one JSON object (a contract
//! outside checks rely on; extend it, never rename):
//!
//! `{"backend", "adapter", "n_vocab", "argmax": [per position], "top5": [[5] per position],
//!   "logsumexp": [per position], "last_logits": [n_vocab], "greedy": [N]}`

use axon_formats::gguf::GgufError;
use axon_reference::model::{ModelError, ReferenceModel};
use axon_reference::ops::sampling::{argmax, logsumexp, top_k};
use std::io::Write;
use std::path::Path;

/// Which implementation computes the logits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    /// The CPU reference (`axon-reference`).
    Cpu,
    /// The GPU engine.
    Gpu,
}

/// Why `axon logits` failed.
#[derive(Debug, thiserror::Error)]
pub enum LogitsError {
    /// The model file is unreadable.
    #[error(transparent)]
    Gguf(#[from] GgufError),
    /// The model cannot be built or run.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// A request this build cannot serve yet.
    #[error("{0}")]
    NotSupported(String),
    /// `--tokens` is empty or malformed.
    #[error("--tokens: {0}")]
    Tokens(String),
    /// Writing the JSON failed.
    #[error("writing to stdout: {0}")]
    Io(#[from] std::io::Error),
    /// Encoding the JSON failed.
    #[error("encoding JSON: {0}")]
    Json(#[from] serde_json::Error),
}

/// Parses `1,2,3`.
pub fn parse_tokens(text: &str) -> Result<Vec<u32>, LogitsError> {
    let ids: Result<Vec<u32>, _> = text.split(',').map(|t| t.trim().parse::<u32>()).collect();
    match ids {
        Ok(ids) if !ids.is_empty() => Ok(ids),
        Ok(_) => Err(LogitsError::Tokens("no tokens".to_owned())),
        Err(e) => Err(LogitsError::Tokens(format!("{text:?}: {e}"))),
    }
}

/// Runs the request and prints the JSON object.
pub fn run(
    model: &Path,
    tokens: &[u32],
    backend: Backend,
    greedy: usize,
) -> Result<(), LogitsError> {
    if backend == Backend::Gpu {
        return Err(LogitsError::NotSupported(
            "--backend gpu is not yet supported: the GPU engine is not built yet; use --backend cpu".to_owned(),
        ));
    }
    let reference = ReferenceModel::open(model)?;
    let mut session = reference.new_session();
    let rows = reference.forward(&mut session, tokens)?;
    let mut last = rows.last().cloned().unwrap_or_default();
    let mut continuation = Vec::with_capacity(greedy);
    for _ in 0..greedy {
        let next = argmax(&last) as u32;
        continuation.push(next);
        last = reference
            .forward(&mut session, &[next])?
            .pop()
            .unwrap_or_default();
    }
    let report = serde_json::json!({
        "backend": "cpu",
        "adapter": null,
        "n_vocab": reference.vocab(),
        "argmax": rows.iter().map(|r| argmax(r)).collect::<Vec<_>>(),
        "top5": rows.iter().map(|r| top_k(r, 5)).collect::<Vec<_>>(),
        "logsumexp": rows.iter().map(|r| logsumexp(r)).collect::<Vec<_>>(),
        "last_logits": rows.last().cloned().unwrap_or_default(),
        "greedy": continuation,
    });
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, &report)?;
    writeln!(out)?;
    Ok(())
}
