//! What every [`ModelConfig`] must satisfy before anything is sized from it, whichever file
//! it came from: sizes positive and small enough that their products cannot overflow, head
//! groupings whole, every float hyperparameter finite and in its range, and the layer count
//! backed by the file's own tensors (so a hostile `block_count` cannot make anything allocate
//! per layer). The CPU reference checks the same rules in its own reader
//! (`axon_reference::model::hparams`); a property test over mutated model files
//! (`tests/hostile_files.rs`) holds the two to the same verdict.

use super::Frequencies;
use super::{Architecture, ConfigError, DeltaNetLayers, ModelConfig, RopeConfig};
use std::collections::BTreeSet;
use std::path::Path;

/// Largest size (heads, widths, vocabulary, layers) a config may have: any product of two
/// sizes then fits in 64 bits, and a sum of three such products too.
pub const MAX_DIMENSION: usize = 1 << 31;
/// Most positions a model may claim to be trained for (and a session may hold): positions
/// fit the kernels' `u32` arithmetic with room to spare.
pub const MAX_POSITIONS: usize = 1 << 24;

/// A `BadValue` error for `key` of `file`.
pub(super) fn bad_value(file: &Path, key: &str, value: String, expected: &str) -> ConfigError {
    ConfigError::BadValue {
        file: file.to_path_buf(),
        key: key.to_owned(),
        value,
        expected: expected.to_owned(),
    }
}

/// Fails on the first size that is 0 or larger than [`MAX_DIMENSION`].
fn check_sizes(file: &Path, sizes: &[(&str, usize)]) -> Result<(), ConfigError> {
    for &(key, v) in sizes {
        if v == 0 || v > MAX_DIMENSION {
            let expected = format!("a positive size of at most {MAX_DIMENSION}");
            return Err(bad_value(file, key, v.to_string(), &expected));
        }
    }
    Ok(())
}

/// Fails unless `whole` is a multiple of (a positive) `part`: whole `what` per part.
fn check_grouping(
    file: &Path,
    key: &str,
    whole: usize,
    part: usize,
    what: &str,
) -> Result<(), ConfigError> {
    if part != 0 && whole.is_multiple_of(part) {
        return Ok(());
    }
    let expected = format!("a whole number of {what}");
    Err(bad_value(file, key, format!("{whole} / {part}"), &expected))
}

/// Fails unless `low < value < high` (and finite).
fn check_open_range(
    file: &Path,
    key: &str,
    value: f64,
    (low, high): (f64, f64),
) -> Result<(), ConfigError> {
    if value.is_finite() && value > low && value < high {
        return Ok(());
    }
    let expected = format!("a finite number in ({low:e}, {high:e})");
    Err(bad_value(file, key, format!("{value:e}"), &expected))
}

/// Range of the RMSNorm (and L2 norm) epsilon: positive, and far below the mean square of
/// any activation a model normalises.
const EPS_RANGE: (f64, f64) = (0.0, 1.0);
/// Range of a RoPE base: above 1 (else frequencies grow with the pair index), and small
/// enough that the lowest frequency is not 0 in f32 at any head size.
const ROPE_BASE_RANGE: (f64, f64) = (1.0, 1e30);
/// Range of a linear RoPE scaling factor and of the attention and embedding scales.
const SCALE_RANGE: (f64, f64) = (0.0, 1e30);

fn check_rope(
    file: &Path,
    key: &str,
    rope: &RopeConfig,
    head_dim: usize,
) -> Result<(), ConfigError> {
    if rope.dims == 0 || !rope.dims.is_multiple_of(2) || rope.dims > head_dim {
        let value = format!("{} (head_dim {head_dim})", rope.dims);
        return Err(bad_value(
            file,
            &format!("{key} dimensions"),
            value,
            "even, positive, at most head_dim",
        ));
    }
    match rope.frequencies {
        Frequencies::Scaled {
            theta,
            linear_scale,
        } => {
            check_open_range(file, &format!("{key} base"), theta, ROPE_BASE_RANGE)?;
            check_open_range(
                file,
                &format!("{key} linear scaling factor"),
                linear_scale,
                SCALE_RANGE,
            )
        }
        Frequencies::Yarn {
            theta,
            factor,
            original_context,
            ext_factor,
            attn_factor,
            beta_fast,
            beta_slow,
        } => {
            check_open_range(file, &format!("{key} base"), theta, ROPE_BASE_RANGE)?;
            check_open_range(file, &format!("{key} YaRN factor"), factor, SCALE_RANGE)?;
            check_positions(
                file,
                &format!("{key} YaRN original context"),
                original_context,
            )?;
            for (name, v) in [
                ("ext_factor", ext_factor),
                ("attn_factor", attn_factor),
                ("beta_fast", beta_fast),
                ("beta_slow", beta_slow),
            ] {
                if !v.is_finite() {
                    let key = format!("{key} YaRN {name}");
                    return Err(bad_value(file, &key, format!("{v}"), "a finite number"));
                }
            }
            Ok(())
        }
    }
}

/// Fails unless `1 <= positions <= MAX_POSITIONS`.
fn check_positions(file: &Path, key: &str, positions: usize) -> Result<(), ConfigError> {
    if (1..=MAX_POSITIONS).contains(&positions) {
        return Ok(());
    }
    let expected = format!("between 1 and {MAX_POSITIONS} positions");
    Err(bad_value(file, key, positions.to_string(), &expected))
}

impl ModelConfig {
    /// Checks every hyperparameter (see the module docs); `file` names the file in errors.
    pub(super) fn validate(&self, file: &Path) -> Result<(), ConfigError> {
        check_sizes(
            file,
            &[
                ("layers", self.layers),
                ("embedding width", self.embd),
                ("feed-forward width", self.ff),
                ("heads", self.heads),
                ("kv heads", self.kv_heads),
                ("head_dim", self.head_dim),
                ("vocabulary size", self.vocab),
            ],
        )?;
        check_grouping(
            file,
            "heads / kv heads",
            self.heads,
            self.kv_heads,
            "query heads per kv head",
        )?;
        check_open_range(file, "RMSNorm epsilon", f64::from(self.rms_eps), EPS_RANGE)?;
        check_open_range(
            file,
            "attention scale",
            f64::from(self.attention_scale),
            SCALE_RANGE,
        )?;
        check_open_range(
            file,
            "embedding scale",
            f64::from(self.embedding_scale),
            SCALE_RANGE,
        )?;
        check_rope(file, "rope", &self.rope, self.head_dim)?;
        if let Some(context) = self.trained_context {
            check_positions(file, "trained context", context)?;
        }
        match &self.architecture {
            Architecture::Llama => Ok(()),
            Architecture::Gemma3(swa) => {
                check_rope(file, "local rope", &swa.local_rope, self.head_dim)?;
                if swa.sliding_layers.len() != self.layers {
                    let value = format!(
                        "{} entries for {} layers",
                        swa.sliding_layers.len(),
                        self.layers
                    );
                    return Err(bad_value(file, "layer_types", value, "one entry per layer"));
                }
                check_positions(file, "sliding_window", swa.window)
            }
            Architecture::Qwen35(deltanet) => deltanet.validate(self.layers, file),
        }
    }
}

impl DeltaNetLayers {
    /// Checks the Gated DeltaNet sizes against each other and the layer count.
    fn validate(&self, layers: usize, file: &Path) -> Result<(), ConfigError> {
        check_sizes(
            file,
            &[
                ("DeltaNet key heads", self.k_heads),
                ("DeltaNet value heads", self.v_heads),
                ("DeltaNet key head dim", self.dk),
                ("DeltaNet value head dim", self.dv),
                ("DeltaNet conv kernel", self.conv_kernel),
            ],
        )?;
        check_grouping(
            file,
            "DeltaNet value heads / key heads",
            self.v_heads,
            self.k_heads,
            "value heads per key head",
        )?;
        check_open_range(
            file,
            "DeltaNet L2 norm epsilon",
            f64::from(self.l2_norm_eps),
            EPS_RANGE,
        )?;
        if self.full_attention.len() != layers {
            let value = format!("{} entries for {layers} layers", self.full_attention.len());
            return Err(bad_value(file, "layer_types", value, "one entry per layer"));
        }
        Ok(())
    }
}

/// The layer indices of `names` that start with `prefix` and a number (`blk.3.`,
/// `model.layers.3.`).
fn layer_indices<'a>(names: impl Iterator<Item = &'a str>, prefix: &str) -> BTreeSet<usize> {
    names
        .filter_map(|n| n.strip_prefix(prefix))
        .filter_map(|rest| rest.split('.').next())
        .filter_map(|i| i.parse().ok())
        .collect()
}

/// Fails unless the file's per-layer tensors (`prefix` + index) cover layers `0..layers`
/// and none is numbered `blocks` or more (`blocks` >= `layers` counts extra blocks the file
/// declares, such as Qwen3.5's multi-token-prediction layers). `key` is the layer-count key.
pub(super) fn check_layer_tensors<'a>(
    file: &Path,
    key: &str,
    names: impl Iterator<Item = &'a str>,
    prefix: &str,
    (layers, blocks): (usize, usize),
) -> Result<(), ConfigError> {
    let found = layer_indices(names, prefix);
    let complete = found.len() >= layers && (0..layers).all(|i| found.contains(&i));
    let beyond = found.range(blocks..).next().copied();
    if complete && beyond.is_none() {
        return Ok(());
    }
    let value = match beyond {
        Some(i) => format!("{blocks} (the file has tensors for layer {i})"),
        None => format!(
            "{layers} (the file has tensors for {} layers{})",
            found.len(),
            found
                .iter()
                .enumerate()
                .find(|(i, l)| i != *l)
                .map_or(String::new(), |(i, _)| format!(", layer {i} missing"))
        ),
    };
    Err(bad_value(
        file,
        key,
        value,
        "the number of layers whose tensors the file holds",
    ))
}
