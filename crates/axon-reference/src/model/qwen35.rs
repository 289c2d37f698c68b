//! Qwen3.5 dense hybrid: 3 Gated DeltaNet layers to 1 gated full-attention layer, from a
//! Hugging Face checkpoint or a llama.cpp GGUF (`docs/QWEN35.md`).
//!
//! The two sources differ in three ways, all resolved at load so the forward pass is one:
//! GGUF stores the zero-centred norm weights with the 1 added (Hugging Face stores `w`, the
//! model uses `1 + w`), stores `-exp(A_log)` instead of `A_log`, and (when there are more value
//! heads than key heads) orders value heads tiled instead of grouped, so value head `h` reads
//! key head `h % H_k` instead of `h / (H_v / H_k)`.

use super::error::ModelError;
use super::projection::{Projection, ReferenceOptions, load_projection, multiply};
use super::weights::{Source, embedding_row, json_usize, plus_one};
use super::{hf, hparams};
use crate::ops::activation::{sigmoid, softplus};
use crate::ops::attention::{AttentionShape, attend, sigmoid_gate};
use crate::ops::conv1d::ConvState;
use crate::ops::deltanet::{DeltaInput, DeltaState, delta_step};
use crate::ops::kv_cache;
use crate::ops::l2_norm::l2_norm;
use crate::ops::mlp::{GateActivation, gate};
use crate::ops::rms_norm::gated_rms_norm;
use crate::ops::rope::{Rope, RopePairing};
use axon_formats::gguf::GgufFile;
use axon_formats::hf::HfCheckpoint;

/// How value heads map to key heads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueHeadOrder {
    /// Hugging Face: value head `h` uses key head `h / (H_v / H_k)`.
    Grouped,
    /// llama.cpp GGUF: value head `h` uses key head `h % H_k`.
    Tiled,
}

/// Hyperparameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Qwen35Config {
    /// Layers (MTP layers excluded).
    pub layers: usize,
    /// Hidden size.
    pub embd: usize,
    /// MLP width.
    pub ff: usize,
    /// Full-attention query heads.
    pub heads: usize,
    /// Full-attention key/value heads.
    pub kv_heads: usize,
    /// Full-attention head size.
    pub head_dim: usize,
    /// Vocabulary.
    pub vocab: usize,
    /// RMSNorm epsilon (also the L2-norm epsilon's scale of reference).
    pub eps: f32,
    /// Partial NeoX RoPE of the full-attention layers (text positions: M-RoPE reduces to it).
    pub rope: Rope,
    /// Whether layer `i` is full attention.
    pub full_attention: Vec<bool>,
    /// Linear-attention key heads.
    pub k_heads: usize,
    /// Linear-attention value heads.
    pub v_heads: usize,
    /// Key head size.
    pub dk: usize,
    /// Value head size.
    pub dv: usize,
    /// Short convolution taps.
    pub conv_kernel: usize,
    /// Value-to-key head mapping of the source.
    pub value_order: ValueHeadOrder,
    /// The context the model was trained for, when the file says.
    pub trained_context: Option<usize>,
}

/// Layer `i` is full attention iff `(i + 1) % interval == 0` (an interval of 0: none is).
fn every_nth(layers: usize, interval: usize) -> Vec<bool> {
    (0..layers)
        .map(|i| interval > 0 && (i + 1).is_multiple_of(interval))
        .collect()
}

impl Qwen35Config {
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
        hparams::sizes(&[
            ("DeltaNet key heads", self.k_heads),
            ("DeltaNet value heads", self.v_heads),
            ("DeltaNet key head dim", self.dk),
            ("DeltaNet value head dim", self.dv),
            ("DeltaNet conv kernel", self.conv_kernel),
        ])?;
        hparams::grouping(
            "DeltaNet value heads / key heads",
            self.v_heads,
            self.k_heads,
        )?;
        hparams::per_layer(self.full_attention.len(), self.layers)
    }

    fn key_head(&self, v: usize) -> usize {
        match self.value_order {
            ValueHeadOrder::Grouped => v / (self.v_heads / self.k_heads).max(1),
            ValueHeadOrder::Tiled => v % self.k_heads.max(1),
        }
    }
}

enum Mixer {
    Attention {
        q: Projection,
        k: Projection,
        v: Projection,
        o: Projection,
        q_norm: Vec<f32>,
        k_norm: Vec<f32>,
    },
    DeltaNet(DeltaWeights),
}

struct DeltaWeights {
    qkv: Projection,
    z: Projection,
    b: Projection,
    a: Projection,
    conv: Vec<f32>,
    dt_bias: Vec<f32>,
    /// `-exp(A_log)` per value head.
    a_neg: Vec<f32>,
    norm: Vec<f32>,
    out: Projection,
}

struct Layer {
    input_norm: Vec<f32>,
    post_norm: Vec<f32>,
    mixer: Mixer,
    gate: Projection,
    up: Projection,
    down: Projection,
}

/// A loaded Qwen3.5 model.
pub struct Qwen35 {
    config: Qwen35Config,
    embd: Vec<f32>,
    layers: Vec<Layer>,
    norm: Vec<f32>,
    output: Option<Projection>,
    /// The tied head (`embd`) takes an 8-bit x in decode.
    embd_int8_x: bool,
    /// The KV cache stores halves (`ReferenceOptions::kv_f16`).
    pub(super) kv_f16: bool,
}

impl std::fmt::Debug for Qwen35 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Qwen35")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

enum LayerState {
    Kv {
        keys: Vec<f32>,
        values: Vec<f32>,
    },
    Linear {
        conv: ConvState,
        heads: Vec<DeltaState>,
    },
}

/// A sequence's KV cache (attention layers) and conv + recurrent state (DeltaNet layers).
pub struct Qwen35Session {
    len: usize,
    layers: Vec<LayerState>,
}

impl Qwen35Session {
    /// Tokens processed.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was processed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Qwen35 {
    /// Loads a Hugging Face checkpoint (`Qwen3_5ForCausalLM` or the text model of
    /// `Qwen3_5ForConditionalGeneration`).
    pub fn from_hf(ckpt: &HfCheckpoint) -> Result<Self, ModelError> {
        let cfg = ckpt.text_config();
        hf::refuse_variants(cfg, "hidden_act", &["silu", "swish"])?;
        let layers = json_usize(cfg, "num_hidden_layers")?;
        hf::check_layers(ckpt, layers)?;
        let head_dim = hf::optional_usize(cfg, "head_dim")?.unwrap_or(256);
        let rope_params = cfg
            .get("rope_parameters")
            .filter(|v| !v.is_null())
            .cloned()
            .unwrap_or_default();
        let partial = match rope_params.get("partial_rotary_factor") {
            Some(p) => p.as_f64(),
            None => hf::optional_f64(cfg, "partial_rotary_factor")?,
        }
        .unwrap_or(0.25);
        let theta = match rope_params.get("rope_theta") {
            Some(t) => t.as_f64(),
            None => hf::optional_f64(cfg, "rope_theta")?,
        }
        .unwrap_or(1e7);
        let full_attention = match cfg.get("layer_types").and_then(serde_json::Value::as_array) {
            Some(types) => types
                .iter()
                .map(|t| t.as_str() == Some("full_attention"))
                .collect(),
            None => {
                let interval = hf::optional_usize(cfg, "full_attention_interval")?.unwrap_or(4);
                every_nth(layers, interval)
            }
        };
        let heads = json_usize(cfg, "num_attention_heads")?;
        let config = Qwen35Config {
            layers,
            embd: json_usize(cfg, "hidden_size")?,
            ff: json_usize(cfg, "intermediate_size")?,
            heads,
            kv_heads: hf::optional_usize(cfg, "num_key_value_heads")?.unwrap_or(heads),
            head_dim,
            vocab: json_usize(cfg, "vocab_size")?,
            eps: hf::optional_f64(cfg, "rms_norm_eps")?.unwrap_or(1e-6) as f32,
            rope: Rope {
                dims: (head_dim as f64 * partial) as usize,
                theta,
                pairing: RopePairing::Neox,
                linear_scale: hf::rope_linear_scale(cfg)?,
            },
            full_attention,
            k_heads: json_usize(cfg, "linear_num_key_heads")?,
            v_heads: json_usize(cfg, "linear_num_value_heads")?,
            dk: json_usize(cfg, "linear_key_head_dim")?,
            dv: json_usize(cfg, "linear_value_head_dim")?,
            conv_kernel: json_usize(cfg, "linear_conv_kernel_dim")?,
            value_order: ValueHeadOrder::Grouped,
            trained_context: hf::optional_usize(cfg, "max_position_embeddings")?,
        };
        config.validate()?;
        let tied = cfg
            .get("tie_word_embeddings")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false);
        let c = &config;
        let (e, ff) = (c.embd, c.ff);
        let mut layers = Vec::with_capacity(c.layers);
        for i in 0..c.layers {
            let n = |s: &str| format!("model.layers.{i}.{s}");
            let mixer = if c.full_attention[i] {
                Mixer::Attention {
                    q: Projection::f32(ckpt.load_f32(
                        &n("self_attn.q_proj.weight"),
                        &[c.heads * c.head_dim * 2, e],
                    )?),
                    k: Projection::f32(
                        ckpt.load_f32(
                            &n("self_attn.k_proj.weight"),
                            &[c.kv_heads * c.head_dim, e],
                        )?,
                    ),
                    v: Projection::f32(
                        ckpt.load_f32(
                            &n("self_attn.v_proj.weight"),
                            &[c.kv_heads * c.head_dim, e],
                        )?,
                    ),
                    o: Projection::f32(
                        ckpt.load_f32(&n("self_attn.o_proj.weight"), &[e, c.heads * c.head_dim])?,
                    ),
                    q_norm: plus_one(ckpt.load_f32(&n("self_attn.q_norm.weight"), &[c.head_dim])?),
                    k_norm: plus_one(ckpt.load_f32(&n("self_attn.k_norm.weight"), &[c.head_dim])?),
                }
            } else {
                let conv_dim = 2 * c.k_heads * c.dk + c.v_heads * c.dv;
                let vd = c.v_heads * c.dv;
                let a_log = ckpt.load_f32(&n("linear_attn.A_log"), &[c.v_heads])?;
                Mixer::DeltaNet(DeltaWeights {
                    qkv: Projection::f32(
                        ckpt.load_f32(&n("linear_attn.in_proj_qkv.weight"), &[conv_dim, e])?,
                    ),
                    z: Projection::f32(
                        ckpt.load_f32(&n("linear_attn.in_proj_z.weight"), &[vd, e])?,
                    ),
                    b: Projection::f32(
                        ckpt.load_f32(&n("linear_attn.in_proj_b.weight"), &[c.v_heads, e])?,
                    ),
                    a: Projection::f32(
                        ckpt.load_f32(&n("linear_attn.in_proj_a.weight"), &[c.v_heads, e])?,
                    ),
                    conv: ckpt.load_f32(
                        &n("linear_attn.conv1d.weight"),
                        &[conv_dim, 1, c.conv_kernel],
                    )?,
                    dt_bias: ckpt.load_f32(&n("linear_attn.dt_bias"), &[c.v_heads])?,
                    a_neg: a_log
                        .iter()
                        .map(|&v| -(f64::from(v).exp()) as f32)
                        .collect(),
                    norm: ckpt.load_f32(&n("linear_attn.norm.weight"), &[c.dv])?,
                    out: Projection::f32(
                        ckpt.load_f32(&n("linear_attn.out_proj.weight"), &[e, vd])?,
                    ),
                })
            };
            layers.push(Layer {
                input_norm: plus_one(ckpt.load_f32(&n("input_layernorm.weight"), &[e])?),
                post_norm: plus_one(ckpt.load_f32(&n("post_attention_layernorm.weight"), &[e])?),
                mixer,
                gate: Projection::f32(ckpt.load_f32(&n("mlp.gate_proj.weight"), &[ff, e])?),
                up: Projection::f32(ckpt.load_f32(&n("mlp.up_proj.weight"), &[ff, e])?),
                down: Projection::f32(ckpt.load_f32(&n("mlp.down_proj.weight"), &[e, ff])?),
            });
        }
        let embd = ckpt.load_f32("model.embed_tokens.weight", &[c.vocab, e])?;
        let output = if tied {
            None
        } else {
            Some(Projection::f32(
                ckpt.load_f32("lm_head.weight", &[c.vocab, e])?,
            ))
        };
        let norm = plus_one(ckpt.load_f32("model.norm.weight", &[e])?);
        Ok(Self {
            config,
            embd,
            layers,
            norm,
            output,
            embd_int8_x: false,
            kv_f16: false,
        })
    }

    /// Loads a llama.cpp `qwen35` GGUF.
    pub fn from_gguf(file: &GgufFile) -> Result<Self, ModelError> {
        Self::from_gguf_with(file, ReferenceOptions::default())
    }

    /// [`Qwen35::from_gguf`] with the engine's choices in `options`.
    pub fn from_gguf_with(file: &GgufFile, options: ReferenceOptions) -> Result<Self, ModelError> {
        // `shape` outermost first, as `Source::load_f32`.
        let proj = |name: &str, [rows, cols]: [usize; 2]| {
            load_projection(file, name, &[cols as u64, rows as u64], options)
        };
        let arch = file.architecture()?;
        if arch != "qwen35" {
            return Err(ModelError::UnsupportedArchitecture(arch.to_owned()));
        }
        let u = |k: &str| -> Result<usize, ModelError> { Ok(file.arch_u64(k)? as usize) };
        let optional = |k: &str| -> Result<Option<usize>, ModelError> {
            match file.get(&format!("qwen35.{k}")) {
                None => Ok(None),
                Some(_) => u(k).map(Some),
            }
        };
        let blocks = u("block_count")?;
        let mtp = optional("nextn_predict_layers")?.unwrap_or(0);
        let layers = blocks
            .checked_sub(mtp)
            .ok_or_else(|| ModelError::BadValue {
                key: "nextn_predict_layers".to_owned(),
                value: mtp.to_string(),
                expected: format!("at most block_count ({blocks})"),
            })?;
        let names = file.tensors().iter().map(|t| t.name.as_str());
        hparams::layer_tensors("block_count", names, "blk.", layers, blocks)?;
        let interval = optional("full_attention_interval")?.unwrap_or(4);
        let embd = u("embedding_length")?;
        let heads = u("attention.head_count")?;
        let head_dim = optional("attention.key_length")?.unwrap_or(embd / heads.max(1));
        super::decoder::refuse_gguf_variants(file, head_dim)?;
        let (k_heads, v_heads, dk) = (
            u("ssm.group_count")?,
            u("ssm.time_step_rank")?,
            u("ssm.state_size")?,
        );
        let inner = u("ssm.inner_size")?;
        if v_heads == 0 || !inner.is_multiple_of(v_heads) {
            return Err(ModelError::BadValue {
                key: "ssm.inner_size".to_owned(),
                value: format!("{inner} (time_step_rank {v_heads})"),
                expected: "a positive multiple of ssm.time_step_rank".to_owned(),
            });
        }
        let theta = match file.get("qwen35.rope.freq_base") {
            None => 1e7,
            Some(_) => file.arch_f64("rope.freq_base")?,
        };
        let config = Qwen35Config {
            layers,
            embd,
            ff: u("feed_forward_length")?,
            heads,
            kv_heads: optional("attention.head_count_kv")?.unwrap_or(heads),
            head_dim,
            vocab: super::decoder::gguf_vocab(file)?,
            eps: file.arch_f64("attention.layer_norm_rms_epsilon")? as f32,
            rope: Rope {
                dims: u("rope.dimension_count")?,
                theta,
                pairing: RopePairing::Neox,
                linear_scale: super::decoder::gguf_linear_scale(file)?,
            },
            full_attention: every_nth(layers, interval),
            k_heads,
            v_heads,
            dk,
            dv: inner / v_heads,
            conv_kernel: u("ssm.conv_kernel")?,
            value_order: if v_heads > k_heads {
                ValueHeadOrder::Tiled
            } else {
                ValueHeadOrder::Grouped
            },
            trained_context: optional("context_length")?,
        };
        config.validate()?;
        let c = &config;
        let (e, ff) = (c.embd, c.ff);
        let mut layers = Vec::with_capacity(c.layers);
        for i in 0..c.layers {
            let n = |s: &str| format!("blk.{i}.{s}");
            let mixer = if c.full_attention[i] {
                Mixer::Attention {
                    q: proj(&n("attn_q.weight"), [c.heads * c.head_dim * 2, e])?,
                    k: proj(&n("attn_k.weight"), [c.kv_heads * c.head_dim, e])?,
                    v: proj(&n("attn_v.weight"), [c.kv_heads * c.head_dim, e])?,
                    o: proj(&n("attn_output.weight"), [e, c.heads * c.head_dim])?,
                    q_norm: file.load_f32(&n("attn_q_norm.weight"), &[c.head_dim])?,
                    k_norm: file.load_f32(&n("attn_k_norm.weight"), &[c.head_dim])?,
                }
            } else {
                let conv_dim = 2 * c.k_heads * c.dk + c.v_heads * c.dv;
                let vd = c.v_heads * c.dv;
                Mixer::DeltaNet(DeltaWeights {
                    qkv: proj(&n("attn_qkv.weight"), [conv_dim, e])?,
                    z: proj(&n("attn_gate.weight"), [vd, e])?,
                    b: proj(&n("ssm_beta.weight"), [c.v_heads, e])?,
                    a: proj(&n("ssm_alpha.weight"), [c.v_heads, e])?,
                    conv: file.load_f32(&n("ssm_conv1d.weight"), &[conv_dim, c.conv_kernel])?,
                    dt_bias: file.load_f32(&n("ssm_dt.bias"), &[c.v_heads])?,
                    a_neg: file.load_f32(&n("ssm_a"), &[c.v_heads])?,
                    norm: file.load_f32(&n("ssm_norm.weight"), &[c.dv])?,
                    out: proj(&n("ssm_out.weight"), [e, vd])?,
                })
            };
            layers.push(Layer {
                input_norm: file.load_f32(&n("attn_norm.weight"), &[e])?,
                post_norm: file.load_f32(&n("post_attention_norm.weight"), &[e])?,
                mixer,
                gate: proj(&n("ffn_gate.weight"), [ff, e])?,
                up: proj(&n("ffn_up.weight"), [ff, e])?,
                down: proj(&n("ffn_down.weight"), [e, ff])?,
            });
        }
        let embd = proj("token_embd.weight", [c.vocab, e])?;
        let output = if file.tensors().iter().any(|t| t.name == "output.weight") {
            Some(proj("output.weight", [c.vocab, e])?)
        } else {
            None
        };
        let norm = file.load_f32("output_norm.weight", &[e])?;
        Ok(Self {
            config,
            embd: embd.w,
            embd_int8_x: embd.int8_x,
            kv_f16: options.kv_f16,
            layers,
            norm,
            output,
        })
    }

    /// The hyperparameters.
    pub fn config(&self) -> &Qwen35Config {
        &self.config
    }

    /// An empty sequence.
    pub fn new_session(&self) -> Qwen35Session {
        let c = &self.config;
        let conv_dim = 2 * c.k_heads * c.dk + c.v_heads * c.dv;
        let layers = self
            .layers
            .iter()
            .map(|l| match l.mixer {
                Mixer::Attention { .. } => LayerState::Kv {
                    keys: Vec::new(),
                    values: Vec::new(),
                },
                Mixer::DeltaNet(_) => LayerState::Linear {
                    conv: ConvState::new(c.conv_kernel, conv_dim),
                    heads: (0..c.v_heads)
                        .map(|_| DeltaState::new(c.dk, c.dv))
                        .collect(),
                },
            })
            .collect();
        Qwen35Session { len: 0, layers }
    }

    /// Runs `tokens` after what `session` holds; one logits row per token.
    pub fn forward(
        &self,
        session: &mut Qwen35Session,
        tokens: &[u32],
    ) -> Result<Vec<Vec<f32>>, ModelError> {
        self.forward_with(session, tokens, false)
    }

    /// [`Qwen35::forward`], one token at a time as decode steps: the 8-bit-x projections
    /// (`ReferenceOptions::int8_min_cols`) quantize their input first.
    pub fn forward_decode(
        &self,
        session: &mut Qwen35Session,
        tokens: &[u32],
    ) -> Result<Vec<Vec<f32>>, ModelError> {
        self.forward_with(session, tokens, true)
    }

    fn forward_with(
        &self,
        session: &mut Qwen35Session,
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

    fn step(
        &self,
        session: &mut Qwen35Session,
        token: u32,
        int8: bool,
    ) -> Result<Vec<f32>, ModelError> {
        let c = &self.config;
        let mut x = embedding_row(&self.embd, c.embd, c.vocab, token)?.to_vec();
        let pos = session.len;
        for (layer, state) in self.layers.iter().zip(&mut session.layers) {
            let h = self.norm(&x, &layer.input_norm);
            let mixed = match (&layer.mixer, state) {
                (
                    Mixer::Attention {
                        q,
                        k,
                        v,
                        o,
                        q_norm,
                        k_norm,
                    },
                    LayerState::Kv { keys, values },
                ) => self.attention(
                    &h,
                    ([q, k, v, o], [q_norm, k_norm]),
                    (keys, values),
                    (pos, int8),
                ),
                (Mixer::DeltaNet(w), LayerState::Linear { conv, heads }) => {
                    self.delta_net(&h, w, (conv, heads), int8)
                }
                _ => {
                    return Err(ModelError::Config(
                        "session does not belong to this model".to_owned(),
                    ));
                }
            };
            x.iter_mut().zip(&mixed).for_each(|(a, b)| *a += b);
            let h = self.norm(&x, &layer.post_norm);
            let hidden = gate(
                &layer.gate.apply(&h, int8),
                &layer.up.apply(&h, int8),
                GateActivation::Silu,
            );
            let f = layer.down.apply(&hidden, int8);
            x.iter_mut().zip(&f).for_each(|(a, b)| *a += b);
        }
        session.len += 1;
        let h = self.norm(&x, &self.norm);
        Ok(match &self.output {
            Some(output) => output.apply(&h, int8),
            None => multiply(&self.embd, &h, int8 && self.embd_int8_x),
        })
    }

    fn attention(
        &self,
        h: &[f32],
        ([wq, wk, wv, wo], [q_norm, k_norm]): ([&Projection; 4], [&Vec<f32>; 2]),
        (keys, values): (&mut Vec<f32>, &mut Vec<f32>),
        (pos, int8): (usize, bool),
    ) -> Vec<f32> {
        let c = &self.config;
        let qg = wq.apply(h, int8);
        // Per head: [query (head_dim) | gate (head_dim)].
        let mut q = Vec::with_capacity(c.heads * c.head_dim);
        let mut gate = Vec::with_capacity(c.heads * c.head_dim);
        for head in qg.chunks_exact(2 * c.head_dim) {
            q.extend(self.norm(&head[..c.head_dim], q_norm));
            gate.extend_from_slice(&head[c.head_dim..]);
        }
        let mut k: Vec<f32> = wk
            .apply(h, int8)
            .chunks_exact(c.head_dim)
            .flat_map(|kh| self.norm(kh, k_norm))
            .collect();
        c.rope.apply_heads(&mut q, c.head_dim, pos);
        c.rope.apply_heads(&mut k, c.head_dim, pos);
        kv_cache::append(keys, &k, self.kv_f16);
        kv_cache::append(values, &wv.apply(h, int8), self.kv_f16);
        let shape = AttentionShape {
            heads: c.heads,
            kv_heads: c.kv_heads,
            head_dim: c.head_dim,
        };
        let a = attend(
            &q,
            keys,
            values,
            shape,
            1.0 / (c.head_dim as f64).sqrt(),
            pos,
            None,
        );
        let mut gated = a;
        sigmoid_gate(&mut gated, &gate);
        wo.apply(&gated, int8)
    }

    fn delta_net(
        &self,
        h: &[f32],
        w: &DeltaWeights,
        (conv, heads): (&mut ConvState, &mut [DeltaState]),
        int8: bool,
    ) -> Vec<f32> {
        let c = &self.config;
        let mixed = conv.step(&w.conv, &w.qkv.apply(h, int8));
        let key_dim = c.k_heads * c.dk;
        let (q_all, rest) = mixed.split_at(key_dim);
        let (k_all, v_all) = rest.split_at(key_dim);
        let scale = 1.0 / (c.dk as f32).sqrt();
        let normed = |x: &[f32], s: f32| -> Vec<Vec<f32>> {
            x.chunks_exact(c.dk)
                .map(|head| {
                    let mut head = head.to_vec();
                    l2_norm(&mut head, 1e-6);
                    head.iter_mut().for_each(|v| *v *= s);
                    head
                })
                .collect()
        };
        let (q, k) = (normed(q_all, scale), normed(k_all, 1.0));
        let z = w.z.apply(h, int8);
        let b = w.b.apply(h, int8);
        let a = w.a.apply(h, int8);
        let mut y = Vec::with_capacity(c.v_heads * c.dv);
        for (vh, state) in heads.iter_mut().enumerate() {
            let kh = c.key_head(vh);
            let g = w.a_neg[vh] * softplus(a[vh] + w.dt_bias[vh]);
            let input = DeltaInput {
                q: &q[kh],
                k: &k[kh],
                v: &v_all[vh * c.dv..(vh + 1) * c.dv],
                beta: sigmoid(b[vh]),
                g,
            };
            let o = delta_step(state, input);
            let zh = &z[vh * c.dv..(vh + 1) * c.dv];
            y.extend(gated_rms_norm(&o, zh, &w.norm, c.eps).unwrap_or_default());
        }
        w.out.apply(&y, int8)
    }
}
