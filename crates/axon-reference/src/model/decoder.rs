//! The decoder-only transformer of the llama family and Gemma 3, from GGUF.
//!
//! Llama: pre-norm blocks, GQA attention with adjacent-pair RoPE (llama.cpp's converter permutes
//! Q/K for it), SiLU-gated MLP. Gemma 3 adds: embeddings scaled by sqrt(d), RMSNorm on each
//! query/key head, norms after attention and after the MLP, GELU-tanh, NeoX RoPE, and sliding-
//! window layers (all but every 6th) with their own RoPE base (10 000). GGUF stores Gemma's
//! `(1 + w)` norm weights with the 1 already added, so every norm multiplies by its weight.

use super::Session;
use super::error::ModelError;
use super::projection::{Projection, ReferenceOptions, load_projection, multiply};
use super::weights::{Source, embedding_row, json_usize, load, load_optional, plus_one};
use super::{hf, hparams};
use crate::ops::attention::{AttentionShape, attend};
use crate::ops::kv_cache;
use crate::ops::mlp::{GateActivation, gate};
use crate::ops::rope::{Rope, RopePairing};
use axon_formats::gguf::GgufFile;
use axon_formats::hf::HfCheckpoint;

/// Which architecture's details apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// llama, SmolLM2, Mistral-style.
    Llama,
    /// Gemma 3 text.
    Gemma3,
}

/// Hyperparameters.
#[derive(Debug, Clone, PartialEq)]
pub struct DecoderConfig {
    /// Architecture details.
    pub family: Family,
    /// Blocks.
    pub layers: usize,
    /// Hidden size.
    pub embd: usize,
    /// MLP width.
    pub ff: usize,
    /// Query heads.
    pub heads: usize,
    /// Key/value heads.
    pub kv_heads: usize,
    /// Values per head.
    pub head_dim: usize,
    /// Vocabulary (embedding rows).
    pub vocab: usize,
    /// RMSNorm epsilon.
    pub eps: f32,
    /// RoPE of full-attention layers.
    pub rope: Rope,
    /// RoPE of sliding-window layers (Gemma 3).
    pub rope_local: Option<Rope>,
    /// Sliding window of the local layers.
    pub sliding_window: Option<usize>,
    /// Every `n`-th layer is global, the rest slide (0: no sliding layers).
    pub swa_pattern: usize,
    /// Per-layer sliding flags, when the checkpoint lists them (overrides `swa_pattern`).
    pub sliding_layers: Option<Vec<bool>>,
    /// Attention logit scale.
    pub attn_scale: f64,
    /// The context the model was trained for, when the file says.
    pub trained_context: Option<usize>,
}

impl DecoderConfig {
    fn is_sliding(&self, layer: usize) -> bool {
        if let Some(flags) = &self.sliding_layers {
            return self.sliding_window.is_some() && flags.get(layer).copied().unwrap_or(false);
        }
        self.swa_pattern > 0
            && self.sliding_window.is_some()
            && !(layer + 1).is_multiple_of(self.swa_pattern)
    }
}

struct Layer {
    attn_norm: Vec<f32>,
    q: Projection,
    k: Projection,
    v: Projection,
    o: Projection,
    q_norm: Option<Vec<f32>>,
    k_norm: Option<Vec<f32>>,
    post_attn_norm: Option<Vec<f32>>,
    ffn_norm: Vec<f32>,
    gate: Projection,
    up: Projection,
    down: Projection,
    post_ffn_norm: Option<Vec<f32>>,
}

/// A loaded model.
pub struct Decoder {
    config: DecoderConfig,
    embd: Vec<f32>,
    layers: Vec<Layer>,
    output_norm: Vec<f32>,
    output: Option<Projection>,
    /// The tied head (`embd`) takes an 8-bit x in decode.
    embd_int8_x: bool,
    /// The KV cache stores halves (`ReferenceOptions::kv_f16`).
    pub(super) kv_f16: bool,
}

impl std::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decoder")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

fn usize_of(file: &GgufFile, suffix: &str) -> Result<usize, ModelError> {
    Ok(file.arch_u64(suffix)? as usize)
}

/// `suffix` of the architecture's metadata, `None` when absent (present but of the wrong type
/// is an error).
fn optional_usize(file: &GgufFile, suffix: &str) -> Result<Option<usize>, ModelError> {
    let key = format!("{}.{suffix}", file.architecture()?);
    match file.get(&key) {
        None => Ok(None),
        Some(_) => usize_of(file, suffix).map(Some),
    }
}

/// Like [`optional_usize`], for a number.
fn optional_f64(file: &GgufFile, suffix: &str) -> Result<Option<f64>, ModelError> {
    let key = format!("{}.{suffix}", file.architecture()?);
    match file.get(&key) {
        None => Ok(None),
        Some(_) => Ok(Some(file.arch_f64(suffix)?)),
    }
}

/// The linear RoPE factor of a GGUF: `rope.scaling.type` = linear with `rope.scaling.factor`,
/// or the older `rope.scale_linear`; any other scaling type is refused (the engine implements
/// none).
pub(crate) fn gguf_linear_scale(file: &GgufFile) -> Result<f64, ModelError> {
    let key = format!("{}.rope.scaling.type", file.architecture()?);
    match file.get(&key).map(|_| file.get_str(&key)).transpose()? {
        None | Some("none") => Ok(optional_f64(file, "rope.scale_linear")?.unwrap_or(1.0)),
        Some("linear") => Ok(file.arch_f64("rope.scaling.factor")?),
        Some(other) => Err(hparams::unsupported(
            &key,
            other,
            "only linear RoPE scaling is implemented",
        )),
    }
}

/// The vocabulary of a GGUF: `{arch}.vocab_size`, else the tokenizer's token count.
pub(crate) fn gguf_vocab(file: &GgufFile) -> Result<usize, ModelError> {
    match optional_usize(file, "vocab_size")? {
        Some(v) => Ok(v),
        None => Ok(file.get_strings("tokenizer.ggml.tokens")?.len()),
    }
}

/// Refuses what the engine does not implement in a GGUF of any family.
pub(crate) fn refuse_gguf_variants(file: &GgufFile, head_dim: usize) -> Result<(), ModelError> {
    if file.tensors().iter().any(|t| t.name == "rope_freqs.weight") {
        return Err(hparams::unsupported(
            "tensor rope_freqs.weight",
            "present",
            "per-frequency RoPE factors (Llama 3.1 scaling) are not implemented",
        ));
    }
    if let Some(v) = optional_usize(file, "attention.value_length")?.filter(|&v| v != head_dim) {
        return Err(hparams::unsupported(
            "attention.value_length",
            &format!("{v} (key_length {head_dim})"),
            "value heads must be as wide as key heads",
        ));
    }
    Ok(())
}

/// llama.cpp: Gemma 3's 62-layer model (27B) scales attention by `(embd / heads)^-0.5`.
const GEMMA3_27B_LAYERS: usize = 62;

impl DecoderConfig {
    /// Reads the hyperparameters of a llama or gemma3 GGUF file and checks them.
    pub fn from_gguf(file: &GgufFile) -> Result<Self, ModelError> {
        let arch = file.architecture()?;
        let family = match arch {
            "llama" => Family::Llama,
            "gemma3" => Family::Gemma3,
            other => return Err(ModelError::UnsupportedArchitecture(other.to_owned())),
        };
        let layers = usize_of(file, "block_count")?;
        let names = file.tensors().iter().map(|t| t.name.as_str());
        hparams::layer_tensors("block_count", names, "blk.", layers, layers)?;
        let embd = usize_of(file, "embedding_length")?;
        let heads = usize_of(file, "attention.head_count")?;
        let kv_heads = optional_usize(file, "attention.head_count_kv")?.unwrap_or(heads);
        let head_dim = optional_usize(file, "attention.key_length")?.unwrap_or(embd / heads.max(1));
        refuse_gguf_variants(file, head_dim)?;
        let theta = optional_f64(file, "rope.freq_base")?.unwrap_or(10_000.0);
        let rope_dims = optional_usize(file, "rope.dimension_count")?.unwrap_or(head_dim);
        let linear_scale = gguf_linear_scale(file)?;
        let pairing = if family == Family::Llama {
            RopePairing::Adjacent
        } else {
            RopePairing::Neox
        };
        let rope = Rope {
            dims: rope_dims,
            theta,
            pairing,
            linear_scale,
        };
        let (rope_local, sliding_window, swa_pattern) = match family {
            Family::Llama => (None, None, 0),
            // llama.cpp: Gemma 3's local layers use base 10 000 and no scaling; 5 local : 1 global.
            Family::Gemma3 => (
                Some(Rope {
                    theta: 10_000.0,
                    linear_scale: 1.0,
                    ..rope
                }),
                Some(usize_of(file, "attention.sliding_window")?),
                6,
            ),
        };
        let scale_dim = if family == Family::Gemma3 && layers == GEMMA3_27B_LAYERS {
            embd / heads.max(1)
        } else {
            head_dim
        };
        let config = Self {
            family,
            layers,
            embd,
            ff: usize_of(file, "feed_forward_length")?,
            heads,
            kv_heads,
            head_dim,
            vocab: gguf_vocab(file)?,
            eps: file.arch_f64("attention.layer_norm_rms_epsilon")? as f32,
            rope,
            rope_local,
            sliding_window,
            swa_pattern,
            sliding_layers: None,
            attn_scale: 1.0 / (scale_dim as f64).sqrt(),
            trained_context: optional_usize(file, "context_length")?,
        };
        config.validate()?;
        Ok(config)
    }

    /// Checks every hyperparameter (`hparams`).
    fn validate(&self) -> Result<(), ModelError> {
        hparams::shared(&hparams::Shared {
            layers: self.layers,
            embd: self.embd,
            ff: self.ff,
            heads: self.heads,
            kv_heads: self.kv_heads,
            head_dim: self.head_dim,
            vocab: self.vocab,
            eps: self.eps,
            rope: &self.rope,
            trained_context: self.trained_context,
        })?;
        hparams::scale("attention scale", self.attn_scale)?;
        if let Some(local) = &self.rope_local {
            hparams::rope("local rope", local, self.head_dim)?;
        }
        if let Some(window) = self.sliding_window {
            hparams::positions("sliding_window", window)?;
        }
        match &self.sliding_layers {
            Some(flags) => hparams::per_layer(flags.len(), self.layers),
            None => Ok(()),
        }
    }
}

impl Decoder {
    /// Loads a llama or gemma3 GGUF file (weights dequantized to f32).
    pub fn from_gguf(file: &GgufFile) -> Result<Self, ModelError> {
        Self::from_gguf_with(file, ReferenceOptions::default())
    }

    /// [`Decoder::from_gguf`] with the engine's choices in `options`.
    pub fn from_gguf_with(file: &GgufFile, options: ReferenceOptions) -> Result<Self, ModelError> {
        let proj = |name: &str, dims: &[u64]| load_projection(file, name, dims, options);
        let c = DecoderConfig::from_gguf(file)?;
        let (e, q, kv, ff) = (
            c.embd as u64,
            (c.heads * c.head_dim) as u64,
            (c.kv_heads * c.head_dim) as u64,
            c.ff as u64,
        );
        let hd = c.head_dim as u64;
        let gemma = c.family == Family::Gemma3;
        let mut layers = Vec::with_capacity(c.layers);
        for i in 0..c.layers {
            let n = |s: &str| format!("blk.{i}.{s}.weight");
            let optional = |s: &str, dims: &[u64]| -> Result<Option<Vec<f32>>, ModelError> {
                if gemma {
                    load(file, &n(s), dims).map(Some)
                } else {
                    load_optional(file, &n(s), dims)
                }
            };
            layers.push(Layer {
                attn_norm: load(file, &n("attn_norm"), &[e])?,
                q: proj(&n("attn_q"), &[e, q])?,
                k: proj(&n("attn_k"), &[e, kv])?,
                v: proj(&n("attn_v"), &[e, kv])?,
                o: proj(&n("attn_output"), &[q, e])?,
                q_norm: optional("attn_q_norm", &[hd])?,
                k_norm: optional("attn_k_norm", &[hd])?,
                post_attn_norm: optional("post_attention_norm", &[e])?,
                ffn_norm: load(file, &n("ffn_norm"), &[e])?,
                gate: proj(&n("ffn_gate"), &[e, ff])?,
                up: proj(&n("ffn_up"), &[e, ff])?,
                down: proj(&n("ffn_down"), &[ff, e])?,
                post_ffn_norm: optional("post_ffw_norm", &[e])?,
            });
        }
        let vocab = c.vocab as u64;
        let output = if file.tensors().iter().any(|t| t.name == "output.weight") {
            Some(proj("output.weight", &[e, vocab])?)
        } else {
            None
        };
        let embd = proj("token_embd.weight", &[e, vocab])?;
        Ok(Self {
            embd: embd.w,
            embd_int8_x: embd.int8_x,
            kv_f16: options.kv_f16,
            output_norm: load(file, "output_norm.weight", &[e])?,
            output,
            layers,
            config: c,
        })
    }

    /// Loads a Hugging Face `LlamaForCausalLM` / `Gemma3ForCausalLM` directory. Its Q/K rows
    /// are in Hugging Face order, so RoPE pairs NeoX-style; Gemma's `(1 + w)` norms get their 1.
    pub fn from_hf(ckpt: &HfCheckpoint) -> Result<Self, ModelError> {
        let cfg = ckpt.text_config();
        let model_type = cfg.get("model_type").and_then(|v| v.as_str()).unwrap_or("");
        let family = match model_type {
            "llama" | "mistral" => Family::Llama,
            "gemma3_text" | "gemma3" => Family::Gemma3,
            other => return Err(ModelError::UnsupportedArchitecture(other.to_owned())),
        };
        let gemma = family == Family::Gemma3;
        if gemma {
            hf::refuse_variants(
                cfg,
                "hidden_activation",
                &["gelu_pytorch_tanh", "gelu_tanh"],
            )?;
        } else {
            hf::refuse_variants(cfg, "hidden_act", &["silu", "swish"])?;
        }
        let f64_of = |k: &str| hf::optional_f64(cfg, k);
        let layers = json_usize(cfg, "num_hidden_layers")?;
        hf::check_layers(ckpt, layers)?;
        let embd = json_usize(cfg, "hidden_size")?;
        let heads = json_usize(cfg, "num_attention_heads")?;
        let kv_heads = hf::optional_usize(cfg, "num_key_value_heads")?.unwrap_or(heads);
        let head_dim = hf::optional_usize(cfg, "head_dim")?.unwrap_or(embd / heads.max(1));
        let rope_params = cfg.get("rope_parameters").filter(|v| !v.is_null());
        // transformers 5 nests Gemma 3's bases per layer type under rope_parameters.
        let theta = match rope_params.and_then(|r| {
            r.get("rope_theta")
                .or_else(|| r.get("full_attention").and_then(|f| f.get("rope_theta")))
        }) {
            Some(t) => t
                .as_f64()
                .ok_or_else(|| ModelError::Config(format!("rope_theta is {t}")))?,
            None => f64_of("rope_theta")?.unwrap_or(10_000.0),
        };
        let rope = Rope {
            dims: head_dim,
            theta,
            pairing: RopePairing::Neox,
            linear_scale: hf::rope_linear_scale(cfg)?,
        };
        let sliding_layers = cfg
            .get("layer_types")
            .and_then(serde_json::Value::as_array)
            .map(|types| {
                types
                    .iter()
                    .map(|t| t.as_str() == Some("sliding_attention"))
                    .collect::<Vec<bool>>()
            });
        let local_theta = match rope_params
            .and_then(|r| r.get("sliding_attention"))
            .and_then(|r| r.get("rope_theta"))
        {
            Some(t) => t
                .as_f64()
                .ok_or_else(|| ModelError::Config(format!("rope_theta is {t}")))?,
            None => f64_of("rope_local_base_freq")?.unwrap_or(10_000.0),
        };
        let c = DecoderConfig {
            family,
            layers,
            embd,
            ff: json_usize(cfg, "intermediate_size")?,
            heads,
            kv_heads,
            head_dim,
            vocab: json_usize(cfg, "vocab_size")?,
            eps: f64_of("rms_norm_eps")?.unwrap_or(1e-6) as f32,
            rope,
            // Gemma 3's sliding layers: their own base, never scaled.
            rope_local: gemma.then_some(Rope {
                theta: local_theta,
                linear_scale: 1.0,
                ..rope
            }),
            sliding_window: if gemma {
                Some(json_usize(cfg, "sliding_window")?)
            } else {
                None
            },
            swa_pattern: if gemma { 6 } else { 0 },
            sliding_layers: if gemma { sliding_layers } else { None },
            attn_scale: 1.0
                / f64_of("query_pre_attn_scalar")?
                    .unwrap_or(head_dim as f64)
                    .sqrt(),
            trained_context: hf::optional_usize(cfg, "max_position_embeddings")?,
        };
        c.validate()?;
        let (e, q, kv, ff, hd) = (
            c.embd,
            c.heads * c.head_dim,
            c.kv_heads * c.head_dim,
            c.ff,
            c.head_dim,
        );
        let norm = |name: &str, len: usize| -> Result<Vec<f32>, ModelError> {
            let w = ckpt.load_f32(name, &[len])?;
            Ok(if gemma { plus_one(w) } else { w })
        };
        let mut layer_weights = Vec::with_capacity(c.layers);
        for i in 0..c.layers {
            let n = |s: &str| format!("model.layers.{i}.{s}.weight");
            // Llama's post_attention_layernorm is the pre-MLP norm; Gemma 3 has four norms.
            let (ffn_norm_name, post_attn) = if gemma {
                (
                    n("pre_feedforward_layernorm"),
                    Some(norm(&n("post_attention_layernorm"), e)?),
                )
            } else {
                (n("post_attention_layernorm"), None)
            };
            layer_weights.push(Layer {
                attn_norm: norm(&n("input_layernorm"), e)?,
                q: Projection::f32(ckpt.load_f32(&n("self_attn.q_proj"), &[q, e])?),
                k: Projection::f32(ckpt.load_f32(&n("self_attn.k_proj"), &[kv, e])?),
                v: Projection::f32(ckpt.load_f32(&n("self_attn.v_proj"), &[kv, e])?),
                o: Projection::f32(ckpt.load_f32(&n("self_attn.o_proj"), &[e, q])?),
                q_norm: if gemma {
                    Some(norm(&n("self_attn.q_norm"), hd)?)
                } else {
                    None
                },
                k_norm: if gemma {
                    Some(norm(&n("self_attn.k_norm"), hd)?)
                } else {
                    None
                },
                post_attn_norm: post_attn,
                ffn_norm: norm(&ffn_norm_name, e)?,
                gate: Projection::f32(ckpt.load_f32(&n("mlp.gate_proj"), &[ff, e])?),
                up: Projection::f32(ckpt.load_f32(&n("mlp.up_proj"), &[ff, e])?),
                down: Projection::f32(ckpt.load_f32(&n("mlp.down_proj"), &[e, ff])?),
                post_ffn_norm: if gemma {
                    Some(norm(&n("post_feedforward_layernorm"), e)?)
                } else {
                    None
                },
            });
        }
        let tied = cfg
            .get("tie_word_embeddings")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(gemma);
        let output = if tied {
            None
        } else {
            Some(Projection::f32(
                ckpt.load_f32("lm_head.weight", &[c.vocab, e])?,
            ))
        };
        Ok(Self {
            embd_int8_x: false,
            kv_f16: false,
            embd: ckpt.load_f32("model.embed_tokens.weight", &[c.vocab, e])?,
            output_norm: norm("model.norm.weight", e)?,
            output,
            layers: layer_weights,
            config: c,
        })
    }

    /// The hyperparameters.
    pub fn config(&self) -> &DecoderConfig {
        &self.config
    }

    /// An empty sequence.
    pub fn new_session(&self) -> Session {
        Session {
            len: 0,
            keys: vec![Vec::new(); self.layers.len()],
            values: vec![Vec::new(); self.layers.len()],
        }
    }

    /// Runs `tokens` after what `session` holds; returns one logits row per token.
    pub fn forward(
        &self,
        session: &mut Session,
        tokens: &[u32],
    ) -> Result<Vec<Vec<f32>>, ModelError> {
        self.forward_with(session, tokens, false)
    }

    /// [`Decoder::forward`], one token at a time as decode steps: the 8-bit-x projections
    /// (`ReferenceOptions::int8_min_cols`) quantize their input first.
    pub fn forward_decode(
        &self,
        session: &mut Session,
        tokens: &[u32],
    ) -> Result<Vec<Vec<f32>>, ModelError> {
        self.forward_with(session, tokens, true)
    }

    fn forward_with(
        &self,
        session: &mut Session,
        tokens: &[u32],
        int8: bool,
    ) -> Result<Vec<Vec<f32>>, ModelError> {
        let first = session.len;
        let rows = tokens
            .iter()
            .map(|&t| self.step(session, t, int8))
            .collect::<Result<Vec<_>, _>>()?;
        hparams::finite_logits(&rows, first)?;
        Ok(rows)
    }

    fn norm(&self, x: &[f32], w: &[f32]) -> Vec<f32> {
        crate::ops::rms_norm::rms_norm(x, w, self.config.eps, 0.0).unwrap_or_default()
    }

    fn step(&self, session: &mut Session, token: u32, int8: bool) -> Result<Vec<f32>, ModelError> {
        let c = &self.config;
        let row = embedding_row(&self.embd, c.embd, c.vocab, token)?;
        let mut x = row.to_vec();
        if c.family == Family::Gemma3 {
            let scale = (c.embd as f32).sqrt();
            x.iter_mut().for_each(|v| *v *= scale);
        }
        let pos = session.len;
        let shape = AttentionShape {
            heads: c.heads,
            kv_heads: c.kv_heads,
            head_dim: c.head_dim,
        };
        for (i, layer) in self.layers.iter().enumerate() {
            let h = self.norm(&x, &layer.attn_norm);
            let mut q = layer.q.apply(&h, int8);
            let mut k = layer.k.apply(&h, int8);
            let v = layer.v.apply(&h, int8);
            if let (Some(qn), Some(kn)) = (&layer.q_norm, &layer.k_norm) {
                q = q
                    .chunks_exact(c.head_dim)
                    .flat_map(|head| self.norm(head, qn))
                    .collect();
                k = k
                    .chunks_exact(c.head_dim)
                    .flat_map(|head| self.norm(head, kn))
                    .collect();
            }
            let sliding = c.is_sliding(i);
            let rope = if sliding {
                c.rope_local.unwrap_or(c.rope)
            } else {
                c.rope
            };
            rope.apply_heads(&mut q, c.head_dim, pos);
            rope.apply_heads(&mut k, c.head_dim, pos);
            kv_cache::append(&mut session.keys[i], &k, self.kv_f16);
            kv_cache::append(&mut session.values[i], &v, self.kv_f16);
            let window = if sliding { c.sliding_window } else { None };
            let a = attend(
                &q,
                &session.keys[i],
                &session.values[i],
                shape,
                c.attn_scale,
                pos,
                window,
            );
            let mut o = layer.o.apply(&a, int8);
            if let Some(w) = &layer.post_attn_norm {
                o = self.norm(&o, w);
            }
            x.iter_mut().zip(&o).for_each(|(a, b)| *a += b);

            let h = self.norm(&x, &layer.ffn_norm);
            let act = match c.family {
                Family::Llama => GateActivation::Silu,
                Family::Gemma3 => GateActivation::GeluTanh,
            };
            let hidden = gate(&layer.gate.apply(&h, int8), &layer.up.apply(&h, int8), act);
            let mut f = layer.down.apply(&hidden, int8);
            if let Some(w) = &layer.post_ffn_norm {
                f = self.norm(&f, w);
            }
            x.iter_mut().zip(&f).for_each(|(a, b)| *a += b);
        }
        session.len += 1;
        let h = self.norm(&x, &self.output_norm);
        Ok(match &self.output {
            Some(output) => output.apply(&h, int8),
            None => multiply(&self.embd, &h, int8 && self.embd_int8_x),
        })
    }
}
