//! `axon synth` end to end: a SmolLM2-shaped file with its real vocabulary that `axon inspect`
//! reads back, and an error naming the fix for each bad request.

use std::path::PathBuf;
use std::process::{Command, Output};

fn axon(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_axon"))
        .args(args)
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.."))
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn synth_writes_a_smollm2_shaped_file_with_its_vocabulary() {
    let path = std::env::temp_dir().join(format!("axon-synth-cli-{}.gguf", std::process::id()));
    let out = axon(&[
        "synth",
        "--arch",
        "llama",
        "--preset",
        "smollm2-135m",
        "--quant",
        "q8_0",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("272 tensors"), "{}", stderr(&out));
    let inspect = axon(&["inspect", path.to_str().unwrap()]);
    std::fs::remove_file(&path).unwrap();
    let table = String::from_utf8_lossy(&inspect.stdout).into_owned();
    assert!(inspect.status.success(), "{}", stderr(&inspect));
    for want in [
        "\"axon synth smollm2-135m q8_0\"",
        "tokenizer.ggml.pre                           \"smollm\"",
        "llama.block_count                            30",
    ] {
        assert!(table.contains(want), "missing {want}:\n{table}");
    }
    let embedding = table
        .lines()
        .find(|l| l.trim_start().starts_with("token_embd.weight"))
        .unwrap();
    assert!(
        embedding.contains("Q8_0") && embedding.contains("[576, 49152]"),
        "{embedding}"
    );
}

#[test]
fn bad_requests_name_what_would_work() {
    let o = "/tmp/axon-synth-never-written.gguf";
    for (args, want) in [
        (
            vec!["--arch", "llama", "--preset", "llama3-70b"],
            "presets: qwen35-0.8b",
        ),
        (
            vec!["--arch", "llama", "--preset", "qwen35-9b"],
            "is a qwen35 model",
        ),
        (
            vec![
                "--arch",
                "llama",
                "--preset",
                "smollm2-135m",
                "--quant",
                "q3_k",
            ],
            "mixes: f16, q8_0, q4_k_m",
        ),
        (
            vec![
                "--arch",
                "llama",
                "--preset",
                "llama3-8b",
                "--vocab",
                "models/SmolLM2-135M-Instruct.Q4_1.gguf",
            ],
            "lists 49152 tokens; llama3-8b has 128256",
        ),
    ] {
        let mut all = vec!["synth"];
        all.extend(args);
        all.extend(["-o", o]);
        let out = axon(&all);
        assert_eq!(out.status.code(), Some(1), "{all:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(want), "{all:?}: {}", stderr(&out));
        assert!(!std::path::Path::new(o).exists(), "nothing written");
    }
}
