//! A Hugging Face Qwen3.5 checkpoint written as a GGUF the way llama.cpp's converter
//! (`convert_hf_to_gguf.py`, its Qwen3.5 class) writes it, so tests can compare the two file
//! formats of one model: llama.cpp's tensor names and `qwen35.*` metadata read from
//! `config.json`, `1 +` added to the zero-centred RMSNorm weights, `A = -exp(A_log)`, the
//! conv1d taps squeezed to `[conv_dim, kernel]`, and the value heads reordered from
//! Hugging Face's grouped order to llama.cpp's tiled order when there are more value heads
//! than key heads (GGUF value head `j * k_heads + kh` holds HF value head `kh * r + j`,
//! `r = v_heads / k_heads`). The one converter of the workspace's tests.

use axon_formats::gguf::{Array, GgufError, GgufWriter, Value};
use axon_formats::hf::{HfCheckpoint, HfError};
use axon_formats::quant::{GgmlType, QuantError, dequantize};

/// Why a checkpoint could not be converted.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    /// `config.json` lacks a key or holds an unexpected value.
    #[error("config.json: {0}")]
    Config(String),
    /// A tensor is missing or unreadable.
    #[error(transparent)]
    Checkpoint(#[from] HfError),
    /// A tensor could not be decoded.
    #[error(transparent)]
    Quant(#[from] QuantError),
    /// The GGUF could not be written.
    #[error(transparent)]
    Gguf(#[from] GgufError),
}

/// What to change from the converter's output (tests of loaders that must refuse a file).
#[derive(Debug, Clone, Default)]
pub struct Edits<'a> {
    /// Tensors (GGUF names) to leave out.
    pub omit: &'a [&'a str],
    /// Metadata set after, and replacing, the converter's.
    pub metadata: &'a [(&'a str, Value)],
}

/// The sizes the converter needs, as `config.json` names them.
struct Sizes {
    layers: usize,
    embd: usize,
    ff: usize,
    heads: usize,
    kv_heads: usize,
    head_dim: usize,
    vocab: usize,
    eps: f64,
    theta: f64,
    rope_dims: usize,
    sections: Vec<i32>,
    full_attention: Vec<bool>,
    conv_kernel: usize,
    k_heads: usize,
    v_heads: usize,
    dk: usize,
    dv: usize,
}

fn number(config: &serde_json::Value, key: &str) -> Result<f64, ConvertError> {
    config
        .get(key)
        .and_then(serde_json::Value::as_f64)
        .ok_or_else(|| ConvertError::Config(format!("no number {key:?}")))
}

fn size(config: &serde_json::Value, key: &str) -> Result<usize, ConvertError> {
    config
        .get(key)
        .and_then(serde_json::Value::as_u64)
        .and_then(|v| usize::try_from(v).ok())
        .ok_or_else(|| ConvertError::Config(format!("no size {key:?}")))
}

impl Sizes {
    fn read(c: &serde_json::Value) -> Result<Self, ConvertError> {
        let rope = c
            .get("rope_parameters")
            .ok_or_else(|| ConvertError::Config("no rope_parameters".to_owned()))?;
        let head_dim = size(c, "head_dim")?;
        let partial = rope
            .get("partial_rotary_factor")
            .and_then(serde_json::Value::as_f64)
            .unwrap_or(1.0);
        let sections = rope
            .get("mrope_section")
            .and_then(serde_json::Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_i64())
                    .map(|v| v as i32)
                    .collect()
            })
            .unwrap_or_default();
        let full_attention = c
            .get("layer_types")
            .and_then(serde_json::Value::as_array)
            .ok_or_else(|| ConvertError::Config("no layer_types".to_owned()))?
            .iter()
            .map(|t| t.as_str() == Some("full_attention"))
            .collect();
        Ok(Self {
            layers: size(c, "num_hidden_layers")?,
            embd: size(c, "hidden_size")?,
            ff: size(c, "intermediate_size")?,
            heads: size(c, "num_attention_heads")?,
            kv_heads: size(c, "num_key_value_heads")?,
            head_dim,
            vocab: size(c, "vocab_size")?,
            eps: number(c, "rms_norm_eps")?,
            theta: number(rope, "rope_theta")?,
            rope_dims: (head_dim as f64 * partial) as usize,
            sections,
            full_attention,
            conv_kernel: size(c, "linear_conv_kernel_dim")?,
            k_heads: size(c, "linear_num_key_heads")?,
            v_heads: size(c, "linear_num_value_heads")?,
            dk: size(c, "linear_key_head_dim")?,
            dv: size(c, "linear_value_head_dim")?,
        })
    }

    /// llama.cpp's `full_attention_interval`: every `n`-th layer (1-based) attends.
    fn full_attention_interval(&self) -> Result<usize, ConvertError> {
        let n = self
            .full_attention
            .iter()
            .position(|&full| full)
            .map(|i| i + 1)
            .ok_or_else(|| ConvertError::Config("no full-attention layer".to_owned()))?;
        let regular = self
            .full_attention
            .iter()
            .enumerate()
            .all(|(i, &full)| full == (i + 1).is_multiple_of(n));
        if !regular || self.full_attention.len() != self.layers {
            return Err(ConvertError::Config(
                "layer_types is not every n-th layer full attention".to_owned(),
            ));
        }
        Ok(n)
    }
}

/// The metadata llama.cpp's converter writes for these sizes.
fn metadata(w: &mut GgufWriter, s: &Sizes) -> Result<(), ConvertError> {
    let u = |v: usize| Value::U32(v as u32);
    let text = |v: &str| Value::String(v.to_owned());
    let mut sections = s.sections.clone();
    sections.resize(4, 0);
    w.set("general.architecture", text("qwen35"))
        .set("qwen35.block_count", u(s.layers))
        .set("qwen35.context_length", u(4096))
        .set("qwen35.embedding_length", u(s.embd))
        .set("qwen35.feed_forward_length", u(s.ff))
        .set("qwen35.attention.head_count", u(s.heads))
        .set("qwen35.attention.head_count_kv", u(s.kv_heads))
        .set("qwen35.attention.key_length", u(s.head_dim))
        .set("qwen35.attention.value_length", u(s.head_dim))
        .set(
            "qwen35.attention.layer_norm_rms_epsilon",
            Value::F32(s.eps as f32),
        )
        .set("qwen35.rope.freq_base", Value::F32(s.theta as f32))
        .set("qwen35.rope.dimension_count", u(s.rope_dims))
        .set(
            "qwen35.rope.dimension_sections",
            Value::Array(Array::I32(sections)),
        )
        .set(
            "qwen35.full_attention_interval",
            u(s.full_attention_interval()?),
        )
        .set("qwen35.ssm.conv_kernel", u(s.conv_kernel))
        .set("qwen35.ssm.state_size", u(s.dk))
        .set("qwen35.ssm.group_count", u(s.k_heads))
        .set("qwen35.ssm.time_step_rank", u(s.v_heads))
        .set("qwen35.ssm.inner_size", u(s.v_heads * s.dv))
        .set("tokenizer.ggml.model", text("gpt2"))
        .set("tokenizer.ggml.pre", text("qwen35"))
        .set(
            "tokenizer.ggml.tokens",
            Value::Array(Array::String(
                (0..s.vocab).map(|i| format!("t{i}")).collect(),
            )),
        )
        .set(
            "tokenizer.ggml.merges",
            Value::Array(Array::String(Vec::new())),
        );
    Ok(())
}

/// `rows_per_head`-row blocks of value heads, from `first_row` on, moved from grouped to
/// tiled order (`row_len` values per row).
fn tile_value_heads(
    s: &Sizes,
    w: &[f32],
    first_row: usize,
    rows_per_head: usize,
    row_len: usize,
) -> Vec<f32> {
    let r = s.v_heads / s.k_heads.max(1);
    let grouped = |tiled: usize| (tiled % s.k_heads) * r + tiled / s.k_heads;
    let mut out = w.to_vec();
    for v in 0..s.v_heads {
        let dst = (first_row + v * rows_per_head) * row_len;
        let src = (first_row + grouped(v) * rows_per_head) * row_len;
        let len = rows_per_head * row_len;
        out[dst..dst + len].copy_from_slice(&w[src..src + len]);
    }
    out
}

/// `ckpt` (a Qwen3.5 checkpoint) as the bytes of a GGUF file, with `edits` applied.
pub fn qwen35_to_gguf(ckpt: &HfCheckpoint, edits: &Edits<'_>) -> Result<Vec<u8>, ConvertError> {
    let s = Sizes::read(ckpt.text_config())?;
    let mut w = GgufWriter::new();
    metadata(&mut w, &s)?;
    for (key, value) in edits.metadata {
        w.set(*key, value.clone());
    }
    let get = |name: &str| -> Result<Vec<f32>, ConvertError> {
        let t = ckpt.tensor(name)?;
        Ok(dequantize(t.ty, t.data, t.shape.iter().product())?)
    };
    let plus_one = |name: &str| -> Result<Vec<f32>, ConvertError> {
        Ok(get(name)?.into_iter().map(|x| x + 1.0).collect())
    };
    let mut tensors: Vec<(String, Vec<usize>, Vec<f32>)> = Vec::new();
    let mut add = |name: String, dims: &[usize], values: Vec<f32>| {
        tensors.push((name, dims.to_vec(), values));
    };
    let (e, ff, vocab) = (s.embd, s.ff, s.vocab);
    add(
        "token_embd.weight".into(),
        &[e, vocab],
        get("model.embed_tokens.weight")?,
    );
    add(
        "output_norm.weight".into(),
        &[e],
        plus_one("model.norm.weight")?,
    );
    if ckpt.names().any(|n| n == "lm_head.weight") {
        add("output.weight".into(), &[e, vocab], get("lm_head.weight")?);
    }
    let key_dim = s.k_heads * s.dk;
    let vd = s.v_heads * s.dv;
    let conv_dim = 2 * key_dim + vd;
    for i in 0..s.layers {
        let hf = |t: &str| format!("model.layers.{i}.{t}");
        let g = |t: &str| format!("blk.{i}.{t}");
        add(
            g("attn_norm.weight"),
            &[e],
            plus_one(&hf("input_layernorm.weight"))?,
        );
        add(
            g("post_attention_norm.weight"),
            &[e],
            plus_one(&hf("post_attention_layernorm.weight"))?,
        );
        add(
            g("ffn_gate.weight"),
            &[e, ff],
            get(&hf("mlp.gate_proj.weight"))?,
        );
        add(
            g("ffn_up.weight"),
            &[e, ff],
            get(&hf("mlp.up_proj.weight"))?,
        );
        add(
            g("ffn_down.weight"),
            &[ff, e],
            get(&hf("mlp.down_proj.weight"))?,
        );
        if s.full_attention[i] {
            let (q, kv, hd) = (s.heads * s.head_dim, s.kv_heads * s.head_dim, s.head_dim);
            // Per head: the query's head_dim rows, then its output gate's.
            add(
                g("attn_q.weight"),
                &[e, 2 * q],
                get(&hf("self_attn.q_proj.weight"))?,
            );
            add(
                g("attn_k.weight"),
                &[e, kv],
                get(&hf("self_attn.k_proj.weight"))?,
            );
            add(
                g("attn_v.weight"),
                &[e, kv],
                get(&hf("self_attn.v_proj.weight"))?,
            );
            add(
                g("attn_output.weight"),
                &[q, e],
                get(&hf("self_attn.o_proj.weight"))?,
            );
            add(
                g("attn_q_norm.weight"),
                &[hd],
                plus_one(&hf("self_attn.q_norm.weight"))?,
            );
            add(
                g("attn_k_norm.weight"),
                &[hd],
                plus_one(&hf("self_attn.k_norm.weight"))?,
            );
            continue;
        }
        let la = |t: &str| get(&hf(&format!("linear_attn.{t}")));
        let (k, vh) = (s.conv_kernel, s.v_heads);
        let tile = |w: &[f32], first, rows, len| tile_value_heads(&s, w, first, rows, len);
        add(
            g("attn_qkv.weight"),
            &[e, conv_dim],
            tile(&la("in_proj_qkv.weight")?, 2 * key_dim, s.dv, e),
        );
        add(
            g("attn_gate.weight"),
            &[e, vd],
            tile(&la("in_proj_z.weight")?, 0, s.dv, e),
        );
        add(
            g("ssm_beta.weight"),
            &[e, vh],
            tile(&la("in_proj_b.weight")?, 0, 1, e),
        );
        add(
            g("ssm_alpha.weight"),
            &[e, vh],
            tile(&la("in_proj_a.weight")?, 0, 1, e),
        );
        add(
            g("ssm_conv1d.weight"),
            &[k, conv_dim],
            tile(&la("conv1d.weight")?, 2 * key_dim, s.dv, k),
        );
        add(g("ssm_dt.bias"), &[vh], tile(&la("dt_bias")?, 0, 1, 1));
        let a: Vec<f32> = la("A_log")?.iter().map(|&x| -x.exp()).collect();
        add(g("ssm_a"), &[vh], tile(&a, 0, 1, 1));
        add(g("ssm_norm.weight"), &[s.dv], la("norm.weight")?);
        // out_proj's input columns follow the value heads: tile its transpose's rows.
        let out = la("out_proj.weight")?;
        let transposed: Vec<f32> = (0..vd)
            .flat_map(|j| (0..e).map(move |o| (j, o)))
            .map(|(j, o)| out[o * vd + j])
            .collect();
        let tiled = tile(&transposed, 0, s.dv, e);
        let back: Vec<f32> = (0..e)
            .flat_map(|o| (0..vd).map(move |j| (o, j)))
            .map(|(o, j)| tiled[j * e + o])
            .collect();
        add(g("ssm_out.weight"), &[vd, e], back);
    }
    for (name, dims, values) in tensors {
        if edits.omit.contains(&name.as_str()) {
            continue;
        }
        let dims: Vec<u64> = dims.iter().map(|&d| d as u64).collect();
        w.add_tensor_f32(&name, GgmlType::F32, &dims, &values)?;
    }
    Ok(w.to_bytes()?)
}
