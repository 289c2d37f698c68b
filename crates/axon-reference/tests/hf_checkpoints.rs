//! The reference vs Hugging Face transformers on tiny random checkpoints (fixtures from
//! scripts/fixtures/hf_fixtures.py, every weight perturbed): Qwen3.5 with more value heads than
//! key heads and with equal counts, tied and untied, partial rotary, two full-attention layers;
//! Llama with GQA; Gemma 3 with a sliding window (8) shorter than the prompt (40). The Qwen3.5
//! checkpoints written as GGUF the way llama.cpp's converter writes them give the same logits.

use axon_formats::gguf::GgufFile;
use axon_formats::hf::HfCheckpoint;
use axon_reference::model::{Qwen35, ReferenceModel};
use axon_reference::ops::sampling::{argmax, logsumexp, top_k};
use axon_testkit::convert::{Edits, qwen35_to_gguf};
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

#[test]
fn gguf_path_equals_hf_path() {
    for name in FIXTURES {
        let ckpt = HfCheckpoint::open(dir(name)).unwrap();
        let hf = Qwen35::from_hf(&ckpt).unwrap();
        let gguf_bytes = qwen35_to_gguf(&ckpt, &Edits::default()).unwrap();
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
