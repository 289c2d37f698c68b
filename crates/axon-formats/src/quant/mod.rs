//! Quantized block formats: type table, CPU dequantization, and quantization for the types the
//! GGUF writer emits.
//!
//! Dequantization is bit-exact with llama.cpp's `dequantize_row_*` (`ggml/src/ggml-quants.c`):
//! the same block layouts and the same f32 operations in the same order, so every value equals
//! what llama.cpp and the `gguf` Python package produce (for llama.cpp: built without FMA
//! contraction; a compiler that fuses `q·d + m` can differ in the last bit). Quantization of
//! the 32-element formats reproduces llama.cpp's reference quantizers bit for bit; Q4_K and
//! Q6_K use a simpler min/max construction with a proven error bound (see [`quantize`]).

mod float;
mod iquants;
mod kquants;
mod quantize_k;
mod quantize_simple;
mod simple;
pub mod types;

pub use iquants::KVALUES_IQ4NL;
pub use types::GgmlType;

use half::f16;

/// Which way a conversion goes, for [`QuantError::Unsupported`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantOp {
    /// Blocks to f32.
    Dequantize,
    /// f32 to blocks.
    Quantize,
}

impl std::fmt::Display for QuantOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            QuantOp::Dequantize => "dequantization",
            QuantOp::Quantize => "quantization",
        })
    }
}

/// Why a quantization or dequantization was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QuantError {
    /// The type has no implementation in this direction.
    #[error("{op} of {ty} is not supported")]
    Unsupported {
        /// The type asked for.
        ty: GgmlType,
        /// The direction asked for.
        op: QuantOp,
    },
    /// The byte count does not match the element count.
    #[error("{ty}: {elements} elements take {expected_bytes} bytes, got {got_bytes}")]
    SizeMismatch {
        /// The type.
        ty: GgmlType,
        /// Elements asked for.
        elements: usize,
        /// Bytes those elements take.
        expected_bytes: usize,
        /// Bytes given.
        got_bytes: usize,
    },
    /// The element count is not a whole number of blocks.
    #[error("{ty}: {elements} elements are not a whole number of {block_len}-element blocks")]
    RaggedBlocks {
        /// The type.
        ty: GgmlType,
        /// Elements asked for.
        elements: usize,
        /// Elements per block.
        block_len: usize,
    },
    /// The byte size of `elements` values overflows `usize`.
    #[error("{ty}: {elements} elements overflow the addressable size")]
    TooLarge {
        /// The type.
        ty: GgmlType,
        /// Elements asked for.
        elements: usize,
    },
    /// An input value to quantize is NaN or infinite.
    #[error("{ty}: input element {index} is {value}, which is not finite")]
    NonFinite {
        /// The target type.
        ty: GgmlType,
        /// Index of the first bad element.
        index: usize,
        /// Its value.
        value: f32,
    },
    /// A block's values need a scale (or, for F16/BF16, a value) the format cannot hold.
    #[error("{ty}: block {block} needs {value}, beyond the format's range")]
    OutOfRange {
        /// The target type.
        ty: GgmlType,
        /// Index of the block (the element index for one-element types such as F16).
        block: usize,
        /// The scale or value that does not fit.
        value: f32,
    },
}

/// Whether [`dequantize`] handles `ty`.
pub fn can_dequantize(ty: GgmlType) -> bool {
    use GgmlType as T;
    matches!(
        ty,
        T::F32
            | T::F16
            | T::BF16
            | T::F64
            | T::I8
            | T::I16
            | T::I32
            | T::I64
            | T::Q4_0
            | T::Q4_1
            | T::Q5_0
            | T::Q5_1
            | T::Q8_0
            | T::Q2K
            | T::Q3K
            | T::Q4K
            | T::Q5K
            | T::Q6K
            | T::Q8K
            | T::Iq4Nl
            | T::Iq4Xs
    )
}

/// Whether [`quantize`] handles `ty`.
pub fn can_quantize(ty: GgmlType) -> bool {
    use GgmlType as T;
    matches!(
        ty,
        T::F32
            | T::F16
            | T::BF16
            | T::Q4_0
            | T::Q4_1
            | T::Q5_0
            | T::Q5_1
            | T::Q8_0
            | T::Q4K
            | T::Q5K
            | T::Q6K
    )
}

/// Bytes taken by `elements` values of `ty`, as a typed error when ragged or overflowing.
pub fn byte_len(ty: GgmlType, elements: usize) -> Result<usize, QuantError> {
    let block_len = ty.block_len();
    if !elements.is_multiple_of(block_len) {
        return Err(QuantError::RaggedBlocks {
            ty,
            elements,
            block_len,
        });
    }
    (elements / block_len)
        .checked_mul(ty.block_bytes())
        .ok_or(QuantError::TooLarge { ty, elements })
}

fn check_sizes(ty: GgmlType, elements: usize, got_bytes: usize) -> Result<(), QuantError> {
    if !can_dequantize(ty) {
        return Err(QuantError::Unsupported {
            ty,
            op: QuantOp::Dequantize,
        });
    }
    let expected_bytes = byte_len(ty, elements)?;
    if expected_bytes != got_bytes {
        return Err(QuantError::SizeMismatch {
            ty,
            elements,
            expected_bytes,
            got_bytes,
        });
    }
    Ok(())
}

/// Decodes `elements` values of type `ty` from `bytes`, which must hold exactly that many.
pub fn dequantize(ty: GgmlType, bytes: &[u8], elements: usize) -> Result<Vec<f32>, QuantError> {
    // Validate before allocating, so the allocation is bounded by the input's size.
    check_sizes(ty, elements, bytes.len())?;
    let mut out = vec![0.0; elements];
    dequantize_into(ty, bytes, &mut out)?;
    Ok(out)
}

/// Decodes `out.len()` values of type `ty` from `bytes` into `out`; `bytes` must hold exactly
/// that many.
pub fn dequantize_into(ty: GgmlType, bytes: &[u8], out: &mut [f32]) -> Result<(), QuantError> {
    use GgmlType as T;
    check_sizes(ty, out.len(), bytes.len())?;
    match ty {
        T::F32 => for_each_block(bytes, out, float::f32_block),
        T::F16 => for_each_block(bytes, out, float::f16_block),
        T::BF16 => for_each_block(bytes, out, float::bf16_block),
        T::F64 => for_each_block(bytes, out, float::f64_block),
        T::I8 => for_each_block(bytes, out, float::i8_block),
        T::I16 => for_each_block(bytes, out, float::i16_block),
        T::I32 => for_each_block(bytes, out, float::i32_block),
        T::I64 => for_each_block(bytes, out, float::i64_block),
        T::Q4_0 => for_each_block(bytes, out, simple::q4_0),
        T::Q4_1 => for_each_block(bytes, out, simple::q4_1),
        T::Q5_0 => for_each_block(bytes, out, simple::q5_0),
        T::Q5_1 => for_each_block(bytes, out, simple::q5_1),
        T::Q8_0 => for_each_block(bytes, out, simple::q8_0),
        T::Q2K => for_each_block(bytes, out, kquants::q2_k),
        T::Q3K => for_each_block(bytes, out, kquants::q3_k),
        T::Q4K => for_each_block(bytes, out, kquants::q4_k),
        T::Q5K => for_each_block(bytes, out, kquants::q5_k),
        T::Q6K => for_each_block(bytes, out, kquants::q6_k),
        T::Q8K => for_each_block(bytes, out, kquants::q8_k),
        T::Iq4Nl => for_each_block(bytes, out, iquants::iq4_nl),
        T::Iq4Xs => for_each_block(bytes, out, iquants::iq4_xs),
        _ => {
            return Err(QuantError::Unsupported {
                ty,
                op: QuantOp::Dequantize,
            });
        }
    }
    Ok(())
}

/// Encodes `values` as type `ty`.
///
/// F32 is exact; F16 and BF16 round to nearest even (error at most half an ulp). Q4_0, Q4_1,
/// Q5_0, Q5_1 and Q8_0 reproduce llama.cpp's `quantize_row_*_ref` bit for bit; Q4_K and Q6_K
/// use a direct min/max construction (not llama.cpp's iterative search).
///
/// Error bounds per value `x` returned as `x̂` (the property tests check exactly these). `amax`
/// is the block's largest magnitude; the f16 rounding of a scale is at most 2⁻¹¹ relative, or
/// 2⁻²⁵ absolute when subnormal; f32 rounding adds a few ulps on top.
///
/// - Q8_0: `amax/254 + amax/2048 + 127·2⁻²⁵`: half a step of `d = amax/127`, plus the f16
///   rounding of `d` times at most 127 steps.
/// - Q4_0 (Q5_0): `amax/8 + amax/2048 + 8·2⁻²⁵` (`amax/16 + amax/2048 + 16·2⁻²⁵`): llama.cpp
///   maps the signed extreme to level −8 (−16), so the opposite extreme clips a full step.
/// - Q4_1 (Q5_1), with `r = max − min` of the block: `r/30 + r/2048 + |min|/2048 + 15·2⁻²⁴`
///   (`r/62 + … + 31·2⁻²⁴`): half a step, the f16 rounding of the step times at most 15 (31)
///   steps, and the f16 rounding of the stored minimum.
/// - Q4_K, for element `x` of 32-element sub-block `j`, with `lo_j = min(0, min_j)`,
///   `R_j = max_j − lo_j`, `R = max R_j`, `M = max(−lo_j)` over the super-block:
///   `R_j/30 + (R + M)/1800 + 2⁻²⁴`. Each sub-block's step and offset are rounded *up* to the
///   6-bit grid of super-scales that are themselves rounded up to f16, so the range stays
///   covered: the offset overshoots by under `dmin ≤ M/63`, the step by under `d ≤ S/63` with
///   `S ≤ (R + dmin)/15`; half the resulting step is the bound.
/// - Q6_K, for element `x` of 16-element sub-block `j`, with `a_j` its largest magnitude and
///   `A` the super-block's: `a_j/62 + A/7800 + 2⁻²⁴`: levels ±31 with step `a_j/31` rounded up
///   to a multiple of `d ≤ A/(31·127)`.
///
/// Errors: [`QuantError::NonFinite`] for NaN/inf input, [`QuantError::OutOfRange`] when a block
/// needs a scale beyond f16 (or an F16/BF16 value overflows), [`QuantError::RaggedBlocks`] when
/// `values` is not a whole number of blocks, [`QuantError::Unsupported`] for other types.
pub fn quantize(ty: GgmlType, values: &[f32]) -> Result<Vec<u8>, QuantError> {
    use GgmlType as T;
    if !can_quantize(ty) {
        return Err(QuantError::Unsupported {
            ty,
            op: QuantOp::Quantize,
        });
    }
    if let Some((index, &value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(QuantError::NonFinite { ty, index, value });
    }
    let bytes = byte_len(ty, values.len())?;
    let mut out = Vec::with_capacity(bytes);
    match ty {
        T::F32 => encode_blocks(ty, values, &mut out, float::quantize_f32)?,
        T::F16 => encode_blocks(ty, values, &mut out, float::quantize_f16)?,
        T::BF16 => encode_blocks(ty, values, &mut out, float::quantize_bf16)?,
        T::Q4_0 => encode_blocks(ty, values, &mut out, quantize_simple::q4_0)?,
        T::Q4_1 => encode_blocks(ty, values, &mut out, quantize_simple::q4_1)?,
        T::Q5_0 => encode_blocks(ty, values, &mut out, quantize_simple::q5_0)?,
        T::Q5_1 => encode_blocks(ty, values, &mut out, quantize_simple::q5_1)?,
        T::Q8_0 => encode_blocks(ty, values, &mut out, quantize_simple::q8_0)?,
        T::Q4K => encode_blocks(ty, values, &mut out, quantize_k::q4_k)?,
        T::Q5K => encode_blocks(ty, values, &mut out, quantize_k::q5_k)?,
        T::Q6K => encode_blocks(ty, values, &mut out, quantize_k::q6_k)?,
        _ => {
            return Err(QuantError::Unsupported {
                ty,
                op: QuantOp::Quantize,
            });
        }
    }
    Ok(out)
}

/// Calls `f` on each `B`-byte block and its `L` output values. Callers have checked the sizes,
/// so every chunk converts; a short tail (impossible here) would be skipped, never a panic.
fn for_each_block<const B: usize, const L: usize>(
    bytes: &[u8],
    out: &mut [f32],
    mut f: impl FnMut(&[u8; B], &mut [f32; L]),
) {
    for (b, y) in bytes.chunks_exact(B).zip(out.chunks_exact_mut(L)) {
        if let (Ok(b), Ok(y)) = (<&[u8; B]>::try_from(b), <&mut [f32; L]>::try_from(y)) {
            f(b, y);
        }
    }
}

/// Quantizes each `L`-value block with `f` (which gets the block index) and appends its bytes.
fn encode_blocks<const L: usize, const B: usize>(
    ty: GgmlType,
    values: &[f32],
    out: &mut Vec<u8>,
    mut f: impl FnMut(GgmlType, usize, &[f32; L]) -> Result<[u8; B], QuantError>,
) -> Result<(), QuantError> {
    for (i, x) in values.chunks_exact(L).enumerate() {
        if let Ok(x) = <&[f32; L]>::try_from(x) {
            out.extend_from_slice(&f(ty, i, x)?);
        }
    }
    Ok(())
}

/// The f32 value of the little-endian f16 in `lo`, `hi`.
fn f16_le(lo: u8, hi: u8) -> f32 {
    f16::from_bits(u16::from_le_bytes([lo, hi])).to_f32()
}

/// `v` rounded to f16 (nearest even), or [`QuantError::OutOfRange`] when it overflows.
fn to_f16(ty: GgmlType, block: usize, v: f32) -> Result<f16, QuantError> {
    let h = f16::from_f32(v);
    if h.is_finite() {
        Ok(h)
    } else {
        Err(QuantError::OutOfRange {
            ty,
            block,
            value: v,
        })
    }
}

/// The smallest f16 not below `v` (for `v >= 0`), so a scale rounded to f16 still covers the
/// range it was computed for; [`QuantError::OutOfRange`] when that is beyond f16.
fn f16_at_least(ty: GgmlType, block: usize, v: f32) -> Result<f16, QuantError> {
    let h = to_f16(ty, block, v)?;
    let h = if h.to_f32() < v {
        f16::from_bits(h.to_bits().wrapping_add(1))
    } else {
        h
    };
    if h.is_finite() {
        Ok(h)
    } else {
        Err(QuantError::OutOfRange {
            ty,
            block,
            value: v,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_supported_type_decodes_one_zero_block() {
        for ty in GgmlType::all().filter(|t| can_dequantize(*t)) {
            let out = dequantize(ty, &vec![0; ty.block_bytes()], ty.block_len()).unwrap();
            assert_eq!(out.len(), ty.block_len(), "{ty}");
            assert!(out.iter().all(|v| *v == 0.0), "{ty}");
        }
    }

    #[test]
    fn every_quantizable_type_round_trips_zeros() {
        for ty in GgmlType::all().filter(|t| can_quantize(*t)) {
            let bytes = quantize(ty, &vec![0.0; 2 * ty.block_len()]).unwrap();
            assert_eq!(bytes.len(), 2 * ty.block_bytes(), "{ty}");
            let back = dequantize(ty, &bytes, 2 * ty.block_len()).unwrap();
            assert!(back.iter().all(|v| *v == 0.0), "{ty}: {back:?}");
        }
    }

    #[test]
    fn f16_at_least_rounds_up() {
        let t = GgmlType::Q4K;
        let v = 1.0f32 + 1e-4;
        let h = f16_at_least(t, 0, v).unwrap();
        assert!(h.to_f32() >= v && h.to_f32() < v + 2e-3);
        assert_eq!(f16_at_least(t, 0, 0.0).unwrap().to_f32(), 0.0);
        assert!(f16_at_least(t, 0, 1e-30).unwrap().to_f32() > 0.0);
        assert_eq!(f16_at_least(t, 0, 65504.0).unwrap().to_f32(), 65504.0);
        assert!(f16_at_least(t, 3, 65505.0).is_err());
    }
}
