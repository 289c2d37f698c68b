//! The 8-bit input vectors of the integer-dot matrix-vector path (`quantize_q8.wgsl` and
//! `matvec_q8` on the GPU): blocks of [`Q8_BLOCK`] values, each with `d = amax * (1 / 127)`
//! and quants `q = round(x * (127 / amax))` (ties to even; all zero when `amax` is 0). The
//! product the GPU computes against them is `W` times the dequantized vector `d * q`
//! ([`Q8Vector::dequantize`]), so the twin of `matvec_q8(quantize_q8(x))` is
//! `linear_quantized(w, quantize_q8(x).dequantize())`.

/// Values per block.
pub const Q8_BLOCK: usize = 16;

/// A vector quantized to 8-bit blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct Q8Vector {
    /// One quant per value, in -127..=127.
    pub quants: Vec<i8>,
    /// One d per block.
    pub scales: Vec<f32>,
}

/// Quantizes `x` (a whole number of blocks; a partial last block is quantized alone).
pub fn quantize_q8(x: &[f32]) -> Q8Vector {
    let mut quants = Vec::with_capacity(x.len());
    let mut scales = Vec::with_capacity(x.len().div_ceil(Q8_BLOCK));
    for block in x.chunks(Q8_BLOCK) {
        let amax = block.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        let scale = if amax > 0.0 { 127.0 / amax } else { 0.0 };
        quants.extend(block.iter().map(|v| (v * scale).round_ties_even() as i8));
        scales.push(amax * (1.0 / 127.0));
    }
    Q8Vector { quants, scales }
}

impl Q8Vector {
    /// `d * q` per value: the vector the integer-dot product multiplies.
    pub fn dequantize(&self) -> Vec<f32> {
        self.quants
            .chunks(Q8_BLOCK)
            .zip(&self.scales)
            .flat_map(|(block, &d)| block.iter().map(move |&q| d * f32::from(q)))
            .collect()
    }

    /// The GPU layout (`wgsl/quantize_q8.wgsl`) as 32-bit words: the quants four to a word
    /// (value 4k + j in byte j), then (d bits, sum of the block's quants) per block. The
    /// length must be a multiple of 2 blocks.
    pub fn words(&self) -> Vec<u32> {
        let mut words: Vec<u32> = self
            .quants
            .chunks(4)
            .map(|q| {
                q.iter()
                    .enumerate()
                    .fold(0u32, |w, (j, &b)| w | (u32::from(b as u8) << (8 * j)))
            })
            .collect();
        for (block, &d) in self.quants.chunks(Q8_BLOCK).zip(&self.scales) {
            let sum: i32 = block.iter().map(|&q| i32::from(q)).sum();
            words.push(d.to_bits());
            words.push(sum as u32);
        }
        words
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_takes_its_largest_magnitude_to_127() {
        let mut x = [0.0f32; 16];
        x[3] = -2.54;
        x[7] = 1.27;
        x[9] = 0.005;
        let q = quantize_q8(&x);
        assert_eq!(q.quants[3], -127);
        assert_eq!(q.quants[7], 64); // 63.5 rounds to even
        assert_eq!(q.quants[9], 0);
        assert_eq!(q.scales, vec![2.54 * (1.0 / 127.0)]);
        let back = q.dequantize();
        for (a, b) in x.iter().zip(&back) {
            assert!((a - b).abs() <= q.scales[0] / 2.0 + 1e-6, "{a} vs {b}");
        }
    }

    #[test]
    fn zero_blocks_stay_zero() {
        let q = quantize_q8(&[0.0; 32]);
        assert!(q.quants.iter().all(|&v| v == 0));
        assert_eq!(q.scales, vec![0.0, 0.0]);
        assert!(q.dequantize().iter().all(|&v| v == 0.0));
    }

    #[test]
    fn words_pack_bytes_then_scales_and_sums() {
        let mut x = [0.0f32; 32];
        x[0] = 1.0;
        x[1] = -1.0;
        x[16] = 0.5;
        let q = quantize_q8(&x);
        let w = q.words();
        assert_eq!(w.len(), 32 / 4 + 2 * 2);
        assert_eq!(w[0], 0x0000_817f); // 127, -127
        assert_eq!(w[8], (1.0f32 / 127.0).to_bits());
        assert_eq!(w[9], 0);
        assert_eq!(w[10], (0.5f32 * (1.0 / 127.0)).to_bits());
        assert_eq!(w[11], 127);
    }
}
