//! Benchmark operands made without quantizing anything: random bytes whose f16 fields (BF16's
//! values) are patched to small finite values, or for F32 random values, so every block
//! decodes to finite numbers (kernel speed does not depend on the values, but NaNs and
//! infinities could make a driver take slow paths).

use axon_formats::quant::GgmlType;

/// A xorshift64 generator: fast, seeded, good enough for benchmark operands.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator whose sequence is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        // xorshift must not start at zero.
        Self((seed ^ 0x9e37_79b9_7f4a_7c15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// `n` values uniform in [-1, 1).
    pub fn f32s(&mut self, n: usize) -> Vec<f32> {
        (0..n)
            .map(|_| {
                // 24 random bits give every representable step of [0, 1) at f32's precision.
                let unit = (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32;
                2.0 * unit - 1.0
            })
            .collect()
    }

    fn fill(&mut self, bytes: &mut [u8]) {
        let mut words = bytes.chunks_exact_mut(8);
        for word in &mut words {
            word.copy_from_slice(&self.next_u64().to_le_bytes());
        }
        let tail = words.into_remainder();
        let last = self.next_u64().to_le_bytes();
        tail.copy_from_slice(&last[..tail.len()]);
    }
}

/// Byte offsets of the f16 fields inside one block of `ty` (the scales; for F16, the value).
fn half_fields(ty: GgmlType) -> Option<&'static [usize]> {
    Some(match ty {
        GgmlType::F16 => &[0],
        // block_q8_0: f16 d, then 32 int8 quants; q4_0, q5_0 and iq4_xs also start with d.
        GgmlType::Q8_0 | GgmlType::Q4_0 | GgmlType::Q5_0 | GgmlType::Iq4Xs => &[0],
        // block_q4_1: f16 d, f16 m; block_q4_K and q5_K: f16 d, f16 dmin, then scales.
        GgmlType::Q4_1 | GgmlType::Q4K | GgmlType::Q5K => &[0, 2],
        // block_q6_K: 128 bytes ql, 64 bytes qh, 16 int8 scales, f16 d.
        GgmlType::Q6K => &[208],
        _ => return None,
    })
}

/// A bf16 with random sign and mantissa and exponent -7: |v| in [2^-7, 2^-6).
fn small_bf16(bits: u16) -> u16 {
    (bits & 0x807f) | 0x3c00
}

/// `rows * cols` random weights encoded as `ty`, laid out as [`axon_gpu::Gpu::upload_matrix`]
/// takes them; `None` for a format this module cannot make or a shape that is not whole blocks.
pub fn random_matrix(ty: GgmlType, rows: usize, cols: usize, rng: &mut Rng) -> Option<Vec<u8>> {
    let row_bytes = usize::try_from(ty.bytes_for(cols as u64)?).ok()?;
    let mut data = vec![0u8; row_bytes.checked_mul(rows)?];
    match ty {
        GgmlType::F32 => {
            for (bytes, v) in data.chunks_exact_mut(4).zip(rng.f32s(rows * cols)) {
                bytes.copy_from_slice(&v.to_le_bytes());
            }
            return Some(data);
        }
        GgmlType::BF16 => {
            rng.fill(&mut data);
            for value in data.chunks_exact_mut(2) {
                let h = small_bf16(u16::from_le_bytes([value[0], value[1]]));
                value.copy_from_slice(&h.to_le_bytes());
            }
            return Some(data);
        }
        _ => {}
    }
    let fields = half_fields(ty)?;
    rng.fill(&mut data);
    for block in data.chunks_exact_mut(ty.block_bytes()) {
        for &at in fields {
            // Exponent 7 (2^-8) with random mantissa bits and sign: |h| in [2^-8, 2^-7).
            let h = (u16::from_le_bytes([block[at], block[at + 1]]) & 0x83ff) | 0x1c00;
            block[at..at + 2].copy_from_slice(&h.to_le_bytes());
        }
    }
    Some(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_half_is_small_and_finite() {
        let mut rng = Rng::new(7);
        for ty in [
            GgmlType::F16,
            GgmlType::Q8_0,
            GgmlType::Q4K,
            GgmlType::Q6K,
            GgmlType::Q4_0,
            GgmlType::Q4_1,
            GgmlType::Q5_0,
            GgmlType::Q5K,
            GgmlType::Iq4Xs,
        ] {
            let data = random_matrix(ty, 3, 512, &mut rng).unwrap();
            assert_eq!(data.len() as u64, 3 * ty.bytes_for(512).unwrap());
            for block in data.chunks_exact(ty.block_bytes()) {
                for &at in half_fields(ty).unwrap() {
                    let h = u16::from_le_bytes([block[at], block[at + 1]]);
                    assert_eq!(h & 0x7c00, 0x1c00, "{ty:?}: {h:#06x}");
                }
            }
        }
    }

    /// Every block of every format the bench measures decodes to finite values.
    #[test]
    fn every_format_decodes_to_finite_values() {
        let mut rng = Rng::new(11);
        for ty in axon_gpu::kernels::matvec::MATVEC_TYPES {
            let data = random_matrix(*ty, 2, 512, &mut rng).unwrap();
            let values = axon_formats::quant::dequantize(*ty, &data, 2 * 512).unwrap();
            assert!(values.iter().all(|v| v.is_finite()), "{ty:?}");
            assert!(values.iter().any(|&v| v != 0.0), "{ty:?}");
        }
        assert_eq!(small_bf16(0xffff), 0xbc7f);
    }

    #[test]
    fn ragged_rows_and_unknown_formats_are_refused() {
        let mut rng = Rng::new(1);
        assert!(random_matrix(GgmlType::Q4K, 2, 100, &mut rng).is_none());
        assert!(random_matrix(GgmlType::Iq2Xxs, 2, 256, &mut rng).is_none());
    }

    #[test]
    fn vectors_stay_in_range() {
        let v = Rng::new(3).f32s(1000);
        assert!(v.iter().all(|x| (-1.0..1.0).contains(x)));
        assert!(v.iter().any(|&x| x < 0.0) && v.iter().any(|&x| x > 0.0));
    }
}
