//! Elementwise addition, the twin of `wgsl/add.wgsl`.

/// `out[i] = a[i] + b[i]` over the common length of both inputs.
///
/// Single-precision addition is exactly rounded, so this is the bit-exact expectation for the
/// GPU kernel (up to the flushing of subnormal results, which Vulkan allows).
pub fn add(a: &[f32], b: &[f32]) -> Vec<f32> {
    a.iter().zip(b).map(|(x, y)| x + y).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_pairwise_over_the_shorter_input() {
        assert_eq!(
            add(&[1.0, 2.5, -3.0], &[0.5, 0.5, 3.0, 9.0]),
            vec![1.5, 3.0, 0.0]
        );
    }
}
