//! Dequantization of the 32-element block formats (llama.cpp `block_q4_0` … `block_q8_0`).
//!
//! In every format byte `j` of `qs` holds element `j` in its low nibble and element `j + 16` in
//! its high nibble; Q5's fifth bits sit in a little-endian u32 `qh`, bit `i` for element `i`.
//! Products are written `q * d` (+ `m`) in f32, as llama.cpp does, so results are bit-identical.

use super::f16_le;

/// `block_q4_0`: f16 `d`, 16 bytes of nibbles; `x = (q − 8)·d`.
pub(super) fn q4_0(b: &[u8; 18], y: &mut [f32; 32]) {
    let d = f16_le(b[0], b[1]);
    let (lo, hi) = y.split_at_mut(16);
    for ((q, y0), y1) in b[2..].iter().zip(lo).zip(hi) {
        *y0 = (i32::from(q & 0x0F) - 8) as f32 * d;
        *y1 = (i32::from(q >> 4) - 8) as f32 * d;
    }
}

/// `block_q4_1`: f16 `d`, f16 `m`, 16 bytes of nibbles; `x = q·d + m`.
pub(super) fn q4_1(b: &[u8; 20], y: &mut [f32; 32]) {
    let d = f16_le(b[0], b[1]);
    let m = f16_le(b[2], b[3]);
    let (lo, hi) = y.split_at_mut(16);
    for ((q, y0), y1) in b[4..].iter().zip(lo).zip(hi) {
        *y0 = f32::from(q & 0x0F) * d + m;
        *y1 = f32::from(q >> 4) * d + m;
    }
}

/// The fifth bits of elements `j` and `j + 16` from `qh`, already shifted to bit 4.
fn high_bits(qh: u32, j: usize) -> (u8, u8) {
    let h0 = ((qh >> j) & 1) as u8;
    let h1 = ((qh >> (j + 16)) & 1) as u8;
    (h0 << 4, h1 << 4)
}

/// `block_q5_0`: f16 `d`, u32 `qh`, 16 bytes of nibbles; `x = (q − 16)·d`.
pub(super) fn q5_0(b: &[u8; 22], y: &mut [f32; 32]) {
    let d = f16_le(b[0], b[1]);
    let qh = u32::from_le_bytes([b[2], b[3], b[4], b[5]]);
    let (lo, hi) = y.split_at_mut(16);
    for (j, ((q, y0), y1)) in b[6..].iter().zip(lo).zip(hi).enumerate() {
        let (h0, h1) = high_bits(qh, j);
        *y0 = (i32::from((q & 0x0F) | h0) - 16) as f32 * d;
        *y1 = (i32::from((q >> 4) | h1) - 16) as f32 * d;
    }
}

/// `block_q5_1`: f16 `d`, f16 `m`, u32 `qh`, 16 bytes of nibbles; `x = q·d + m`.
pub(super) fn q5_1(b: &[u8; 24], y: &mut [f32; 32]) {
    let d = f16_le(b[0], b[1]);
    let m = f16_le(b[2], b[3]);
    let qh = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
    let (lo, hi) = y.split_at_mut(16);
    for (j, ((q, y0), y1)) in b[8..].iter().zip(lo).zip(hi).enumerate() {
        let (h0, h1) = high_bits(qh, j);
        *y0 = f32::from((q & 0x0F) | h0) * d + m;
        *y1 = f32::from((q >> 4) | h1) * d + m;
    }
}

/// `block_q8_0`: f16 `d`, 32 signed bytes; `x = q·d`.
pub(super) fn q8_0(b: &[u8; 34], y: &mut [f32; 32]) {
    let d = f16_le(b[0], b[1]);
    for (y, &q) in y.iter_mut().zip(&b[2..]) {
        *y = f32::from(q as i8) * d;
    }
}
