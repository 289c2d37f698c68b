//! RMS normalisation, the twin of `wgsl/rms_norm.wgsl`.
//!
//! `out[r, c] = x[r, c] / sqrt(mean_c(x[r, :]^2) + eps) * (weight[c] + weight_offset)`
//!
//! `weight_offset` is 0 for the plain form (Llama, Qwen) and 1 for the zero-centred `(1 + w)`
//! form some checkpoints store. The mean of squares is accumulated in `f64`.

use thiserror::Error;

/// A shape that does not fit the op's contract.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RmsNormError {
    /// `x` is not a whole number of rows of `weight.len()` columns.
    #[error("rms_norm: x has {x_len} elements, not a multiple of the {cols} weight columns")]
    RaggedRows {
        /// Elements in `x`.
        x_len: usize,
        /// Columns (the weight's length).
        cols: usize,
    },
}

/// Normalises each row of `x` (rows of `weight.len()` columns).
pub fn rms_norm(
    x: &[f32],
    weight: &[f32],
    eps: f32,
    weight_offset: f32,
) -> Result<Vec<f32>, RmsNormError> {
    let cols = weight.len();
    if cols == 0 || !x.len().is_multiple_of(cols) {
        return Err(RmsNormError::RaggedRows {
            x_len: x.len(),
            cols,
        });
    }
    let mut out = Vec::with_capacity(x.len());
    for row in x.chunks_exact(cols) {
        let mean_sq = row
            .iter()
            .map(|&v| f64::from(v) * f64::from(v))
            .sum::<f64>()
            / cols as f64;
        let inv_rms = 1.0 / (mean_sq + f64::from(eps)).sqrt();
        out.extend(row.iter().zip(weight).map(|(&v, &w)| {
            (f64::from(v) * inv_rms * (f64::from(w) + f64::from(weight_offset))) as f32
        }));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_a_known_row() {
        // mean of squares of [3, 4] is 12.5; 1/sqrt(12.5) = 0.28284271
        let out = rms_norm(&[3.0, 4.0], &[1.0, 2.0], 0.0, 0.0).unwrap();
        assert!((out[0] - 0.848_528_1).abs() < 1e-6, "{out:?}");
        assert!((out[1] - 2.262_741_7).abs() < 1e-6, "{out:?}");
    }

    #[test]
    fn weight_offset_gives_the_zero_centred_form() {
        let plain = rms_norm(&[1.0, -2.0, 0.5, 4.0], &[1.5, 0.25], 1e-6, 0.0).unwrap();
        let centred = rms_norm(&[1.0, -2.0, 0.5, 4.0], &[0.5, -0.75], 1e-6, 1.0).unwrap();
        assert_eq!(plain, centred);
    }

    #[test]
    fn all_zero_row_stays_zero_thanks_to_eps() {
        let out = rms_norm(&[0.0; 4], &[1.0; 4], 1e-5, 0.0).unwrap();
        assert_eq!(out, vec![0.0; 4]);
    }

    #[test]
    fn rejects_ragged_rows() {
        assert_eq!(
            rms_norm(&[1.0; 5], &[1.0; 2], 1e-5, 0.0),
            Err(RmsNormError::RaggedRows { x_len: 5, cols: 2 })
        );
    }
}

/// The fused residual step: `residual += x`, then RMSNorm of the new residual. Returns the
/// normalised values; `residual` holds the sum (the next layer's input).
pub fn add_rms_norm(
    residual: &mut [f32],
    x: &[f32],
    weight: &[f32],
    eps: f32,
) -> Result<Vec<f32>, RmsNormError> {
    residual.iter_mut().zip(x).for_each(|(r, v)| *r += v);
    rms_norm(residual, weight, eps, 0.0)
}

/// Gated RMSNorm of Gated DeltaNet: `rms_norm(x) * weight * silu(gate)` over rows of
/// `weight.len()` (the weight is used as-is, not zero-centred).
pub fn gated_rms_norm(
    x: &[f32],
    gate: &[f32],
    weight: &[f32],
    eps: f32,
) -> Result<Vec<f32>, RmsNormError> {
    let normed = rms_norm(x, weight, eps, 0.0)?;
    Ok(normed
        .iter()
        .zip(gate)
        .map(|(&v, &g)| v * super::activation::silu(g))
        .collect())
}

#[cfg(test)]
mod fused_tests {
    use super::*;

    #[test]
    fn add_then_norm_equals_the_two_steps() {
        let mut r = vec![1.0, -2.0, 0.5, 4.0];
        let x = [0.5, 0.5, -1.0, 2.0];
        let out = add_rms_norm(&mut r, &x, &[1.0, 2.0], 1e-6).unwrap();
        assert_eq!(r, vec![1.5, -1.5, -0.5, 6.0]);
        assert_eq!(out, rms_norm(&r, &[1.0, 2.0], 1e-6, 0.0).unwrap());
    }

    #[test]
    fn gate_zero_silences() {
        let out = gated_rms_norm(&[3.0, 4.0], &[0.0, 10.0], &[1.0, 1.0], 0.0).unwrap();
        assert_eq!(out[0], 0.0);
        assert!((out[1] - 1.131_370_8 * super::super::activation::silu(10.0)).abs() < 1e-5);
    }
}
