//! `axon logits`: run a token sequence through a model and print one JSON object (a contract
//! outside checks rely on; extend it, never rename):
//!
//! `{"backend", "adapter", "n_vocab", "argmax": [per position], "top5": [[5] per position],
//!   "logsumexp": [per position], "last_logits": [n_vocab], "greedy": [N]}`

use axon_formats::gguf::GgufError;
use axon_gpu::kernels::kv_cache::KvType;
use axon_reference::model::hparams::MAX_POSITIONS;
use axon_reference::model::{ModelError, ReferenceModel, ReferenceOptions};
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
    /// The GPU device could not be opened.
    #[error(transparent)]
    BringUp(#[from] axon_gpu::BringUpError),
    /// The GPU engine could not load the model.
    #[error(transparent)]
    Load(#[from] axon_runtime::LoadError),
    /// The GPU engine failed.
    #[error(transparent)]
    Runtime(#[from] axon_runtime::RuntimeError),
    /// `--tokens` is empty or malformed.
    #[error("--tokens: {0}")]
    Tokens(String),
    /// The prompt and the greedy continuation need more positions than the model holds.
    #[error(
        "the prompt ({prompt} tokens) and --greedy {greedy} need {needed} positions; this \
         model's context is {context}"
    )]
    Context {
        /// Prompt tokens.
        prompt: usize,
        /// `--greedy`.
        greedy: usize,
        /// `prompt + greedy` (saturating).
        needed: usize,
        /// The most positions the model may run.
        context: usize,
    },
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

/// The most positions a run may use: the context the model was trained for, or (when its
/// file does not say) [`MAX_POSITIONS`].
fn context_limit(trained: Option<usize>) -> usize {
    trained.unwrap_or(MAX_POSITIONS).min(MAX_POSITIONS)
}

/// Refuses, before anything is sized from them, token ids past the vocabulary and a prompt
/// plus greedy continuation longer than the model's context. Both backends check the same.
fn check_request(
    tokens: &[u32],
    greedy: usize,
    vocab: usize,
    trained_context: Option<usize>,
) -> Result<(), LogitsError> {
    if let Some(&id) = tokens.iter().find(|&&id| id as usize >= vocab) {
        return Err(LogitsError::Tokens(format!(
            "token id {id} is past the {vocab}-token vocabulary"
        )));
    }
    let context = context_limit(trained_context);
    let needed = tokens.len().saturating_add(greedy);
    if needed > context {
        return Err(LogitsError::Context {
            prompt: tokens.len(),
            greedy,
            needed,
            context,
        });
    }
    Ok(())
}

/// Runs the request and prints the JSON object.
pub fn run(
    model: &Path,
    tokens: &[u32],
    backend: Backend,
    greedy: usize,
) -> Result<(), LogitsError> {
    let report = match backend {
        Backend::Cpu => run_cpu(model, tokens, greedy)?,
        Backend::Gpu => run_gpu(model, tokens, greedy)?,
    };
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, &report)?;
    writeln!(out)?;
    Ok(())
}

/// Per-position logits rows and the greedy continuation, computed by one backend.
struct Outcome {
    rows: Vec<Vec<f32>>,
    vocab: usize,
    continuation: Vec<u32>,
}

fn report(outcome: Outcome, backend: &str, adapter: Option<String>) -> serde_json::Value {
    let Outcome {
        rows,
        vocab,
        continuation,
    } = outcome;
    serde_json::json!({
        "backend": backend,
        "adapter": adapter,
        "n_vocab": vocab,
        "argmax": rows.iter().map(|r| argmax(r)).collect::<Vec<_>>(),
        "top5": rows.iter().map(|r| top_k(r, 5)).collect::<Vec<_>>(),
        "logsumexp": rows.iter().map(|r| logsumexp(r)).collect::<Vec<_>>(),
        "last_logits": rows.last().cloned().unwrap_or_default(),
        "greedy": continuation,
    })
}

/// The CPU reference: the prompt as a prefill, then each greedy token as a decode step, with
/// the engine's 8-bit-x rule for decode projections (`AXON_MATVEC_Q8`, as the GPU backend reads
/// it) and its KV cache type (`AXON_KV_CACHE`), so both backends compute the same products.
fn run_cpu(model: &Path, tokens: &[u32], greedy: usize) -> Result<serde_json::Value, LogitsError> {
    let options = axon_runtime::options_from_env()?;
    let reference_options = ReferenceOptions {
        int8_min_cols: options.matvec_q8,
        kv_f16: options.kv_cache == KvType::F16,
    };
    let reference = ReferenceModel::open_with(model, reference_options)?;
    check_request(
        tokens,
        greedy,
        reference.vocab(),
        reference.trained_context(),
    )?;
    let mut session = reference.new_session();
    let rows = reference.forward(&mut session, tokens)?;
    let mut last = rows.last().cloned().unwrap_or_default();
    let mut continuation = Vec::with_capacity(greedy);
    for _ in 0..greedy {
        let next = argmax(&last) as u32;
        continuation.push(next);
        last = reference
            .forward_decode(&mut session, &[next])?
            .pop()
            .unwrap_or_default();
    }
    let outcome = Outcome {
        rows,
        vocab: reference.vocab(),
        continuation,
    };
    Ok(report(outcome, "cpu", None))
}

/// The GPU engine: the prompt in one forward pass, then one pass per greedy token.
fn run_gpu(model: &Path, tokens: &[u32], greedy: usize) -> Result<serde_json::Value, LogitsError> {
    let gpu = axon_gpu::Gpu::new()?;
    let layout = axon_runtime::layout_from_env()?;
    let options = axon_runtime::options_from_env()?;
    let engine = axon_runtime::open_model(&gpu, model, layout, options)?;
    let vocab = engine.config().vocab;
    check_request(tokens, greedy, vocab, engine.config().trained_context)?;
    let mut session = engine.session(tokens.len() + greedy)?;
    let flat = engine.forward(&mut session, tokens)?;
    let rows: Vec<Vec<f32>> = flat.chunks_exact(vocab).map(<[f32]>::to_vec).collect();
    let mut last = rows.last().cloned().unwrap_or_default();
    let mut continuation = Vec::with_capacity(greedy);
    for _ in 0..greedy {
        let next = argmax(&last) as u32;
        continuation.push(next);
        if continuation.len() < greedy {
            last = engine.forward(&mut session, &[next])?;
        }
    }
    let adapter = gpu.caps().adapter_name.clone();
    Ok(report(
        Outcome {
            rows,
            vocab,
            continuation,
        },
        "gpu",
        Some(adapter),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_fit_up_to_the_context_and_not_past_it() {
        let prompt = vec![1u32; 2046];
        assert!(check_request(&prompt, 2, 256, Some(2048)).is_ok());
        assert!(matches!(
            check_request(&prompt, 3, 256, Some(2048)),
            Err(LogitsError::Context {
                needed: 2049,
                context: 2048,
                ..
            })
        ));
        assert!(matches!(
            check_request(&prompt, usize::MAX, 256, Some(2048)),
            Err(LogitsError::Context {
                needed: usize::MAX,
                ..
            })
        ));
        // No trained context in the file: the positions a model may have at most.
        assert!(check_request(&prompt, MAX_POSITIONS - 2046, 256, None).is_ok());
        assert!(check_request(&prompt, MAX_POSITIONS - 2045, 256, None).is_err());
        assert!(matches!(
            check_request(&[255, 256], 0, 256, None),
            Err(LogitsError::Tokens(_))
        ));
    }
}
