//! L2 normalisation as Hugging Face / flash-linear-attention compute it for Gated DeltaNet:
//! `x * rsqrt(sum(x^2) + eps)`.

/// Normalises `x` in place.
pub fn l2_norm(x: &mut [f32], eps: f64) {
    let sum: f64 = x.iter().map(|&v| f64::from(v) * f64::from(v)).sum();
    let inv = 1.0 / (sum + eps).sqrt();
    x.iter_mut().for_each(|v| *v = (f64::from(*v) * inv) as f32);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_length() {
        let mut x = [3.0f32, 4.0];
        l2_norm(&mut x, 0.0);
        assert!((x[0] - 0.6).abs() < 1e-7 && (x[1] - 0.8).abs() < 1e-7);
        let mut z = [0.0f32; 3];
        l2_norm(&mut z, 1e-6);
        assert_eq!(z, [0.0; 3]);
    }
}
