//! Projection weights and how a decode step multiplies them: by x as it is, or by x quantized
//! to 8-bit blocks, as the GPU's integer-dot kernels do (`matvec_q8`) for weights of the
//! formats they take once their rows are wide enough (`ReferenceOptions::int8_min_cols`).

use super::error::ModelError;
use super::weights::load;
use crate::ops::linear::linear;
use crate::ops::quantize_q8::quantize_q8;
use axon_formats::gguf::GgufFile;
use axon_formats::quant::GgmlType;

/// The weight formats whose decode projections take an 8-bit x on the GPU (the GPU crate's
/// `MATVEC_Q8_TYPES`; its tests compare the two lists).
pub const INT8_X_TYPES: [GgmlType; 8] = [
    GgmlType::Q4K,
    GgmlType::Q6K,
    GgmlType::Q8_0,
    GgmlType::Q5K,
    GgmlType::Q4_0,
    GgmlType::Q4_1,
    GgmlType::Q5_0,
    GgmlType::Iq4Xs,
];

/// A `[rows, cols]` weight matrix (dequantized) and whether decode multiplies it by an 8-bit x.
#[derive(Debug, Clone)]
pub struct Projection {
    /// The weights, row after row.
    pub w: Vec<f32>,
    /// Decode (`int8` calls of [`Projection::apply`]) quantizes x first.
    pub int8_x: bool,
}

impl Projection {
    /// Weights multiplied by x as it is in every call.
    pub fn f32(w: Vec<f32>) -> Self {
        Self { w, int8_x: false }
    }

    /// `W x`; in a decode step (`int8`) of an 8-bit-x projection, `W` times x's 8-bit blocks
    /// dequantized (what `matvec_q8` computes).
    pub fn apply(&self, x: &[f32], int8: bool) -> Vec<f32> {
        multiply(&self.w, x, int8 && self.int8_x)
    }
}

/// `W x`, or with `int8_x` `W` times x's 8-bit blocks dequantized: [`Projection::apply`] for
/// weights kept elsewhere (a tied head's embedding table).
pub(crate) fn multiply(w: &[f32], x: &[f32], int8_x: bool) -> Vec<f32> {
    if int8_x {
        linear(w, &quantize_q8(x).dequantize())
    } else {
        linear(w, x)
    }
}

/// Options of a reference model that follow the GPU engine's choices.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReferenceOptions {
    /// Decode steps multiply weights of [`INT8_X_TYPES`] with at least this many columns by
    /// an 8-bit x (the engine's `EngineOptions::matvec_q8`); `None`: every projection by x as
    /// it is.
    pub int8_min_cols: Option<usize>,
    /// The KV cache keeps keys and values as IEEE halves (the engine's
    /// `EngineOptions::kv_cache` of `KvType::F16`): each is rounded as it is stored
    /// (`ops::kv_cache`).
    pub kv_f16: bool,
}

impl ReferenceOptions {
    /// Whether a matrix of `ty` with `cols` columns takes an 8-bit x in decode.
    pub fn int8_x(&self, ty: GgmlType, cols: u64) -> bool {
        self.int8_min_cols
            .is_some_and(|min| cols >= min as u64 && INT8_X_TYPES.contains(&ty))
    }
}

/// Loads GGUF tensor `name` (dims innermost first: columns, then rows) as a projection.
pub(crate) fn load_projection(
    file: &GgufFile,
    name: &str,
    dims: &[u64],
    options: ReferenceOptions,
) -> Result<Projection, ModelError> {
    let w = load(file, name, dims)?;
    let ty = file.tensor(name)?.info.ty;
    Ok(Projection {
        w,
        int8_x: options.int8_x(ty, dims[0]),
    })
}
