//! The checks every reference model's hyperparameters pass before anything is sized from
//! them: sizes positive and at most [`MAX_DIMENSION`] (so products cannot overflow), head
//! groupings whole, float hyperparameters finite and in range, the layer count backed by the
//! file's tensors, and the variants the engine does not implement refused by name.
//!
//! The GPU engine's reader (`axon_models::config`) applies the same rules with its own code;
//! the reference stays an independent implementation, and a property test over mutated model
//! files (`tests/hostile_files.rs`) requires both to give the same verdict on every file.

use super::error::ModelError;
use crate::ops::rope::Rope;
use std::collections::BTreeSet;

/// Largest size (heads, widths, vocabulary, layers) a model may have.
pub const MAX_DIMENSION: usize = 1 << 31;
/// Most positions a model may claim to be trained for, or a session hold.
pub const MAX_POSITIONS: usize = 1 << 24;

/// Range of a norm epsilon.
const EPS_RANGE: (f64, f64) = (0.0, 1.0);
/// Range of a RoPE base.
const ROPE_BASE_RANGE: (f64, f64) = (1.0, 1e30);
/// Range of a scale factor (linear RoPE scaling, attention and embedding scales).
const SCALE_RANGE: (f64, f64) = (0.0, 1e30);

fn bad(key: &str, value: String, expected: String) -> ModelError {
    ModelError::BadValue {
        key: key.to_owned(),
        value,
        expected,
    }
}

/// Fails on the first size that is 0 or past [`MAX_DIMENSION`].
pub(crate) fn sizes(list: &[(&str, usize)]) -> Result<(), ModelError> {
    match list.iter().find(|(_, v)| *v == 0 || *v > MAX_DIMENSION) {
        Some((key, v)) => Err(bad(
            key,
            v.to_string(),
            format!("a positive size of at most {MAX_DIMENSION}"),
        )),
        None => Ok(()),
    }
}

/// Fails unless `whole` is a positive multiple of `part`.
pub(crate) fn grouping(key: &str, whole: usize, part: usize) -> Result<(), ModelError> {
    if part != 0 && whole.is_multiple_of(part) {
        return Ok(());
    }
    Err(bad(
        key,
        format!("{whole} / {part}"),
        "a whole number".to_owned(),
    ))
}

fn open_range(key: &str, value: f64, (low, high): (f64, f64)) -> Result<(), ModelError> {
    if value.is_finite() && value > low && value < high {
        return Ok(());
    }
    Err(bad(
        key,
        format!("{value:e}"),
        format!("a finite number in ({low:e}, {high:e})"),
    ))
}

/// A norm epsilon: finite, in (0, 1).
pub(crate) fn epsilon(key: &str, value: f64) -> Result<(), ModelError> {
    open_range(key, value, EPS_RANGE)
}

/// A scale factor: finite and positive.
pub(crate) fn scale(key: &str, value: f64) -> Result<(), ModelError> {
    open_range(key, value, SCALE_RANGE)
}

/// A RoPE: even dims at most `head_dim`, a base above 1, a positive linear factor.
pub(crate) fn rope(key: &str, rope: &Rope, head_dim: usize) -> Result<(), ModelError> {
    if rope.dims == 0 || !rope.dims.is_multiple_of(2) || rope.dims > head_dim {
        return Err(bad(
            &format!("{key} dimensions"),
            format!("{} (head_dim {head_dim})", rope.dims),
            "even, positive, at most head_dim".to_owned(),
        ));
    }
    open_range(&format!("{key} base"), rope.theta, ROPE_BASE_RANGE)?;
    scale(&format!("{key} linear scaling factor"), rope.linear_scale)
}

/// A count of positions: 1 to [`MAX_POSITIONS`].
pub(crate) fn positions(key: &str, value: usize) -> Result<(), ModelError> {
    if (1..=MAX_POSITIONS).contains(&value) {
        return Ok(());
    }
    Err(bad(
        key,
        value.to_string(),
        format!("between 1 and {MAX_POSITIONS} positions"),
    ))
}

/// The hyperparameters every decoder of the reference has.
pub(crate) struct Shared<'a> {
    pub(crate) layers: usize,
    pub(crate) embd: usize,
    pub(crate) ff: usize,
    pub(crate) heads: usize,
    pub(crate) kv_heads: usize,
    pub(crate) head_dim: usize,
    pub(crate) vocab: usize,
    pub(crate) eps: f32,
    pub(crate) rope: &'a Rope,
    pub(crate) trained_context: Option<usize>,
}

/// Checks what every decoder shares: sizes, head grouping, the norm epsilon, the RoPE of
/// full-attention layers and the trained context.
pub(crate) fn shared(s: &Shared<'_>) -> Result<(), ModelError> {
    sizes(&[
        ("layers", s.layers),
        ("embedding width", s.embd),
        ("feed-forward width", s.ff),
        ("heads", s.heads),
        ("kv heads", s.kv_heads),
        ("head_dim", s.head_dim),
        ("vocabulary size", s.vocab),
    ])?;
    grouping("heads / kv heads", s.heads, s.kv_heads)?;
    epsilon("RMSNorm epsilon", f64::from(s.eps))?;
    rope("rope", s.rope, s.head_dim)?;
    match s.trained_context {
        Some(context) => positions("trained context", context),
        None => Ok(()),
    }
}

/// Fails unless a per-layer list (`layer_types`) has one entry per layer.
pub(crate) fn per_layer(entries: usize, layers: usize) -> Result<(), ModelError> {
    if entries == layers {
        return Ok(());
    }
    Err(bad(
        "layer_types",
        format!("{entries} entries for {layers} layers"),
        "one entry per layer".to_owned(),
    ))
}

/// Fails unless the tensors named `prefix` + index cover layers `0..layers` and none is
/// numbered `blocks` or more. Checked before anything is allocated per layer.
pub(crate) fn layer_tensors<'a>(
    key: &str,
    names: impl Iterator<Item = &'a str>,
    prefix: &str,
    layers: usize,
    blocks: usize,
) -> Result<(), ModelError> {
    let found: BTreeSet<usize> = names
        .filter_map(|n| n.strip_prefix(prefix)?.split('.').next()?.parse().ok())
        .collect();
    let covered = found.len() >= layers && (0..layers).all(|i| found.contains(&i));
    if covered && found.range(blocks..).next().is_none() {
        return Ok(());
    }
    Err(bad(
        key,
        format!("{layers} (the file has tensors for {} layers)", found.len()),
        "the number of layers whose tensors the file holds".to_owned(),
    ))
}

/// A variant of the architecture that the engine does not implement, refused by name.
pub(crate) fn unsupported(key: &str, value: &str, reason: &'static str) -> ModelError {
    ModelError::Unsupported {
        key: key.to_owned(),
        value: value.to_owned(),
        reason,
    }
}

/// The first of `rows` (one per position, positions from `first`) holding a non-finite
/// logit, as an error.
pub(crate) fn finite_logits(rows: &[Vec<f32>], first: usize) -> Result<(), ModelError> {
    match rows.iter().position(|r| r.iter().any(|v| !v.is_finite())) {
        Some(i) => Err(ModelError::NonFiniteLogits {
            position: first + i,
        }),
        None => Ok(()),
    }
}
