//! Drawing a preset's random values, quantizing them and streaming the file to disk, a batch
//! of row chunks at a time on every core. Values depend only on the seed, the tensor's name
//! and the chunk, never on the number of threads.

use super::SynthError;
use super::tensors::{Init, SynthTensor};
use axon_formats::gguf::{GgufStreamWriter, TensorDecl, Value};
use axon_formats::quant::{GgmlType, quantize};
use std::path::Path;

/// Elements drawn and quantized per chunk (whole rows, so blocks never straddle chunks).
const CHUNK_ELEMENTS: usize = 1 << 20;

/// SplitMix64: a fast, seedable generator.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// FNV-1a of the tensor's name, mixed with the seed and the chunk index.
fn chunk_seed(seed: u64, name: &str, chunk: usize) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for b in name.bytes().chain((chunk as u64).to_le_bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn draw(init: Init, rng: &mut SplitMix, n: usize) -> Vec<f32> {
    match init {
        Init::Constant(v) => vec![v; n],
        Init::Range { lo, hi } => (0..n).map(|_| lo + (hi - lo) * rng.unit()).collect(),
        Init::Random { std } => {
            // Uniform on [-a, a] has std a / sqrt(3).
            let a = std * 3f32.sqrt();
            (0..n).map(|_| a * (2.0 * rng.unit() - 1.0)).collect()
        }
    }
}

/// One chunk of `t` as `ty` bytes.
fn chunk_bytes(
    t: &SynthTensor,
    ty: GgmlType,
    seed: u64,
    chunk: usize,
    elements: usize,
) -> Result<Vec<u8>, SynthError> {
    let mut rng = SplitMix(chunk_seed(seed, &t.name, chunk));
    let values = draw(t.init, &mut rng, elements);
    quantize(ty, &values).map_err(|source| SynthError::Quantize {
        tensor: t.name.clone(),
        source,
    })
}

/// Writes `tensors` (with their types) after `metadata` to `path`, calling `on_tensor(i)` as
/// tensor `i` begins.
pub fn write_file(
    path: &Path,
    metadata: &[(String, Value)],
    tensors: &[(SynthTensor, GgmlType)],
    seed: u64,
    mut on_tensor: impl FnMut(usize),
) -> Result<(), SynthError> {
    let decls = tensors
        .iter()
        .map(|(t, ty)| TensorDecl {
            name: t.name.clone(),
            ty: *ty,
            dims: t.dims.clone(),
        })
        .collect();
    let mut file = GgufStreamWriter::create(path, metadata, decls)?;
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    for (i, (t, ty)) in tensors.iter().enumerate() {
        on_tensor(i);
        let row = t.dims.first().copied().unwrap_or(1) as usize;
        let total: usize = t.dims.iter().product::<u64>() as usize;
        let per_chunk = (CHUNK_ELEMENTS / row.max(1)).max(1) * row;
        let chunks = total.div_ceil(per_chunk.max(1));
        let size = |c: usize| per_chunk.min(total - c * per_chunk);
        for batch in (0..chunks).collect::<Vec<_>>().chunks(threads * 2) {
            let parts: Vec<Result<Vec<u8>, SynthError>> = std::thread::scope(|s| {
                let handles: Vec<_> = batch
                    .iter()
                    .map(|&c| s.spawn(move || chunk_bytes(t, *ty, seed, c, size(c))))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().unwrap_or(Err(SynthError::Worker)))
                    .collect()
            });
            for part in parts {
                file.write_part(&part?)?;
            }
        }
    }
    file.finish()?;
    Ok(())
}
