//! `axon bench --model FILE`: prefill and generation speed of a whole model on the GPU engine,
//! with what each decode token costs (submits, dispatches, CPU encode time, GPU time) and the
//! memory the model, its state and its scratch take.
//!
//! Each repeat opens a fresh session and generates `--gen` tokens greedily after `--prompt`
//! synthetic token ids, through `Engine::stream` as the chat does: prefill is timed to the
//! first token, decode from there to the end (the `--gen` passes that fed the tokens). With
//! `AXON_PIPELINE` on (the default) the argmax is the GPU's and each pass is submitted before
//! the previous pick is read; off, the logits are read back and the argmax taken on the CPU.
//! An untimed warm-up run builds every plan first. `matvec_q8_min_cols` names the 8-bit-x rule
//! the engine ran with (`EngineOptions::matvec_q8`: the fewest columns, or null for none),
//! `kv_cache` the KV cache's element type (`EngineOptions::kv_cache`: "f32" or "f16").

use super::BenchError;
use super::provenance;
use axon_gpu::Gpu;
use axon_reference::ops::sampling::argmax;
use axon_runtime::{GenerateParams, layout_from_env, open_model, options_from_env};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Flags of the whole-model benchmark.
#[derive(Debug, clap::Args)]
pub struct ModelArgs {
    /// The model: a GGUF file or a Hugging Face checkpoint directory.
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

/// One repeat's measurements.
#[derive(Debug, Clone, Copy, Default)]
struct Run {
    prefill_tok_s: f64,
    decode_tok_s: f64,
    submits_per_token: f64,
    dispatches_per_token: f64,
    encode_us_per_token: f64,
    submit_us_per_token: f64,
    gpu_us_per_token: Option<f64>,
}

/// Runs the benchmark and prints the report.
pub fn run(args: &ModelArgs) -> Result<(), BenchError> {
    let path = args
        .model
        .clone()
        .ok_or_else(|| BenchError::NotSupported("--model FILE is required".to_owned()))?;
    if args.prompt == 0 || args.generate == 0 || args.repeat == 0 {
        return Err(BenchError::NotSupported(
            "--prompt, --gen and --repeat must be at least 1".to_owned(),
        ));
    }
    let gpu = Gpu::new()?;
    let mut options = options_from_env()?;
    options.timestamps = gpu.caps().has_timestamps();
    let engine = open_model(&gpu, &path, layout_from_env()?, options)?;
    let vocab = engine.config().vocab;
    let prompt: Vec<u32> = (0..args.prompt)
        .map(|i| ((i * 7919 + 13) % vocab) as u32)
        .collect();
    let context = args.prompt + args.generate;
    // Generation as the chat runs it: greedy, no stop tokens, through `Engine::stream`.
    let params = |max_tokens| GenerateParams {
        max_tokens,
        ..GenerateParams::default()
    };
    let measure = |generate: usize| -> Result<Run, BenchError> {
        let mut session = engine.session(context)?;
        let submits = gpu.submit_count();
        let start = Instant::now();
        let mut stream = engine.stream(&mut session, &prompt, &params(generate))?;
        // Prefill: the time to the first token (the pass after it is already submitted).
        stream.next().transpose()?;
        let prefill = start.elapsed();
        let decode_start = Instant::now();
        let (mut encode, mut submit, mut gpu_time, mut dispatches) =
            (Duration::ZERO, Duration::ZERO, Some(Duration::ZERO), 0);
        // Each later token, and `finish`, reads one decode pass: the passes that fed the
        // `generate` tokens.
        let mut add = |stats: Option<axon_runtime::ForwardStats>| {
            dispatches += stats.map_or(0, |s| s.dispatches);
            encode += stats.map_or(Duration::ZERO, |s| s.encode);
            submit += stats.map_or(Duration::ZERO, |s| s.submit);
            gpu_time = gpu_time.zip(stats.and_then(|s| s.gpu)).map(|(a, b)| a + b);
        };
        for token in stream.by_ref() {
            token?;
            add(engine.last_stats());
        }
        stream.finish()?;
        add(engine.last_stats());
        let decode = decode_start.elapsed();
        let n = generate as f64;
        Ok(Run {
            prefill_tok_s: args.prompt as f64 / prefill.as_secs_f64(),
            decode_tok_s: n / decode.as_secs_f64(),
            // Less the prefill's one submit.
            submits_per_token: (gpu.submit_count() - submits).saturating_sub(1) as f64 / n,
            dispatches_per_token: dispatches as f64 / n,
            encode_us_per_token: encode.as_secs_f64() * 1e6 / n,
            submit_us_per_token: submit.as_secs_f64() * 1e6 / n,
            gpu_us_per_token: gpu_time.map(|t| t.as_secs_f64() * 1e6 / n),
        })
    };
    measure(2.min(args.generate))?;
    let runs = (0..args.repeat)
        .map(|_| measure(args.generate))
        .collect::<Result<Vec<_>, _>>()?;
    let by_family = if gpu.caps().has_timestamps() {
        Some(profile_by_family(
            &engine,
            &prompt,
            context,
            args.generate.min(16),
        )?)
    } else {
        None
    };
    let session = engine.session(context)?;
    let caps = gpu.caps();
    let stat = |f: fn(&Run) -> f64| summary(runs.iter().map(f).collect());
    let gpu_us: Option<Vec<f64>> = runs.iter().map(|r| r.gpu_us_per_token).collect();
    let report = serde_json::json!({
        "model": path.display().to_string(),
        "adapter": {
            "name": caps.adapter_name,
            "driver": caps.driver,
            "device_type": format!("{:?}", caps.device_type),
        },
        "commit": provenance::commit(),
        "date": provenance::utc_now(),
        "prompt": args.prompt,
        "gen": args.generate,
        "repeat": args.repeat,
        "noop_dispatches": options.noop_dispatches,
        "matvec_q8_min_cols": options.matvec_q8,
        "kv_cache": options.kv_cache.name(),
        "prefill_tok_s": stat(|r| r.prefill_tok_s)["median"],
        "decode_tok_s": stat(|r| r.decode_tok_s)["median"],
        "submits_per_token": stat(|r| r.submits_per_token)["median"],
        "dispatches_per_token": stat(|r| r.dispatches_per_token)["median"],
        "encode_us_per_token": stat(|r| r.encode_us_per_token)["median"],
        "submit_us_per_token": stat(|r| r.submit_us_per_token)["median"],
        "gpu_us_per_decode_token": gpu_us.as_ref().map(|v| summary(v.clone())["median"].clone()),
        "runs": {
            "prefill_tok_s": stat(|r| r.prefill_tok_s),
            "decode_tok_s": stat(|r| r.decode_tok_s),
            "submits_per_token": stat(|r| r.submits_per_token),
            "dispatches_per_token": stat(|r| r.dispatches_per_token),
            "encode_us_per_token": stat(|r| r.encode_us_per_token),
            "submit_us_per_token": stat(|r| r.submit_us_per_token),
            "gpu_us_per_decode_token": gpu_us.map(summary),
        },
        "gpu_us_by_family": by_family,
        "memory": {
            "weights_bytes": engine.weights().weight_bytes(),
            "state_bytes": session.state_bytes(),
            "kv_cache_bytes": session.kv_cache_bytes(),
            "recurrent_state_bytes": session.state_bytes() - session.kv_cache_bytes(),
            "scratch_bytes": engine.scratch_bytes(),
            "live_scratch_bytes": engine.live_scratch_bytes(),
            "cached_plans": engine.cached_plans(),
            "plan_cache_budget_bytes": options.plan_cache_bytes,
        },
        "sampling": if options.pipeline {
            "greedy: argmax on the GPU, each pass submitted before the previous pick is read"
        } else {
            "greedy: argmax on the CPU over read-back logits, each pass read before the next"
        },
    });
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &report)?;
    } else {
        serde_json::to_writer_pretty(&mut out, &report)?;
    }
    use std::io::Write;
    writeln!(out)?;
    Ok(())
}

/// GPU time by kernel family (every dispatch timed on its own): the prefill pass in µs, and
/// `generate` decode steps after it in µs per token.
fn profile_by_family(
    engine: &axon_runtime::Engine<'_, axon_models::weights::ModelWeights>,
    prompt: &[u32],
    context: usize,
    generate: usize,
) -> Result<serde_json::Value, BenchError> {
    use std::collections::BTreeMap;
    let mut session = engine.session(context)?;
    let add =
        |into: &mut BTreeMap<&'static str, f64>, times: &[(&'static str, Duration)], scale: f64| {
            for (family, t) in times {
                *into.entry(family).or_default() += t.as_secs_f64() * 1e6 * scale;
            }
        };
    let (mut logits, times) = engine.forward_profiled(&mut session, prompt)?;
    let mut prefill = BTreeMap::new();
    add(&mut prefill, &times, 1.0);
    let mut decode = BTreeMap::new();
    let mut last = Vec::new();
    for _ in 0..generate {
        let next = argmax(&logits) as u32;
        let (row, times) = engine.forward_profiled(&mut session, &[next])?;
        logits = row;
        add(&mut decode, &times, 1.0 / generate.max(1) as f64);
        last = times;
    }
    let last: Vec<serde_json::Value> = last
        .iter()
        .map(|(family, t)| serde_json::json!([family, t.as_secs_f64() * 1e6]))
        .collect();
    Ok(serde_json::json!({
        "note": "each dispatch in its own compute pass with timestamps: includes a barrier per dispatch",
        "prefill_us": prefill,
        "decode_us_per_token": decode,
        "last_decode_token_us": last,
    }))
}

/// Median, min and max.
fn summary(mut values: Vec<f64>) -> serde_json::Value {
    values.sort_by(f64::total_cmp);
    let median = values.get(values.len() / 2).copied().unwrap_or(f64::NAN);
    serde_json::json!({
        "median": median,
        "min": values.first().copied().unwrap_or(f64::NAN),
        "max": values.last().copied().unwrap_or(f64::NAN),
    })
}
