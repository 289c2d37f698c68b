//! `axon chat` end to end on whatever adapter the environment allows (lavapipe in CI): the
//! default model from the cache folder, one-shot replies equal to the reference, the
//! interactive loop with /reset and /exit, Ctrl-C stopping a reply but not the program, and
//! an error a user can act on for each way it can fail to start.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const QUESTION: &str = "What is the capital of France?";
const ANSWER: &str = "The capital of France is Paris.";

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

fn smollm() -> PathBuf {
    let path = repo("models/SmolLM2-135M-Instruct.Q4_1.gguf");
    assert!(
        path.exists(),
        "{}: run scripts/fetch-models",
        path.display()
    );
    path
}

/// A fresh folder under the system temp dir, named for the test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("axon-chat-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn axon(args: &[&str], env: &[(&str, &str)], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_axon"))
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Whether the adapter the environment picks is a software one (lavapipe).
fn software_adapter() -> bool {
    let out = axon(&["info"], &[], "");
    let stderr = text(&out.stderr);
    let marker = stderr
        .lines()
        .find(|l| l.starts_with("[AXON ADAPTER]"))
        .unwrap_or_else(|| panic!("no adapter marker:\n{stderr}"));
    marker.contains("type=Cpu")
}

#[test]
fn one_shot_on_the_cached_default_model_prints_only_the_reference_reply() {
    let cache = scratch("cache");
    let models = cache.join("models");
    std::fs::create_dir_all(&models).unwrap();
    // The default model as `ensure` leaves it (the download itself is tested in axon-chat).
    std::fs::copy(smollm(), models.join("SmolLM2-135M-Instruct.Q4_1.gguf")).unwrap();
    let out = axon(
        &["chat", "--prompt", QUESTION, "--max-tokens", "32"],
        &[("AXON_CACHE_DIR", cache.to_str().unwrap())],
        "",
    );
    std::fs::remove_dir_all(&cache).unwrap();
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        text(&out.stdout),
        format!("{ANSWER}\n"),
        "stdout holds the reply alone"
    );
    assert!(
        stderr.contains("tok/s") && stderr.contains("end of turn"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("fetching"),
        "the cached file is used: {stderr}"
    );
    let notice = stderr.contains("NO GPU: running on the software Vulkan adapter");
    assert_eq!(
        notice,
        software_adapter(),
        "the notice appears exactly on a software adapter: {stderr}"
    );
}

#[test]
fn the_interactive_chat_answers_resets_and_exits() {
    let model = smollm();
    let script = format!("{QUESTION}\n/help\n/reset\n{QUESTION}\n/bogus\n/exit\nnot read\n");
    let out = axon(
        &[
            "chat",
            "--model",
            model.to_str().unwrap(),
            "--max-tokens",
            "32",
        ],
        &[],
        &script,
    );
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        stdout.matches(ANSWER).count(),
        2,
        "after /reset the same question gets the same answer:\n{stdout}"
    );
    assert_eq!(stderr.matches("tok/s").count(), 2, "{stderr}");
    assert!(stderr.contains("new conversation"), "{stderr}");
    assert!(stderr.contains("unknown command /bogus"), "{stderr}");
    assert!(
        stderr.contains("/reset starts a new conversation"),
        "/help: {stderr}"
    );
}

#[test]
fn ctrl_c_stops_the_reply_and_the_chat_goes_on() {
    let model = smollm();
    let mut child = Command::new(env!("CARGO_BIN_EXE_axon"))
        .args([
            "chat",
            "--model",
            model.to_str().unwrap(),
            "--max-tokens",
            "400",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"Write a very long story about a dragon who learns to sing.\n")
        .unwrap();
    // Watch stdout until the reply has started streaming.
    let mut stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 256];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let start = Instant::now();
    while text(&seen).trim_start_matches("> ").len() < 8 {
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "no reply streamed"
        );
        if let Ok(chunk) = rx.recv_timeout(Duration::from_millis(100)) {
            seen.extend(chunk);
        }
    }
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    stdin
        .write_all(format!("{QUESTION}\n/exit\n").as_bytes())
        .unwrap();
    drop(stdin);
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    while let Ok(chunk) = rx.recv_timeout(Duration::from_secs(1)) {
        seen.extend(chunk);
    }
    let stdout = text(&seen);
    assert!(
        status.success(),
        "the program survived Ctrl-C: {status}\n{stderr}"
    );
    assert!(
        stderr.contains("; stopped"),
        "the reply was stopped: {stderr}"
    );
    assert!(
        stdout.contains(ANSWER),
        "the next question was answered:\n{stdout}"
    );
}

#[test]
fn without_any_vulkan_driver_the_error_says_how_to_install_one() {
    let none = Path::new("/nonexistent/axon-no-driver.json");
    let out = axon(
        &[
            "chat",
            "--model",
            smollm().to_str().unwrap(),
            "--prompt",
            "hi",
        ],
        &[
            ("VK_DRIVER_FILES", none.to_str().unwrap()),
            ("VK_ICD_FILENAMES", none.to_str().unwrap()),
        ],
        "",
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no usable Vulkan GPU adapter"), "{stderr}");
    assert!(
        stderr.contains("apt-get install mesa-vulkan-drivers"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn axon_require_gpu_refuses_a_software_adapter_even_for_the_chat() {
    let out = axon(
        &[
            "chat",
            "--model",
            smollm().to_str().unwrap(),
            "--prompt",
            QUESTION,
            "--max-tokens",
            "32",
        ],
        &[("AXON_REQUIRE_GPU", "1")],
        "",
    );
    let stderr = text(&out.stderr);
    if software_adapter() {
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("AXON_REQUIRE_GPU=1"), "{stderr}");
        assert!(stderr.contains("Vulkan driver"), "{stderr}");
    } else {
        assert!(out.status.success(), "a GPU is used: {stderr}");
        assert_eq!(text(&out.stdout), format!("{ANSWER}\n"));
    }
}

#[test]
fn a_missing_model_and_an_unsupported_architecture_are_named() {
    let out = axon(
        &[
            "chat",
            "--model",
            "/nonexistent/model.gguf",
            "--prompt",
            "hi",
        ],
        &[],
        "",
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("no model at /nonexistent/model.gguf"),
        "{stderr}"
    );

    // A checkpoint whose architecture the engine does not build.
    let dir = scratch("arch");
    let fixture = repo("crates/axon-reference/tests/fixtures/hf/llama-gqa-untied");
    std::fs::copy(
        fixture.join("model.safetensors"),
        dir.join("model.safetensors"),
    )
    .unwrap();
    let config = std::fs::read_to_string(fixture.join("config.json")).unwrap();
    let renamed = config.replace("LlamaForCausalLM", "MambaForCausalLM");
    assert_ne!(renamed, config);
    std::fs::write(dir.join("config.json"), renamed).unwrap();
    for file in ["tokenizer.json", "tokenizer_config.json"] {
        std::fs::copy(repo("models/qwen3-tokenizer").join(file), dir.join(file)).unwrap();
    }
    let out = axon(
        &["chat", "--model", dir.to_str().unwrap(), "--prompt", "hi"],
        &[],
        "",
    );
    std::fs::remove_dir_all(&dir).unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("\"MambaForCausalLM\" is not supported"),
        "{stderr}"
    );
    assert!(
        stderr.contains("supported: "),
        "the supported ones are listed: {stderr}"
    );
}

#[test]
fn every_command_has_help() {
    for command in [
        &["--help"][..],
        &["chat", "--help"],
        &["run", "--help"],
        &["info", "--help"],
        &["inspect", "--help"],
        &["logits", "--help"],
        &["bench", "--help"],
    ] {
        let out = axon(command, &[], "");
        let stdout = text(&out.stdout);
        assert!(out.status.success(), "{command:?}: {}", text(&out.stderr));
        assert!(stdout.contains("Usage: axon"), "{command:?}: {stdout}");
    }
    let chat = text(&axon(&["chat", "--help"], &[], "").stdout);
    for flag in [
        "--model",
        "--prompt",
        "--system",
        "--temperature",
        "--top-k",
        "--top-p",
        "--min-p",
        "--repeat-penalty",
        "--seed",
        "--max-tokens",
        "--context",
        "--stop",
    ] {
        assert!(chat.contains(flag), "axon chat --help lacks {flag}: {chat}");
    }
}
