//! Typed reads of a Hugging Face `config.json`, each failure naming the file and the key,
//! and the RoPE settings in both transformers 4 and transformers 5 spellings.

use super::Frequencies;
use super::{ConfigError, DEFAULT_ROPE_BASE, GEMMA3_LOCAL_ROPE_BASE};
use serde_json::Value;
use std::path::PathBuf;

/// Typed reads of one JSON object, each failure naming `config.json` and the key.
pub(super) struct Json<'a> {
    pub(super) file: PathBuf,
    pub(super) object: &'a Value,
    /// The checkpoint's tensor names (on the top-level object; empty on nested ones).
    pub(super) tensors: Vec<&'a str>,
}

impl Json<'_> {
    /// A key's value; JSON `null` counts as absent (transformers writes `"head_dim": null`).
    pub(super) fn get(&self, key: &str) -> Option<&Value> {
        self.object.get(key).filter(|v| !v.is_null())
    }

    pub(super) fn bad(&self, key: &str, value: &Value, expected: &str) -> ConfigError {
        ConfigError::BadValue {
            file: self.file.clone(),
            key: key.to_owned(),
            value: value.to_string(),
            expected: expected.to_owned(),
        }
    }

    pub(super) fn optional_usize(&self, key: &str) -> Result<Option<usize>, ConfigError> {
        self.get(key)
            .map(|v| {
                v.as_u64()
                    .and_then(|n| usize::try_from(n).ok())
                    .ok_or_else(|| self.bad(key, v, "an unsigned integer"))
            })
            .transpose()
    }

    pub(super) fn usize(&self, key: &str) -> Result<usize, ConfigError> {
        self.optional_usize(key)?
            .ok_or_else(|| ConfigError::MissingKey {
                file: self.file.clone(),
                key: key.to_owned(),
            })
    }

    pub(super) fn optional_f64(&self, key: &str) -> Result<Option<f64>, ConfigError> {
        self.get(key)
            .map(|v| v.as_f64().ok_or_else(|| self.bad(key, v, "a number")))
            .transpose()
    }

    pub(super) fn optional_bool(&self, key: &str) -> Result<Option<bool>, ConfigError> {
        self.get(key)
            .map(|v| v.as_bool().ok_or_else(|| self.bad(key, v, "true or false")))
            .transpose()
    }

    pub(super) fn optional_str(&self, key: &str) -> Result<Option<&str>, ConfigError> {
        self.get(key)
            .map(|v| v.as_str().ok_or_else(|| self.bad(key, v, "a string")))
            .transpose()
    }

    /// The same file, looking inside `object`.
    pub(super) fn nested<'b>(&self, object: &'b Value) -> Json<'b> {
        Json {
            file: self.file.clone(),
            object,
            tensors: Vec::new(),
        }
    }

    /// Fails unless the checkpoint holds tensors for layers `0..layers` (`model.layers.N.`)
    /// and none past them; before anything is sized per layer.
    pub(super) fn check_layer_tensors(&self, layers: usize) -> Result<(), ConfigError> {
        super::validate::check_layer_tensors(
            &self.file,
            "num_hidden_layers",
            self.tensors.iter().copied(),
            "model.layers.",
            (layers, layers),
        )
    }

    /// Refuses `key` unless it is absent or one of `allowed` (false/null count as absent).
    pub(super) fn refuse_unless(
        &self,
        key: &str,
        allowed: &[&str],
        reason: &'static str,
    ) -> Result<(), ConfigError> {
        match self.get(key) {
            None | Some(Value::Bool(false)) => Ok(()),
            Some(Value::String(s)) if allowed.contains(&s.as_str()) => Ok(()),
            Some(v) => Err(ConfigError::UnsupportedFeature {
                file: self.file.clone(),
                key: key.to_owned(),
                value: v.to_string(),
                reason,
            }),
        }
    }

    /// Base and linear scale of one layer type's RoPE. transformers 5 nests them under
    /// `rope_parameters` (per layer type for Gemma 3); transformers 4 has `rope_theta` (or
    /// `rope_local_base_freq`) and a `rope_scaling` that only full-attention layers apply.
    pub(super) fn rope_frequencies(&self, layer: RopeLayer) -> Result<Frequencies, ConfigError> {
        let (layer_type, legacy_theta_key, default_theta) = match layer {
            RopeLayer::Full => ("full_attention", "rope_theta", DEFAULT_ROPE_BASE),
            RopeLayer::Sliding => (
                "sliding_attention",
                "rope_local_base_freq",
                GEMMA3_LOCAL_ROPE_BASE,
            ),
        };
        let (scaling, theta) = match self.get("rope_parameters") {
            Some(p) => {
                let p = self.nested(p.get(layer_type).unwrap_or(p));
                let theta = p.optional_f64("rope_theta")?;
                (Some(("rope_parameters", p)), theta)
            }
            None => {
                let legacy = self
                    .get("rope_scaling")
                    .filter(|_| layer == RopeLayer::Full);
                (legacy.map(|s| ("rope_scaling", self.nested(s))), None)
            }
        };
        let theta = match theta {
            Some(t) => t,
            None => self
                .optional_f64(legacy_theta_key)?
                .unwrap_or(default_theta),
        };
        let Some((scaling_key, scaling)) = scaling else {
            return Ok(Frequencies::Scaled {
                theta,
                linear_scale: 1.0,
            });
        };
        let kind = match scaling.optional_str("rope_type")? {
            Some(k) => Some(k),
            None => scaling.optional_str("type")?,
        };
        let linear_scale = match kind {
            None | Some("default") => 1.0,
            Some("linear") => {
                scaling
                    .optional_f64("factor")?
                    .ok_or_else(|| ConfigError::MissingKey {
                        file: self.file.clone(),
                        key: format!("{scaling_key}.factor"),
                    })?
            }
            Some(other) => {
                return Err(ConfigError::UnsupportedFeature {
                    file: self.file.clone(),
                    key: format!("{scaling_key}.rope_type"),
                    value: other.to_owned(),
                    reason: "only default and linear RoPE are implemented",
                });
            }
        };
        Ok(Frequencies::Scaled {
            theta,
            linear_scale,
        })
    }
}

/// Which layers a RoPE is for (Gemma 3 has one per layer type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RopeLayer {
    /// Full-attention layers (every layer of Llama).
    Full,
    /// Gemma 3's sliding-window layers.
    Sliding,
}
