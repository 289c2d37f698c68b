//! Hostile model files: copies of the real SmolLM2-135M GGUF with one metadata value, tensor
//! shape or weight changed. For every copy, `axon logits` on the CPU reference and on the GPU
//! engine gives the same verdict: exit 1 with a message when the copy is invalid (never a
//! panic, an abort or NaN logits), success when it is valid. Whether a copy is valid is
//! decided here, from the file's own sizes, independently of both readers.
//!
//! A fixed catalogue holds the cases measured against earlier code (a `block_count` of 2^31
//! aborted the CPU backend on a 670 GB allocation, zero layers were accepted, a NaN RoPE base
//! gave NaN logits with exit 0, a negative epsilon was accepted); a property test draws more.
//! The same is done to the Qwen3.5 layout (the most involved pair of readers: Gated DeltaNet
//! sizes, the layer schedule, multi-token-prediction blocks), on the committed
//! `qwen35-grouped-tied` fixture written as llama.cpp writes a GGUF.

use axon_formats::gguf::{GgufFile, Value};
use axon_testkit::mutate::{Mutation, write_mutated};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const MODEL: &str = "SmolLM2-135M-Instruct.Q4_1.gguf";

fn model_path() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../models")
        .join(MODEL);
    assert!(
        path.exists(),
        "{} is missing: run scripts/fetch-models",
        path.display()
    );
    path
}

fn original() -> &'static GgufFile {
    static FILE: OnceLock<GgufFile> = OnceLock::new();
    FILE.get_or_init(|| GgufFile::open(model_path()).unwrap())
}

/// SmolLM2-135M's sizes, as its tensors fix them.
const LAYERS: u64 = 30;
const EMBD: u64 = 576;
const FF: u64 = 1536;
const HEADS: u64 = 9;
const KV_HEADS: u64 = 3;
const HEAD_DIM: u64 = 64;
const VOCAB: u64 = 49_152;
const MAX_POSITIONS: u64 = 1 << 24;

/// The verdict `axon logits --tokens 1` must give on a mutated copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Valid,
    Invalid,
}

/// Whether setting integer key `suffix` (of `llama.*`) to `v` leaves a valid model.
fn integer_verdict(suffix: &str, v: u64) -> Verdict {
    let valid = match suffix {
        "block_count" => v == LAYERS,
        "embedding_length" => v == EMBD,
        "feed_forward_length" => v == FF,
        "attention.head_count" => v == HEADS,
        "attention.head_count_kv" => v == KV_HEADS,
        "vocab_size" => v == VOCAB,
        // Any even rotary width up to the head size is a valid (different) model.
        "rope.dimension_count" => v > 0 && v.is_multiple_of(2) && v <= HEAD_DIM,
        // The run needs one position; a model may claim up to 2^24.
        "context_length" => (1..=MAX_POSITIONS).contains(&v),
        "attention.key_length" | "attention.value_length" => v == HEAD_DIM,
        other => panic!("no rule for {other}"),
    };
    if valid {
        Verdict::Valid
    } else {
        Verdict::Invalid
    }
}

/// Whether setting float key `suffix` to `v` leaves a valid model.
fn float_verdict(suffix: &str, v: f32) -> Verdict {
    let v = f64::from(v);
    let valid = match suffix {
        "attention.layer_norm_rms_epsilon" => v.is_finite() && v > 0.0 && v < 1.0,
        "rope.freq_base" => v.is_finite() && v > 1.0 && v < 1e30,
        other => panic!("no rule for {other}"),
    };
    if valid {
        Verdict::Valid
    } else {
        Verdict::Invalid
    }
}

fn set(key: &str, value: Value) -> Mutation {
    Mutation::Set {
        key: key.to_owned(),
        value,
    }
}

fn llama(suffix: &str) -> String {
    format!("llama.{suffix}")
}

/// The cases measured against earlier code, and one of each kind of change.
fn catalogue() -> Vec<(Mutation, Verdict)> {
    use Verdict::{Invalid, Valid};
    vec![
        (set(&llama("block_count"), Value::U32(1 << 31)), Invalid),
        (set(&llama("block_count"), Value::U32(0)), Invalid),
        (set(&llama("block_count"), Value::U32(29)), Invalid),
        (set(&llama("rope.freq_base"), Value::F32(f32::NAN)), Invalid),
        (
            set(
                &llama("attention.layer_norm_rms_epsilon"),
                Value::F32(-1e-5),
            ),
            Invalid,
        ),
        (
            set(&llama("attention.layer_norm_rms_epsilon"), Value::F32(1e-6)),
            Valid,
        ),
        (set(&llama("attention.head_count"), Value::U32(0)), Invalid),
        (
            set(&llama("attention.head_count_kv"), Value::U32(2)),
            Invalid,
        ),
        (set(&llama("vocab_size"), Value::U64(1 << 40)), Invalid),
        (set(&llama("context_length"), Value::U64(u64::MAX)), Invalid),
        (
            set(&llama("embedding_length"), Value::String("576".into())),
            Invalid,
        ),
        (
            set(&llama("rope.scaling.type"), Value::String("yarn".into())),
            Invalid,
        ),
        (
            set(&llama("rope.scaling.type"), Value::String("none".into())),
            Valid,
        ),
        (
            Mutation::Reshape {
                tensor: "blk.3.attn_k.weight".into(),
                dims: vec![192, 576],
            },
            Invalid,
        ),
        (
            Mutation::Poison {
                tensor: "output_norm.weight".into(),
                index: 0,
                value: f32::NAN,
            },
            Invalid,
        ),
        (
            Mutation::Poison {
                tensor: "blk.7.ffn_norm.weight".into(),
                index: 100,
                value: f32::INFINITY,
            },
            Invalid,
        ),
    ]
}

/// The outcome of `axon logits --backend BACKEND --tokens 1` on `path`.
struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn logits(path: &Path, backend: &str) -> Outcome {
    let out = Command::new(env!("CARGO_BIN_EXE_axon"))
        .args(["logits", "--model"])
        .arg(path)
        .args(["--tokens", "1", "--backend", backend])
        .output()
        .unwrap();
    Outcome {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Writes the mutated copy of SmolLM2, runs both backends on it, and checks `verdict`.
fn check(mutation: &Mutation, verdict: Verdict) -> Result<(), TestCaseError> {
    check_file(original(), mutation, verdict)
}

/// Writes the mutated copy of `source`, runs both backends on it, and checks `verdict`.
fn check_file(
    source: &GgufFile,
    mutation: &Mutation,
    verdict: Verdict,
) -> Result<(), TestCaseError> {
    // A directory per case: the tests of this file run at the same time.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mutated.gguf");
    write_mutated(source, &path, mutation).unwrap();
    let outcomes = ["cpu", "gpu"].map(|backend| (backend, logits(&path, backend)));
    drop(dir);
    for (backend, o) in outcomes {
        let what = format!("{mutation:?} on the {backend} backend");
        match verdict {
            Verdict::Valid => {
                prop_assert_eq!(o.code, Some(0), "{} failed:\n{}", what, o.stderr);
                let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
                let finite = v["last_logits"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|x| x.as_f64().is_some_and(f64::is_finite));
                prop_assert!(finite, "{}: non-finite logits printed", what);
            }
            Verdict::Invalid => {
                prop_assert_eq!(
                    o.code,
                    Some(1),
                    "{} must exit 1 with a reason:\nstdout {}\nstderr {}",
                    what,
                    &o.stdout[..o.stdout.len().min(300)],
                    o.stderr
                );
                prop_assert!(o.stdout.is_empty(), "{}: printed a result", what);
                let message = o.stderr.lines().filter(|l| !l.starts_with('[')).count();
                prop_assert!(message > 0, "{}: no message:\n{}", what, o.stderr);
            }
        }
    }
    Ok(())
}

#[test]
fn the_catalogue_of_hostile_files_is_refused_and_valid_edits_run() {
    for (mutation, verdict) in catalogue() {
        if let Err(e) = check(&mutation, verdict) {
            panic!("{e}");
        }
    }
}

/// Integer keys and the values drawn for them: the real value, neighbours, zero, powers of
/// two around the 32-bit limits, and the largest u64.
fn integer_mutation() -> impl Strategy<Value = (Mutation, Verdict)> {
    let keys = prop::sample::select(vec![
        ("block_count", LAYERS),
        ("embedding_length", EMBD),
        ("feed_forward_length", FF),
        ("attention.head_count", HEADS),
        ("attention.head_count_kv", KV_HEADS),
        ("vocab_size", VOCAB),
        ("rope.dimension_count", HEAD_DIM),
        ("context_length", 8192),
        ("attention.key_length", HEAD_DIM),
        ("attention.value_length", HEAD_DIM),
    ]);
    let values = |real: u64| {
        prop_oneof![
            Just(real),
            Just(0u64),
            Just(real + 1),
            Just(real.saturating_sub(1)),
            Just(real * 2),
            Just(real / 2),
            Just(1u64 << 31),
            Just(1u64 << 32),
            Just(u64::MAX),
            1u64..100_000,
        ]
    };
    keys.prop_flat_map(move |(suffix, real)| {
        (Just(suffix), values(real), any::<bool>()).prop_map(|(suffix, v, wide)| {
            // Both the 32- and the 64-bit encodings a writer may choose.
            let value = match u32::try_from(v) {
                Ok(small) if !wide => Value::U32(small),
                _ => Value::U64(v),
            };
            (set(&llama(suffix), value), integer_verdict(suffix, v))
        })
    })
}

/// Float keys and values: the special values, signs, zero, tiny and huge magnitudes.
fn float_mutation() -> impl Strategy<Value = (Mutation, Verdict)> {
    let keys = prop::sample::select(vec!["attention.layer_norm_rms_epsilon", "rope.freq_base"]);
    let values = prop_oneof![
        Just(f32::NAN),
        Just(f32::INFINITY),
        Just(f32::NEG_INFINITY),
        Just(0.0f32),
        Just(-0.0f32),
        Just(1.0f32),
        Just(f32::MAX),
        Just(f32::MIN_POSITIVE),
        -1e6f32..1e6f32,
        1e-7f32..1e-3f32,
    ];
    (keys, values)
        .prop_map(|(suffix, v)| (set(&llama(suffix), Value::F32(v)), float_verdict(suffix, v)))
}

/// A 2-D tensor's dims changed while its bytes stay the same: transposed, or rows folded.
fn shape_mutation() -> impl Strategy<Value = (Mutation, Verdict)> {
    let tensors = prop::sample::select(vec![
        ("token_embd.weight", [EMBD, VOCAB]),
        ("blk.0.attn_q.weight", [EMBD, EMBD]),
        ("blk.5.attn_v.weight", [EMBD, 192]),
        ("blk.29.ffn_down.weight", [FF, EMBD]),
        ("blk.12.ffn_gate.weight", [EMBD, FF]),
    ]);
    (tensors, any::<bool>()).prop_filter_map(
        "a square tensor transposes to itself",
        |((name, [d0, d1]), fold)| {
            let dims = if fold {
                vec![d0 * 2, d1 / 2]
            } else {
                vec![d1, d0]
            };
            (dims != [d0, d1]).then(|| {
                let m = Mutation::Reshape {
                    tensor: name.to_owned(),
                    dims,
                };
                (m, Verdict::Invalid)
            })
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_mutation_gets_the_same_verdict_from_both_backends(
        (mutation, verdict) in prop_oneof![
            4 => integer_mutation(),
            2 => float_mutation(),
            1 => shape_mutation(),
        ]
    ) {
        check(&mutation, verdict)?;
    }
}

/// The `qwen35-grouped-tied` fixture as llama.cpp writes it (8 layers, every 4th full
/// attention; d 64, ff 96, 4 heads of 32 over 2 KV heads, 8 rotated; DeltaNet 2 key heads and
/// 4 value heads of 16, conv 4; vocabulary 256).
fn qwen35() -> &'static GgufFile {
    static FILE: OnceLock<GgufFile> = OnceLock::new();
    FILE.get_or_init(|| {
        use axon_formats::hf::HfCheckpoint;
        use axon_testkit::convert::{Edits, qwen35_to_gguf};
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../axon-reference/tests/fixtures/hf/qwen35-grouped-tied");
        let ckpt = HfCheckpoint::open(dir).unwrap();
        let bytes = qwen35_to_gguf(&ckpt, &Edits::default()).unwrap();
        GgufFile::from_bytes("qwen35-grouped-tied.gguf", bytes).unwrap()
    })
}

/// Whether setting `qwen35.SUFFIX` to `v` leaves a valid model of the fixture.
fn qwen35_verdict(suffix: &str, v: u64) -> Verdict {
    let valid = match suffix {
        "block_count" => v == 8,
        "embedding_length" => v == 64,
        "feed_forward_length" => v == 96,
        "attention.head_count" => v == 4,
        "attention.head_count_kv" => v == 2,
        "attention.key_length" | "attention.value_length" => v == 32,
        "rope.dimension_count" => v > 0 && v.is_multiple_of(2) && v <= 32,
        // The layer schedule decides which tensors each layer has.
        "full_attention_interval" => v == 4,
        "ssm.conv_kernel" => v == 4,
        "ssm.state_size" => v == 16,
        "ssm.group_count" => v == 2,
        "ssm.time_step_rank" => v == 4,
        "ssm.inner_size" => v == 64,
        // Blocks past the model's layers are multi-token-prediction blocks, not run: any
        // count leaving at least one layer is a valid (shorter) model.
        "nextn_predict_layers" => v < 8,
        "context_length" => (1..=MAX_POSITIONS).contains(&v),
        other => panic!("no rule for {other}"),
    };
    if valid {
        Verdict::Valid
    } else {
        Verdict::Invalid
    }
}

#[test]
fn hostile_qwen35_files_are_refused_by_both_backends_alike() {
    use Verdict::{Invalid, Valid};
    let q = |suffix: &str| format!("qwen35.{suffix}");
    let cases = [
        (set(&q("block_count"), Value::U32(1 << 31)), Invalid),
        (set(&q("nextn_predict_layers"), Value::U32(9)), Invalid),
        (set(&q("nextn_predict_layers"), Value::U32(1)), Valid),
        (set(&q("ssm.inner_size"), Value::U32(63)), Invalid),
        (set(&q("ssm.time_step_rank"), Value::U32(0)), Invalid),
        (set(&q("ssm.group_count"), Value::U32(3)), Invalid),
        (set(&q("full_attention_interval"), Value::U32(0)), Invalid),
        (
            set(&q("attention.layer_norm_rms_epsilon"), Value::F32(f32::NAN)),
            Invalid,
        ),
        (set(&q("rope.freq_base"), Value::F32(0.5)), Invalid),
        (set(&q("rope.freq_base"), Value::F32(1e6)), Valid),
        (
            set(&q("rope.scaling.type"), Value::String("yarn".into())),
            Invalid,
        ),
        (
            Mutation::Reshape {
                tensor: "blk.0.ssm_conv1d.weight".into(),
                dims: vec![128, 4],
            },
            Invalid,
        ),
        (
            Mutation::Poison {
                tensor: "blk.1.ssm_a".into(),
                index: 2,
                value: f32::NAN,
            },
            Invalid,
        ),
    ];
    for (mutation, verdict) in cases {
        if let Err(e) = check_file(qwen35(), &mutation, verdict) {
            panic!("{e}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_qwen35_mutation_gets_the_same_verdict_from_both_backends(
        (suffix, real) in prop::sample::select(vec![
            ("block_count", 8u64),
            ("embedding_length", 64),
            ("feed_forward_length", 96),
            ("attention.head_count", 4),
            ("attention.head_count_kv", 2),
            ("attention.key_length", 32),
            ("rope.dimension_count", 8),
            ("full_attention_interval", 4),
            ("ssm.conv_kernel", 4),
            ("ssm.state_size", 16),
            ("ssm.group_count", 2),
            ("ssm.time_step_rank", 4),
            ("ssm.inner_size", 64),
            ("nextn_predict_layers", 0),
            ("context_length", 4096),
        ]),
        pick in 0usize..8,
        random in 0u64..100_000,
    ) {
        let v = [real, 0, real + 1, real.saturating_sub(1), real * 2, real / 2, 1 << 32, random][pick];
        let mutation = set(&format!("qwen35.{suffix}"), Value::U64(v));
        check_file(qwen35(), &mutation, qwen35_verdict(suffix, v))?;
    }
}
