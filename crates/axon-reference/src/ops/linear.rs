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
