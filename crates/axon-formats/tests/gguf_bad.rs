//! Bad GGUF input never panics: each defect gives a typed error naming the file, the item and
//! the offset; a mutation fuzzer over real headers runs a bounded number of cases.

mod common;

use axon_formats::gguf::{GgufError, GgufErrorKind, GgufFile, GgufWriter, Value};
use axon_formats::quant::GgmlType;
use proptest::prelude::*;

/// A small valid file: two metadata keys, two tensors.
fn valid() -> Vec<u8> {
    let mut w = GgufWriter::new();
    w.set("general.architecture", Value::String("llama".into()));
    w.set("llama.block_count", Value::U32(1));
    w.add_tensor("a.weight", GgmlType::F32, &[8], vec![0; 32])
        .unwrap();
    w.add_tensor("b.weight", GgmlType::Q8_0, &[32, 2], vec![0; 68])
        .unwrap();
    w.to_bytes().unwrap()
}

fn parse(bytes: Vec<u8>) -> Result<GgufFile, GgufError> {
    GgufFile::from_bytes("bad.gguf", bytes)
}

fn err(bytes: Vec<u8>) -> GgufError {
    let e = parse(bytes).unwrap_err();
    let text = e.to_string();
    assert!(
        text.starts_with("bad.gguf: "),
        "error must name the file: {text}"
    );
    assert!(
        text.contains("byte offset"),
        "error must give the offset: {text}"
    );
    e
}

fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).position(|w| w == needle).unwrap()
}

/// Offset of the tensor info of `name` (its u64 length prefix).
fn tensor_info(bytes: &[u8], name: &str) -> usize {
    find(bytes, name.as_bytes()) - 8
}

#[test]
fn the_valid_file_is_valid() {
    let f = parse(valid()).unwrap();
    assert_eq!(f.tensors().len(), 2);
}

#[test]
fn every_truncation_is_a_typed_error() {
    let bytes = valid();
    let f = parse(bytes.clone()).unwrap();
    // Trailing padding after the last tensor is optional; everything before its end is needed.
    let end = f
        .tensors()
        .iter()
        .map(|t| f.data_offset() + t.offset + t.size)
        .max()
        .unwrap() as usize;
    parse(bytes[..end].to_vec()).unwrap();
    for len in 0..end {
        let e = err(bytes[..len].to_vec());
        assert!(
            matches!(
                e.kind,
                GgufErrorKind::Truncated { .. }
                    | GgufErrorKind::DataPastEof { .. }
                    | GgufErrorKind::AbsurdCount { .. }
            ),
            "len {len}: {e}"
        );
    }
}

#[test]
fn wrong_magic() {
    let mut b = valid();
    b[..4].copy_from_slice(b"GGML");
    let e = err(b);
    assert!(matches!(e.kind, GgufErrorKind::BadMagic { .. }), "{e}");
    assert_eq!(e.offset, 0);
}

#[test]
fn unsupported_versions() {
    for v in [1u32, 4, 0x0300_0000] {
        let mut b = valid();
        b[4..8].copy_from_slice(&v.to_le_bytes());
        let e = err(b);
        assert!(
            matches!(e.kind, GgufErrorKind::UnsupportedVersion(x) if x == v),
            "{e}"
        );
        assert_eq!(e.offset, 4);
    }
}

#[test]
fn absurd_tensor_and_metadata_counts() {
    let mut b = valid();
    b[8..16].copy_from_slice(&(1u64 << 40).to_le_bytes());
    let e = err(b);
    assert!(
        matches!(e.kind, GgufErrorKind::AbsurdCount { what: "tensor", .. }),
        "{e}"
    );
    let mut b = valid();
    b[16..24].copy_from_slice(&(1u64 << 60).to_le_bytes());
    let e = err(b);
    assert!(
        matches!(
            e.kind,
            GgufErrorKind::AbsurdCount {
                what: "metadata entry",
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn absurd_array_length() {
    let mut w = GgufWriter::new();
    w.set(
        "tokenizer.ggml.tokens",
        Value::Array(axon_formats::gguf::Array::String(vec![
            "a".into(),
            "b".into(),
        ])),
    );
    let mut b = w.to_bytes().unwrap();
    // key, then type (9 = array), then element type (8 = string), then the count.
    let key_end = find(&b, b"tokenizer.ggml.tokens") + "tokenizer.ggml.tokens".len();
    let count_at = key_end + 4 + 4;
    b[count_at..count_at + 8].copy_from_slice(&(1u64 << 60).to_le_bytes());
    let e = err(b);
    assert!(
        matches!(
            e.kind,
            GgufErrorKind::AbsurdCount {
                what: "array element",
                ..
            }
        ),
        "{e}"
    );
    assert!(e.item.contains("tokenizer.ggml.tokens"), "{e}");
    assert_eq!(e.offset, count_at as u64 + 8);
}

#[test]
fn unknown_value_type() {
    let mut b = valid();
    let at = find(&b, b"llama.block_count") + "llama.block_count".len();
    b[at..at + 4].copy_from_slice(&77u32.to_le_bytes());
    let e = err(b);
    assert!(matches!(e.kind, GgufErrorKind::UnknownValueType(77)), "{e}");
    assert_eq!(e.offset, at as u64);
    assert!(e.item.contains("llama.block_count"));
}

#[test]
fn unknown_tensor_type() {
    let mut b = valid();
    let info = tensor_info(&b, "a.weight");
    let ty_at = info + 8 + "a.weight".len() + 4 + 8;
    b[ty_at..ty_at + 4].copy_from_slice(&4u32.to_le_bytes()); // id 4 was retired by ggml
    let e = err(b);
    assert!(matches!(e.kind, GgufErrorKind::UnknownTensorType(4)), "{e}");
    assert!(e.item.contains("a.weight"));
    assert_eq!(e.offset, ty_at as u64);
}

#[test]
fn shape_that_is_not_whole_blocks() {
    let mut b = valid();
    let info = tensor_info(&b, "b.weight");
    let dim0 = info + 8 + "b.weight".len() + 4;
    b[dim0..dim0 + 8].copy_from_slice(&33u64.to_le_bytes());
    let e = err(b);
    assert!(
        matches!(
            e.kind,
            GgufErrorKind::ShapeMismatch {
                ty: GgmlType::Q8_0,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn shape_whose_size_overflows() {
    let mut b = valid();
    let info = tensor_info(&b, "b.weight");
    let dim1 = info + 8 + "b.weight".len() + 4 + 8;
    b[dim1..dim1 + 8].copy_from_slice(&u64::MAX.to_le_bytes());
    let e = err(b);
    assert!(matches!(e.kind, GgufErrorKind::ShapeMismatch { .. }), "{e}");
}

fn set_offset(b: &mut [u8], name: &str, dims: usize, offset: u64) {
    let at = tensor_info(b, name) + 8 + name.len() + 4 + 8 * dims + 4;
    b[at..at + 8].copy_from_slice(&offset.to_le_bytes());
}

#[test]
fn misaligned_offset() {
    let mut b = valid();
    set_offset(&mut b, "b.weight", 2, 36);
    let e = err(b);
    assert!(
        matches!(
            e.kind,
            GgufErrorKind::Misaligned {
                offset: 36,
                alignment: 32
            }
        ),
        "{e}"
    );
}

#[test]
fn overlapping_tensors() {
    let mut b = valid();
    set_offset(&mut b, "b.weight", 2, 0);
    let e = err(b);
    assert!(matches!(e.kind, GgufErrorKind::Overlap { .. }), "{e}");
}

#[test]
fn tensor_data_past_eof() {
    let mut b = valid();
    set_offset(&mut b, "b.weight", 2, 1 << 20);
    let e = err(b);
    assert!(matches!(e.kind, GgufErrorKind::DataPastEof { .. }), "{e}");
    let mut b = valid();
    set_offset(&mut b, "b.weight", 2, u64::MAX - 31);
    assert!(matches!(err(b).kind, GgufErrorKind::DataPastEof { .. }));
}

#[test]
fn invalid_utf8_in_key_and_string() {
    let mut b = valid();
    let at = find(&b, b"llama.block_count");
    b[at] = 0xff;
    let e = err(b);
    assert!(matches!(e.kind, GgufErrorKind::InvalidUtf8), "{e}");
    let mut b = valid();
    let at = find(&b, b"general.architecture") + "general.architecture".len() + 4 + 8; // its value
    b[at] = 0xc3; // a lone UTF-8 lead byte
    let e = err(b);
    assert!(matches!(e.kind, GgufErrorKind::InvalidUtf8), "{e}");
    assert!(e.item.contains("general.architecture"), "{e}");
}

#[test]
fn bad_alignment_and_duplicates() {
    let mut w = GgufWriter::new();
    w.set("general.alignment", Value::U32(32));
    let mut b = w.to_bytes().unwrap();
    let at = find(&b, b"general.alignment") + "general.alignment".len() + 4;
    b[at..at + 4].copy_from_slice(&48u32.to_le_bytes());
    assert!(matches!(err(b).kind, GgufErrorKind::BadAlignment(48)));

    let mut b = valid();
    let a = find(&b, b"a.weight");
    b[a] = b'b'; // two tensors named b.weight
    assert!(matches!(
        err(b).kind,
        GgufErrorKind::Duplicate("tensor name")
    ));
}

#[test]
fn missing_file_is_an_io_error_naming_it() {
    let e = GgufFile::open("/nonexistent/model.gguf").unwrap_err();
    assert!(matches!(e.kind, GgufErrorKind::Io(_)));
    assert!(e.to_string().contains("/nonexistent/model.gguf"));
}

/// The header (metadata + tensor infos) of a real file, as the fuzzer's seed.
fn real_header() -> Vec<u8> {
    let path = common::model("SmolLM2-135M-Instruct.Q4_1.gguf");
    let f = GgufFile::open(&path).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    bytes[..f.data_offset() as usize + 4096].to_vec()
}

#[derive(Debug, Clone)]
enum Mutation {
    Set(usize, u8),
    Word(usize, u64),
    Truncate(usize),
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    match *m {
        Mutation::Set(at, v) => {
            let at = at % bytes.len().max(1);
            if let Some(b) = bytes.get_mut(at) {
                *b = v;
            }
        }
        Mutation::Word(at, v) => {
            let at = at % bytes.len().max(1);
            let end = (at + 8).min(bytes.len());
            bytes[at..end].copy_from_slice(&v.to_le_bytes()[..end - at]);
        }
        Mutation::Truncate(len) => bytes.truncate(len % (bytes.len() + 1)),
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let word = prop_oneof![
        any::<u64>(),
        Just(u64::MAX),
        Just(1 << 40),
        Just(1 << 60),
        0u64..300
    ];
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(a, v)| Mutation::Set(a, v)),
        (any::<usize>(), word).prop_map(|(a, v)| Mutation::Word(a, v)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

proptest! {
    // Bounded: a few hundred mutated real headers per run (seconds), every run in CI.
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn mutated_real_headers_never_panic(mutations in prop::collection::vec(mutation(), 1..6)) {
        static SEED: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
        let mut bytes = SEED.get_or_init(real_header).clone();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        if let Err(e) = GgufFile::from_bytes("fuzz.gguf", bytes) {
            prop_assert!(e.to_string().starts_with("fuzz.gguf: "));
        }
    }

    #[test]
    fn mutated_small_files_never_panic(mutations in prop::collection::vec(mutation(), 1..6)) {
        let mut bytes = valid();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        let _ = GgufFile::from_bytes("fuzz.gguf", bytes);
    }
}

#[test]
fn version_2_files_read_like_version_3() {
    // v2 and v3 share the layout (v3 only added big-endian files, which this reader refuses).
    let mut b = valid();
    b[4..8].copy_from_slice(&2u32.to_le_bytes());
    let f = parse(b).unwrap();
    assert_eq!(f.version(), 2);
    assert_eq!(f.tensors().len(), 2);
}
