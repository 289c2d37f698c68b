//! The 8-bit input vectors of the integer-dot matrix-vector path (`quantize_q8.wgsl` and
//! `matvec_q8` on the GPU): blocks of [`Q8_BLOCK`] values with a power-of-two scale (as OCP's
//! MXINT8), `d = 2^e` for the smallest `e` with `127 * 2^e >= amax`, and quants
//! `q = round(x / d)` (ties to even). Dividing by a power of two is exact, so the GPU's quants
//! equal these bit for bit. A block whose `d` would be below 2^-126, the least normal f32
//! (`amax` below about 2^-120, or zero), is all zeros with `d = 0`. The product the GPU computes against them is `W` times the
//! dequantized vector `d * q` ([`Q8Vector::dequantize`]), so the twin of
//! `matvec_q8(quantize_q8(x))` is `linear_quantized(w, quantize_q8(x).dequantize())`.

/// Values per block.
pub const Q8_BLOCK: usize = 16;

/// A vector quantized to 8-bit blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct Q8Vector {
    /// One quant per value, in -127..=127.
    pub quants: Vec<i8>,
    /// One d per block: a power of two, or 0.
    pub scales: Vec<f32>,
}

/// The exponent `e` of the scale `2^e` of a block whose largest magnitude is `amax` (a
/// normal, positive f32): `amax = f * 2^k` with `f` in [0.5, 1), and `127 * 2^(k - 7) >= amax`
/// exactly when `f <= 127 / 128`, i.e. when the 24-bit significand is at most 127 << 17.
fn scale_exponent(amax: f32) -> i32 {
    let bits = amax.to_bits();
    let k = ((bits >> 23) & 0xff) as i32 - 126;
    let significand = (bits & 0x007f_ffff) | 0x0080_0000;
    k - if significand <= 127 << 17 { 7 } else { 6 }
}

/// Quantizes `x` (a whole number of blocks; a partial last block is quantized alone).
pub fn quantize_q8(x: &[f32]) -> Q8Vector {
    let mut quants = Vec::with_capacity(x.len());
    let mut scales = Vec::with_capacity(x.len().div_ceil(Q8_BLOCK));
    for block in x.chunks(Q8_BLOCK) {
        let amax = block.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        // Subnormal amax: its d would be below 2^-126 too.
        let e = (amax >= f32::MIN_POSITIVE).then(|| scale_exponent(amax));
        match e.filter(|&e| e >= -126) {
            Some(e) => {
                let inverse = 2f32.powi(-e);
                let d = 2f32.powi(e);
                quants.extend(block.iter().map(|v| (v * inverse).round_ties_even() as i8));
                scales.push(d);
            }
            None => {
                quants.extend(block.iter().map(|_| 0i8));
                scales.push(0.0);
            }
        }
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
    fn a_block_scales_by_the_power_of_two_that_fits_it() {
        let mut x = [0.0f32; 16];
        x[3] = -2.54;
        x[7] = 1.27;
        x[9] = 0.005;
        let q = quantize_q8(&x);
        // 127 * 2^-5 = 3.97 >= 2.54 > 127 * 2^-6 = 1.98.
        assert_eq!(q.scales, vec![2f32.powi(-5)]);
        assert_eq!(q.quants[3], -81); // -2.54 * 32 = -81.28
        assert_eq!(q.quants[7], 41); // 40.64
        assert_eq!(q.quants[9], 0); // 0.16
        let back = q.dequantize();
        for (a, b) in x.iter().zip(&back) {
            assert!((a - b).abs() <= q.scales[0] / 2.0, "{a} vs {b}");
        }
        // amax exactly 127 * 2^e takes e; a hair above takes e + 1.
        assert_eq!(quantize_q8(&[127.0; 16]).scales, vec![1.0]);
        assert_eq!(quantize_q8(&[127.0; 16]).quants, vec![127; 16]);
        let above = f32::from_bits(127.0f32.to_bits() + 1);
        assert_eq!(quantize_q8(&[above; 16]).scales, vec![2.0]);
        assert_eq!(quantize_q8(&[0.75; 16]).scales, vec![2f32.powi(-7)]);
        assert_eq!(quantize_q8(&[0.75; 16]).quants, vec![96; 16]);
        // Ties go to even.
        let mut t = [0.0f32; 16];
        t[0] = 127.0;
        t[1] = 0.5;
        t[2] = 1.5;
        t[3] = -2.5;
        assert_eq!(&quantize_q8(&t).quants[..4], &[127, 0, 2, -2]);
    }

    #[test]
    fn zero_and_tiny_blocks_stay_zero() {
        let q = quantize_q8(&[0.0; 32]);
        assert!(q.quants.iter().all(|&v| v == 0));
        assert_eq!(q.scales, vec![0.0, 0.0]);
        assert!(q.dequantize().iter().all(|&v| v == 0.0));
        let tiny = quantize_q8(&[1e-37; 16]);
        assert_eq!((tiny.scales[0], tiny.quants[0]), (0.0, 0));
        // d = 2^-125 for amax = 2^-119; 2^-121 would need d = 2^-127, below the normals.
        let small = quantize_q8(&[2f32.powi(-119); 16]);
        assert_eq!((small.scales[0], small.quants[0]), (2f32.powi(-125), 64));
        let below = quantize_q8(&[2f32.powi(-121); 16]);
        assert_eq!((below.scales[0], below.quants[0]), (0.0, 0));
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
        assert_eq!(w[0], 0x0000_c040); // d = 2^-6: 64 and -64
        assert_eq!(w[8], 2f32.powi(-6).to_bits());
        assert_eq!(w[9], 0);
        assert_eq!(w[10], 2f32.powi(-7).to_bits());
        assert_eq!(w[11], 64);
    }
}
