//! Dequantization of the k-quants: 256-element super-blocks with 16 or 8 sub-block scales
//! (llama.cpp `block_q2_K` … `block_q8_K`).
//!
//! Each function walks the super-block in sub-block order and computes, per sub-block, the same
//! f32 scale (and min) products llama.cpp computes before multiplying by the quant, so results
//! are bit-identical. The comments give the byte layout and where each element's bits live.

use super::f16_le;

/// Unpacks sub-block `j`'s 6-bit scale and min from the 12-byte table shared by Q4_K and Q5_K
/// (llama.cpp `get_scale_min_k4`): bytes 0..4 hold scales 0..3 and bytes 4..8 mins 0..3 in
/// their low six bits; sub-blocks 4..7 keep their low four bits in bytes 8..12 (scale low
/// nibble, min high nibble) and their top two bits in the spare top bits of bytes 0..8.
pub(super) fn scale_min_k4(j: usize, s: &[u8; 12]) -> (u8, u8) {
    if j < 4 {
        (s[j] & 63, s[j + 4] & 63)
    } else {
        let sc = (s[j + 4] & 0x0F) | ((s[j - 4] >> 6) << 4);
        let m = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
        (sc, m)
    }
}

fn twelve(s: &[u8]) -> [u8; 12] {
    let mut out = [0; 12];
    for (o, v) in out.iter_mut().zip(s) {
        *o = *v;
    }
    out
}

/// `block_q2_K` (84 bytes): 16 scale bytes (low nibble scale, high nibble min), 64 bytes of
/// 2-bit quants, f16 `d`, f16 `dmin`. Sub-block `is` (16 elements) of 128-element half `h`
/// reads bits `2·((is mod 8) / 2)` of `qs[32h + 16·(is mod 2) + l]`; `x = d·sc·q − dmin·m`.
pub(super) fn q2_k(b: &[u8; 84], y: &mut [f32; 256]) {
    let (scales, qs) = (&b[..16], &b[16..80]);
    let d = f16_le(b[80], b[81]);
    let dmin = f16_le(b[82], b[83]);
    for ((is, ys), &sc) in y.chunks_exact_mut(16).enumerate().zip(scales) {
        let dl = d * f32::from(sc & 0x0F);
        let ml = dmin * f32::from(sc >> 4);
        let base = (is / 8) * 32 + (is % 2) * 16;
        let shift = 2 * ((is % 8) / 2);
        for (y, q) in ys.iter_mut().zip(&qs[base..base + 16]) {
            *y = dl * f32::from((q >> shift) & 3) - ml;
        }
    }
}

/// Q3_K's sixteen 6-bit scales, offset by −32: low nibbles in bytes 0..8 (scales 0..7 low
/// nibble, 8..15 high nibble), top two bits of scale `is` in byte `8 + is mod 4` at bit
/// `2·(is / 4)` (llama.cpp's kmask1/kmask2 shuffle).
fn q3_k_scales(s: &[u8]) -> [i32; 16] {
    let mut out = [0; 16];
    for (is, o) in out.iter_mut().enumerate() {
        let low = if is < 8 { s[is] & 0x0F } else { s[is - 8] >> 4 };
        let high = (s[8 + is % 4] >> (2 * (is / 4))) & 3;
        *o = i32::from(low | (high << 4)) - 32;
    }
    out
}

/// `block_q3_K` (110 bytes): 32 bytes `hmask`, 64 bytes of 2-bit quants, 12 bytes of packed
/// scales, f16 `d`. The low two bits come like Q2_K's; the third bit of element
/// `32·(4h + j) + l` is bit `4h + j` of `hmask[l]`, and a *clear* bit subtracts 4, so
/// `x = d·(sc − 32)·(q − (hbit ? 0 : 4))`.
pub(super) fn q3_k(b: &[u8; 110], y: &mut [f32; 256]) {
    let (hmask, qs) = (&b[..32], &b[32..96]);
    let scales = q3_k_scales(&b[96..108]);
    let d_all = f16_le(b[108], b[109]);
    for ((is, ys), &sc) in y.chunks_exact_mut(16).enumerate().zip(&scales) {
        let dl = d_all * sc as f32;
        let (h, j, g) = (is / 8, (is % 8) / 2, is % 2);
        let shift = 2 * j;
        let bit = 4 * h + j;
        let lows = &qs[h * 32 + g * 16..h * 32 + g * 16 + 16];
        let highs = &hmask[g * 16..g * 16 + 16];
        for ((y, q), hm) in ys.iter_mut().zip(lows).zip(highs) {
            let low = i32::from((q >> shift) & 3);
            let sub = if (hm >> bit) & 1 != 0 { 0 } else { 4 };
            *y = dl * (low - sub) as f32;
        }
    }
}

/// `block_q4_K` (144 bytes): f16 `d`, f16 `dmin`, 12 bytes of 6-bit scales/mins, 128 bytes of
/// nibbles. Sub-block `is` (32 elements) uses the low (even `is`) or high (odd) nibbles of
/// `qs[32·(is/2)..][..32]`; `x = (d·sc)·q − dmin·m`.
pub(super) fn q4_k(b: &[u8; 144], y: &mut [f32; 256]) {
    let d = f16_le(b[0], b[1]);
    let dmin = f16_le(b[2], b[3]);
    let scales = twelve(&b[4..16]);
    let qs = &b[16..144];
    for (is, ys) in y.chunks_exact_mut(32).enumerate() {
        let (sc, m) = scale_min_k4(is, &scales);
        let d1 = d * f32::from(sc);
        let m1 = dmin * f32::from(m);
        let base = (is / 2) * 32;
        let shift = 4 * (is % 2);
        for (y, q) in ys.iter_mut().zip(&qs[base..base + 32]) {
            *y = d1 * f32::from((q >> shift) & 0x0F) - m1;
        }
    }
}

/// `block_q5_K` (176 bytes): Q4_K's header and nibbles (after a 32-byte `qh`); the fifth bit of
/// element `32·is + l` is bit `is` of `qh[l]`; `x = (d·sc)·q − dmin·m`.
pub(super) fn q5_k(b: &[u8; 176], y: &mut [f32; 256]) {
    let d = f16_le(b[0], b[1]);
    let dmin = f16_le(b[2], b[3]);
    let scales = twelve(&b[4..16]);
    let (qh, ql) = (&b[16..48], &b[48..176]);
    for (is, ys) in y.chunks_exact_mut(32).enumerate() {
        let (sc, m) = scale_min_k4(is, &scales);
        let d1 = d * f32::from(sc);
        let m1 = dmin * f32::from(m);
        let base = (is / 2) * 32;
        let shift = 4 * (is % 2);
        for ((y, q), h) in ys.iter_mut().zip(&ql[base..base + 32]).zip(qh) {
            let high = if (h >> is) & 1 != 0 { 16 } else { 0 };
            *y = d1 * f32::from(((q >> shift) & 0x0F) + high) - m1;
        }
    }
}

/// `block_q6_K` (210 bytes): 128 bytes of low nibbles `ql`, 64 bytes of 2-bit highs `qh`,
/// 16 int8 scales, f16 `d`. In 128-element half `h`, quarter `k` (32 elements) takes nibble
/// `k / 2` of `ql[64h + 32·(k mod 2) + l]` and bits `2k` of `qh[32h + l]`; element `e` uses
/// scale `e / 16`; `x = (d·sc)·(q − 32)`.
pub(super) fn q6_k(b: &[u8; 210], y: &mut [f32; 256]) {
    let (ql, qh, scales) = (&b[..128], &b[128..192], &b[192..208]);
    let d = f16_le(b[208], b[209]);
    for (c, ys) in y.chunks_exact_mut(32).enumerate() {
        let (h, k) = (c / 4, c % 4);
        let lows = &ql[h * 64 + (k % 2) * 32..h * 64 + (k % 2) * 32 + 32];
        let highs = &qh[h * 32..h * 32 + 32];
        let (nib, hs) = (4 * (k / 2), 2 * k);
        for (l, ((y, lo), hi)) in ys.iter_mut().zip(lows).zip(highs).enumerate() {
            let q = i32::from(((lo >> nib) & 0x0F) | (((hi >> hs) & 3) << 4)) - 32;
            let sc = scales[c * 2 + l / 16] as i8;
            *y = d * f32::from(sc) * q as f32;
        }
    }
}

/// `block_q8_K` (292 bytes): f32 `d`, 256 int8 quants, 16 i16 block sums (unused here);
/// `x = d·q`.
pub(super) fn q8_k(b: &[u8; 292], y: &mut [f32; 256]) {
    let d = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    for (y, &q) in y.iter_mut().zip(&b[4..260]) {
        *y = d * f32::from(q as i8);
    }
}
