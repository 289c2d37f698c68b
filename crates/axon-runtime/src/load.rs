//! Opening a model file into an [`Engine`]: a GGUF file or a Hugging Face checkpoint
//! directory, its config read, its weights checked and uploaded once.

use crate::engine::{Engine, EngineOptions, ModelShape};
use axon_formats::gguf::{GgufError, GgufFile};
use axon_formats::hf::{HfCheckpoint, HfError};
use axon_gpu::Gpu;
use axon_models::config::{ConfigError, ModelConfig};
use axon_models::weights::{ModelWeights, WeightLayout, WeightsError};
use std::path::Path;

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
    /// An environment switch has a value other than 0 or 1.
    #[error("{name}={value:?}: expected 0 or 1")]
    Switch {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
    },
}

/// A `0`/`1` environment switch; unset means on.
fn switch(name: &'static str) -> Result<bool, LoadError> {
    match std::env::var(name) {
        Err(_) => Ok(true),
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

/// Engine options from the environment: `AXON_FUSE_NORM` (`0` or `1`; unset: fused).
pub fn options_from_env() -> Result<EngineOptions, LoadError> {
    Ok(EngineOptions {
        fuse_norm: switch("AXON_FUSE_NORM")?,
        ..EngineOptions::default()
    })
}

/// Opens `path` (a GGUF file, or a directory with `config.json` and safetensors) on `gpu`.
pub fn open_model<'g>(
    gpu: &'g Gpu,
    path: &Path,
    layout: WeightLayout,
    options: EngineOptions,
) -> Result<Engine<'g, ModelWeights>, LoadError> {
    let (config, weights) = if path.is_dir() {
        let checkpoint = HfCheckpoint::open(path)?;
        let config = ModelConfig::from_hf(&checkpoint)?;
        let weights = ModelWeights::load(gpu, &checkpoint, &config, layout)?;
        (config, weights)
    } else {
        let file = GgufFile::open(path)?;
        let config = ModelConfig::from_gguf(&file)?;
        let weights = ModelWeights::load(gpu, &file, &config, layout)?;
        (config, weights)
    };
    tracing::info!(
        architecture = config.architecture.name(),
        layers = config.layers,
        weight_bytes = weights.weight_bytes(),
        "model loaded"
    );
    Ok(Engine::new(
        gpu,
        ModelShape::from_config(&config),
        weights,
        options,
    ))
}
