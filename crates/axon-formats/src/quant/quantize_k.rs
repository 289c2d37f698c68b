//! Quantization to Q4_K, Q5_K and Q6_K: a direct min/max construction (not llama.cpp's iterative
//! search) whose error has a simple proven bound.
//!
//! The idea for both: compute each sub-block's ideal step, store the super-block scale as the
//! smallest f16 *not below* the largest step over 63 (127), and round every sub-block scale
//! *up*. The quantized step then still covers the sub-block's range, so each value is at most
//! half a quantized step away from its level, and a quantized step exceeds the ideal one by at
//! most one super-block scale unit. Values are quantized against the stored (quantized) scales,
//! with the same f32 products the dequantizer computes.
//!
//! Bounds, per element `x` of sub-block `j` (ignoring f32 rounding, a few ulps):
//!
//! - **Q4_K** (8 sub-blocks of 32, `x̂ = d·sc_j·q − dmin·m_j`, `q ∈ 0..=15`): with
//!   `lo_j = min(0, min_j)`, `R_j = max_j − lo_j`, `R = max R_j`, `M = max(−lo_j)`:
//!   `dmin ≤ M/63 + u`, the stored offset `dmin·m_j` undershoots `lo_j` by less than `dmin`, so
//!   the step needed is `s_j ≤ (R_j + dmin)/15`; `d ≤ max s_j/63 + u` and the quantized step is
//!   `< s_j + d`. Hence `|x − x̂| ≤ R_j/30 + dmin/30 + d/2 ≤ R_j/30 + (R + M)/1800 + u`, where
//!   `u` is one f16 step above the scale (relative `2⁻¹⁰`, absolute `2⁻²⁴` when subnormal).
//! - **Q6_K** (16 sub-blocks of 16, `x̂ = d·sc_j·q`, `q ∈ −32..=31`, `sc_j ∈ 0..=127`): with
//!   `a_j` the sub-block's largest magnitude and `A` the super-block's, the ideal step is
//!   `a_j/31` (levels ±31, symmetric), `d ≤ A/(31·127) + u`, so
//!   `|x − x̂| ≤ a_j/62 + d/2 ≤ a_j/62 + A/7800 + u`.

use super::{GgmlType, QuantError, f16_at_least};

/// `ceil(v / unit)` clamped to `0..=top`, or 0 when `unit` is 0 (then every `v` is 0 too).
fn steps_up(v: f32, unit: f32, top: u8) -> u8 {
    if unit > 0.0 {
        (v / unit).ceil().clamp(0.0, f32::from(top)) as u8
    } else {
        0
    }
}

/// Inverse of llama.cpp's `get_scale_min_k4` (`kquants::scale_min_k4`).
fn pack_scale_min_k4(sc: &[u8; 8], m: &[u8; 8]) -> [u8; 12] {
    let mut s = [0u8; 12];
    let (s_lo, rest) = s.split_at_mut(4);
    let (m_lo, both) = rest.split_at_mut(4);
    for j in 0..4 {
        let (hi_sc, hi_m) = (sc[j + 4], m[j + 4]);
        s_lo[j] = sc[j] | ((hi_sc >> 4) << 6);
        m_lo[j] = m[j] | ((hi_m >> 4) << 6);
        both[j] = (hi_sc & 0x0F) | ((hi_m & 0x0F) << 4);
    }
    s
}

/// Q4_K's and Q5_K's 16 header bytes and what they give each 32-element sub-block.
struct ScaleMinHeader {
    bytes: [u8; 16],
    /// Quantized step `d·sc_j`.
    step: [f32; 8],
    /// Quantized offset `dmin·m_j`.
    offset: [f32; 8],
}

/// The header shared by Q4_K and Q5_K: per sub-block a 6-bit scale `sc_j` and min `m_j`
/// against f16 super-scales `d` and `dmin`, for codes `0..=levels`.
fn scale_min_header(
    ty: GgmlType,
    blk: usize,
    x: &[f32; 256],
    levels: f32,
) -> Result<ScaleMinHeader, QuantError> {
    // The min is clamped to <= 0 so every stored min m_j is non-negative with dmin >= 0.
    let mut lo = [0f32; 8];
    let mut hi = [0f32; 8];
    for ((sub, l), h) in x.chunks_exact(32).zip(&mut lo).zip(&mut hi) {
        *l = sub.iter().fold(0.0f32, |a, &v| a.min(v));
        *h = sub.iter().fold(f32::NEG_INFINITY, |a, &v| a.max(v));
    }
    let neg_min = lo.iter().fold(0.0f32, |a, &v| a.max(-v));
    let dmin = f16_at_least(ty, blk, neg_min / 63.0)?;
    let dminf = dmin.to_f32();
    let m = lo.map(|l| steps_up(-l, dminf, 63));
    let m1 = m.map(|m| dminf * f32::from(m));

    let mut need = [0f32; 8];
    for ((n, h), off) in need.iter_mut().zip(hi).zip(m1) {
        *n = (h + off) / levels;
    }
    let d = f16_at_least(ty, blk, need.iter().fold(0.0f32, |a, &v| a.max(v)) / 63.0)?;
    let df = d.to_f32();
    let sc = need.map(|n| steps_up(n, df, 63));
    let d1 = sc.map(|s| df * f32::from(s));

    let mut bytes = [0u8; 16];
    bytes[..2].copy_from_slice(&d.to_le_bytes());
    bytes[2..4].copy_from_slice(&dmin.to_le_bytes());
    bytes[4..].copy_from_slice(&pack_scale_min_k4(&sc, &m));
    Ok(ScaleMinHeader {
        bytes,
        step: d1,
        offset: m1,
    })
}

/// The code of `v` for a sub-block with this quantized step and offset.
fn code(v: f32, step: f32, off: f32, levels: f32) -> u8 {
    if step > 0.0 {
        ((v + off) / step).round().clamp(0.0, levels) as u8
    } else {
        0
    }
}

/// One Q4_K super-block (see the module docs for the construction and bound).
pub(super) fn q4_k(ty: GgmlType, blk: usize, x: &[f32; 256]) -> Result<[u8; 144], QuantError> {
    let h = scale_min_header(ty, blk, x, 15.0)?;
    let mut out = [0u8; 144];
    out[..16].copy_from_slice(&h.bytes);
    let qs = &mut out[16..];
    for (j, sub) in x.chunks_exact(32).enumerate() {
        let shift = 4 * (j % 2);
        for (o, &v) in qs[(j / 2) * 32..(j / 2) * 32 + 32].iter_mut().zip(sub) {
            *o |= code(v, h.step[j], h.offset[j], 15.0) << shift;
        }
    }
    Ok(out)
}

/// One Q5_K super-block: Q4_K's construction with 32 levels (`q ∈ 0..=31`), so the bound
/// is Q4_K's with 31 in place of 15: `|x − x̂| ≤ R_j/62 + (R + M)/3844 + u`.
pub(super) fn q5_k(ty: GgmlType, blk: usize, x: &[f32; 256]) -> Result<[u8; 176], QuantError> {
    let h = scale_min_header(ty, blk, x, 31.0)?;
    let mut out = [0u8; 176];
    out[..16].copy_from_slice(&h.bytes);
    let (qh, ql) = out[16..].split_at_mut(32);
    for (j, sub) in x.chunks_exact(32).enumerate() {
        let shift = 4 * (j % 2);
        let lows = &mut ql[(j / 2) * 32..(j / 2) * 32 + 32];
        for ((o, high), &v) in lows.iter_mut().zip(qh.iter_mut()).zip(sub) {
            let q = code(v, h.step[j], h.offset[j], 31.0);
            *o |= (q & 0x0F) << shift;
            *high |= (q >> 4) << j;
        }
    }
    Ok(out)
}

/// One Q6_K super-block (see the module docs for the construction and bound).
pub(super) fn q6_k(ty: GgmlType, blk: usize, x: &[f32; 256]) -> Result<[u8; 210], QuantError> {
    let mut step = [0f32; 16];
    for (sub, s) in x.chunks_exact(16).zip(&mut step) {
        *s = sub.iter().fold(0.0f32, |a, v| a.max(v.abs())) / 31.0;
    }
    let d = f16_at_least(ty, blk, step.iter().fold(0.0f32, |a, &v| a.max(v)) / 127.0)?;
    let df = d.to_f32();
    let sc = step.map(|s| steps_up(s, df, 127));
    let eff = sc.map(|s| df * f32::from(s));

    let mut out = [0u8; 210];
    let (ql, rest) = out.split_at_mut(128);
    let (qh, rest) = rest.split_at_mut(64);
    let (scales, dd) = rest.split_at_mut(16);
    for (e, &v) in x.iter().enumerate() {
        let s = eff[e / 16];
        let q = if s > 0.0 {
            (v / s).round().clamp(-32.0, 31.0) as i32
        } else {
            0
        };
        // q + 32 is in 0..=63: low nibble to ql, top two bits to qh (layout in kquants::q6_k).
        let u = (q + 32) as u8;
        let (h, k, l) = (e / 128, (e % 128) / 32, e % 32);
        ql[h * 64 + (k % 2) * 32 + l] |= (u & 0x0F) << (4 * (k / 2));
        qh[h * 32 + l] |= (u >> 4) << (2 * k);
    }
    for (o, s) in scales.iter_mut().zip(sc) {
        *o = s;
    }
    dd.copy_from_slice(&d.to_le_bytes());
    Ok(out)
}
