//! `axon run`: one chat turn with greedy sampling on the default model (SmolLM2-135M-Instruct)
//! prints exactly the reply the CPU reference reproduces from transformers for the same chat
//! prompt (`crates/axon-reference/tests/fixtures/greedy_smollm2-135m-instruct.json`, up to the
//! end-of-turn token) and nothing else on stdout; it is readable English naming Paris.

use axon_formats::gguf::GgufFile;
use axon_formats::tokenizer::Tokenizer;
use std::path::PathBuf;
use std::process::Command;

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

#[test]
fn one_turn_greedy_reply_equals_the_reference() {
    let model = repo("models/SmolLM2-135M-Instruct.Q4_1.gguf");
    assert!(
        model.exists(),
        "{} is missing: run scripts/fetch-models",
        model.display()
    );
    let fixture = std::fs::read_to_string(repo(
        "crates/axon-reference/tests/fixtures/greedy_smollm2-135m-instruct.json",
    ))
    .unwrap();
    let cases: serde_json::Value = serde_json::from_str(&fixture).unwrap();
    let case = &cases["cases"][0];
    let greedy: Vec<u32> = case["greedy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as u32)
        .collect();
    let tok = Tokenizer::from_gguf(&GgufFile::open(&model).unwrap()).unwrap();
    let eos = tok.special().eos.unwrap();
    let reply_ids: Vec<u32> = greedy.iter().copied().take_while(|&t| t != eos).collect();
    assert!(
        reply_ids.len() < greedy.len(),
        "the reference reply ends within 32 tokens"
    );
    let want = tok.decode(&reply_ids, true).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_axon"))
        .args([
            "run",
            "--model",
            model.to_str().unwrap(),
            "--prompt",
            "What is the capital of France?",
            "--max-tokens",
            "32",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.trim_end(), want.trim_end(), "reply vs reference");
    assert!(stdout.contains("Paris"), "{stdout}");
    assert!(
        stderr.contains("tok/s") && stderr.contains("[AXON ADAPTER]"),
        "{stderr}"
    );
}

/// Sampling flags outside their meaning are refused by name with exit 1, before a token is
/// generated and with nothing on stdout.
#[test]
fn sampling_flags_outside_their_meaning_exit_1_with_the_flag_named() {
    let model = repo("models/SmolLM2-135M-Instruct.Q4_1.gguf");
    for (flag, value, name) in [
        ("--temperature", "NaN", "temperature"),
        ("--top-k", "0", "top_k"),
        ("--top-p", "1.5", "top_p"),
        ("--min-p", "-1", "min_p"),
        ("--repeat-penalty", "0", "repeat_penalty"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_axon"))
            .args(["run", "--model", model.to_str().unwrap(), "--prompt", "Hi"])
            .arg(format!("{flag}={value}"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{flag} {value}: {stderr}");
        assert!(out.stdout.is_empty(), "{flag} {value}: printed a reply");
        assert!(stderr.contains(name), "{flag} {value}: {stderr}");
    }
}
