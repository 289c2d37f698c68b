//! Weight bytes for the matrix kernels' tests.

use axon_formats::quant::{GgmlType, can_quantize, quantize};

/// Weight bytes: the quantizer's output where the formats crate has one, otherwise random
/// blocks whose f16 scale fields are set to small finite values (the other bytes stay random).
pub fn encode(ty: GgmlType, w: &[f32]) -> Vec<u8> {
    if can_quantize(ty) {
        return quantize(ty, w).unwrap();
    }
    let mut state = w
        .iter()
        .fold(0x9e37_79b9u32, |h, v| h.rotate_left(5) ^ v.to_bits());
    let blocks = w.len() / ty.block_len();
    let mut data: Vec<u8> = (0..blocks * ty.block_bytes())
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect();
    // f16 scales: d (and dmin for Q5_K) at the block start, in [2^-8, 2^-6).
    let scale_fields = if ty == GgmlType::Q5K { 2 } else { 1 };
    for block in data.chunks_exact_mut(ty.block_bytes()) {
        for f in 0..scale_fields {
            let h = 0x1c00u16 | u16::from(block[2 * f]) | (u16::from(block[2 * f + 1] & 0x3) << 8);
            block[2 * f..2 * f + 2].copy_from_slice(&h.to_le_bytes());
        }
    }
    data
}

/// Gate and up matrices of `ff` rows each, encoded as one matrix of `2 * ff` rows (gate rows
/// first), and their decoded values.
pub struct GluWeights {
    /// The encoded matrix.
    pub data: Vec<u8>,
    /// Decoded gate rows, `[ff, cols]`.
    pub gate: Vec<f32>,
    /// Decoded up rows, `[ff, cols]`.
    pub up: Vec<f32>,
    /// Columns.
    pub cols: usize,
}

impl GluWeights {
    /// Fixed pseudo-random weights of `ty`.
    pub fn new(ty: GgmlType, ff: usize, cols: usize) -> Self {
        let w: Vec<f32> = (0..2 * ff * cols)
            .map(|i| ((i * 37 % 101) as f32 - 50.0) / 60.0)
            .collect();
        let data = encode(ty, &w);
        let mut gate = axon_formats::quant::dequantize(ty, &data, w.len()).unwrap();
        let up = gate.split_off(ff * cols);
        Self {
            data,
            gate,
            up,
            cols,
        }
    }

    /// Inputs for `tokens` tokens whose G x lands around ±1..3, where SiLU and GELU-tanh
    /// differ by ~0.1·|u| (a swapped activation must fail the check).
    pub fn input(&self, tokens: usize) -> Vec<f32> {
        (0..tokens * self.cols)
            .map(|i| ((i * 13 % 29) as f32 - 14.0) / 20.0)
            .collect()
    }

    /// Asserts one token's outputs `got` (`[ff]`) against `gated_mlp` with an identity down
    /// projection. Tolerance: each f32 dot product (G x or U x, `cols` terms, any summation
    /// order or workgroup width) is within d = (cols + 7)·2^-24·Σ|w_i x_i| of the f64 one:
    /// <= 1.6e-5·Σ|w_i x_i| at up to 256 terms, so 3e-5 bounds it there, and that factor grows
    /// with cols + 7 past it (+1e-6 for zero rows). Then
    /// |act(g)·u - act(ĝ)·û| <= |act'|·d·|u| + |act(g)|·d + d² with |act'| <= 1.13 and
    /// |act(g)| <= |g| for SiLU and GELU-tanh, below 2·d·(|u| + |g| + d), whose factor 2 also
    /// covers the activation's own few-ULP error. Measured on lavapipe: at most 0.12 % of it.
    pub fn check_token(
        &self,
        x: &[f32],
        got: &[f32],
        act: axon_reference::ops::mlp::GateActivation,
        what: &str,
    ) {
        use axon_reference::ops::linear::linear;
        let ff = self.gate.len() / self.cols;
        let identity: Vec<f32> = (0..ff * ff)
            .map(|i| if i % (ff + 1) == 0 { 1.0 } else { 0.0 })
            .collect();
        let want = axon_reference::ops::mlp::gated_mlp(&self.gate, &self.up, &identity, x, act);
        let (g_ref, u_ref) = (linear(&self.gate, x), linear(&self.up, x));
        let abs_dot = |m: &[f32], r: usize| -> f32 {
            m[r * self.cols..(r + 1) * self.cols]
                .iter()
                .zip(x)
                .map(|(a, b)| (a * b).abs())
                .sum()
        };
        assert_eq!(got.len(), ff, "{what}: outputs");
        for r in 0..ff {
            // d: the f32 dot product's bound; tol: its effect through the gate (doc comment
            // above).
            let factor = 3e-5 * ((self.cols + 7) as f32 / 263.0).max(1.0);
            let d = factor * abs_dot(&self.gate, r).max(abs_dot(&self.up, r)) + 1e-6;
            let tol = 2.0 * d * (u_ref[r].abs() + g_ref[r].abs() + d);
            assert!(
                (got[r] - want[r]).abs() <= tol,
                "{what} row {r}: gpu {} vs reference {} (tol {tol})",
                got[r],
                want[r]
            );
        }
    }
}
