//! Causal depthwise conv1d over time with carried state, then SiLU (Gated DeltaNet's short
//! convolution). Channel `c` has `kernel` taps `w[c * kernel + τ]`; the last tap multiplies
//! the current input (PyTorch cross-correlation with `kernel - 1` zeros of left padding).

use super::activation::silu;

/// The last `kernel - 1` raw inputs of every channel, oldest first: `[kernel - 1][channels]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvState {
    kernel: usize,
    channels: usize,
    history: Vec<f32>,
}

impl ConvState {
    /// Zeros, as at the start of a sequence.
    pub fn new(kernel: usize, channels: usize) -> Self {
        Self {
            kernel,
            channels,
            history: vec![0.0; kernel.saturating_sub(1) * channels],
        }
    }

    /// One token: convolves `x` (`[channels]`) with the history, applies SiLU, and shifts `x`
    /// into the history.
    pub fn step(&mut self, weights: &[f32], x: &[f32]) -> Vec<f32> {
        let (k, ch) = (self.kernel, self.channels);
        let out = (0..ch)
            .map(|c| {
                let mut acc = f64::from(weights[c * k + k - 1]) * f64::from(x[c]);
                for tau in 0..k - 1 {
                    acc += f64::from(weights[c * k + tau]) * f64::from(self.history[tau * ch + c]);
                }
                silu(acc as f32)
            })
            .collect();
        if k > 1 {
            self.history.drain(..ch);
            self.history.extend_from_slice(x);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sees_exactly_the_last_kernel_inputs() {
        // One channel, taps [1, 10, 100]: y_t = silu(x_{t-2} + 10 x_{t-1} + 100 x_t).
        let w = [1.0, 10.0, 100.0];
        let mut s = ConvState::new(3, 1);
        let xs = [0.01f32, 0.02, -0.03, 0.004];
        let pre = [1.0f32, 2.1, -2.79, 0.12];
        for (x, p) in xs.iter().zip(pre) {
            let y = s.step(&w, &[*x]);
            assert!((y[0] - silu(p)).abs() < 1e-6, "{y:?} vs {p}");
        }
    }
}
