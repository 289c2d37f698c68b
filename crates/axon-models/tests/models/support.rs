//! Shared test helpers: the device, file locations, a synthetic llama GGUF and reading a
//! matrix column back from the GPU.

use axon_formats::gguf::{GgufFile, GgufWriter, Value};
use axon_formats::quant::{GgmlType, dequantize};
use axon_gpu::Gpu;
use axon_gpu::kernels::Reduction;
use axon_gpu::kernels::matvec::{QuantMatrix, matvec};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The device shared by the tests of this binary (opened once; prints the marker once).
pub fn gpu() -> &'static Gpu {
    static GPU: OnceLock<Gpu> = OnceLock::new();
    GPU.get_or_init(|| match Gpu::new() {
        Ok(gpu) => gpu,
        Err(e) => panic!("GPU tests need a Vulkan adapter: {e}"),
    })
}

/// A committed Hugging Face fixture directory of `axon-reference`.
pub fn hf_fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../axon-reference/tests/fixtures/hf/{name}"))
}

/// A real model file in `models/`; fails (never skips) when it has not been fetched.
pub fn real_model(file: &str) -> GgufFile {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../models")
        .join(file);
    assert!(
        path.exists(),
        "{} is missing: run scripts/fetch-models (scripts/test does)",
        path.display()
    );
    GgufFile::open(&path).unwrap()
}

/// `config.json` of a fixture, parsed.
pub fn fixture_json(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(hf_fixture(name).join("config.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Column `col` of `m` as the GPU decodes it: `m` times a one-hot vector.
pub fn gpu_column(m: &QuantMatrix, col: usize) -> Vec<f32> {
    let gpu = gpu();
    let mut x = vec![0.0; m.cols()];
    x[col] = 1.0;
    let x = gpu.upload_f32("one_hot", &x).unwrap();
    let y = gpu.zeros_f32("column", m.rows()).unwrap();
    let dispatch = matvec(gpu, m, &x, &y, Reduction::preferred(gpu.caps())).unwrap();
    gpu.run("read_column", &[dispatch]).unwrap();
    gpu.read_f32(&y).unwrap()
}

/// Column `col` of a `rows x cols` matrix stored as `ty` (decoded on the CPU).
pub fn cpu_column(ty: GgmlType, data: &[u8], rows: usize, cols: usize, col: usize) -> Vec<f32> {
    let values = dequantize(ty, data, rows * cols).unwrap();
    (0..rows).map(|r| values[r * cols + col]).collect()
}

/// Asserts `got` equals `want` within `tol` times the largest magnitude of `want`.
pub fn assert_close(what: &str, got: &[f32], want: &[f32], tol: f32) {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    let scale = want.iter().fold(0.0f32, |a, v| a.max(v.abs())).max(1e-30);
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * scale,
            "{what}[{i}]: gpu {g} vs source {w} (tol {} )",
            tol * scale
        );
    }
}

/// Deterministic values in [-1, 1) for synthetic tensors.
pub fn values(seed: u32, n: usize) -> Vec<f32> {
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    (0..n)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state as f32 / u32::MAX as f32) * 2.0 - 1.0
        })
        .collect()
}

/// Sizes of [`TinyLlama`]: one layer, embd 32, ff 64, 2 heads of 16, 1 kv head, vocab 8.
pub const EMBD: u64 = 32;
/// FFN width of [`TinyLlama`].
pub const FF: u64 = 64;
/// Key/value width of [`TinyLlama`].
pub const KV: u64 = 16;
/// Vocabulary of [`TinyLlama`].
pub const VOCAB: u64 = 8;

/// A one-layer llama GGUF, every tensor F32 unless changed.
pub struct TinyLlama {
    /// `(name, type, dims innermost first)`.
    pub tensors: Vec<(String, GgmlType, Vec<u64>)>,
    /// Metadata beyond the defaults (replacing them).
    pub metadata: Vec<(String, Value)>,
}

impl TinyLlama {
    /// The default model.
    pub fn new() -> Self {
        let f32 = |name: &str, dims: &[u64]| (name.to_owned(), GgmlType::F32, dims.to_vec());
        Self {
            tensors: vec![
                f32("token_embd.weight", &[EMBD, VOCAB]),
                f32("output_norm.weight", &[EMBD]),
                f32("blk.0.attn_norm.weight", &[EMBD]),
                f32("blk.0.attn_q.weight", &[EMBD, EMBD]),
                f32("blk.0.attn_k.weight", &[EMBD, KV]),
                f32("blk.0.attn_v.weight", &[EMBD, KV]),
                f32("blk.0.attn_output.weight", &[EMBD, EMBD]),
                f32("blk.0.ffn_norm.weight", &[EMBD]),
                f32("blk.0.ffn_gate.weight", &[EMBD, FF]),
                f32("blk.0.ffn_up.weight", &[EMBD, FF]),
                f32("blk.0.ffn_down.weight", &[FF, EMBD]),
            ],
            metadata: Vec::new(),
        }
    }

    /// Drops tensor `name`.
    pub fn without(mut self, name: &str) -> Self {
        self.tensors.retain(|(n, _, _)| n != name);
        self
    }

    /// Changes tensor `name`'s type and dims.
    pub fn with(mut self, name: &str, ty: GgmlType, dims: &[u64]) -> Self {
        let t = self.tensors.iter_mut().find(|(n, _, _)| n == name).unwrap();
        t.1 = ty;
        t.2 = dims.to_vec();
        self
    }

    /// Sets metadata `key`.
    pub fn set(mut self, key: &str, value: Value) -> Self {
        self.metadata.push((key.to_owned(), value));
        self
    }

    /// The file with one more tensor (F32-representable types only).
    pub fn build_with_extra(mut self, name: &str, ty: GgmlType, dims: &[u64]) -> GgufFile {
        self.tensors.push((name.to_owned(), ty, dims.to_vec()));
        self.build()
    }

    /// The file, in memory.
    pub fn build(&self) -> GgufFile {
        let mut w = GgufWriter::new();
        w.set("general.architecture", Value::String("llama".into()))
            .set("llama.block_count", Value::U32(1))
            .set("llama.embedding_length", Value::U32(EMBD as u32))
            .set("llama.feed_forward_length", Value::U32(FF as u32))
            .set("llama.attention.head_count", Value::U32(2))
            .set("llama.attention.head_count_kv", Value::U32(1))
            .set("llama.attention.layer_norm_rms_epsilon", Value::F32(1e-5))
            .set("llama.rope.freq_base", Value::F32(10_000.0))
            .set("llama.vocab_size", Value::U32(VOCAB as u32));
        for (key, value) in &self.metadata {
            w.set(key.clone(), value.clone());
        }
        for (i, (name, ty, dims)) in self.tensors.iter().enumerate() {
            let n = dims.iter().product::<u64>() as usize;
            if axon_formats::quant::can_quantize(*ty) {
                w.add_tensor_f32(name.clone(), *ty, dims, &values(i as u32, n))
                    .unwrap();
            } else {
                w.add_tensor(name.clone(), *ty, dims, raw_blocks(*ty, n, i as u8))
                    .unwrap();
            }
        }
        GgufFile::from_bytes("tiny-llama.gguf", w.to_bytes().unwrap()).unwrap()
    }
}

/// Encoded blocks of a type the writer cannot quantize: each block's leading f16 scale is
/// 1/64 (`0x2400`), the rest arbitrary bytes (valid for IQ4_NL; any bytes for Q8_1).
fn raw_blocks(ty: GgmlType, elements: usize, seed: u8) -> Vec<u8> {
    let blocks = elements / ty.block_len();
    let mut out = Vec::with_capacity(blocks * ty.block_bytes());
    for b in 0..blocks {
        out.extend_from_slice(&[0x00, 0x24]);
        out.extend((2..ty.block_bytes()).map(|i| (i as u8).wrapping_mul(37) ^ (b as u8) ^ seed));
    }
    out
}
