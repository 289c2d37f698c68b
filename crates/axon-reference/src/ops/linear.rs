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
    use super::*;
    use axon_formats::quant::{GgmlType, can_dequantize, can_quantize, quantize};

    #[test]
    fn every_written_format_multiplies_like_its_dequantized_weights() {
        let x: Vec<f32> = (0..256)
            .map(|i| ((i * 7 % 13) as f32 - 6.0) / 5.0)
            .collect();
        let w: Vec<f32> = (0..3 * 256)
            .map(|i| ((i * 31 % 101) as f32 - 50.0) / 40.0)
            .collect();
        let mut tested = 0;
        for ty in GgmlType::all().filter(|&t| can_quantize(t) && can_dequantize(t)) {
            let data = quantize(ty, &w).unwrap();
            let got = linear_quantized(ty, &data, &x).unwrap();
            let want = linear(
                &axon_formats::quant::dequantize(ty, &data, w.len()).unwrap(),
                &x,
            );
            assert_eq!(got, want, "{ty}");
            assert_eq!(got.len(), 3);
            tested += 1;
        }
        assert!(tested >= 9, "{tested} formats");
    }
}
