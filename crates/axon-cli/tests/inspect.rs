//! `axon inspect` on real and malformed files: a report, or an error with exit code 1 (never 101).

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

#[test]
fn inspect_prints_metadata_and_tensor_table() {
    let out = Command::new(env!("CARGO_BIN_EXE_axon"))
        .args(["inspect"])
        .arg(model("SmolLM2-135M-Instruct.Q4_1.gguf"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("GGUF v3, 33 metadata entries, 272 tensors"),
        "{stdout}"
    );
    assert!(stdout.contains("general.architecture"), "{stdout}");
    assert!(
        stdout.contains("String[49152] [\"<|endoftext|>\""),
        "arrays are abbreviated: {stdout}"
    );
    assert!(stdout.contains("..."), "{stdout}");
    let embd = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("token_embd.weight"))
        .unwrap();
    assert!(
        embd.contains("Q8_0") && embd.contains("[576, 49152]") && embd.contains("1785664"),
        "{embd}"
    );
    assert!(stdout.lines().count() > 272 + 33);
}

#[test]
fn inspect_of_a_bad_file_exits_1_with_the_error() {
    let dir = std::env::temp_dir().join(format!("axon-inspect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("truncated.gguf");
    let real = std::fs::read(model("SmolLM2-135M-Instruct.Q4_1.gguf")).unwrap();
    std::fs::write(&bad, &real[..20]).unwrap(); // cut inside the header counts
    let out = Command::new(env!("CARGO_BIN_EXE_axon"))
        .arg("inspect")
        .arg(&bad)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("truncated.gguf"), "{stderr}");
    assert!(stderr.contains("file truncated"), "{stderr}");
    assert!(stderr.contains("byte offset"), "{stderr}");
    let missing = Command::new(env!("CARGO_BIN_EXE_axon"))
        .args(["inspect", "/nonexistent.gguf"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    std::fs::remove_dir_all(&dir).unwrap();
}
