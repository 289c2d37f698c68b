//! Independent cross-check against the `gguf` Python package (gguf-py, numpy, llama.cpp's
//! operation order): fixtures written by `scripts/fixtures/quant_fixtures.py` (fixed seed) must
//! dequantize, and quantize, to exactly the same bits.

use axon_formats::quant::{GgmlType, can_dequantize, dequantize, quantize};
use std::path::{Path, PathBuf};

/// Every type gguf-py dequantizes that we do; each has `<NAME>.bin` + `<NAME>.f32`.
const DEQUANT_FIXTURES: [&str; 15] = [
    "F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K",
    "Q6_K", "IQ4_NL", "IQ4_XS",
];

/// Types whose gguf-py quantizer is llama.cpp's reference one, which ours reproduces.
const QUANT_FIXTURES: [&str; 7] = ["F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0"];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/quant")
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; regenerate with scripts/fixtures/quant_fixtures.py",
            path.display()
        )
    })
}

fn f32s(bytes: &[u8]) -> Vec<f32> {
    assert_eq!(bytes.len() % 4, 0);
    bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
        .collect()
}

fn ty(name: &str) -> GgmlType {
    GgmlType::from_name(name).unwrap()
}

#[test]
fn dequantization_matches_gguf_py_bit_for_bit() {
    for name in DEQUANT_FIXTURES {
        let blocks = read(&dir().join(format!("{name}.bin")));
        let expected = f32s(&read(&dir().join(format!("{name}.f32"))));
        assert!(expected.len() >= 64, "{name}: fixture too small");
        let got = dequantize(ty(name), &blocks, expected.len()).unwrap();
        let bad: Vec<_> = (0..expected.len())
            .filter(|&i| got[i].to_bits() != expected[i].to_bits())
            .map(|i| (i, got[i], expected[i]))
            .take(8)
            .collect();
        assert!(bad.is_empty(), "{name}: (index, ours, gguf-py) {bad:?}");
    }
}

#[test]
fn quantization_matches_gguf_py_bit_for_bit() {
    let input = f32s(&read(&dir().join("quantize/input.f32")));
    assert_eq!(input.len(), 1024);
    for name in QUANT_FIXTURES {
        let expected = read(&dir().join(format!("quantize/{name}.bin")));
        let got = quantize(ty(name), &input).unwrap();
        assert_eq!(got.len(), expected.len(), "{name}");
        let block = ty(name).block_bytes();
        let bad: Vec<_> = got
            .chunks(block)
            .zip(expected.chunks(block))
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .map(|(i, _)| i)
            .collect();
        assert!(
            bad.is_empty(),
            "{name}: blocks differing from gguf-py: {bad:?}"
        );
    }
}

#[test]
fn every_type_gguf_py_can_check_has_a_fixture() {
    // gguf-py has no dequantizer for these, so the hand-built tests cover them alone.
    let uncheckable = ["Q8_K", "F64", "I8", "I16", "I32", "I64"];
    for t in GgmlType::all().filter(|t| can_dequantize(*t)) {
        let name = t.name();
        assert!(
            DEQUANT_FIXTURES.contains(&name) || uncheckable.contains(&name),
            "{name} has no gguf-py fixture"
        );
    }
}
