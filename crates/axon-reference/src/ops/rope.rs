//! Rotary position embedding.
//!
//! Two pairings exist. ggml's "normal" mode rotates adjacent pairs `(2i, 2i+1)`; llama.cpp's
//! Llama converter permutes Q/K rows so this matches Hugging Face's `rotate_half` on the
//! original weights. NeoX mode rotates `(i, i + dims/2)` (Hugging Face's layout, used as-is by
//! Gemma and Qwen). Only the first `dims` values of a head rotate (partial rotary); the rest
//! pass through. Pair `i` turns by `pos * theta^(-2i/dims)`.

/// Which values form a rotating pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RopePairing {
    /// `(2i, 2i + 1)`: ggml's normal mode (GGUF Llama).
    Adjacent,
    /// `(i, i + dims / 2)`: NeoX / Hugging Face `rotate_half`.
    Neox,
}

/// A RoPE configuration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rope {
    /// Rotated values per head (even, at most the head size).
    pub dims: usize,
    /// Base frequency (`rope_theta`, `rope.freq_base`).
    pub theta: f64,
    /// Pairing.
    pub pairing: RopePairing,
    /// Linear position scaling factor (1 = none); positions are divided by it.
    pub linear_scale: f64,
}

impl Rope {
    /// Rotates one head in place for position `pos`.
    pub fn apply(&self, head: &mut [f32], pos: usize) {
        let half = self.dims / 2;
        let p = pos as f64 / self.linear_scale;
        for i in 0..half.min(head.len() / 2) {
            let angle = p * self.theta.powf(-2.0 * i as f64 / self.dims as f64);
            let (sin, cos) = angle.sin_cos();
            let (a, b) = match self.pairing {
                RopePairing::Adjacent => (2 * i, 2 * i + 1),
                RopePairing::Neox => (i, i + half),
            };
            let (Some(&x0), Some(&x1)) = (head.get(a), head.get(b)) else {
                continue;
            };
            let (x0, x1) = (f64::from(x0), f64::from(x1));
            head[a] = (x0 * cos - x1 * sin) as f32;
            head[b] = (x0 * sin + x1 * cos) as f32;
        }
    }

    /// Rotates every head of a `[heads, head_dim]` vector.
    pub fn apply_heads(&self, x: &mut [f32], head_dim: usize, pos: usize) {
        for head in x.chunks_exact_mut(head_dim) {
            self.apply(head, pos);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rope(pairing: RopePairing, dims: usize) -> Rope {
        Rope {
            dims,
            theta: 10_000.0,
            pairing,
            linear_scale: 1.0,
        }
    }

    #[test]
    fn position_zero_is_identity_and_norms_are_kept() {
        let x: Vec<f32> = (0..8).map(|i| i as f32 - 3.5).collect();
        for pairing in [RopePairing::Adjacent, RopePairing::Neox] {
            let mut y = x.clone();
            rope(pairing, 8).apply(&mut y, 0);
            assert_eq!(y, x);
            rope(pairing, 8).apply(&mut y, 17);
            let n0: f32 = x.iter().map(|v| v * v).sum();
            let n1: f32 = y.iter().map(|v| v * v).sum();
            assert!((n0 - n1).abs() < 1e-4);
        }
    }

    #[test]
    fn adjacent_and_neox_agree_under_the_converter_permutation() {
        // NeoX pair (i, i + d/2) holds what adjacent pair (2i, 2i+1) holds after permuting.
        let x: Vec<f32> = (0..8).map(|i| (i as f32 * 0.7).sin()).collect();
        let perm = |v: &[f32]| -> Vec<f32> {
            (0..8)
                .map(|j| if j % 2 == 0 { v[j / 2] } else { v[j / 2 + 4] })
                .collect()
        };
        let mut neox = x.clone();
        rope(RopePairing::Neox, 8).apply(&mut neox, 5);
        let mut adj = perm(&x);
        rope(RopePairing::Adjacent, 8).apply(&mut adj, 5);
        for (a, b) in adj.iter().zip(perm(&neox)) {
            assert!((a - b).abs() < 1e-6);
        }
    }

    #[test]
    fn partial_rotary_leaves_the_tail() {
        let x = vec![1.0f32; 8];
        let mut y = x.clone();
        rope(RopePairing::Neox, 4).apply(&mut y, 3);
        assert_eq!(&y[4..], &x[4..]);
        assert_ne!(&y[..4], &x[..4]);
    }
}
