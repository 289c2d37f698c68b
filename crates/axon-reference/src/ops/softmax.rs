//! Softmax over a row, in f64 after subtracting the maximum.

/// `exp(x_i - max) / sum_j exp(x_j - max)`.
pub fn softmax(x: &[f32]) -> Vec<f32> {
    let max = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let e: Vec<f64> = x
        .iter()
        .map(|&v| (f64::from(v) - f64::from(max)).exp())
        .collect();
    let total: f64 = e.iter().sum();
    e.iter().map(|v| (v / total) as f32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_to_one_and_survives_large_values() {
        let p = softmax(&[1000.0, 1001.0]);
        let e = std::f32::consts::E;
        assert!((p[0] - 1.0 / (1.0 + e)).abs() < 1e-6 && (p[1] - e / (1.0 + e)).abs() < 1e-6);
        assert!((softmax(&[0.1, -3.0, 2.0]).iter().sum::<f32>() - 1.0).abs() < 1e-6);
    }
}
