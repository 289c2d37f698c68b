//! The reference vs Hugging Face transformers on tiny random checkpoints (fixtures from
//! scripts/fixtures/hf_fixtures.py, every weight perturbed): Qwen3.5 with more value heads than
//! key heads and with equal counts, tied and untied, partial rotary, two full-attention layers;
//! Llama with GQA; Gemma 3 with a sliding window (8) shorter than the prompt (40). The Qwen3.5
//! checkpoints written as GGUF the way llama.cpp's converter writes them give the same logits.

use axon_formats::gguf::{Array, GgufFile, GgufWriter, Value};
use axon_formats::hf::HfCheckpoint;
use axon_formats::quant::GgmlType;
use axon_reference::model::{Qwen35, Qwen35Config, ReferenceModel};
use axon_reference::ops::sampling::{argmax, logsumexp, top_k};
use std::path::PathBuf;

const FIXTURES: [&str; 2] = ["qwen35-grouped-tied", "qwen35-equal-untied"];
const ALL_FIXTURES: [&str; 4] = [
    "qwen35-grouped-tied",
    "qwen35-equal-untied",
    "llama-gqa-untied",
    "gemma3-sliding-tied",
];

fn dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hf")
        .join(name)
}

fn expected(name: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir(name).join("expected.json")).unwrap())
        .unwrap()
}

fn u32s(v: &serde_json::Value) -> Vec<u32> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as u32)
        .collect()
}

fn run(model: &Qwen35, prompt: &[u32], greedy: usize) -> (Vec<Vec<f32>>, Vec<u32>) {
    let mut session = model.new_session();
    let rows = model.forward(&mut session, prompt).unwrap();
    let mut last = rows.last().unwrap().clone();
    let mut out = Vec::new();
    for _ in 0..greedy {
        let next = argmax(&last) as u32;
        out.push(next);
        last = model.forward(&mut session, &[next]).unwrap().pop().unwrap();
    }
    (rows, out)
}

#[test]
fn reference_matches_transformers() {
    for name in ALL_FIXTURES {
        let want = expected(name);
        let model = ReferenceModel::open(&dir(name)).unwrap();
        let prompt = u32s(&want["prompt"]);
        let greedy_want = u32s(&want["greedy"]);
        let mut session = model.new_session();
        let rows = model.forward(&mut session, &prompt).unwrap();
        let mut last = rows.last().unwrap().clone();
        let mut greedy = Vec::new();
        for _ in 0..greedy_want.len() {
            let next = argmax(&last) as u32;
            greedy.push(next);
            last = model.forward(&mut session, &[next]).unwrap().pop().unwrap();
        }
        // Top-1 at every position.
        let argmaxes: Vec<u32> = rows.iter().map(|r| argmax(r) as u32).collect();
        assert_eq!(
            argmaxes,
            u32s(&want["argmax"]),
            "{name}: argmax per position"
        );
        for (i, (row, top5)) in rows
            .iter()
            .zip(want["top5"].as_array().unwrap())
            .enumerate()
        {
            let ours: Vec<u32> = top_k(row, 5).iter().map(|&t| t as u32).collect();
            assert_eq!(ours, u32s(top5), "{name}: top-5 at position {i}");
        }
        for (row, lse) in rows.iter().zip(want["logsumexp"].as_array().unwrap()) {
            assert!(
                (logsumexp(row) - lse.as_f64().unwrap()).abs() < 1e-3,
                "{name}: logsumexp"
            );
        }
        // max |Δlogit| <= 1e-3 · max |logit| on the last position: transformers computes in f32,
        // the reference accumulates in f64, both from the same f32 weights.
        let last: Vec<f64> = want["last_logits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        let scale = last.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let worst = rows
            .last()
            .unwrap()
            .iter()
            .zip(&last)
            .map(|(&a, b)| (f64::from(a) - b).abs())
            .fold(0.0, f64::max);
        assert!(
            worst <= 1e-3 * scale,
            "{name}: max |Δlogit| {worst} > 1e-3 × {scale}"
        );
        assert_eq!(greedy, greedy_want, "{name}: greedy continuation");
    }
}

/// Writes a Hugging Face Qwen3.5 checkpoint as llama.cpp's converter does (spec §9): tensor
/// names, `qwen35.*` metadata, +1 on zero-centred norms, `-exp(A_log)`, squeezed conv weights,
/// and value heads reordered from grouped to tiled when there are more value than key heads.
fn convert_to_gguf(ckpt: &HfCheckpoint, c: &Qwen35Config) -> Vec<u8> {
    let f32s = |name: &str| -> Vec<f32> {
        let t = ckpt.tensor(name).unwrap();
        axon_formats::quant::dequantize(t.ty, t.data, t.shape.iter().product()).unwrap()
    };
    let r = c.v_heads / c.k_heads;
    // GGUF index h' = j·H_k + kq holds HF index h = kq·r + j.
    let hf_head = |tiled: usize| (tiled % c.k_heads) * r + tiled / c.k_heads;
    let reorder_rows =
        |w: &[f32], first_row: usize, rows_per_head: usize, row_len: usize| -> Vec<f32> {
            let mut out = w.to_vec();
            for h in 0..c.v_heads {
                let (dst, src) = (
                    first_row + h * rows_per_head,
                    first_row + hf_head(h) * rows_per_head,
                );
                out[dst * row_len..(dst + rows_per_head) * row_len]
                    .copy_from_slice(&w[src * row_len..(src + rows_per_head) * row_len]);
            }
            out
        };
    let mut w = GgufWriter::new();
    let s = |v: &str| Value::String(v.to_owned());
    w.set("general.architecture", s("qwen35"));
    w.set("qwen35.block_count", Value::U32(c.layers as u32));
    w.set("qwen35.context_length", Value::U32(4096));
    w.set("qwen35.embedding_length", Value::U32(c.embd as u32));
    w.set("qwen35.feed_forward_length", Value::U32(c.ff as u32));
    w.set("qwen35.attention.head_count", Value::U32(c.heads as u32));
    w.set(
        "qwen35.attention.head_count_kv",
        Value::U32(c.kv_heads as u32),
    );
    w.set("qwen35.attention.key_length", Value::U32(c.head_dim as u32));
    w.set(
        "qwen35.attention.value_length",
        Value::U32(c.head_dim as u32),
    );
    w.set("qwen35.attention.layer_norm_rms_epsilon", Value::F32(c.eps));
    w.set("qwen35.rope.freq_base", Value::F32(c.rope.theta as f32));
    w.set(
        "qwen35.rope.dimension_count",
        Value::U32(c.rope.dims as u32),
    );
    w.set(
        "qwen35.rope.dimension_sections",
        Value::Array(Array::I32(vec![2, 1, 1, 0])),
    );
    w.set("qwen35.full_attention_interval", Value::U32(4));
    w.set("qwen35.ssm.conv_kernel", Value::U32(c.conv_kernel as u32));
    w.set("qwen35.ssm.state_size", Value::U32(c.dk as u32));
    w.set("qwen35.ssm.group_count", Value::U32(c.k_heads as u32));
    w.set("qwen35.ssm.time_step_rank", Value::U32(c.v_heads as u32));
    w.set(
        "qwen35.ssm.inner_size",
        Value::U32((c.v_heads * c.dv) as u32),
    );
    w.set("tokenizer.ggml.model", s("gpt2"));
    w.set("tokenizer.ggml.pre", s("qwen35"));
    w.set(
        "tokenizer.ggml.tokens",
        Value::Array(Array::String(
            (0..c.vocab).map(|i| format!("t{i}")).collect(),
        )),
    );
    w.set(
        "tokenizer.ggml.merges",
        Value::Array(Array::String(Vec::new())),
    );
    let mut add = |name: &str, dims: &[u64], values: Vec<f32>| {
        w.add_tensor_f32(name, GgmlType::F32, dims, &values)
            .unwrap();
    };
    let plus_one = |v: Vec<f32>| v.into_iter().map(|x| x + 1.0).collect::<Vec<f32>>();
    let (e, ff) = (c.embd as u64, c.ff as u64);
    add(
        "token_embd.weight",
        &[e, c.vocab as u64],
        f32s("model.embed_tokens.weight"),
    );
    add(
        "output_norm.weight",
        &[e],
        plus_one(f32s("model.norm.weight")),
    );
    if ckpt.names().any(|n| n == "lm_head.weight") {
        add(
            "output.weight",
            &[e, c.vocab as u64],
            f32s("lm_head.weight"),
        );
    }
    let key_dim = c.k_heads * c.dk;
    let vd = (c.v_heads * c.dv) as u64;
    let conv_dim = (2 * key_dim + c.v_heads * c.dv) as u64;
    for i in 0..c.layers {
        let hf = |t: &str| format!("model.layers.{i}.{t}");
        let g = |t: &str| format!("blk.{i}.{t}");
        add(
            &g("attn_norm.weight"),
            &[e],
            plus_one(f32s(&hf("input_layernorm.weight"))),
        );
        add(
            &g("post_attention_norm.weight"),
            &[e],
            plus_one(f32s(&hf("post_attention_layernorm.weight"))),
        );
        add(
            &g("ffn_gate.weight"),
            &[e, ff],
            f32s(&hf("mlp.gate_proj.weight")),
        );
        add(
            &g("ffn_up.weight"),
            &[e, ff],
            f32s(&hf("mlp.up_proj.weight")),
        );
        add(
            &g("ffn_down.weight"),
            &[ff, e],
            f32s(&hf("mlp.down_proj.weight")),
        );
        if c.full_attention[i] {
            let (q, kv, hd) = (
                (c.heads * c.head_dim) as u64,
                (c.kv_heads * c.head_dim) as u64,
                c.head_dim as u64,
            );
            add(
                &g("attn_q.weight"),
                &[e, 2 * q],
                f32s(&hf("self_attn.q_proj.weight")),
            );
            add(
                &g("attn_k.weight"),
                &[e, kv],
                f32s(&hf("self_attn.k_proj.weight")),
            );
            add(
                &g("attn_v.weight"),
                &[e, kv],
                f32s(&hf("self_attn.v_proj.weight")),
            );
            add(
                &g("attn_output.weight"),
                &[q, e],
                f32s(&hf("self_attn.o_proj.weight")),
            );
            add(
                &g("attn_q_norm.weight"),
                &[hd],
                plus_one(f32s(&hf("self_attn.q_norm.weight"))),
            );
            add(
                &g("attn_k_norm.weight"),
                &[hd],
                plus_one(f32s(&hf("self_attn.k_norm.weight"))),
            );
            continue;
        }
        let la = |t: &str| hf(&format!("linear_attn.{t}"));
        let ed = c.embd;
        let k = c.conv_kernel;
        add(
            &g("attn_qkv.weight"),
            &[e, conv_dim],
            reorder_rows(&f32s(&la("in_proj_qkv.weight")), 2 * key_dim, c.dv, ed),
        );
        add(
            &g("attn_gate.weight"),
            &[e, vd],
            reorder_rows(&f32s(&la("in_proj_z.weight")), 0, c.dv, ed),
        );
        add(
            &g("ssm_beta.weight"),
            &[e, c.v_heads as u64],
            reorder_rows(&f32s(&la("in_proj_b.weight")), 0, 1, ed),
        );
        add(
            &g("ssm_alpha.weight"),
            &[e, c.v_heads as u64],
            reorder_rows(&f32s(&la("in_proj_a.weight")), 0, 1, ed),
        );
        add(
            &g("ssm_conv1d.weight"),
            &[k as u64, conv_dim],
            reorder_rows(&f32s(&la("conv1d.weight")), 2 * key_dim, c.dv, k),
        );
        add(
            &g("ssm_dt.bias"),
            &[c.v_heads as u64],
            reorder_rows(&f32s(&la("dt_bias")), 0, 1, 1),
        );
        let a: Vec<f32> = f32s(&la("A_log")).iter().map(|&x| -x.exp()).collect();
        add(&g("ssm_a"), &[c.v_heads as u64], reorder_rows(&a, 0, 1, 1));
        add(
            &g("ssm_norm.weight"),
            &[c.dv as u64],
            f32s(&la("norm.weight")),
        );
        // out_proj's input columns follow the value heads: reorder its transpose's rows.
        let out = f32s(&la("out_proj.weight"));
        let cols = c.v_heads * c.dv;
        let transposed: Vec<f32> = (0..cols)
            .flat_map(|j| (0..ed).map(move |o| (j, o)))
            .map(|(j, o)| out[o * cols + j])
            .collect();
        let reordered = reorder_rows(&transposed, 0, c.dv, ed);
        let back: Vec<f32> = (0..ed)
            .flat_map(|o| (0..cols).map(move |j| (o, j)))
            .map(|(o, j)| reordered[j * ed + o])
            .collect();
        add(&g("ssm_out.weight"), &[vd, e], back);
    }
    w.to_bytes().unwrap()
}

#[test]
fn gguf_path_equals_hf_path() {
    for name in FIXTURES {
        let ckpt = HfCheckpoint::open(dir(name)).unwrap();
        let hf = Qwen35::from_hf(&ckpt).unwrap();
        let gguf_bytes = convert_to_gguf(&ckpt, hf.config());
        let file = GgufFile::from_bytes(format!("{name}.gguf"), gguf_bytes).unwrap();
        let gguf = Qwen35::from_gguf(&file).unwrap();
        assert_eq!(gguf.config().full_attention, hf.config().full_attention);
        let prompt = u32s(&expected(name)["prompt"]);
        let (a, ga) = run(&hf, &prompt, 8);
        let (b, gb) = run(&gguf, &prompt, 8);
        let worst = a
            .iter()
            .flatten()
            .zip(b.iter().flatten())
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max);
        // Only -exp(A_log) is computed differently (f32 in the converter, f64 in the HF loader).
        assert!(worst < 1e-4, "{name}: GGUF vs HF max |Δlogit| {worst}");
        assert_eq!(ga, gb, "{name}");
    }
}

#[test]
fn prefill_then_decode_equals_full_recompute() {
    let model = Qwen35::from_hf(&HfCheckpoint::open(dir(FIXTURES[0])).unwrap()).unwrap();
    let prompt = u32s(&expected(FIXTURES[0])["prompt"]);
    let mut full = model.new_session();
    let all = model.forward(&mut full, &prompt).unwrap();
    let mut split = model.new_session();
    let mut rows = model.forward(&mut split, &prompt[..13]).unwrap();
    for chunk in prompt[13..].chunks(5) {
        rows.extend(model.forward(&mut split, chunk).unwrap());
    }
    assert_eq!(rows, all);
}
