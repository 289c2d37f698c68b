//! [`ModelConfig::from_gguf`]: hyperparameters from a GGUF file's `{arch}.*` metadata, with
//! llama.cpp's conventions (what its converter wrote and what its loader assumes).

use super::{
    Activation, Architecture, ConfigError, DEFAULT_ROPE_BASE, FileFormat,
    GEMMA3_GLOBAL_LAYER_PERIOD, GEMMA3_LOCAL_ROPE_BASE, ModelConfig, NormWeightConvention,
    SlidingWindowAttention, every_nth_layer_global,
};
use super::{Frequencies, Pairing, RopeConfig};
use axon_formats::gguf::{GgufFile, Value};

/// Typed reads of one file's metadata, each failure naming the file and the key.
pub(super) struct Metadata<'a> {
    pub(super) file: &'a GgufFile,
    arch: &'a str,
}

impl Metadata<'_> {
    pub(super) fn key(&self, suffix: &str) -> String {
        format!("{}.{suffix}", self.arch)
    }

    pub(super) fn bad(&self, key: &str, value: &Value, expected: &str) -> ConfigError {
        ConfigError::BadValue {
            file: self.file.path().to_path_buf(),
            key: key.to_owned(),
            value: format!("{value:?}"),
            expected: expected.to_owned(),
        }
    }

    pub(super) fn optional_usize(&self, suffix: &str) -> Result<Option<usize>, ConfigError> {
        let key = self.key(suffix);
        self.file
            .get(&key)
            .map(|v| {
                v.as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| self.bad(&key, v, "an unsigned integer"))
            })
            .transpose()
    }

    pub(super) fn usize(&self, suffix: &str) -> Result<usize, ConfigError> {
        self.optional_usize(suffix)?
            .ok_or_else(|| ConfigError::MissingKey {
                file: self.file.path().to_path_buf(),
                key: self.key(suffix),
            })
    }

    pub(super) fn optional_f64(&self, suffix: &str) -> Result<Option<f64>, ConfigError> {
        let key = self.key(suffix);
        self.file
            .get(&key)
            .map(|v| v.as_f64().ok_or_else(|| self.bad(&key, v, "a number")))
            .transpose()
    }

    pub(super) fn optional_str(&self, suffix: &str) -> Result<Option<&str>, ConfigError> {
        let key = self.key(suffix);
        self.file
            .get(&key)
            .map(|v| v.as_str().ok_or_else(|| self.bad(&key, v, "a string")))
            .transpose()
    }

    pub(super) fn unsupported(
        &self,
        key: String,
        value: String,
        reason: &'static str,
    ) -> ConfigError {
        ConfigError::UnsupportedFeature {
            file: self.file.path().to_path_buf(),
            key,
            value,
            reason,
        }
    }

    /// The linear RoPE scaling factor: `rope.scaling.type` = `linear` with `rope.scaling.factor`,
    /// or the older `rope.scale_linear`; 1 when neither is set.
    pub(super) fn rope_linear_scale(&self) -> Result<f64, ConfigError> {
        match self.optional_str("rope.scaling.type")? {
            None | Some("none") => Ok(self.optional_f64("rope.scale_linear")?.unwrap_or(1.0)),
            Some("linear") => {
                self.optional_f64("rope.scaling.factor")?
                    .ok_or_else(|| ConfigError::MissingKey {
                        file: self.file.path().to_path_buf(),
                        key: self.key("rope.scaling.factor"),
                    })
            }
            Some(other) => Err(self.unsupported(
                self.key("rope.scaling.type"),
                other.to_owned(),
                "only linear RoPE scaling is implemented",
            )),
        }
    }

    /// `{arch}.vocab_size`, else the length of the tokenizer's token list.
    pub(super) fn vocab(&self) -> Result<usize, ConfigError> {
        if let Some(n) = self.optional_usize("vocab_size")? {
            return Ok(n);
        }
        let key = "tokenizer.ggml.tokens";
        match self.file.get(key) {
            Some(v) => v
                .as_array()
                .map(|a| a.len())
                .ok_or_else(|| self.bad(key, v, "an array of tokens")),
            None => Err(ConfigError::MissingKey {
                file: self.file.path().to_path_buf(),
                key: self.key("vocab_size"),
            }),
        }
    }
}

impl Metadata<'_> {
    /// Fails unless the file holds tensors for layers `0..layers` and none past `blocks`
    /// (see [`super::validate::check_layer_tensors`]); before anything is sized per layer.
    pub(super) fn check_layer_tensors(
        &self,
        layers: usize,
        blocks: usize,
    ) -> Result<(), ConfigError> {
        let names = self.file.tensors().iter().map(|t| t.name.as_str());
        let key = self.key("block_count");
        super::validate::check_layer_tensors(
            self.file.path(),
            &key,
            names,
            "blk.",
            (layers, blocks),
        )
    }
}

pub(super) fn has_tensor(file: &GgufFile, name: &str) -> bool {
    file.tensors().iter().any(|t| t.name == name)
}

/// llama.cpp: `LLM_TYPE_27B` is Gemma 3's 62-layer model, whose attention scale is
/// `(embd / heads)^-0.5` (its `query_pre_attn_scalar`) rather than `head_dim^-0.5`.
const GEMMA3_27B_LAYERS: usize = 62;

impl ModelConfig {
    /// Reads the hyperparameters of a `llama`, `gemma3` or `qwen35` GGUF file.
    ///
    /// Llama's Q/K rows were permuted by llama.cpp's converter, so its RoPE pairs adjacent
    /// values; Gemma's pair NeoX halves. GGUF Gemma norms already hold `1 + w`. The output is
    /// tied to the token embedding when `output.weight` is absent.
    pub fn from_gguf(file: &GgufFile) -> Result<Self, ConfigError> {
        let path = file.path().to_path_buf();
        let arch_key = "general.architecture";
        let arch = match file.get(arch_key) {
            None => {
                return Err(ConfigError::MissingKey {
                    file: path,
                    key: arch_key.into(),
                });
            }
            Some(v) => v.as_str().ok_or_else(|| ConfigError::BadValue {
                file: path.clone(),
                key: arch_key.to_owned(),
                value: format!("{v:?}"),
                expected: "a string".to_owned(),
            })?,
        };
        let gemma = match arch {
            "llama" => false,
            "gemma3" => true,
            "qwen35" => {
                let meta = Metadata { file, arch };
                return super::qwen35::from_gguf(&meta);
            }
            other => {
                return Err(ConfigError::UnsupportedArchitecture {
                    file: path,
                    architecture: other.to_owned(),
                });
            }
        };
        let meta = Metadata { file, arch };
        if has_tensor(file, "rope_freqs.weight") {
            return Err(meta.unsupported(
                "tensor rope_freqs.weight".to_owned(),
                "present".to_owned(),
                "per-frequency RoPE factors (Llama 3.1 scaling) are not implemented",
            ));
        }
        let layers = meta.usize("block_count")?;
        meta.check_layer_tensors(layers, layers)?;
        let embd = meta.usize("embedding_length")?;
        let heads = meta.usize("attention.head_count")?;
        let kv_heads = meta
            .optional_usize("attention.head_count_kv")?
            .unwrap_or(heads);
        let head_dim = match meta.optional_usize("attention.key_length")? {
            Some(d) => d,
            None => embd / heads.max(1),
        };
        let value_dim = meta.optional_usize("attention.value_length")?;
        if let Some(v) = value_dim.filter(|&v| v != head_dim) {
            return Err(meta.unsupported(
                meta.key("attention.value_length"),
                format!("{v} (key_length {head_dim})"),
                "value heads must be as wide as key heads",
            ));
        }
        let pairing = if gemma {
            Pairing::Neox
        } else {
            Pairing::Adjacent
        };
        let rope = RopeConfig {
            dims: meta
                .optional_usize("rope.dimension_count")?
                .unwrap_or(head_dim),
            pairing,
            frequencies: Frequencies::Scaled {
                theta: meta
                    .optional_f64("rope.freq_base")?
                    .unwrap_or(DEFAULT_ROPE_BASE),
                linear_scale: meta.rope_linear_scale()?,
            },
        };
        let (architecture, attention_scale) = if gemma {
            let sliding = SlidingWindowAttention {
                window: meta.usize("attention.sliding_window")?,
                sliding_layers: every_nth_layer_global(layers, GEMMA3_GLOBAL_LAYER_PERIOD),
                // llama.cpp: Gemma 3's sliding layers use base 10 000 and no scaling.
                local_rope: RopeConfig {
                    frequencies: Frequencies::Scaled {
                        theta: GEMMA3_LOCAL_ROPE_BASE,
                        linear_scale: 1.0,
                    },
                    ..rope
                },
            };
            let scale_dim = if layers == GEMMA3_27B_LAYERS {
                embd / heads.max(1)
            } else {
                head_dim
            };
            (
                Architecture::Gemma3(sliding),
                1.0 / (scale_dim as f32).sqrt(),
            )
        } else {
            (Architecture::Llama, 1.0 / (head_dim as f32).sqrt())
        };
        let config = Self {
            file_format: FileFormat::Gguf,
            architecture,
            layers,
            embd,
            ff: meta.usize("feed_forward_length")?,
            heads,
            kv_heads,
            head_dim,
            vocab: meta.vocab()?,
            rms_eps: meta
                .optional_f64("attention.layer_norm_rms_epsilon")?
                .ok_or_else(|| ConfigError::MissingKey {
                    file: file.path().to_path_buf(),
                    key: meta.key("attention.layer_norm_rms_epsilon"),
                })? as f32,
            rope,
            activation: if gemma {
                Activation::GeluTanh
            } else {
                Activation::Silu
            },
            attention_scale,
            embedding_scale: if gemma { (embd as f32).sqrt() } else { 1.0 },
            qk_norm: gemma,
            post_attention_norm: gemma,
            post_ffn_norm: gemma,
            tied_embeddings: !has_tensor(file, "output.weight"),
            norm_weights: NormWeightConvention::Direct,
            trained_context: meta.optional_usize("context_length")?,
        };
        config.validate(file.path())?;
        Ok(config)
    }
}
