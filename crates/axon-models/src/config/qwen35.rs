//! Qwen3.5 dense hybrid hyperparameters from a Hugging Face `config.json` (`qwen3_5`,
//! `qwen3_5_text`) or a llama.cpp `qwen35` GGUF (`docs/QWEN35.md`).
//!
//! The two files differ in what the weight loader must undo: Hugging Face stores the
//! zero-centred norms as `w` ([`NormWeightConvention::OnePlus`]; the Gated DeltaNet output norm
//! is not zero-centred and is used as stored) and value heads grouped; llama.cpp's converter
//! stores `1 + w` ([`NormWeightConvention::Direct`]) and, when there are more value heads than
//! key heads, value heads tiled ([`ValueHeadOrder`]). For text positions Qwen3.5's interleaved
//! M-RoPE is plain NeoX RoPE on the first `head_dim * partial_rotary_factor` values of a head.

use super::deltanet::every_nth_layer_full;
use super::gguf::{Metadata, has_tensor};
use super::json::{Json, RopeLayer};
use super::{
    Activation, Architecture, ConfigError, DeltaNetLayers, FileFormat, ModelConfig,
    NormWeightConvention, ValueHeadOrder,
};
use super::{Frequencies, Pairing, RopeConfig};

/// Layers per full-attention layer when the file does not say (transformers and llama.cpp).
const FULL_ATTENTION_INTERVAL: usize = 4;
/// Fraction of a head RoPE rotates when the file does not say (transformers' default).
const PARTIAL_ROTARY_FACTOR: f64 = 0.25;
/// RoPE base when the file names none (every released Qwen3.5).
const ROPE_BASE: f64 = 10_000_000.0;
/// Epsilon of the query/key L2 norm of the Gated DeltaNet layers (transformers / FLA).
const L2_NORM_EPS: f32 = 1e-6;
/// transformers' default `head_dim` of Qwen3.5.
const HEAD_DIM: usize = 256;

/// The fields every Qwen3.5 config shares, whichever file it came from.
struct Shared {
    file_format: FileFormat,
    layers: usize,
    embd: usize,
    ff: usize,
    heads: usize,
    kv_heads: usize,
    head_dim: usize,
    vocab: usize,
    rms_eps: f32,
    rope: RopeConfig,
    tied_embeddings: bool,
    trained_context: Option<usize>,
}

fn build(s: Shared, deltanet: DeltaNetLayers) -> ModelConfig {
    ModelConfig {
        file_format: s.file_format,
        architecture: Architecture::Qwen35(deltanet),
        layers: s.layers,
        embd: s.embd,
        ff: s.ff,
        heads: s.heads,
        kv_heads: s.kv_heads,
        head_dim: s.head_dim,
        vocab: s.vocab,
        rms_eps: s.rms_eps,
        rope: s.rope,
        activation: Activation::Silu,
        attention_scale: 1.0 / (s.head_dim as f32).sqrt(),
        embedding_scale: 1.0,
        qk_norm: true,
        post_attention_norm: false,
        post_ffn_norm: false,
        tied_embeddings: s.tied_embeddings,
        norm_weights: match s.file_format {
            FileFormat::HuggingFace => NormWeightConvention::OnePlus,
            FileFormat::Gguf => NormWeightConvention::Direct,
        },
        trained_context: s.trained_context,
    }
}

/// `Qwen3_5ForCausalLM` / `Qwen3_5ForConditionalGeneration` (its `text_config`): `top` is the
/// whole `config.json`, `cfg` the text model's part.
pub(super) fn from_hf(top: &Json<'_>, cfg: &Json<'_>) -> Result<ModelConfig, ConfigError> {
    cfg.refuse_unless(
        "hidden_act",
        &["silu", "swish"],
        "only the family's own activation is implemented",
    )?;
    let layers = cfg.usize("num_hidden_layers")?;
    top.check_layer_tensors(layers)?;
    let embd = cfg.usize("hidden_size")?;
    let heads = cfg.usize("num_attention_heads")?;
    let head_dim = cfg.optional_usize("head_dim")?.unwrap_or(HEAD_DIM);
    let partial = match cfg.get("rope_parameters") {
        Some(p) => cfg.nested(p).optional_f64("partial_rotary_factor")?,
        None => None,
    };
    let partial = match partial {
        Some(f) => f,
        None => cfg
            .optional_f64("partial_rotary_factor")?
            .unwrap_or(PARTIAL_ROTARY_FACTOR),
    };
    let full_attention = match cfg.get("layer_types") {
        Some(types) => types
            .as_array()
            .and_then(|t| {
                t.iter()
                    .map(|t| match t.as_str() {
                        Some("full_attention") => Some(true),
                        Some("linear_attention") => Some(false),
                        _ => None,
                    })
                    .collect::<Option<Vec<bool>>>()
            })
            .ok_or_else(|| {
                cfg.bad(
                    "layer_types",
                    types,
                    "an array of \"full_attention\" / \"linear_attention\"",
                )
            })?,
        None => {
            let interval = cfg
                .optional_usize("full_attention_interval")?
                .unwrap_or(FULL_ATTENTION_INTERVAL);
            every_nth_layer_full(layers, interval)
        }
    };
    let tied = match cfg.optional_bool("tie_word_embeddings")? {
        Some(t) => t,
        None => top.optional_bool("tie_word_embeddings")?.unwrap_or(false),
    };
    let shared = Shared {
        file_format: FileFormat::HuggingFace,
        layers,
        embd,
        ff: cfg.usize("intermediate_size")?,
        heads,
        kv_heads: cfg.optional_usize("num_key_value_heads")?.unwrap_or(heads),
        head_dim,
        vocab: cfg.usize("vocab_size")?,
        rms_eps: cfg.optional_f64("rms_norm_eps")?.unwrap_or(1e-6) as f32,
        rope: RopeConfig {
            dims: (head_dim as f64 * partial) as usize,
            pairing: Pairing::Neox,
            frequencies: hf_frequencies(cfg)?,
        },
        tied_embeddings: tied,
        trained_context: cfg.optional_usize("max_position_embeddings")?,
    };
    let deltanet = DeltaNetLayers {
        full_attention,
        k_heads: cfg.usize("linear_num_key_heads")?,
        v_heads: cfg.usize("linear_num_value_heads")?,
        dk: cfg.usize("linear_key_head_dim")?,
        dv: cfg.usize("linear_value_head_dim")?,
        conv_kernel: cfg.usize("linear_conv_kernel_dim")?,
        value_head_order: ValueHeadOrder::Grouped,
        l2_norm_eps: L2_NORM_EPS,
    };
    let config = build(shared, deltanet);
    config.validate(&cfg.file)?;
    Ok(config)
}

/// RoPE frequencies of `config.json`, with Qwen3.5's base (1e7) when the file names none.
fn hf_frequencies(cfg: &Json<'_>) -> Result<Frequencies, ConfigError> {
    let named = cfg
        .get("rope_parameters")
        .and_then(|p| p.get("rope_theta"))
        .or_else(|| cfg.get("rope_theta"))
        .is_some();
    Ok(match cfg.rope_frequencies(RopeLayer::Full)? {
        Frequencies::Scaled { linear_scale, .. } if !named => Frequencies::Scaled {
            theta: ROPE_BASE,
            linear_scale,
        },
        other => other,
    })
}

/// A llama.cpp `qwen35` GGUF. `block_count` includes the multi-token-prediction layers
/// (`nextn_predict_layers`), which are not part of the model's forward pass.
pub(super) fn from_gguf(meta: &Metadata<'_>) -> Result<ModelConfig, ConfigError> {
    let file = meta.file;
    let blocks = meta.usize("block_count")?;
    let mtp = meta.optional_usize("nextn_predict_layers")?.unwrap_or(0);
    let layers = blocks
        .checked_sub(mtp)
        .ok_or_else(|| ConfigError::BadValue {
            file: file.path().to_path_buf(),
            key: meta.key("nextn_predict_layers"),
            value: mtp.to_string(),
            expected: format!("at most block_count ({blocks})"),
        })?;
    meta.check_layer_tensors(layers, blocks)?;
    let embd = meta.usize("embedding_length")?;
    let heads = meta.usize("attention.head_count")?;
    let head_dim = meta
        .optional_usize("attention.key_length")?
        .unwrap_or(embd / heads.max(1));
    if let Some(v) = meta
        .optional_usize("attention.value_length")?
        .filter(|&v| v != head_dim)
    {
        return Err(meta.unsupported(
            meta.key("attention.value_length"),
            format!("{v} (key_length {head_dim})"),
            "value heads must be as wide as key heads",
        ));
    }
    let interval = meta
        .optional_usize("full_attention_interval")?
        .unwrap_or(FULL_ATTENTION_INTERVAL);
    let (k_heads, v_heads) = (
        meta.usize("ssm.group_count")?,
        meta.usize("ssm.time_step_rank")?,
    );
    let inner = meta.usize("ssm.inner_size")?;
    if v_heads == 0 || !inner.is_multiple_of(v_heads) {
        return Err(ConfigError::BadValue {
            file: file.path().to_path_buf(),
            key: meta.key("ssm.inner_size"),
            value: format!("{inner} (time_step_rank {v_heads})"),
            expected: "a positive multiple of ssm.time_step_rank".to_owned(),
        });
    }
    let rms_eps = meta
        .optional_f64("attention.layer_norm_rms_epsilon")?
        .ok_or_else(|| ConfigError::MissingKey {
            file: file.path().to_path_buf(),
            key: meta.key("attention.layer_norm_rms_epsilon"),
        })? as f32;
    let shared = Shared {
        file_format: FileFormat::Gguf,
        layers,
        embd,
        ff: meta.usize("feed_forward_length")?,
        heads,
        kv_heads: meta
            .optional_usize("attention.head_count_kv")?
            .unwrap_or(heads),
        head_dim,
        vocab: meta.vocab()?,
        rms_eps,
        rope: RopeConfig {
            dims: meta.usize("rope.dimension_count")?,
            pairing: Pairing::Neox,
            frequencies: Frequencies::Scaled {
                theta: meta.optional_f64("rope.freq_base")?.unwrap_or(ROPE_BASE),
                linear_scale: meta.rope_linear_scale()?,
            },
        },
        tied_embeddings: !has_tensor(file, "output.weight"),
        trained_context: meta.optional_usize("context_length")?,
    };
    let deltanet = DeltaNetLayers {
        full_attention: every_nth_layer_full(layers, interval),
        k_heads,
        v_heads,
        dk: meta.usize("ssm.state_size")?,
        dv: inner / v_heads,
        conv_kernel: meta.usize("ssm.conv_kernel")?,
        value_head_order: if v_heads > k_heads {
            ValueHeadOrder::Tiled
        } else {
            ValueHeadOrder::Grouped
        },
        l2_norm_eps: L2_NORM_EPS,
    };
    let config = build(shared, deltanet);
    config.validate(file.path())?;
    Ok(config)
}

/// Whether `config.json` names Qwen3.5: `architectures[0]`, else the text `model_type`.
pub(super) fn is_qwen35(named: Option<&str>, model_type: Option<&str>) -> bool {
    matches!(
        (named, model_type),
        (
            Some("Qwen3_5ForCausalLM" | "Qwen3_5ForConditionalGeneration"),
            _
        ) | (None, Some("qwen3_5" | "qwen3_5_text"))
    )
}
