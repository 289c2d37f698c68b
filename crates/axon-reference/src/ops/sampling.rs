//! Greedy selection and summaries of a logits row.

/// Index of the largest value (the first on ties; NaN never wins).
pub fn argmax(logits: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in logits.iter().enumerate() {
        if v > logits[best] || logits[best].is_nan() {
            best = i;
        }
    }
    best
}

/// Indices of the `k` largest values, largest first (ties, including -0.0 vs 0.0: lower index
/// first; NaN ranks below every number, as in [`argmax`]).
pub fn top_k(logits: &[f32], k: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..logits.len()).collect();
    idx.sort_by(|&a, &b| {
        let (x, y) = (logits[a], logits[b]);
        let by_value = match (x.is_nan(), y.is_nan()) {
            (false, false) => y.partial_cmp(&x).unwrap_or(std::cmp::Ordering::Equal),
            (x_nan, y_nan) => x_nan.cmp(&y_nan),
        };
        by_value.then(a.cmp(&b))
    });
    idx.truncate(k);
    idx
}

/// `ln(sum(exp(x)))`, computed in f64 after subtracting the maximum.
pub fn logsumexp(logits: &[f32]) -> f64 {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
    if !max.is_finite() {
        return max;
    }
    max + logits
        .iter()
        .map(|&v| (f64::from(v) - max).exp())
        .sum::<f64>()
        .ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks() {
        assert_eq!(argmax(&[1.0, 3.0, 3.0, -1.0]), 1);
        assert_eq!(top_k(&[1.0, 3.0, 3.0, -1.0, 2.0], 3), vec![1, 2, 4]);
        let nan = f32::NAN;
        assert_eq!(
            top_k(&[nan, -0.0, 0.0, f32::NEG_INFINITY, nan], 5),
            vec![1, 2, 3, 0, 4]
        );
        assert!((logsumexp(&[0.0, 0.0]) - 2f64.ln()).abs() < 1e-12);
        assert!((logsumexp(&[1000.0, 1000.0]) - (1000.0 + 2f64.ln())).abs() < 1e-9);
    }
}
