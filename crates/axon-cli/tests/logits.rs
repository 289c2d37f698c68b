//! The `axon logits` JSON contract (outside checks rely on it).

use std::path::PathBuf;
use std::process::Command;

fn model(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../models")
        .join(name);
    assert!(
        path.exists(),
        "{} is missing: run scripts/fetch-models",
        path.display()
    );
    path
}

fn axon(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_axon"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn cpu_logits_follow_the_contract() {
    let path = model("SmolLM2-135M-Instruct.Q4_1.gguf");
    let out = axon(&[
        "logits",
        "--model",
        path.to_str().unwrap(),
        "--tokens",
        "1,504,2365,6354",
        "--backend",
        "cpu",
        "--greedy",
        "3",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "one JSON object on stdout");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "adapter",
            "argmax",
            "backend",
            "greedy",
            "last_logits",
            "logsumexp",
            "n_vocab",
            "top5"
        ]
    );
    assert_eq!(v["backend"], "cpu");
    assert!(v["adapter"].is_null());
    assert_eq!(v["n_vocab"], 49_152);
    let argmax = v["argmax"].as_array().unwrap();
    let top5 = v["top5"].as_array().unwrap();
    let lse = v["logsumexp"].as_array().unwrap();
    assert_eq!((argmax.len(), top5.len(), lse.len()), (4, 4, 4));
    for (a, t) in argmax.iter().zip(top5) {
        assert_eq!(t.as_array().unwrap().len(), 5);
        assert_eq!(&t[0], a);
    }
    let last: Vec<f64> = v["last_logits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    assert_eq!(last.len(), 49_152);
    let best = last.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    assert_eq!(last[argmax[3].as_u64().unwrap() as usize], best);
    assert!(lse[3].as_f64().unwrap() >= best);
    let greedy = v["greedy"].as_array().unwrap();
    assert_eq!(greedy.len(), 3);
    assert_eq!(greedy[0], argmax[3]);
}

#[test]
fn unsupported_requests_exit_1_with_a_reason() {
    let path = model("SmolLM2-135M-Instruct.Q4_1.gguf");
    let gpu = axon(&[
        "logits",
        "--model",
        path.to_str().unwrap(),
        "--tokens",
        "1",
        "--backend",
        "gpu",
    ]);
    assert_eq!(gpu.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&gpu.stderr).contains("not yet supported"));
    let bad = axon(&[
        "logits",
        "--model",
        path.to_str().unwrap(),
        "--tokens",
        "1,x",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--tokens"));
    let oob = axon(&[
        "logits",
        "--model",
        path.to_str().unwrap(),
        "--tokens",
        "49152",
    ]);
    assert_eq!(oob.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&oob.stderr).contains("past the 49152-token vocabulary"));
}

#[test]
fn hf_directory_logits_match_transformers() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../axon-reference/tests/fixtures/hf/qwen35-grouped-tied");
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let prompt: Vec<String> = expected["prompt"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.to_string())
        .collect();
    let out = axon(&[
        "logits",
        "--model",
        dir.to_str().unwrap(),
        "--tokens",
        &prompt.join(","),
        "--greedy",
        "16",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["n_vocab"], 256);
    assert_eq!(v["argmax"], expected["argmax"]);
    assert_eq!(v["top5"], expected["top5"]);
    assert_eq!(v["greedy"], expected["greedy"]);
}
