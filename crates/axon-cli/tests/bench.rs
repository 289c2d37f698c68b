//! `axon bench` end to end: the kernel benchmark's JSON contract on the test adapter (lavapipe
//! in CI, which has timestamp queries, so `auto` picks the timestamp clock there) with each
//! clock, and the whole-model benchmark on a committed fixture.

use serde_json::Value;
use std::process::{Command, Output};

fn axon(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_axon"))
        .args(args)
        .output()
        .expect("the axon binary runs")
}

/// The report of `axon bench kernels --json --quick --clock CLOCK`; `None` when the binary
/// says (exit 1) that this clock cannot be used on this device.
fn quick_report(clock: &str) -> Option<Value> {
    let out = axon(&["bench", "kernels", "--json", "--quick", "--clock", clock]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() == Some(1) && stderr.contains("--clock timestamp cannot time kernels") {
        assert!(out.stdout.is_empty());
        return None;
    }
    assert!(out.status.success(), "axon bench kernels failed:\n{stderr}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "one JSON object:\n{stdout}");
    Some(serde_json::from_str(&stdout).unwrap())
}

fn keys(v: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys
}

fn positive(v: &Value, key: &str) -> f64 {
    let x = v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} is a number in {v}"));
    assert!(x.is_finite() && x > 0.0, "{key} = {x} in {v}");
    x
}

/// A row the quick plan measured (its shapes fit every device) with exactly `want` keys.
fn assert_measured(m: &Value, want: &[&str]) {
    assert!(
        m.get("skipped").is_none(),
        "quick shapes fit every device: {m}"
    );
    assert_eq!(keys(m), want);
}

fn check_contract(v: &Value) {
    assert_eq!(
        keys(v),
        [
            "adapter",
            "clock",
            "commit",
            "copy_bytes_moved_per_iter",
            "copy_gb_s",
            "copy_us",
            "date",
            "iters",
            "matmul",
            "matvec",
            "matvec_columns",
            "matvec_q8",
            "matvec_q8_columns",
            "quantize_q8",
            "quick",
            "reference_gb_s",
            "shader_copy_gb_s",
            "shader_copy_us"
        ]
    );
    assert_eq!(
        keys(&v["adapter"]),
        ["backend", "device_type", "driver", "name"]
    );
    assert_eq!(v["adapter"]["backend"], "Vulkan");
    assert!(v["commit"].is_null() || v["commit"].is_string(), "{v}");
    let date = v["date"].as_str().unwrap();
    assert!(date.len() == 20 && date.ends_with('Z'), "{date}");
    assert!(v["clock"] == "timestamp" || v["clock"] == "wall", "{v}");
    assert_eq!(v["iters"], 3);
    assert_eq!(v["quick"], true);
    assert_eq!(v["copy_bytes_moved_per_iter"], 2 * (64 << 20));
    let copy_gb_s = positive(v, "copy_gb_s");
    let copy_us = positive(v, "copy_us");
    let moved = 2.0 * f64::from(64 << 20);
    assert!(
        (copy_gb_s / (moved / copy_us / 1e3) - 1.0).abs() < 1e-6,
        "{v}"
    );
    let shader_copy_gb_s = positive(v, "shader_copy_gb_s");
    let shader_copy_us = positive(v, "shader_copy_us");
    assert!(
        (shader_copy_gb_s / (moved / shader_copy_us / 1e3) - 1.0).abs() < 1e-6,
        "{v}"
    );
    let reference_gb_s = positive(v, "reference_gb_s");
    assert!(
        reference_gb_s >= copy_gb_s && reference_gb_s >= shader_copy_gb_s,
        "{v}"
    );
    assert_eq!(reference_gb_s, copy_gb_s.max(shader_copy_gb_s), "{v}");

    let matvec = v["matvec"].as_array().unwrap();
    let formats: Vec<&str> = matvec
        .iter()
        .map(|m| m["format"].as_str().unwrap())
        .collect();
    // The main formats at both quick shapes, then every other format the kernels decode at
    // one.
    assert_eq!(
        formats,
        [
            "Q4_K", "Q4_K", "Q6_K", "Q6_K", "Q8_0", "Q8_0", "F16", "F16", "BF16", "F32", "Q4_0",
            "Q4_1", "Q5_0", "Q5_K", "IQ4_XS"
        ]
    );
    for m in matvec {
        assert_measured(
            m,
            &[
                "batch",
                "bytes",
                "cols",
                "format",
                "gb_s",
                "pct_of_copy",
                "rows",
                "us",
                "weight_bytes",
                "weight_copies",
            ],
        );
        // --quick times one buffer (its shapes are for the software adapter, which has no
        // cache worth outgrowing); the full plan cycles copies (`weight_copies` unit test).
        assert_eq!(m["weight_copies"].as_u64(), Some(1), "{m}");
        let (rows, cols) = (m["rows"].as_u64().unwrap(), m["cols"].as_u64().unwrap());
        let weight_bytes = m["weight_bytes"].as_u64().unwrap();
        assert_eq!(
            m["bytes"].as_u64().unwrap(),
            weight_bytes + 4 * (rows + cols)
        );
        let gb_s = positive(m, "gb_s");
        let us = positive(m, "us");
        let expected = m["bytes"].as_f64().unwrap() / us / 1e3;
        assert!((gb_s / expected - 1.0).abs() < 1e-6, "{m}");
        let pct = positive(m, "pct_of_copy");
        assert!(
            (pct / (100.0 * gb_s / reference_gb_s) - 1.0).abs() < 1e-6,
            "{m}"
        );
    }

    // The several-column rows, of the f32-x kernel and of the integer-dot one.
    for key in ["matvec_columns", "matvec_q8_columns"] {
        let columns = v[key].as_array().unwrap();
        let rows: Vec<(&str, u64)> = columns
            .iter()
            .map(|m| {
                (
                    m["format"].as_str().unwrap(),
                    m["columns"].as_u64().unwrap(),
                )
            })
            .collect();
        let counts = [1, 2, 4, 8, 9, 16];
        let want: Vec<(&str, u64)> = ["Q4_K", "Q6_K", "Q8_0"]
            .into_iter()
            .flat_map(|f| counts.map(|c| (f, c)))
            .collect();
        assert_eq!(rows, want);
        for m in columns {
            assert_measured(
                m,
                &[
                    "batch",
                    "cols",
                    "columns",
                    "format",
                    "rows",
                    "us",
                    "us_per_column",
                    "vs_one_column",
                    "weight_copies",
                ],
            );
            let us = positive(m, "us");
            let n = m["columns"].as_f64().unwrap();
            assert!(
                (positive(m, "us_per_column") * n / us - 1.0).abs() < 1e-9,
                "{m}"
            );
            let ratio = positive(m, "vs_one_column");
            if n == 1.0 {
                assert_eq!(ratio, 1.0, "{m}");
            }
        }
    }

    // The integer-dot rows, one per format it takes at each of that format's "matvec" shapes:
    // same keys, x counted as its 8-bit blocks (a byte per value and 8 bytes of scales per 16
    // values).
    let q8 = v["matvec_q8"].as_array().unwrap();
    let formats: Vec<&str> = q8.iter().map(|m| m["format"].as_str().unwrap()).collect();
    assert_eq!(
        formats,
        [
            "Q4_K", "Q4_K", "Q6_K", "Q6_K", "Q8_0", "Q8_0", "Q5_K", "Q4_0", "Q4_1", "Q5_0",
            "IQ4_XS"
        ]
    );
    for m in q8 {
        assert_measured(
            m,
            &[
                "batch",
                "bytes",
                "cols",
                "format",
                "gb_s",
                "pct_of_copy",
                "rows",
                "us",
                "weight_bytes",
                "weight_copies",
            ],
        );
        let (rows, cols) = (m["rows"].as_u64().unwrap(), m["cols"].as_u64().unwrap());
        assert_eq!(
            m["bytes"].as_u64().unwrap(),
            m["weight_bytes"].as_u64().unwrap() + cols + cols / 2 + 4 * rows,
            "{m}"
        );
        let expected = m["bytes"].as_f64().unwrap() / positive(m, "us") / 1e3;
        assert!((positive(m, "gb_s") / expected - 1.0).abs() < 1e-6, "{m}");
    }
    let quantize = v["quantize_q8"].as_array().unwrap();
    assert_eq!(quantize.len(), 1, "{v}");
    assert_eq!(keys(&quantize[0]), ["batch", "cols", "us"]);
    assert_eq!(quantize[0]["cols"], 256);
    positive(&quantize[0], "us");

    let matmul = v["matmul"].as_array().unwrap();
    let formats: Vec<&str> = matmul
        .iter()
        .map(|m| m["format"].as_str().unwrap())
        .collect();
    assert_eq!(formats, ["F16", "Q4_K"]);
    for m in matmul {
        assert_measured(
            m,
            &["batch", "cols", "format", "rows", "tflop_s", "tokens", "us"],
        );
        assert_eq!(
            (m["tokens"].as_u64(), m["rows"].as_u64()),
            (Some(8), Some(256))
        );
        positive(m, "us");
        positive(m, "tflop_s");
    }
}

#[test]
fn quick_kernel_bench_follows_the_contract() {
    check_contract(&quick_report("auto").unwrap());
}

#[test]
fn quick_kernel_bench_follows_the_contract_with_the_wall_clock() {
    let v = quick_report("wall").unwrap();
    check_contract(&v);
    assert_eq!(v["clock"], "wall");
}

/// On an adapter without timestamp queries the refusal is checked, and the test is a declared
/// skip (`axon_testkit::skip`): it has not measured anything with the timestamp clock.
#[test]
fn timestamp_clock_is_used_or_refused_with_a_reason() {
    match quick_report("timestamp") {
        Some(v) => {
            check_contract(&v);
            assert_eq!(v["clock"], "timestamp");
        }
        None => axon_testkit::skip::skip("the adapter has no timestamp queries"),
    }
}

/// `--formats` keeps only the named formats (any case), and refuses one the report does not
/// cover.
#[test]
fn kernel_bench_formats_filter_the_report() {
    let out = axon(&[
        "bench",
        "kernels",
        "--quick",
        "--iters",
        "1",
        "--json",
        "--formats",
        "q8_0,Q4_K",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let formats = |key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["format"].as_str().unwrap().to_owned())
            .collect()
    };
    let matvec = formats("matvec");
    assert!(
        !matvec.is_empty() && matvec.iter().all(|f| f == "Q8_0" || f == "Q4_K"),
        "{matvec:?}"
    );
    assert!(matvec.contains(&"Q8_0".to_owned()) && matvec.contains(&"Q4_K".to_owned()));
    assert_eq!(formats("matmul"), ["Q4_K"]);
    // Q2_K is a ggml format no kernel here decodes (Q5_K, refused here before the bench
    // measured every decoded format, now has rows).
    let out = axon(&["bench", "kernels", "--quick", "--formats", "q2_k"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"q2_k\""));
}

/// `--shapes` replaces the plan's matrix-vector shapes (a shape whose columns are not whole
/// blocks of a format is a skipped row, not a failure), and refuses text that is not a shape.
#[test]
fn kernel_bench_shapes_pick_the_matvec_rows() {
    let out = axon(&[
        "bench",
        "kernels",
        "--quick",
        "--iters",
        "1",
        "--json",
        "--formats",
        "Q8_0,Q4_K",
        "--shapes",
        "64x512,48X96",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows: Vec<(String, u64, u64, bool)> = v["matvec"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["format"].as_str().unwrap().to_owned(),
                m["rows"].as_u64().unwrap(),
                m["cols"].as_u64().unwrap(),
                m.get("skipped").is_some(),
            )
        })
        .collect();
    let row = |f: &str, r, c, skipped| (f.to_owned(), r, c, skipped);
    assert_eq!(
        rows,
        [
            row("Q4_K", 64, 512, false),
            row("Q4_K", 48, 96, true),
            row("Q8_0", 64, 512, false),
            row("Q8_0", 48, 96, false),
        ]
    );
    for bad in ["64", "0x256", "64x", "ax256"] {
        let out = axon(&["bench", "kernels", "--quick", "--shapes", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("ROWSxCOLS"),
            "{bad}"
        );
    }
}

#[test]
fn quick_kernel_bench_prints_a_table_by_default() {
    let out = axon(&["bench", "kernels", "--quick", "--iters", "1"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for needle in [
        "adapter",
        "clock",
        "GB/s (read + write)",
        "copy shader",
        "matvec",
        "matvec_q8",
        "columns_q8",
        "quantize_q8",
        "Q6_K",
        "TFLOP/s",
    ] {
        assert!(
            stdout.contains(needle),
            "{needle:?} missing from:\n{stdout}"
        );
    }
}

/// `axon bench --model` on a committed fixture: one JSON object whose top-level numbers are
/// positive medians, one submit per decode token, and the memory report.
#[test]
fn whole_model_bench_follows_the_contract() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../axon-reference/tests/fixtures/hf/llama-gqa-untied");
    let out = axon(&[
        "bench",
        "--model",
        dir.to_str().unwrap(),
        "--prompt",
        "16",
        "--gen",
        "4",
        "--repeat",
        "2",
        "--json",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1, "one JSON object");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    for key in [
        "prefill_tok_s",
        "decode_tok_s",
        "dispatches_per_token",
        "encode_us_per_token",
        "submit_us_per_token",
    ] {
        positive(&v, key);
        let run = &v["runs"][key];
        assert!(
            run["min"].as_f64().unwrap() <= run["median"].as_f64().unwrap(),
            "{key}"
        );
        assert!(
            run["median"].as_f64().unwrap() <= run["max"].as_f64().unwrap(),
            "{key}"
        );
    }
    assert_eq!(
        v["submits_per_token"].as_f64(),
        Some(1.0),
        "one submit per decode token"
    );
    for key in [
        "weights_bytes",
        "state_bytes",
        "kv_cache_bytes",
        "scratch_bytes",
    ] {
        assert!(v["memory"][key].as_u64().unwrap() > 0, "memory.{key}");
    }
    // Plan scratch: the cache's budget is reported, the cache holds the plans this run
    // built (a prefill and a decode plan), and what lives is at least what is cached.
    let memory = &v["memory"];
    assert_eq!(
        memory["plan_cache_budget_bytes"].as_u64(),
        Some(axon_runtime::DEFAULT_PLAN_CACHE_BYTES)
    );
    assert!(memory["cached_plans"].as_u64().unwrap() >= 2, "{memory}");
    assert!(
        memory["live_scratch_bytes"].as_u64().unwrap() >= memory["scratch_bytes"].as_u64().unwrap(),
        "{memory}"
    );
    // A llama fixture has no recurrent state: all of it is KV cache.
    assert_eq!(v["memory"]["recurrent_state_bytes"], 0);
    assert_eq!(v["memory"]["kv_cache_bytes"], v["memory"]["state_bytes"]);
    assert_eq!(v["prompt"], 16);
    assert_eq!(v["gen"], 4);
    assert_eq!(v["noop_dispatches"], 0);
    // The 8-bit-x rule the run used: the engine's default unless AXON_MATVEC_Q8 says.
    assert_eq!(
        v["matvec_q8_min_cols"].as_u64(),
        Some(axon_runtime::MATVEC_Q8_MIN_COLS as u64)
    );
    // The KV cache type the run used: the engine's default (f32) unless AXON_KV_CACHE says.
    assert_eq!(v["kv_cache"], "f32");
    assert!(v["adapter"]["name"].is_string());
    // GPU time by kernel family, where the adapter has timestamps (lavapipe and NVIDIA do).
    let families = &v["gpu_us_by_family"];
    assert_eq!(
        families.is_null(),
        !stderr.contains("timestamp-query"),
        "present exactly when the adapter marker lists timestamps: {stderr}"
    );
    if !families.is_null() {
        for (part, expected) in [
            ("prefill_us", ["matmul", "rms_norm", "attention_input"]),
            (
                "decode_us_per_token",
                ["matvec", "rms_norm", "attention_input"],
            ),
        ] {
            let map = families[part].as_object().unwrap();
            for family in expected {
                let us = map.get(family).and_then(Value::as_f64);
                assert!(us.is_some_and(|t| t > 0.0), "{part}.{family}: {families}");
            }
        }
        // The last profiled decode token, dispatch by dispatch: as many as a token has, each
        // named by its family and timed.
        let last = families["last_decode_token_us"].as_array().unwrap();
        assert_eq!(
            last.len() as f64,
            v["dispatches_per_token"].as_f64().unwrap(),
            "{families}"
        );
        for entry in last {
            assert!(
                entry[0].is_string() && entry[1].as_f64().unwrap() > 0.0,
                "{entry}"
            );
        }
        assert!(
            families["prefill_us"]["matmul"].as_f64().unwrap() > 0.0,
            "{families}"
        );
    }
}

#[test]
fn whole_model_bench_names_a_missing_model() {
    let out = axon(&["bench", "--model", "no-such-model.gguf", "--json"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no-such-model.gguf"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn bench_needs_a_model_or_a_subcommand_but_not_both() {
    let out = axon(&["bench"]);
    assert_eq!(out.status.code(), Some(2), "usage error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--model"));
    let out = axon(&["bench", "--model", "x.gguf", "kernels"]);
    assert_eq!(out.status.code(), Some(2), "usage error");
}

/// `AXON_KV_CACHE` picks the KV cache's element type for `axon bench --model`: the report names
/// it and an f16 cache takes half the bytes of the f32 one; an unknown type exits 1 naming the
/// variable before any model is run.
#[test]
fn whole_model_bench_names_its_kv_cache_type() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../axon-reference/tests/fixtures/hf/llama-gqa-untied");
    let run = |kv: &str| {
        Command::new(env!("CARGO_BIN_EXE_axon"))
            .args(["bench", "--model", dir.to_str().unwrap()])
            .args(["--prompt", "8", "--gen", "2", "--repeat", "1", "--json"])
            .env("AXON_KV_CACHE", kv)
            .output()
            .expect("the axon binary runs")
    };
    let report = |kv: &str| -> Value {
        let out = run(kv);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let (f32_run, f16_run) = (report("f32"), report("f16"));
    assert_eq!(f32_run["kv_cache"], "f32");
    assert_eq!(f16_run["kv_cache"], "f16");
    let bytes = |v: &Value| v["memory"]["kv_cache_bytes"].as_u64().unwrap();
    assert_eq!(bytes(&f16_run) * 2, bytes(&f32_run));
    let bad = run("bf16");
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("AXON_KV_CACHE"), "{stderr}");
    assert!(bad.stdout.is_empty());
}
