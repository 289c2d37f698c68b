//! What the reference reads from a Hugging Face `config.json` besides plain sizes: the
//! variants the engine does not implement (refused by name, as the engine refuses them), the
//! linear RoPE factor in both transformers 4 and 5 spellings, and the layer count checked
//! against the checkpoint's tensors.

use super::error::ModelError;
use super::hparams;
use axon_formats::hf::HfCheckpoint;
use serde_json::Value;

/// A key's value; `null` counts as absent.
fn get<'a>(cfg: &'a Value, key: &str) -> Option<&'a Value> {
    cfg.get(key).filter(|v| !v.is_null())
}

/// Refuses biases, soft-capping, and an activation other than `allowed` under `act_key`.
pub(crate) fn refuse_variants(
    cfg: &Value,
    act_key: &str,
    allowed: &[&str],
) -> Result<(), ModelError> {
    let refuse = |key: &str, ok: &[&str], reason: &'static str| match get(cfg, key) {
        None | Some(Value::Bool(false)) => Ok(()),
        Some(Value::String(s)) if ok.contains(&s.as_str()) => Ok(()),
        Some(v) => Err(hparams::unsupported(key, &v.to_string(), reason)),
    };
    refuse(
        "attention_bias",
        &[],
        "projection biases are not implemented",
    )?;
    refuse("mlp_bias", &[], "projection biases are not implemented")?;
    let softcap = "logit soft-capping is not implemented";
    refuse("attn_logit_softcapping", &[], softcap)?;
    refuse("final_logit_softcapping", &[], softcap)?;
    refuse(
        act_key,
        allowed,
        "only the family's own activation is implemented",
    )
}

/// The full-attention layers' RoPE scaling object, if any: transformers 5's
/// `rope_parameters` (per layer type for Gemma 3), else transformers 4's `rope_scaling`.
fn scaling(cfg: &Value) -> Option<&Value> {
    match get(cfg, "rope_parameters") {
        Some(p) => Some(get(p, "full_attention").unwrap_or(p)),
        None => get(cfg, "rope_scaling"),
    }
}

/// The linear RoPE factor of the full-attention layers (1 when none); any other scaling type
/// is refused.
pub(crate) fn rope_linear_scale(cfg: &Value) -> Result<f64, ModelError> {
    let Some(s) = scaling(cfg) else {
        return Ok(1.0);
    };
    let kind = get(s, "rope_type").or_else(|| get(s, "type"));
    match kind.map(|k| k.as_str().ok_or(k)) {
        None | Some(Ok("default")) => Ok(1.0),
        Some(Ok("linear")) => get(s, "factor")
            .and_then(Value::as_f64)
            .ok_or_else(|| ModelError::Config("rope scaling: linear without a factor".to_owned())),
        Some(Ok(other)) => Err(hparams::unsupported(
            "rope_type",
            other,
            "only default and linear RoPE are implemented",
        )),
        Some(Err(v)) => Err(hparams::unsupported(
            "rope_type",
            &v.to_string(),
            "only default and linear RoPE are implemented",
        )),
    }
}

/// An optional size; present but not an unsigned integer is an error.
pub(crate) fn optional_usize(cfg: &Value, key: &str) -> Result<Option<usize>, ModelError> {
    get(cfg, key)
        .map(|v| {
            v.as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| ModelError::Config(format!("config.json: {key} is {v}")))
        })
        .transpose()
}

/// An optional number; present but not a number is an error.
pub(crate) fn optional_f64(cfg: &Value, key: &str) -> Result<Option<f64>, ModelError> {
    get(cfg, key)
        .map(|v| {
            v.as_f64()
                .ok_or_else(|| ModelError::Config(format!("config.json: {key} is {v}")))
        })
        .transpose()
}

/// Fails unless the checkpoint holds tensors for exactly layers `0..layers`.
pub(crate) fn check_layers(ckpt: &HfCheckpoint, layers: usize) -> Result<(), ModelError> {
    hparams::layer_tensors(
        "num_hidden_layers",
        ckpt.names(),
        "model.layers.",
        layers,
        layers,
    )
}
