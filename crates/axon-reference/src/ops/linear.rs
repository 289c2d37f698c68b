//! Matrix-vector products against weights stored as ggml does: `[out][in]`, each output row
//! contiguous over the input (GGUF dims `[in, out]`).

/// `y[o] = sum_i w[o * x.len() + i] * x[i]`, accumulated in f64. `w.len()` must be a multiple
/// of `x.len()`; the number of outputs is `w.len() / x.len()`.
pub fn linear(w: &[f32], x: &[f32]) -> Vec<f32> {
    if x.is_empty() {
        return Vec::new();
    }
    w.chunks_exact(x.len())
        .map(|row| {
            row.iter()
                .zip(x)
                .map(|(&a, &b)| f64::from(a) * f64::from(b))
                .sum::<f64>() as f32
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_outputs() {
        // w = [[1, 2, 3], [4, 5, 6]]
        assert_eq!(
            linear(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[1.0, 0.0, -1.0]),
            vec![-2.0, -2.0]
        );
    }
}

/// [`linear`] against weights stored in any ggml type the formats crate dequantizes:
/// `data` holds `out` rows of `x.len()` values of type `ty`.
pub fn linear_quantized(
    ty: axon_formats::quant::GgmlType,
    data: &[u8],
    x: &[f32],
) -> Result<Vec<f32>, axon_formats::quant::QuantError> {
    let row_bytes = axon_formats::quant::byte_len(ty, x.len())?;
    let rows = data.len().checked_div(row_bytes).unwrap_or(0);
    let w = axon_formats::quant::dequantize(ty, data, rows * x.len())?;
    Ok(linear(&w, x))
}

#[cfg(test)]
mod quantized_tests {
    //! [`linear_quantized`] against products computed without it: (a) the formats crate's
    //! decoded weights multiplied by a matmul written here (own loops, f64 accumulation) for
    //! every format the crate writes, within a stated rounding bound; (b) blocks built by hand
    //! from the ggml layouts, whose decoded values are known integers times powers of two, so
    //! the product is exact; (c) both checks reject a matrix with two rows swapped and a block
    //! with one quant changed.

    use super::*;
    use axon_formats::quant::{GgmlType, can_dequantize, can_quantize, dequantize, quantize};

    /// Reproducible values in [-1, 1) (xorshift).
    fn noise(n: usize, seed: u64) -> Vec<f32> {
        let mut s = seed | 1;
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
            })
            .collect()
    }

    /// `y[o] = sum_i w[o][i] x[i]` in f64 over `w`'s `rows`, and `sum_i |w[o][i] x[i]|`.
    fn f64_matmul(w: &[f32], x: &[f32], rows: usize) -> (Vec<f64>, Vec<f64>) {
        let cols = x.len();
        let mut y = vec![0.0; rows];
        let mut magnitude = vec![0.0; rows];
        for o in 0..rows {
            for i in 0..cols {
                let p = f64::from(w[o * cols + i]) * f64::from(x[i]);
                y[o] += p;
                magnitude[o] += p.abs();
            }
        }
        (y, magnitude)
    }

    /// How far an f32 result of an f64 dot product of `n` terms may lie from the exact one:
    /// the f64 sum (in any order) is within `n·2⁻⁵²·sum|w·x|` of the exact value (the products
    /// of two f32 are exact in f64), and its rounding to f32 adds half an ulp, `2⁻²⁴` relative,
    /// or `2⁻¹⁵⁰` absolute among subnormals.
    fn bound(want: f64, magnitude: f64, n: usize) -> f64 {
        let summation = n as f64 * 2f64.powi(-52) * magnitude;
        2f64.powi(-24) * (want.abs() + summation) + summation + 2f64.powi(-150)
    }

    /// The rows where `got` is further from `want` than the bound.
    fn rows_off(got: &[f32], want: &[f64], magnitude: &[f64], n: usize) -> Vec<usize> {
        assert_eq!(got.len(), want.len());
        (0..want.len())
            .filter(|&o| (f64::from(got[o]) - want[o]).abs() > bound(want[o], magnitude[o], n))
            .collect()
    }

    /// `data` with rows 0 and 1 exchanged (each row `row_bytes` long).
    fn swap_rows_0_1(data: &[u8], row_bytes: usize) -> Vec<u8> {
        let mut swapped = data.to_vec();
        swapped[..row_bytes].copy_from_slice(&data[row_bytes..2 * row_bytes]);
        swapped[row_bytes..2 * row_bytes].copy_from_slice(&data[..row_bytes]);
        swapped
    }

    #[test]
    fn every_written_format_multiplies_like_an_f64_matmul_of_its_decoded_weights() {
        let (rows, cols) = (5, 512);
        let x = noise(cols, 11);
        let w: Vec<f32> = noise(rows * cols, 3).iter().map(|v| v * 3.0).collect();
        let mut tested = 0;
        for ty in GgmlType::all().filter(|&t| can_quantize(t) && can_dequantize(t)) {
            let data = quantize(ty, &w).unwrap();
            let decoded = dequantize(ty, &data, rows * cols).unwrap();
            let (want, magnitude) = f64_matmul(&decoded, &x, rows);
            let got = linear_quantized(ty, &data, &x).unwrap();
            assert_eq!(got.len(), rows, "{ty}");
            assert_eq!(
                rows_off(&got, &want, &magnitude, cols),
                Vec::<usize>::new(),
                "{ty}"
            );
            // (c) The same check on a matrix with rows 0 and 1 swapped fails on exactly those.
            let swapped = swap_rows_0_1(&data, data.len() / rows);
            let got = linear_quantized(ty, &swapped, &x).unwrap();
            assert_eq!(rows_off(&got, &want, &magnitude, cols), vec![0, 1], "{ty}");
            tested += 1;
        }
        assert!(tested >= 9, "{tested} formats");
    }

    /// The little-endian f16 bits of `2^e` (`-14 <= e <= 15`): exponent field `e + 15`, zero
    /// mantissa.
    fn f16_pow2(e: i32) -> [u8; 2] {
        (((e + 15) as u16) << 10).to_le_bytes()
    }

    /// `[rows][cols]` weights given as integers `q` and a power-of-two scale `2^e` per block of
    /// `block` values (`w = q · 2^e`), and the product with `x` computed from them exactly.
    struct Exact {
        q: Vec<i64>,
        exponents: Vec<i32>,
        block: usize,
    }

    impl Exact {
        fn product(&self, x: &[f32]) -> Vec<f64> {
            let cols = x.len();
            self.q
                .chunks_exact(cols)
                .enumerate()
                .map(|(o, row)| {
                    row.chunks_exact(self.block)
                        .enumerate()
                        .map(|(b, q)| {
                            let e = self.exponents[o * cols / self.block + b];
                            let dot: f64 = q
                                .iter()
                                .zip(&x[b * self.block..])
                                .map(|(&q, &x)| q as f64 * f64::from(x))
                                .sum();
                            dot * 2f64.powi(e)
                        })
                        .sum()
                })
                .collect()
        }
    }

    /// Small integers and halves for `x`: with the weights below every product and partial sum
    /// is exact in f64, and the result (under 2²⁰, in steps of at least 2⁻³) exact in f32.
    fn exact_x(cols: usize) -> Vec<f32> {
        (0..cols)
            .map(|i| ((i * 5) % 9) as f32 * 0.5 - 2.0)
            .collect()
    }

    /// Checks `data` of type `ty` against `exact` (equal to the last bit), and that one quant
    /// moved (`broken`) or two rows swapped are caught.
    fn check_exact(ty: GgmlType, data: &[u8], broken: &[u8], exact: &Exact, cols: usize) {
        let x = exact_x(cols);
        let want = exact.product(&x);
        let rows = want.len();
        let got = linear_quantized(ty, data, &x).unwrap();
        let got: Vec<f64> = got.iter().map(|&v| f64::from(v)).collect();
        assert_eq!(got, want, "{ty}");
        assert!(
            want.iter().all(|v| v.abs() < 2f64.powi(20)),
            "{ty}: stays exact"
        );
        let got = linear_quantized(ty, broken, &x).unwrap();
        let differ: Vec<usize> = (0..rows)
            .filter(|&o| f64::from(got[o]) != want[o])
            .collect();
        assert_eq!(differ, vec![0], "{ty}: one quant moved in row 0");
        let swapped = swap_rows_0_1(data, data.len() / rows);
        let got = linear_quantized(ty, &swapped, &x).unwrap();
        assert_ne!(f64::from(got[0]), want[0], "{ty}: swapped rows");
        assert_ne!(f64::from(got[1]), want[1], "{ty}: swapped rows");
    }

    /// A quant in `lo..=hi` for element `i` of a row of seed `seed`, covering both ends.
    fn quant(i: usize, seed: usize, lo: i64, hi: i64) -> i64 {
        lo + ((i * 37 + seed * 11 + i / 7) as i64).rem_euclid(hi - lo + 1)
    }

    #[test]
    fn hand_built_q8_0_blocks_multiply_exactly() {
        // block_q8_0: f16 scale d, then 32 int8 quants; w = q·d.
        let (rows, cols) = (3, 64);
        let exponents = vec![0, -1, 1, -2, 0, 3];
        let mut q = Vec::new();
        let mut data = Vec::new();
        for (b, &e) in exponents.iter().enumerate() {
            data.extend_from_slice(&f16_pow2(e));
            for i in 0..32 {
                let v = quant(i, b, -128, 127);
                q.push(v);
                data.push(v as i8 as u8);
            }
        }
        assert_eq!(q.len(), rows * cols);
        assert!(q.contains(&-128) && q.contains(&127));
        let mut broken = data.clone();
        broken[2] = broken[2].wrapping_add(1);
        let exact = Exact {
            q,
            exponents,
            block: 32,
        };
        check_exact(GgmlType::Q8_0, &data, &broken, &exact, cols);
    }

    #[test]
    fn hand_built_q4_0_blocks_multiply_exactly() {
        // block_q4_0: f16 scale d, then 16 bytes; byte j holds element j in its low nibble and
        // element j + 16 in its high nibble, each as q + 8; w = q·d with q in -8..=7.
        let (rows, cols) = (3, 64);
        let exponents = vec![0, -2, 2, 0, -1, 1];
        let mut q = Vec::new();
        let mut data = Vec::new();
        for (b, &e) in exponents.iter().enumerate() {
            data.extend_from_slice(&f16_pow2(e));
            let values: Vec<i64> = (0..32).map(|i| quant(i, b, -8, 7)).collect();
            for j in 0..16 {
                data.push(((values[j] + 8) | ((values[j + 16] + 8) << 4)) as u8);
            }
            q.extend(values);
        }
        assert_eq!(q.len(), rows * cols);
        let mut broken = data.clone();
        broken[2] ^= 0x01;
        let exact = Exact {
            q,
            exponents,
            block: 32,
        };
        check_exact(GgmlType::Q4_0, &data, &broken, &exact, cols);
    }

    /// Packs eight 6-bit scales and mins as llama.cpp's `block_q4_K.scales`: sub-blocks 0..3 in
    /// the low six bits of bytes 0..3 (scales) and 4..7 (mins); sub-blocks 4..7 with their low
    /// four bits in bytes 8..11 (scale in the low nibble, min in the high) and their top two
    /// bits in the top bits of bytes 0..3 (scales) and 4..7 (mins).
    fn pack_q4_k_scales(scales: &[u8; 8], mins: &[u8; 8]) -> [u8; 12] {
        let mut s = [0u8; 12];
        for j in 0..4 {
            s[j] = scales[j] | ((scales[j + 4] >> 4) << 6);
            s[j + 4] = mins[j] | ((mins[j + 4] >> 4) << 6);
            s[j + 8] = (scales[j + 4] & 0x0F) | ((mins[j + 4] & 0x0F) << 4);
        }
        s
    }

    #[test]
    fn hand_built_q4_k_blocks_multiply_exactly() {
        // block_q4_K (256 values): f16 d, f16 dmin, 12 bytes of 6-bit scales and mins, 128
        // bytes of nibbles. Sub-block s (32 values) has w = d·scale_s·q − dmin·min_s, q in
        // 0..=15 taken from byte 32·(s / 2) + l, low nibble for even s, high for odd.
        let (rows, cols) = (2, 512);
        let mut q = Vec::new();
        let mut exponents = Vec::new();
        let mut data = Vec::new();
        for sb in 0..rows * cols / 256 {
            // d = 2^e, dmin = 2^e too, so every value is an integer times 2^e.
            let e = [0, -1, 1, -2][sb];
            let scales: [u8; 8] = std::array::from_fn(|s| ((s * 23 + sb * 5 + 1) % 64) as u8);
            let mins: [u8; 8] = std::array::from_fn(|s| ((s * 17 + sb * 29 + 3) % 64) as u8);
            data.extend_from_slice(&f16_pow2(e));
            data.extend_from_slice(&f16_pow2(e));
            data.extend_from_slice(&pack_q4_k_scales(&scales, &mins));
            let nibbles: Vec<i64> = (0..256).map(|i| quant(i, sb, 0, 15)).collect();
            for pair in 0..4 {
                for l in 0..32 {
                    let lo = nibbles[64 * pair + l];
                    let hi = nibbles[64 * pair + 32 + l];
                    data.push((lo | (hi << 4)) as u8);
                }
            }
            for (s, sub) in nibbles.chunks_exact(32).enumerate() {
                let (sc, m) = (i64::from(scales[s]), i64::from(mins[s]));
                q.extend(sub.iter().map(|&n| sc * n - m));
                exponents.push(e);
            }
            assert!(
                scales.iter().chain(&mins).any(|&v| v >= 16),
                "top bits used"
            );
        }
        let mut broken = data.clone();
        broken[16] ^= 0x01;
        let exact = Exact {
            q,
            exponents,
            block: 32,
        };
        check_exact(GgmlType::Q4K, &data, &broken, &exact, cols);
    }

    #[test]
    fn hand_built_q6_k_blocks_multiply_exactly() {
        // block_q6_K (256 values): 128 bytes ql, 64 bytes qh, 16 int8 scales, f16 d. Value
        // 128·h + 32·k + l (half h, quarter k, l < 32) has its low four bits in
        // ql[64·h + 32·(k mod 2) + l] (low nibble for k < 2, high otherwise), its top two bits
        // at bit 2k of qh[32·h + l], and scale 8·h + 2·k + l / 16; w = d·scale·(q − 32).
        let (rows, cols) = (2, 512);
        let mut q = Vec::new();
        let mut exponents = Vec::new();
        let mut data = Vec::new();
        for sb in 0..rows * cols / 256 {
            let e = [0, 1, -1, 0][sb];
            let scales: [i8; 16] =
                std::array::from_fn(|s| ((s * 41 + sb * 7 + 5) % 256) as u8 as i8);
            let values: Vec<i64> = (0..256).map(|i| quant(i, sb, -32, 31)).collect();
            let (mut ql, mut qh) = ([0u8; 128], [0u8; 64]);
            for (i, &v) in values.iter().enumerate() {
                let (h, k, l) = (i / 128, (i % 128) / 32, i % 32);
                let code = (v + 32) as u8;
                ql[64 * h + 32 * (k % 2) + l] |= (code & 0x0F) << (4 * (k / 2));
                qh[32 * h + l] |= (code >> 4) << (2 * k);
                let scale = i64::from(scales[8 * h + 2 * k + l / 16]);
                q.push(scale * v);
                if l == 0 || l == 16 {
                    exponents.push(e);
                }
            }
            data.extend_from_slice(&ql);
            data.extend_from_slice(&qh);
            data.extend(scales.iter().map(|&s| s as u8));
            data.extend_from_slice(&f16_pow2(e));
            assert!(scales.iter().any(|&s| s < 0), "negative scales used");
            assert!(!scales.contains(&0), "every quant counts");
        }
        let mut broken = data.clone();
        broken[0] ^= 0x01;
        let exact = Exact {
            q,
            exponents,
            block: 16,
        };
        check_exact(GgmlType::Q6K, &data, &broken, &exact, cols);
    }
}
