//! `axon info` end to end: the real binary, the real adapter (whatever the test environment
//! chose: lavapipe in CI), exactly one marker line, and actionable errors with exit code 1.

use axon_gpu::parse_adapter_marker;
use std::process::{Command, Output};

fn axon(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_axon"));
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the axon binary runs")
}

#[test]
fn info_lists_adapters_and_prints_exactly_one_marker() {
    let out = axon(&["info"], &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "axon info failed:\n{stderr}");
    let markers: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("[AXON ADAPTER]"))
        .collect();
    assert_eq!(markers.len(), 1, "stderr:\n{stderr}");
    let fields = parse_adapter_marker(markers[0]).expect("marker parses");
    let keys: Vec<&str> = fields.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        ["name", "backend", "type", "driver", "subgroup", "features"]
    );
    assert_eq!(fields[1].1, "Vulkan");
    let (min, max) = fields[4].1.split_once("..").expect("subgroup=MIN..MAX");
    assert!(min.parse::<u32>().unwrap() <= max.parse::<u32>().unwrap());
    assert!(stdout.contains("Vulkan adapters ("), "{stdout}");
    assert!(
        stdout.contains(&format!("Chosen: {}", fields[0].1)),
        "{stdout}"
    );
    assert!(
        stdout.contains("max_storage_buffer_binding_size"),
        "{stdout}"
    );
}

#[test]
fn unknown_adapter_name_is_an_error_not_a_fallback() {
    let out = axon(&["info"], &[("AXON_ADAPTER", "no-such-adapter-xyz")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("matches no Vulkan adapter"), "{stderr}");
    assert!(!stderr.contains("[AXON ADAPTER]"), "{stderr}");
}

#[test]
fn no_driver_at_all_says_how_to_install_one() {
    // Point the Vulkan loader at a driver list that does not exist: no adapter at all.
    let out = axon(
        &["info"],
        &[
            ("VK_DRIVER_FILES", "/nonexistent/axon_icd.json"),
            ("VK_ICD_FILENAMES", "/nonexistent/axon_icd.json"),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no usable Vulkan GPU adapter"), "{stderr}");
    assert!(stderr.contains("mesa-vulkan-drivers"), "{stderr}");
    assert!(stderr.contains("AXON_ALLOW_SOFTWARE=1"), "{stderr}");
}
