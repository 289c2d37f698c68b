//! Quantization to the 32-element block formats, reproducing llama.cpp's reference quantizers
//! (`quantize_row_q4_0_ref` …) bit for bit, so files we write equal llama.cpp's and gguf-py's.
//!
//! The scale is computed in f32 and quantized against in f32, then stored as f16 (round to
//! nearest even); that f16 rounding is part of the documented error bound.

use super::{GgmlType, QuantError, to_f16};

/// The signed value of largest magnitude (the first one on ties), as llama.cpp picks it.
fn signed_absmax(x: &[f32; 32]) -> f32 {
    let mut amax = 0.0f32;
    let mut max = 0.0f32;
    for &v in x {
        if amax < v.abs() {
            amax = v.abs();
            max = v;
        }
    }
    max
}

fn min_max(x: &[f32; 32]) -> (f32, f32) {
    x.iter()
        .fold((f32::MAX, -f32::MAX), |(lo, hi), &v| (lo.min(v), hi.max(v)))
}

fn inverse(d: f32) -> f32 {
    if d != 0.0 { 1.0 / d } else { 0.0 }
}

/// Truncating float-to-level conversion clamped to `0..=top`, as llama.cpp's
/// `MIN(top, (int8_t)(v))` on the non-negative values it produces.
fn level(v: f32, top: i32) -> u8 {
    (v as i32).clamp(0, top) as u8
}

/// Packs 32 five-bit levels: low nibbles into `qs` (element j low, j + 16 high) and the fifth
/// bits into the little-endian u32 `qh`, bit `i` for element `i`.
fn pack5(levels: &[u8; 32], qh: &mut [u8], qs: &mut [u8]) {
    let mut bits = 0u32;
    for (i, l) in levels.iter().enumerate() {
        bits |= u32::from((l >> 4) & 1) << i;
    }
    for (o, v) in qh.iter_mut().zip(bits.to_le_bytes()) {
        *o = v;
    }
    let (lo, hi) = levels.split_at(16);
    for ((o, a), b) in qs.iter_mut().zip(lo).zip(hi) {
        *o = (a & 0x0F) | ((b & 0x0F) << 4);
    }
}

fn pack4(levels: &[u8; 32], qs: &mut [u8]) {
    let (lo, hi) = levels.split_at(16);
    for ((o, a), b) in qs.iter_mut().zip(lo).zip(hi) {
        *o = a | (b << 4);
    }
}

/// llama.cpp `quantize_row_q4_0_ref`: `d = max / −8`, level `min(15, trunc(x/d + 8.5))`.
pub(super) fn q4_0(ty: GgmlType, blk: usize, x: &[f32; 32]) -> Result<[u8; 18], QuantError> {
    let d = signed_absmax(x) / -8.0;
    let id = inverse(d);
    let mut out = [0u8; 18];
    out[..2].copy_from_slice(&to_f16(ty, blk, d)?.to_le_bytes());
    let levels = x.map(|v| level(v * id + 8.5, 15));
    pack4(&levels, &mut out[2..]);
    Ok(out)
}

/// llama.cpp `quantize_row_q4_1_ref`: `d = (max − min)/15`, `m = min`,
/// level `min(15, trunc((x − min)/d + 0.5))`.
pub(super) fn q4_1(ty: GgmlType, blk: usize, x: &[f32; 32]) -> Result<[u8; 20], QuantError> {
    let (min, max) = min_max(x);
    let d = (max - min) / 15.0;
    let id = inverse(d);
    let mut out = [0u8; 20];
    out[..2].copy_from_slice(&to_f16(ty, blk, d)?.to_le_bytes());
    out[2..4].copy_from_slice(&to_f16(ty, blk, min)?.to_le_bytes());
    let levels = x.map(|v| level((v - min) * id + 0.5, 15));
    pack4(&levels, &mut out[4..]);
    Ok(out)
}

/// llama.cpp `quantize_row_q5_0_ref`: `d = max / −16`, level `min(31, trunc(x/d + 16.5))`.
pub(super) fn q5_0(ty: GgmlType, blk: usize, x: &[f32; 32]) -> Result<[u8; 22], QuantError> {
    let d = signed_absmax(x) / -16.0;
    let id = inverse(d);
    let mut out = [0u8; 22];
    out[..2].copy_from_slice(&to_f16(ty, blk, d)?.to_le_bytes());
    let levels = x.map(|v| level(v * id + 16.5, 31));
    let (qh, qs) = out[2..].split_at_mut(4);
    pack5(&levels, qh, qs);
    Ok(out)
}

/// llama.cpp `quantize_row_q5_1_ref`: `d = (max − min)/31`, `m = min`,
/// level `trunc((x − min)/d + 0.5)` (at most 31).
pub(super) fn q5_1(ty: GgmlType, blk: usize, x: &[f32; 32]) -> Result<[u8; 24], QuantError> {
    let (min, max) = min_max(x);
    let d = (max - min) / 31.0;
    let id = inverse(d);
    let mut out = [0u8; 24];
    out[..2].copy_from_slice(&to_f16(ty, blk, d)?.to_le_bytes());
    out[2..4].copy_from_slice(&to_f16(ty, blk, min)?.to_le_bytes());
    let levels = x.map(|v| level((v - min) * id + 0.5, 31));
    let (qh, qs) = out[4..].split_at_mut(4);
    pack5(&levels, qh, qs);
    Ok(out)
}

/// llama.cpp `quantize_row_q8_0_ref`: `d = amax/127`, `q = round(x/d)` (half away from zero).
pub(super) fn q8_0(ty: GgmlType, blk: usize, x: &[f32; 32]) -> Result<[u8; 34], QuantError> {
    let amax = x.iter().fold(0.0f32, |a, v| a.max(v.abs()));
    let d = amax / 127.0;
    let id = inverse(d);
    let mut out = [0u8; 34];
    out[..2].copy_from_slice(&to_f16(ty, blk, d)?.to_le_bytes());
    for (o, &v) in out[2..].iter_mut().zip(x) {
        *o = ((v * id).round() as i8) as u8;
    }
    Ok(out)
}
