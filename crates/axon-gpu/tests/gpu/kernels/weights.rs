//! Weight bytes for the matrix kernels' tests.

use axon_formats::quant::{GgmlType, can_quantize, quantize};

/// Weight bytes: the quantizer's output where the formats crate has one, otherwise random
/// blocks whose f16 scale fields are set to small finite values (the other bytes stay random).
pub fn encode(ty: GgmlType, w: &[f32]) -> Vec<u8> {
    if can_quantize(ty) {
        return quantize(ty, w).unwrap();
    }
    let mut state = w
        .iter()
        .fold(0x9e37_79b9u32, |h, v| h.rotate_left(5) ^ v.to_bits());
    let blocks = w.len() / ty.block_len();
    let mut data: Vec<u8> = (0..blocks * ty.block_bytes())
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect();
    // f16 scales: d (and dmin for Q5_K) at the block start, in [2^-8, 2^-6).
    let scale_fields = if ty == GgmlType::Q5K { 2 } else { 1 };
    for block in data.chunks_exact_mut(ty.block_bytes()) {
        for f in 0..scale_fields {
            let h = 0x1c00u16 | u16::from(block[2 * f]) | (u16::from(block[2 * f + 1] & 0x3) << 8);
            block[2 * f..2 * f + 2].copy_from_slice(&h.to_le_bytes());
        }
    }
    data
}
