//! A Hugging Face Qwen3.5 fixture written as a GGUF the way llama.cpp's converter writes it
//! (`shared/design/qwen35-spec.md` §9): tensor names, `qwen35.*` metadata, `1 +` on the
//! zero-centred norms, `-exp(A_log)`, squeezed conv taps, and value heads reordered from grouped
//! to tiled when there are more value heads than key heads.

use axon_formats::gguf::{Array, GgufFile, GgufWriter, Value};
use axon_formats::hf::HfCheckpoint;
use axon_formats::quant::{GgmlType, dequantize};
use axon_models::config::ModelConfig;

/// The checkpoint's tensor `name` as f32.
pub fn f32s(ckpt: &HfCheckpoint, name: &str) -> Vec<f32> {
    let t = ckpt.tensor(name).unwrap();
    dequantize(t.ty, t.data, t.shape.iter().product()).unwrap()
}

/// Metadata of the converted file.
fn metadata(w: &mut GgufWriter, c: &ModelConfig) {
    let h = c.hybrid().unwrap();
    let u = |v: usize| Value::U32(v as u32);
    let s = |v: &str| Value::String(v.to_owned());
    w.set("general.architecture", s("qwen35"))
        .set("qwen35.block_count", u(c.layers))
        .set("qwen35.context_length", u(4096))
        .set("qwen35.embedding_length", u(c.embd))
        .set("qwen35.feed_forward_length", u(c.ff))
        .set("qwen35.attention.head_count", u(c.heads))
        .set("qwen35.attention.head_count_kv", u(c.kv_heads))
        .set("qwen35.attention.key_length", u(c.head_dim))
        .set("qwen35.attention.value_length", u(c.head_dim))
        .set(
            "qwen35.attention.layer_norm_rms_epsilon",
            Value::F32(c.rms_eps),
        )
        .set("qwen35.rope.freq_base", Value::F32(10_000_000.0))
        .set("qwen35.rope.dimension_count", u(c.rope.dims))
        .set(
            "qwen35.rope.dimension_sections",
            Value::Array(Array::I32(vec![2, 1, 1, 0])),
        )
        .set("qwen35.full_attention_interval", u(4))
        .set("qwen35.ssm.conv_kernel", u(h.conv_kernel))
        .set("qwen35.ssm.state_size", u(h.dk))
        .set("qwen35.ssm.group_count", u(h.k_heads))
        .set("qwen35.ssm.time_step_rank", u(h.v_heads))
        .set("qwen35.ssm.inner_size", u(h.value_dim()))
        .set("tokenizer.ggml.model", s("gpt2"))
        .set(
            "tokenizer.ggml.tokens",
            Value::Array(Array::String(
                (0..c.vocab).map(|i| format!("t{i}")).collect(),
            )),
        );
}

/// The fixture as a GGUF, without the tensors named in `omit`, with `extra` metadata set
/// after (replacing) the converter's.
pub fn convert(
    ckpt: &HfCheckpoint,
    c: &ModelConfig,
    omit: &[&str],
    extra: &[(&str, Value)],
) -> GgufFile {
    let h = c.hybrid().unwrap();
    let r = h.v_heads / h.k_heads;
    // GGUF (tiled) value head h' = j * k_heads + kq holds HF (grouped) head kq * r + j.
    let hf_head = |tiled: usize| (tiled % h.k_heads) * r + tiled / h.k_heads;
    let reorder = |w: &[f32], first_row: usize, rows_per_head: usize, row_len: usize| {
        let mut out = w.to_vec();
        for v in 0..h.v_heads {
            let (dst, src) = (
                first_row + v * rows_per_head,
                first_row + hf_head(v) * rows_per_head,
            );
            out[dst * row_len..(dst + rows_per_head) * row_len]
                .copy_from_slice(&w[src * row_len..(src + rows_per_head) * row_len]);
        }
        out
    };
    let mut w = GgufWriter::new();
    metadata(&mut w, c);
    for (key, value) in extra {
        w.set(*key, value.clone());
    }
    let mut add = |name: &str, dims: &[usize], values: Vec<f32>| {
        if !omit.contains(&name) {
            let dims: Vec<u64> = dims.iter().map(|&d| d as u64).collect();
            w.add_tensor_f32(name, GgmlType::F32, &dims, &values)
                .unwrap();
        }
    };
    let get = |name: &str| f32s(ckpt, name);
    let plus_one = |name: &str| get(name).into_iter().map(|x| x + 1.0).collect::<Vec<_>>();
    let (e, ff, vocab) = (c.embd, c.ff, c.vocab);
    add(
        "token_embd.weight",
        &[e, vocab],
        get("model.embed_tokens.weight"),
    );
    add("output_norm.weight", &[e], plus_one("model.norm.weight"));
    if !c.tied_embeddings {
        add("output.weight", &[e, vocab], get("lm_head.weight"));
    }
    let (key_dim, vd, conv_dim) = (h.key_dim(), h.value_dim(), h.conv_dim());
    for i in 0..c.layers {
        let hf = |t: &str| format!("model.layers.{i}.{t}");
        let g = |t: &str| format!("blk.{i}.{t}");
        add(
            &g("attn_norm.weight"),
            &[e],
            plus_one(&hf("input_layernorm.weight")),
        );
        let post = plus_one(&hf("post_attention_layernorm.weight"));
        add(&g("post_attention_norm.weight"), &[e], post);
        add(
            &g("ffn_gate.weight"),
            &[e, ff],
            get(&hf("mlp.gate_proj.weight")),
        );
        add(
            &g("ffn_up.weight"),
            &[e, ff],
            get(&hf("mlp.up_proj.weight")),
        );
        add(
            &g("ffn_down.weight"),
            &[ff, e],
            get(&hf("mlp.down_proj.weight")),
        );
        if h.full_attention[i] {
            let (q, kv, hd) = (c.q_dim(), c.kv_dim(), c.head_dim);
            add(
                &g("attn_q.weight"),
                &[e, 2 * q],
                get(&hf("self_attn.q_proj.weight")),
            );
            add(
                &g("attn_k.weight"),
                &[e, kv],
                get(&hf("self_attn.k_proj.weight")),
            );
            add(
                &g("attn_v.weight"),
                &[e, kv],
                get(&hf("self_attn.v_proj.weight")),
            );
            add(
                &g("attn_output.weight"),
                &[q, e],
                get(&hf("self_attn.o_proj.weight")),
            );
            add(
                &g("attn_q_norm.weight"),
                &[hd],
                plus_one(&hf("self_attn.q_norm.weight")),
            );
            add(
                &g("attn_k_norm.weight"),
                &[hd],
                plus_one(&hf("self_attn.k_norm.weight")),
            );
            continue;
        }
        let la = |t: &str| get(&hf(&format!("linear_attn.{t}")));
        let (k, vh) = (h.conv_kernel, h.v_heads);
        let qkv = reorder(&la("in_proj_qkv.weight"), 2 * key_dim, h.dv, e);
        add(&g("attn_qkv.weight"), &[e, conv_dim], qkv);
        add(
            &g("attn_gate.weight"),
            &[e, vd],
            reorder(&la("in_proj_z.weight"), 0, h.dv, e),
        );
        add(
            &g("ssm_beta.weight"),
            &[e, vh],
            reorder(&la("in_proj_b.weight"), 0, 1, e),
        );
        add(
            &g("ssm_alpha.weight"),
            &[e, vh],
            reorder(&la("in_proj_a.weight"), 0, 1, e),
        );
        let conv = reorder(&la("conv1d.weight"), 2 * key_dim, h.dv, k);
        add(&g("ssm_conv1d.weight"), &[k, conv_dim], conv);
        add(&g("ssm_dt.bias"), &[vh], reorder(&la("dt_bias"), 0, 1, 1));
        let a: Vec<f32> = la("A_log").iter().map(|&x| -x.exp()).collect();
        add(&g("ssm_a"), &[vh], reorder(&a, 0, 1, 1));
        add(&g("ssm_norm.weight"), &[h.dv], la("norm.weight"));
        // out_proj's input columns follow the value heads: reorder its transpose's rows.
        let out = la("out_proj.weight");
        let transposed: Vec<f32> = (0..vd)
            .flat_map(|j| (0..e).map(move |o| (j, o)))
            .map(|(j, o)| out[o * vd + j])
            .collect();
        let reordered = reorder(&transposed, 0, h.dv, e);
        let back: Vec<f32> = (0..e)
            .flat_map(|o| (0..vd).map(move |j| (o, j)))
            .map(|(o, j)| reordered[j * e + o])
            .collect();
        add(&g("ssm_out.weight"), &[vd, e], back);
    }
    GgufFile::from_bytes("qwen35-converted.gguf", w.to_bytes().unwrap()).unwrap()
}
