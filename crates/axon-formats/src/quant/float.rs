//! One-element "blocks": plain floats and integers, little-endian.
//!
//! F16 and BF16 widen exactly; F64 and the wide integers round to the nearest f32 (Rust `as`).

use super::{GgmlType, QuantError, to_f16};
use half::bf16;

pub(super) fn f32_block(b: &[u8; 4], y: &mut [f32; 1]) {
    y[0] = f32::from_le_bytes(*b);
}

pub(super) fn f16_block(b: &[u8; 2], y: &mut [f32; 1]) {
    y[0] = super::f16_le(b[0], b[1]);
}

pub(super) fn bf16_block(b: &[u8; 2], y: &mut [f32; 1]) {
    y[0] = bf16::from_bits(u16::from_le_bytes(*b)).to_f32();
}

pub(super) fn f64_block(b: &[u8; 8], y: &mut [f32; 1]) {
    y[0] = f64::from_le_bytes(*b) as f32;
}

pub(super) fn i8_block(b: &[u8; 1], y: &mut [f32; 1]) {
    y[0] = f32::from(i8::from_le_bytes(*b));
}

pub(super) fn i16_block(b: &[u8; 2], y: &mut [f32; 1]) {
    y[0] = f32::from(i16::from_le_bytes(*b));
}

pub(super) fn i32_block(b: &[u8; 4], y: &mut [f32; 1]) {
    y[0] = i32::from_le_bytes(*b) as f32;
}

pub(super) fn i64_block(b: &[u8; 8], y: &mut [f32; 1]) {
    y[0] = i64::from_le_bytes(*b) as f32;
}

pub(super) fn quantize_f32(_: GgmlType, _: usize, x: &[f32; 1]) -> Result<[u8; 4], QuantError> {
    Ok(x[0].to_le_bytes())
}

pub(super) fn quantize_f16(ty: GgmlType, i: usize, x: &[f32; 1]) -> Result<[u8; 2], QuantError> {
    Ok(to_f16(ty, i, x[0])?.to_le_bytes())
}

/// Round to nearest even, as llama.cpp's `ggml_compute_fp32_to_bf16` (NaN is rejected earlier).
pub(super) fn quantize_bf16(ty: GgmlType, i: usize, x: &[f32; 1]) -> Result<[u8; 2], QuantError> {
    let h = bf16::from_f32(x[0]);
    if h.is_finite() {
        Ok(h.to_le_bytes())
    } else {
        Err(QuantError::OutOfRange {
            ty,
            block: i,
            value: x[0],
        })
    }
}
