//! RoPE variants beyond plain/partial: YaRN context extension (llama.cpp's formulation) and
//! Qwen3.5's interleaved multi-axis M-RoPE. Both rotate NeoX pairs `(i, i + dims/2)`.

/// YaRN: frequencies of low-frequency pairs are interpolated by `1/factor`, high-frequency
/// pairs keep extrapolating, a linear ramp between the two correction dims, and every rotated
/// value is scaled by `mscale = attn_factor * (1 + 0.1 ln(factor))`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Yarn {
    /// Rotated values per head.
    pub dims: usize,
    /// Base frequency.
    pub theta: f64,
    /// Context extension factor (`rope.scaling.factor`).
    pub factor: f64,
    /// Training context (`rope.scaling.original_context_length`).
    pub original_context: usize,
    /// Ramp strength (1 for YaRN).
    pub ext_factor: f64,
    /// Extra magnitude scale (1 unless the model says otherwise).
    pub attn_factor: f64,
    /// High-frequency cut (32).
    pub beta_fast: f64,
    /// Low-frequency cut (1).
    pub beta_slow: f64,
}

impl Yarn {
    /// The pair index at which a dimension completes `rotations` turns over the training context.
    fn corr_dim(&self, rotations: f64) -> f64 {
        self.dims as f64
            * (self.original_context as f64 / (rotations * 2.0 * std::f64::consts::PI)).ln()
            / (2.0 * self.theta.ln())
    }

    /// Rotates one head in place.
    pub fn apply(&self, head: &mut [f32], pos: usize) {
        let half = self.dims / 2;
        let low = self.corr_dim(self.beta_fast).floor().max(0.0);
        let high = self
            .corr_dim(self.beta_slow)
            .ceil()
            .min(self.dims as f64 - 1.0);
        let mscale = self.attn_factor
            * if self.ext_factor != 0.0 {
                1.0 + 0.1 * self.factor.ln()
            } else {
                1.0
            };
        for i in 0..half.min(head.len() / 2) {
            let extrap = pos as f64 * self.theta.powf(-2.0 * i as f64 / self.dims as f64);
            let interp = extrap / self.factor;
            let y = (i as f64 - low) / (high - low).max(0.001);
            let ramp = (1.0 - y.clamp(0.0, 1.0)) * self.ext_factor;
            let angle = interp * (1.0 - ramp) + extrap * ramp;
            rotate(head, i, i + half, angle, mscale);
        }
    }
}

/// Qwen3.5's interleaved M-RoPE: pair `j` turns by the temporal, height or width position
/// (`sections` pairs each, interleaved T H W T H W ...), `pos * theta^(-2j/dims)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MRope {
    /// Rotated values per head (2 × the sum of `sections`).
    pub dims: usize,
    /// Base frequency.
    pub theta: f64,
    /// Pairs per axis: temporal, height, width.
    pub sections: [usize; 3],
}

impl MRope {
    /// Rotates one head in place for positions `[t, h, w]` (all equal for text).
    pub fn apply(&self, head: &mut [f32], pos: [usize; 3]) {
        let half = self.dims / 2;
        for j in 0..half.min(head.len() / 2) {
            let axis = if j % 3 == 1 && j < 3 * self.sections[1] {
                1
            } else if j % 3 == 2 && j < 3 * self.sections[2] {
                2
            } else {
                0
            };
            let angle = pos[axis] as f64 * self.theta.powf(-2.0 * j as f64 / self.dims as f64);
            rotate(head, j, j + half, angle, 1.0);
        }
    }
}

fn rotate(head: &mut [f32], a: usize, b: usize, angle: f64, scale: f64) {
    let (sin, cos) = angle.sin_cos();
    let (Some(&x0), Some(&x1)) = (head.get(a), head.get(b)) else {
        return;
    };
    let (x0, x1) = (f64::from(x0), f64::from(x1));
    head[a] = ((x0 * cos - x1 * sin) * scale) as f32;
    head[b] = ((x0 * sin + x1 * cos) * scale) as f32;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::rope::{Rope, RopePairing};

    fn head() -> Vec<f32> {
        (0..16).map(|i| (i as f32 * 0.37).cos()).collect()
    }

    #[test]
    fn mrope_with_equal_positions_is_partial_neox_rope() {
        let m = MRope {
            dims: 8,
            theta: 1e7,
            sections: [2, 1, 1],
        };
        let plain = Rope {
            dims: 8,
            theta: 1e7,
            pairing: RopePairing::Neox,
            linear_scale: 1.0,
        };
        for pos in [0, 1, 7, 300] {
            let (mut a, mut b) = (head(), head());
            m.apply(&mut a, [pos; 3]);
            plain.apply(&mut b, pos);
            assert_eq!(a, b);
        }
        // Different axes do move different pairs: pair 1 follows height.
        let (mut a, mut b) = (head(), head());
        m.apply(&mut a, [5, 9, 5]);
        m.apply(&mut b, [5, 5, 5]);
        assert_ne!(a[1], b[1]);
        assert_eq!(a[0], b[0]);
    }

    #[test]
    fn yarn_without_ramp_is_linear_interpolation() {
        let y = Yarn {
            dims: 16,
            theta: 10_000.0,
            factor: 4.0,
            original_context: 4096,
            ext_factor: 0.0,
            attn_factor: 1.0,
            beta_fast: 32.0,
            beta_slow: 1.0,
        };
        let lin = Rope {
            dims: 16,
            theta: 10_000.0,
            pairing: RopePairing::Neox,
            linear_scale: 4.0,
        };
        let (mut a, mut b) = (head(), head());
        y.apply(&mut a, 123);
        lin.apply(&mut b, 123);
        for (x, z) in a.iter().zip(&b) {
            assert!((x - z).abs() < 1e-6);
        }
    }

    #[test]
    fn yarn_keeps_high_frequencies_and_scales_magnitude() {
        let y = Yarn {
            dims: 16,
            theta: 10_000.0,
            factor: 4.0,
            original_context: 4096,
            ext_factor: 1.0,
            attn_factor: 1.0,
            beta_fast: 32.0,
            beta_slow: 1.0,
        };
        let plain = Rope {
            dims: 16,
            theta: 10_000.0,
            pairing: RopePairing::Neox,
            linear_scale: 1.0,
        };
        let (mut a, mut b) = (head(), head());
        y.apply(&mut a, 50);
        plain.apply(&mut b, 50);
        let mscale = (1.0 + 0.1 * 4f64.ln()) as f32;
        // Pair 0 is the highest frequency: extrapolated (same angle), magnitude scaled.
        assert!((a[0] - b[0] * mscale).abs() < 1e-5 && (a[8] - b[8] * mscale).abs() < 1e-5);
        // The lowest-frequency pair is interpolated: a different angle.
        assert!((a[7] - b[7] * mscale).abs() > 1e-4);
    }
}
