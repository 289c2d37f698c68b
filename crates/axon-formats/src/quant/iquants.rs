//! Dequantization of the non-linear 4-bit i-quants (llama.cpp `block_iq4_nl`, `block_iq4_xs`):
//! each nibble indexes llama.cpp's `kvalues_iq4nl` table instead of being a linear level.

use super::f16_le;

/// llama.cpp's `kvalues_iq4nl`: the 16 levels a 4-bit IQ4 index selects.
pub const KVALUES_IQ4NL: [i8; 16] = [
    -127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113,
];

fn level(nibble: u8) -> f32 {
    f32::from(KVALUES_IQ4NL[usize::from(nibble & 0x0F)])
}

/// `block_iq4_nl` (18 bytes): f16 `d`, 16 bytes of nibbles (element `j` low, `j + 16` high);
/// `x = d·kvalues[q]`.
pub(super) fn iq4_nl(b: &[u8; 18], y: &mut [f32; 32]) {
    let d = f16_le(b[0], b[1]);
    let (lo, hi) = y.split_at_mut(16);
    for ((q, y0), y1) in b[2..].iter().zip(lo).zip(hi) {
        *y0 = d * level(q & 0x0F);
        *y1 = d * level(q >> 4);
    }
}

/// `block_iq4_xs` (136 bytes): f16 `d`, u16 `scales_h`, 4 bytes `scales_l`, 128 bytes of
/// nibbles. Sub-block `ib` (32 elements) has the 6-bit scale
/// `ls = nibble ib mod 2 of scales_l[ib/2] | bits 2ib..2ib+2 of scales_h << 4` and reads
/// `qs[16ib..][..16]` like IQ4_NL; `x = (d·(ls − 32))·kvalues[q]`.
pub(super) fn iq4_xs(b: &[u8; 136], y: &mut [f32; 256]) {
    let d = f16_le(b[0], b[1]);
    let scales_h = u16::from_le_bytes([b[2], b[3]]);
    let (scales_l, qs) = (&b[4..8], &b[8..136]);
    for ((ib, ys), q16) in y.chunks_exact_mut(32).enumerate().zip(qs.chunks_exact(16)) {
        let low = (scales_l[ib / 2] >> (4 * (ib % 2))) & 0x0F;
        let high = ((scales_h >> (2 * ib)) & 3) as u8;
        let dl = d * (i32::from(low | (high << 4)) - 32) as f32;
        let (lo, hi) = ys.split_at_mut(16);
        for ((q, y0), y1) in q16.iter().zip(lo).zip(hi) {
            *y0 = dl * level(q & 0x0F);
            *y1 = dl * level(q >> 4);
        }
    }
}
