//! A model's rotary position embedding, as its file describes it: which values pair up and
//! how each pair's frequency is derived (plain, linear scaling, YaRN). [`RopeConfig::table`]
//! turns it into what the kernel reads (`axon_gpu::kernels::rope::RopeTable`), in f64.

use axon_gpu::kernels::rope::RopeTable;

/// Which values rotate together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pairing {
    /// `(2i, 2i + 1)`: ggml's normal mode (GGUF Llama, whose Q/K rows llama.cpp's converter
    /// permutes).
    Adjacent,
    /// `(i, i + dims / 2)`: NeoX / Hugging Face; also Qwen3.5's M-RoPE on text positions.
    Neox,
}

/// How pair frequencies are derived.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Frequencies {
    /// `theta^(-2i/dims) / linear_scale` (1 = plain RoPE).
    Scaled {
        /// Base.
        theta: f64,
        /// Position divisor.
        linear_scale: f64,
    },
    /// YaRN context extension (llama.cpp's ramp between interpolated and extrapolated
    /// frequencies, and its magnitude scale). No reader produces it yet: a file asking for
    /// YaRN is refused.
    Yarn {
        /// Base.
        theta: f64,
        /// Extension factor.
        factor: f64,
        /// Training context.
        original_context: usize,
        /// Ramp strength (1 for YaRN).
        ext_factor: f64,
        /// Extra magnitude scale.
        attn_factor: f64,
        /// High-frequency cut (32).
        beta_fast: f64,
        /// Low-frequency cut (1).
        beta_slow: f64,
    },
}

/// One RoPE configuration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RopeConfig {
    /// Rotated values per head.
    pub dims: usize,
    /// Pairing.
    pub pairing: Pairing,
    /// Frequencies.
    pub frequencies: Frequencies,
}

impl RopeConfig {
    /// What the kernel reads: radians per position for each pair (in f64), the pairing and
    /// the magnitude scale.
    pub fn table(&self) -> RopeTable {
        let half = self.dims / 2;
        let dims = self.dims as f64;
        let neox = self.pairing == Pairing::Neox;
        match self.frequencies {
            Frequencies::Scaled {
                theta,
                linear_scale,
            } => {
                let f = (0..half)
                    .map(|i| theta.powf(-2.0 * i as f64 / dims) / linear_scale)
                    .collect();
                RopeTable {
                    freqs: f,
                    neox,
                    mscale: 1.0,
                }
            }
            Frequencies::Yarn {
                theta,
                factor,
                original_context,
                ext_factor,
                attn_factor,
                beta_fast,
                beta_slow,
            } => {
                let corr = |rotations: f64| {
                    dims * (original_context as f64 / (rotations * 2.0 * std::f64::consts::PI)).ln()
                        / (2.0 * theta.ln())
                };
                let low = corr(beta_fast).floor().max(0.0);
                let high = corr(beta_slow).ceil().min(dims - 1.0);
                let f = (0..half)
                    .map(|i| {
                        let extrap = theta.powf(-2.0 * i as f64 / dims);
                        let y = (i as f64 - low) / (high - low).max(0.001);
                        let ramp = (1.0 - y.clamp(0.0, 1.0)) * ext_factor;
                        extrap / factor * (1.0 - ramp) + extrap * ramp
                    })
                    .collect();
                let mscale = attn_factor
                    * if ext_factor != 0.0 {
                        1.0 + 0.1 * factor.ln()
                    } else {
                        1.0
                    };
                RopeTable {
                    freqs: f,
                    neox,
                    mscale: mscale as f32,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_linear_tables_follow_the_formula() {
        let rope = RopeConfig {
            dims: 8,
            pairing: Pairing::Adjacent,
            frequencies: Frequencies::Scaled {
                theta: 10_000.0,
                linear_scale: 2.0,
            },
        };
        let t = rope.table();
        assert!(!t.neox);
        assert_eq!(t.mscale, 1.0);
        assert_eq!(t.freqs.len(), 4);
        for (i, f) in t.freqs.iter().enumerate() {
            let want = 10_000f64.powf(-2.0 * i as f64 / 8.0) / 2.0;
            assert!((f - want).abs() <= 1e-15 * want, "{i}: {f} vs {want}");
        }
    }

    #[test]
    fn yarn_interpolates_low_frequencies_and_scales_magnitudes() {
        let rope = RopeConfig {
            dims: 64,
            pairing: Pairing::Neox,
            frequencies: Frequencies::Yarn {
                theta: 10_000.0,
                factor: 4.0,
                original_context: 4096,
                ext_factor: 1.0,
                attn_factor: 1.0,
                beta_fast: 32.0,
                beta_slow: 1.0,
            },
        };
        let t = rope.table();
        let plain = |i: usize| 10_000f64.powf(-2.0 * i as f64 / 64.0);
        assert!(t.neox);
        assert!((f64::from(t.mscale) - (1.0 + 0.1 * 4f64.ln())).abs() < 1e-6);
        // The highest frequency extrapolates, the lowest is interpolated by 1/factor.
        assert!((t.freqs[0] - plain(0)).abs() < 1e-12);
        assert!((t.freqs[31] - plain(31) / 4.0).abs() < 1e-12 * plain(31));
    }
}
