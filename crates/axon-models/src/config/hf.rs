//! [`ModelConfig::from_hf`]: hyperparameters from a Hugging Face checkpoint's `config.json`
//! (transformers 4 and 5 spellings), with transformers' defaults where a key is absent.

use super::json::{Json, RopeLayer};
use super::{
    Activation, Architecture, ConfigError, FileFormat, GEMMA3_GLOBAL_LAYER_PERIOD, ModelConfig,
    NormWeightConvention, SlidingWindowAttention, every_nth_layer_global,
};
use super::{Pairing, RopeConfig};
use axon_formats::hf::HfCheckpoint;
use serde_json::Value;

/// A family [`ModelConfig::from_hf`] reads.
enum Family {
    Llama,
    Gemma3,
    Qwen35,
}

/// Which family a checkpoint is: `architectures[0]` when present, else `model_type`.
fn family_of(top: &Json<'_>, text: &Json<'_>) -> Result<Family, ConfigError> {
    let named = top
        .get("architectures")
        .and_then(|a| a.get(0))
        .and_then(Value::as_str);
    let model_type = text.optional_str("model_type")?;
    if super::qwen35::is_qwen35(named, model_type) {
        return Ok(Family::Qwen35);
    }
    match (named, model_type) {
        (Some("LlamaForCausalLM"), _) | (None, Some("llama")) => Ok(Family::Llama),
        (Some("Gemma3ForCausalLM" | "Gemma3ForConditionalGeneration"), _)
        | (None, Some("gemma3_text" | "gemma3")) => Ok(Family::Gemma3),
        (named, model_type) => Err(ConfigError::UnsupportedArchitecture {
            file: top.file.clone(),
            architecture: named.or(model_type).unwrap_or("(none named)").to_owned(),
        }),
    }
}

impl ModelConfig {
    /// Reads the text model's hyperparameters of a Hugging Face `LlamaForCausalLM`,
    /// `Gemma3ForCausalLM`, `Gemma3ForConditionalGeneration`, `Qwen3_5ForCausalLM` or
    /// `Qwen3_5ForConditionalGeneration` checkpoint.
    ///
    /// Hugging Face keeps Q/K rows in their original order, so RoPE pairs NeoX halves for both
    /// families; Gemma's norms are stored zero-centred ([`NormWeightConvention::OnePlus`]).
    /// Absent keys take transformers' defaults (`rms_norm_eps` 1e-6, RoPE base 10 000,
    /// embeddings tied for Gemma and untied for Llama).
    pub fn from_hf(checkpoint: &HfCheckpoint) -> Result<Self, ConfigError> {
        let file = checkpoint.dir().join("config.json");
        let top = Json {
            file: file.clone(),
            object: checkpoint.config(),
            tensors: checkpoint.names().collect(),
        };
        let cfg = Json {
            file,
            object: checkpoint.text_config(),
            tensors: Vec::new(),
        };
        let family = family_of(&top, &cfg)?;
        let bias_reason = "projection biases are not implemented";
        cfg.refuse_unless("attention_bias", &[], bias_reason)?;
        cfg.refuse_unless("mlp_bias", &[], bias_reason)?;
        let softcap_reason = "logit soft-capping is not implemented";
        cfg.refuse_unless("attn_logit_softcapping", &[], softcap_reason)?;
        cfg.refuse_unless("final_logit_softcapping", &[], softcap_reason)?;
        let gemma = match family {
            Family::Llama => false,
            Family::Gemma3 => true,
            Family::Qwen35 => return super::qwen35::from_hf(&top, &cfg),
        };
        let (act_key, act_allowed, activation) = if gemma {
            (
                "hidden_activation",
                ["gelu_pytorch_tanh", "gelu_tanh"],
                Activation::GeluTanh,
            )
        } else {
            ("hidden_act", ["silu", "swish"], Activation::Silu)
        };
        cfg.refuse_unless(
            act_key,
            &act_allowed,
            "only the family's own activation is implemented",
        )?;

        let layers = cfg.usize("num_hidden_layers")?;
        top.check_layer_tensors(layers)?;
        let embd = cfg.usize("hidden_size")?;
        let heads = cfg.usize("num_attention_heads")?;
        let kv_heads = cfg.optional_usize("num_key_value_heads")?.unwrap_or(heads);
        let head_dim = cfg
            .optional_usize("head_dim")?
            .unwrap_or(embd / heads.max(1));
        let rope = RopeConfig {
            dims: head_dim,
            pairing: Pairing::Neox,
            frequencies: cfg.rope_frequencies(RopeLayer::Full)?,
        };
        let (architecture, attention_scale) = if gemma {
            let sliding_layers = match cfg.get("layer_types") {
                Some(types) => types
                    .as_array()
                    .map(|t| {
                        t.iter()
                            .map(|t| t.as_str() == Some("sliding_attention"))
                            .collect()
                    })
                    .ok_or_else(|| cfg.bad("layer_types", types, "an array of layer types"))?,
                None => {
                    let period = match cfg.optional_usize("sliding_window_pattern")? {
                        Some(p) => p,
                        None => cfg
                            .optional_usize("_sliding_window_pattern")?
                            .unwrap_or(GEMMA3_GLOBAL_LAYER_PERIOD),
                    };
                    every_nth_layer_global(layers, period)
                }
            };
            let local_rope = RopeConfig {
                frequencies: cfg.rope_frequencies(RopeLayer::Sliding)?,
                ..rope
            };
            let sliding = SlidingWindowAttention {
                window: cfg.usize("sliding_window")?,
                sliding_layers,
                local_rope,
            };
            let scalar = cfg
                .optional_f64("query_pre_attn_scalar")?
                .unwrap_or(head_dim as f64);
            (Architecture::Gemma3(sliding), (1.0 / scalar.sqrt()) as f32)
        } else {
            (Architecture::Llama, 1.0 / (head_dim as f32).sqrt())
        };
        let tied = match cfg.optional_bool("tie_word_embeddings")? {
            Some(t) => t,
            None => top.optional_bool("tie_word_embeddings")?.unwrap_or(gemma),
        };
        let config = Self {
            file_format: FileFormat::HuggingFace,
            architecture,
            layers,
            embd,
            ff: cfg.usize("intermediate_size")?,
            heads,
            kv_heads,
            head_dim,
            vocab: cfg.usize("vocab_size")?,
            rms_eps: cfg.optional_f64("rms_norm_eps")?.unwrap_or(1e-6) as f32,
            rope,
            activation,
            attention_scale,
            embedding_scale: if gemma { (embd as f32).sqrt() } else { 1.0 },
            qk_norm: gemma,
            post_attention_norm: gemma,
            post_ffn_norm: gemma,
            tied_embeddings: tied,
            norm_weights: if gemma {
                NormWeightConvention::OnePlus
            } else {
                NormWeightConvention::Direct
            },
            trained_context: cfg.optional_usize("max_position_embeddings")?,
        };
        config.validate(&cfg.file)?;
        Ok(config)
    }
}
