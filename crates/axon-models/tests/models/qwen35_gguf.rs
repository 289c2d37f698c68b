//! A Hugging Face Qwen3.5 fixture written as a GGUF the way llama.cpp's converter writes it
//! (the workspace's one converter, `axon_testkit::convert`).

use axon_formats::gguf::{GgufFile, Value};
use axon_formats::hf::HfCheckpoint;
use axon_formats::quant::dequantize;
use axon_testkit::convert::{Edits, qwen35_to_gguf};

/// The checkpoint's tensor `name` as f32.
pub fn f32s(ckpt: &HfCheckpoint, name: &str) -> Vec<f32> {
    let t = ckpt.tensor(name).unwrap();
    dequantize(t.ty, t.data, t.shape.iter().product()).unwrap()
}

/// The fixture as a GGUF, without the tensors named in `omit`, with `metadata` set after
/// (replacing) the converter's.
pub fn convert(ckpt: &HfCheckpoint, omit: &[&str], metadata: &[(&str, Value)]) -> GgufFile {
    let bytes = qwen35_to_gguf(ckpt, &Edits { omit, metadata }).unwrap();
    GgufFile::from_bytes("qwen35-converted.gguf", bytes).unwrap()
}
