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

/// Runs `axon logits` and parses its one JSON object (asserting success).
fn logits_json(
    path: &std::path::Path,
    tokens: &str,
    backend: &str,
    greedy: &str,
) -> (serde_json::Value, String) {
    let out = axon(&[
        "logits",
        "--model",
        path.to_str().unwrap(),
        "--tokens",
        tokens,
        "--backend",
        backend,
        "--greedy",
        greedy,
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{backend}: {stderr}");
    (serde_json::from_slice(&out.stdout).unwrap(), stderr)
}

/// `--backend gpu` follows the same contract, announces its adapter, and equals the CPU
/// reference on SmolLM2 and every committed fixture: top-1 at every position, top-5 sets,
/// the greedy continuation, and the last logits within 1e-3 · max|logit|.
#[test]
fn gpu_logits_equal_cpu_logits() {
    let smollm = model("SmolLM2-135M-Instruct.Q4_1.gguf");
    let llama = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../axon-reference/tests/fixtures/hf/llama-gqa-untied");
    let fixture = |name: &str| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../axon-reference/tests/fixtures/hf")
            .join(name)
    };
    let mut cases = vec![
        (smollm, "1,504,2365,6354,28,2017"),
        (llama, "5,17,99,3,250,7"),
    ];
    for name in [
        "gemma3-sliding-tied",
        "qwen35-grouped-tied",
        "qwen35-equal-untied",
    ] {
        cases.push((fixture(name), "5,17,99,3,250,7"));
    }
    for (path, tokens) in cases {
        let (gpu, stderr) = logits_json(&path, tokens, "gpu", "4");
        let (cpu, _) = logits_json(&path, tokens, "cpu", "4");
        assert!(
            stderr.contains("[AXON ADAPTER]"),
            "no adapter marker: {stderr}"
        );
        assert_eq!(gpu["backend"], "gpu");
        assert!(gpu["adapter"].is_string());
        let mut keys: Vec<&String> = gpu.as_object().unwrap().keys().collect();
        let mut cpu_keys: Vec<&String> = cpu.as_object().unwrap().keys().collect();
        keys.sort();
        cpu_keys.sort();
        assert_eq!(keys, cpu_keys, "same contract");
        for key in ["n_vocab", "argmax", "greedy"] {
            assert_eq!(gpu[key], cpu[key], "{}: {key}", path.display());
        }
        let set = |v: &serde_json::Value| -> Vec<u64> {
            let mut ids: Vec<u64> = v
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap())
                .collect();
            ids.sort();
            ids
        };
        for (g, c) in gpu["top5"]
            .as_array()
            .unwrap()
            .iter()
            .zip(cpu["top5"].as_array().unwrap())
        {
            assert_eq!(set(g), set(c), "{}: top-5", path.display());
        }
        let floats = |v: &serde_json::Value| -> Vec<f64> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect()
        };
        let (g, c) = (floats(&gpu["last_logits"]), floats(&cpu["last_logits"]));
        let scale = c.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let worst = g
            .iter()
            .zip(&c)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        // Same weights on both sides; f32 accumulation on the GPU against f64 on the CPU.
        // The engine tests' LOGITS_TOLERANCE (crates/axon-runtime/tests/engine/main.rs)
        // says where 1e-3 comes from.
        assert!(
            worst <= 1e-3 * scale,
            "{}: max |dlogit| {worst}",
            path.display()
        );
    }
}

#[test]
fn unsupported_requests_exit_1_with_a_reason() {
    let path = model("SmolLM2-135M-Instruct.Q4_1.gguf");
    // A feature the GPU engine does not implement (YaRN scaling here) is refused by name,
    // never answered from the CPU.
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../axon-reference/tests/fixtures/hf/llama-gqa-untied");
    let dir = std::env::temp_dir().join(format!("axon-yarn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for file in ["config.json", "model.safetensors"] {
        std::fs::copy(src.join(file), dir.join(file)).unwrap();
    }
    let config = std::fs::read_to_string(dir.join("config.json")).unwrap();
    let yarn = config.replace(
        r#""rope_type": "default""#,
        r#""rope_type": "yarn", "factor": 4.0"#,
    );
    assert_ne!(config, yarn);
    std::fs::write(dir.join("config.json"), yarn).unwrap();
    let gpu = axon(&[
        "logits",
        "--model",
        dir.to_str().unwrap(),
        "--tokens",
        "1",
        "--backend",
        "gpu",
    ]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(gpu.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&gpu.stderr);
    assert!(stderr.contains("yarn"), "{stderr}");
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

/// Requests the model cannot hold are refused with a reason (exit 1, nothing on stdout) by
/// both backends, before either sizes anything: an absurd `--greedy`, a prompt longer than the
/// model's trained context (2048 for the fixture), ids past the vocabulary, no tokens.
#[test]
fn requests_the_model_cannot_hold_exit_1_on_both_backends() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../axon-reference/tests/fixtures/hf/llama-gqa-untied");
    let long: Vec<String> = (0..2049).map(|i| (i % 200).to_string()).collect();
    let long = long.join(",");
    let greedy_max = usize::MAX.to_string();
    let cases: [(&[&str], &str); 5] = [
        (
            &["--tokens", "1,2", "--greedy", &greedy_max],
            "context is 2048",
        ),
        (&["--tokens", "1,2", "--greedy", "2047"], "context is 2048"),
        (&["--tokens", &long], "context is 2048"),
        (&["--tokens", "1,256"], "past the 256-token vocabulary"),
        (&["--tokens", ""], "--tokens"),
    ];
    for backend in ["cpu", "gpu"] {
        for (args, needle) in cases {
            let mut all = vec![
                "logits",
                "--model",
                dir.to_str().unwrap(),
                "--backend",
                backend,
            ];
            all.extend_from_slice(args);
            let out = axon(&all);
            let stderr = String::from_utf8_lossy(&out.stderr);
            let what = format!("{backend} {:?}", &args[..args.len().min(2)]);
            assert_eq!(out.status.code(), Some(1), "{what}: {stderr}");
            assert!(out.stdout.is_empty(), "{what}: printed a result");
            assert!(stderr.contains(needle), "{what}: {stderr}");
        }
        // A request that fits runs (the exact boundary is `check_request`'s unit test).
        let out = axon(&[
            "logits",
            "--model",
            dir.to_str().unwrap(),
            "--backend",
            backend,
            "--tokens",
            "1,2,3",
            "--greedy",
            "2",
        ]);
        assert!(
            out.status.success(),
            "{backend}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
