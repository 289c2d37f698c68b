//! Opening a model file into an [`Engine`]: a GGUF file or a Hugging Face checkpoint
//! directory, its config read, its weights checked and uploaded once.

use crate::engine::{Engine, EngineOptions, MATVEC_Q8_MIN_COLS};
use crate::gpu_ref::GpuRef;
use axon_formats::gguf::{GgufError, GgufFile};
use axon_formats::hf::{HfCheckpoint, HfError};
use axon_gpu::kernels::kv_cache::KvType;
use axon_models::config::{ConfigError, ModelConfig};
use axon_models::plan::ScratchMode;
use axon_models::weights::{ModelWeights, WeightLayout, WeightsError};
use std::path::{Path, PathBuf};

/// Why a model could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The GGUF file is unreadable.
    #[error(transparent)]
    Gguf(#[from] GgufError),
    /// The checkpoint directory is unreadable.
    #[error(transparent)]
    Hf(#[from] HfError),
    /// The hyperparameters are missing, invalid or unsupported.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A tensor is missing, misshapen or does not fit the device.
    #[error(transparent)]
    Weights(#[from] WeightsError),
    /// No file or directory at the model path.
    #[error(
        "no model at {}: pass a GGUF file or a Hugging Face checkpoint directory \
         (scripts/fetch-models downloads the small models the tests use)",
        .0.display()
    )]
    Missing(PathBuf),
    /// An environment count is not a whole number.
    #[error("{name}={value:?}: expected a whole number")]
    Count {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
    },
    /// An environment switch has a value other than 0 or 1.
    #[error("{name}={value:?}: expected 0 or 1")]
    Switch {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
    },
    /// An environment choice names none of its options.
    #[error("{name}={value:?}: expected {expected}")]
    Choice {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
        /// The options.
        expected: &'static str,
    },
}

/// A `0`/`1` environment switch; unset means on.
fn switch(name: &'static str) -> Result<bool, LoadError> {
    switch_or(name, true)
}

/// A `0`/`1` environment switch; unset means `default`.
fn switch_or(name: &'static str, default: bool) -> Result<bool, LoadError> {
    match std::env::var(name) {
        Err(_) => Ok(default),
        Ok(v) if v == "1" => Ok(true),
        Ok(v) if v == "0" => Ok(false),
        Ok(value) => Err(LoadError::Switch { name, value }),
    }
}

/// The weight layout from `AXON_FUSE_QKV` and `AXON_FUSE_FFN` (each `0` or `1`; unset: fused).
pub fn layout_from_env() -> Result<WeightLayout, LoadError> {
    Ok(WeightLayout {
        fuse_qkv: switch("AXON_FUSE_QKV")?,
        fuse_ffn: switch("AXON_FUSE_FFN")?,
    })
}

/// Engine options from the environment: `AXON_FUSE_NORM`, `AXON_FUSE_ATTENTION` and
/// `AXON_FUSE_DELTANET` (`0` or `1`; unset: fused), `AXON_FOLD_NORMS` (`0` or `1`; unset:
/// not folded), `AXON_SCRATCH_REUSE` (`0` or `1`: every
/// plan's scratch; unset: multi-token plans reuse, decode plans do not),
/// `AXON_PIPELINE` (`0` or `1`; unset: greedy generation pipelined),
/// `AXON_INSERT_NOOP_DISPATCHES` (a count; unset: 0) and `AXON_MATVEC_Q8` (the fewest columns
/// of a decode projection with an 8-bit x, 0 for none; unset: [`MATVEC_Q8_MIN_COLS`]).
pub fn options_from_env() -> Result<EngineOptions, LoadError> {
    const NOOPS: &str = "AXON_INSERT_NOOP_DISPATCHES";
    let noop_dispatches = match std::env::var(NOOPS) {
        Err(_) => 0,
        Ok(v) => v.trim().parse().map_err(|_| LoadError::Count {
            name: NOOPS,
            value: v,
        })?,
    };
    const Q8: &str = "AXON_MATVEC_Q8";
    let matvec_q8 = match std::env::var(Q8) {
        Err(_) => Some(MATVEC_Q8_MIN_COLS),
        Ok(v) => match v.trim().parse::<usize>() {
            Ok(0) => None,
            Ok(cols) => Some(cols),
            Err(_) => return Err(LoadError::Count { name: Q8, value: v }),
        },
    };
    const KV: &str = "AXON_KV_CACHE";
    let kv_cache = match std::env::var(KV) {
        Err(_) => KvType::default(),
        Ok(v) => v.parse::<KvType>().map_err(|_| LoadError::Choice {
            name: KV,
            value: v,
            expected: "f32 or f16",
        })?,
    };
    let scratch = match std::env::var("AXON_SCRATCH_REUSE") {
        Err(_) => None,
        Ok(_) if switch("AXON_SCRATCH_REUSE")? => Some(ScratchMode::Reuse),
        Ok(_) => Some(ScratchMode::NoReuse),
    };
    Ok(EngineOptions {
        fuse_norm: switch("AXON_FUSE_NORM")?,
        fold_norms: switch_or("AXON_FOLD_NORMS", false)?,
        matvec_q8,
        scratch: scratch.unwrap_or(ScratchMode::Reuse),
        decode_scratch: scratch.unwrap_or(ScratchMode::NoReuse),
        fuse_attention_input: switch("AXON_FUSE_ATTENTION")?,
        fuse_deltanet_input: switch("AXON_FUSE_DELTANET")?,
        kv_cache,
        pipeline: switch("AXON_PIPELINE")?,
        noop_dispatches,
        ..EngineOptions::default()
    })
}

/// [`LoadError::Missing`] unless something exists at `path`: callers check before opening a
/// device or reading a vocabulary, so a wrong path is the error the user sees first.
pub fn require_model(path: &Path) -> Result<(), LoadError> {
    if path.exists() {
        Ok(())
    } else {
        Err(LoadError::Missing(path.to_path_buf()))
    }
}

/// Opens `path` (a GGUF file, or a directory with `config.json` and safetensors) on `gpu`
/// (borrowed, or an `Arc<Gpu>` the engine keeps).
pub fn open_model<'g>(
    gpu: impl Into<GpuRef<'g>>,
    path: &Path,
    layout: WeightLayout,
    options: EngineOptions,
) -> Result<Engine<'g, ModelWeights>, LoadError> {
    open_model_with_progress(gpu, path, layout, options, &mut |_, _| {})
}

/// [`open_model`], calling `on_progress(uploaded, total)` (weight bytes on the GPU) after
/// each tensor is uploaded.
pub fn open_model_with_progress<'g>(
    gpu: impl Into<GpuRef<'g>>,
    path: &Path,
    layout: WeightLayout,
    options: EngineOptions,
    on_progress: &mut dyn FnMut(u64, u64),
) -> Result<Engine<'g, ModelWeights>, LoadError> {
    let gpu = gpu.into();
    require_model(path)?;
    let (config, weights) = if path.is_dir() {
        let checkpoint = HfCheckpoint::open(path)?;
        let config = ModelConfig::from_hf(&checkpoint)?;
        let weights =
            ModelWeights::load_with_progress(&gpu, &checkpoint, &config, layout, on_progress)?;
        (config, weights)
    } else {
        let file = GgufFile::open(path)?;
        let config = ModelConfig::from_gguf(&file)?;
        let weights = ModelWeights::load_with_progress(&gpu, &file, &config, layout, on_progress)?;
        (config, weights)
    };
    tracing::info!(
        architecture = config.architecture.name(),
        layers = config.layers,
        weight_bytes = weights.weight_bytes(),
        "model loaded"
    );
    Ok(Engine::new(gpu, config, weights, options))
}
