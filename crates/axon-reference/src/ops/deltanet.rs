//! The gated delta rule of Gated DeltaNet, per value head, in its sequential (per-token) form
//! and its chunked (prefill) form. State `S` is `[d_k][d_v]`; inputs are already normalised
//! (`q` L2-normed and scaled by `1/sqrt(d_k)`, `k` L2-normed), `beta = sigmoid(b)`,
//! `g = -exp(A_log) * softplus(a + dt_bias)` (log-space decay, <= 0).
//!
//! Sequential, per token: `S <- exp(g) S; p = S^T k; S <- S + k (beta (v - p))^T; o = S^T q`.
//! The chunked form reaches the same outputs and state with a triangular solve per chunk;
//! a test shows the two agree for every length 1..300 with state carried across calls.

/// One head's recurrent state, `[d_k][d_v]` row-major, f64.
#[derive(Debug, Clone, PartialEq)]
pub struct DeltaState {
    /// Key dimension.
    pub dk: usize,
    /// Value dimension.
    pub dv: usize,
    /// The matrix.
    pub s: Vec<f64>,
}

impl DeltaState {
    /// Zeros.
    pub fn new(dk: usize, dv: usize) -> Self {
        Self {
            dk,
            dv,
            s: vec![0.0; dk * dv],
        }
    }
}

/// One token's inputs for one head.
#[derive(Debug, Clone, Copy)]
pub struct DeltaInput<'a> {
    /// Normalised, scaled query, `[d_k]`.
    pub q: &'a [f32],
    /// Normalised key, `[d_k]`.
    pub k: &'a [f32],
    /// Value, `[d_v]`.
    pub v: &'a [f32],
    /// Write strength in (0, 1).
    pub beta: f32,
    /// Log decay (<= 0).
    pub g: f32,
}

/// Advances the state by one token and returns its output `[d_v]`.
pub fn delta_step(state: &mut DeltaState, x: DeltaInput<'_>) -> Vec<f32> {
    let (dk, dv) = (state.dk, state.dv);
    let decay = f64::from(x.g).exp();
    state.s.iter_mut().for_each(|v| *v *= decay);
    let mut u = vec![0.0f64; dv];
    for (j, uj) in u.iter_mut().enumerate() {
        let p: f64 = (0..dk)
            .map(|i| state.s[i * dv + j] * f64::from(x.k[i]))
            .sum();
        *uj = f64::from(x.beta) * (f64::from(x.v[j]) - p);
    }
    for (row, &ki) in state.s.chunks_exact_mut(dv).zip(x.k) {
        let ki = f64::from(ki);
        row.iter_mut().zip(&u).for_each(|(s, uj)| *s += ki * uj);
    }
    (0..dv)
        .map(|j| {
            (0..dk)
                .map(|i| state.s[i * dv + j] * f64::from(x.q[i]))
                .sum::<f64>() as f32
        })
        .collect()
}

/// Runs a sequence through the chunked form (chunks of `chunk` tokens), starting from and
/// updating `state`; returns one output per token.
pub fn delta_chunked(
    state: &mut DeltaState,
    inputs: &[DeltaInput<'_>],
    chunk: usize,
) -> Vec<Vec<f32>> {
    let (dk, dv) = (state.dk, state.dv);
    let mut outputs = Vec::with_capacity(inputs.len());
    for block in inputs.chunks(chunk.max(1)) {
        let c = block.len();
        // gamma_r: inclusive cumulative log decay inside the chunk.
        let mut gamma = vec![0.0f64; c];
        let mut acc = 0.0;
        for (r, x) in block.iter().enumerate() {
            acc += f64::from(x.g);
            gamma[r] = acc;
        }
        let dot = |a: &[f32], b: &[f32]| -> f64 {
            a.iter()
                .zip(b)
                .map(|(&x, &y)| f64::from(x) * f64::from(y))
                .sum()
        };
        // T = (I + L)^-1 with L_rs = beta_r (k_r . k_s) exp(gamma_r - gamma_s), s < r:
        // solve by forward substitution for U = T (beta V) and W = T (beta e^gamma K).
        let mut u = vec![vec![0.0f64; dv]; c];
        let mut w = vec![vec![0.0f64; dk]; c];
        for r in 0..c {
            let br = f64::from(block[r].beta);
            let (u_done, u_rest) = u.split_at_mut(r);
            let (w_done, w_rest) = w.split_at_mut(r);
            let (ur, wr) = (&mut u_rest[0], &mut w_rest[0]);
            ur.iter_mut()
                .zip(block[r].v)
                .for_each(|(o, &v)| *o = br * f64::from(v));
            wr.iter_mut()
                .zip(block[r].k)
                .for_each(|(o, &k)| *o = br * gamma[r].exp() * f64::from(k));
            for s in 0..r {
                let l = br * dot(block[r].k, block[s].k) * (gamma[r] - gamma[s]).exp();
                ur.iter_mut().zip(&u_done[s]).for_each(|(o, p)| *o -= l * p);
                wr.iter_mut().zip(&w_done[s]).for_each(|(o, p)| *o -= l * p);
            }
        }
        // Corrected values: Vn = U - W S.
        let vn: Vec<Vec<f64>> = (0..c)
            .map(|r| {
                (0..dv)
                    .map(|j| u[r][j] - (0..dk).map(|i| w[r][i] * state.s[i * dv + j]).sum::<f64>())
                    .collect()
            })
            .collect();
        for r in 0..c {
            let q = block[r].q;
            let out: Vec<f32> = (0..dv)
                .map(|j| {
                    let inter = gamma[r].exp()
                        * (0..dk)
                            .map(|i| f64::from(q[i]) * state.s[i * dv + j])
                            .sum::<f64>();
                    let intra: f64 = (0..=r)
                        .map(|s| dot(q, block[s].k) * (gamma[r] - gamma[s]).exp() * vn[s][j])
                        .sum();
                    (inter + intra) as f32
                })
                .collect();
            outputs.push(out);
        }
        let last = gamma[c - 1];
        for (i, row) in state.s.chunks_exact_mut(dv).enumerate() {
            for (j, sij) in row.iter_mut().enumerate() {
                let written: f64 = (0..c)
                    .map(|s| (last - gamma[s]).exp() * f64::from(block[s].k[i]) * vn[s][j])
                    .sum();
                *sij = last.exp() * *sij + written;
            }
        }
    }
    outputs
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Per-token queries, keys, values, betas and log decays.
    type Sequence = (
        Vec<Vec<f32>>,
        Vec<Vec<f32>>,
        Vec<Vec<f32>>,
        Vec<f32>,
        Vec<f32>,
    );

    /// Deterministic pseudo-random inputs with normalised keys and queries.
    fn inputs(n: usize, dk: usize, dv: usize, seed: u64) -> Sequence {
        let mut x = seed;
        let mut next = move || {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((x >> 33) as f64 / (1u64 << 31) as f64 * 2.0 - 1.0) as f32
        };
        let mut unit = |len: usize, scale: f32| -> Vec<f32> {
            let mut v: Vec<f32> = (0..len).map(|_| next()).collect();
            crate::ops::l2_norm::l2_norm(&mut v, 1e-6);
            v.iter_mut().for_each(|e| *e *= scale);
            v
        };
        let q = (0..n).map(|_| unit(dk, 1.0 / (dk as f32).sqrt())).collect();
        let k = (0..n).map(|_| unit(dk, 1.0)).collect();
        let v = (0..n).map(|_| (0..dv).map(|_| next()).collect()).collect();
        let beta = (0..n)
            .map(|_| crate::ops::activation::sigmoid(next() * 3.0))
            .collect();
        let g = (0..n)
            .map(|_| -crate::ops::activation::softplus(next() * 2.0) * 0.5)
            .collect();
        (q, k, v, beta, g)
    }

    #[test]
    fn chunked_equals_sequential_for_lengths_1_to_300_with_carried_state() {
        let (dk, dv) = (6, 5);
        let (q, k, v, beta, g) = inputs(300 + 37, dk, dv, 7);
        let all: Vec<DeltaInput<'_>> = (0..q.len())
            .map(|t| DeltaInput {
                q: &q[t],
                k: &k[t],
                v: &v[t],
                beta: beta[t],
                g: g[t],
            })
            .collect();
        // A state carried in from an earlier call: the first 37 tokens.
        let mut start = DeltaState::new(dk, dv);
        for x in &all[..37] {
            delta_step(&mut start, *x);
        }
        let seq = &all[37..];
        let mut worst = 0.0f64;
        for len in 1..=300 {
            let mut s_seq = start.clone();
            let o_seq: Vec<Vec<f32>> = seq[..len]
                .iter()
                .map(|x| delta_step(&mut s_seq, *x))
                .collect();
            let mut s_chunk = start.clone();
            // Two calls, so the chunked form also carries its own state across calls.
            let split = len / 3;
            let mut o_chunk = delta_chunked(&mut s_chunk, &seq[..split], 16);
            o_chunk.extend(delta_chunked(&mut s_chunk, &seq[split..len], 16));
            for (a, b) in o_seq.iter().flatten().zip(o_chunk.iter().flatten()) {
                worst = worst.max(f64::from((a - b).abs()));
            }
            for (a, b) in s_seq.s.iter().zip(&s_chunk.s) {
                worst = worst.max((a - b).abs());
            }
        }
        assert!(worst < 1e-5, "worst difference {worst}");
    }

    #[test]
    fn one_step_by_hand() {
        // d_k = d_v = 1: S = e^g * 0 + k * beta * (v - 0) = beta v k; o = S q.
        let mut s = DeltaState::new(1, 1);
        let o = delta_step(
            &mut s,
            DeltaInput {
                q: &[0.5],
                k: &[1.0],
                v: &[2.0],
                beta: 0.25,
                g: -1.0,
            },
        );
        assert!((o[0] - 0.25).abs() < 1e-7);
        let o = delta_step(
            &mut s,
            DeltaInput {
                q: &[1.0],
                k: &[1.0],
                v: &[4.0],
                beta: 1.0,
                g: 0.0,
            },
        );
        // S = 0.5; p = 0.5; u = 3.5; S = 4; o = 4.
        assert!((o[0] - 4.0).abs() < 1e-6);
    }
}
