//! Gated DeltaNet's sequential kernels vs the reference, with state carried across two calls:
//! `conv1d_silu` vs `ConvState::step`, `delta_rule` vs `delta_step` per value head (both head
//! orders, value columns past the workgroup size).
//!
//! Tolerance: 2e-4 · (1 + |reference|); f32 on the GPU, f64 in the reference, u = 2^-24.
//! - conv1d: a dot product of <= 4 taps (|w| <= 1, |x| <= 2): <= 4 u · 8 in the sum, then
//!   SiLU (exp within (3 + 2|x|) ULP, a division): a few 1e-6 at most.
//! - delta rule, per token and value column j: decay (one rounding), p = S_j · k over d_k < 40
//!   terms, the update and o = S_j · q: about (2 d_k + 6) u · ||S_j|| per step (|k| = 1, so
//!   |S_j · k| <= ||S_j||). Old errors shrink with the decay (<= 0.88 for the test's gates) and
//!   the update (I - beta k k^T has norm <= 1), and ||S_j|| <= max|v| / (1 - 0.88) = 8.3.
//!   Worst case (every rounding aligned, decay always 0.88): (2 d_k + 6) u · 8.3 / 0.12 ≈
//!   3.5e-4 — above 2e-4; with independent roundings (6 sigma over sqrt(2 d_k + 6) terms) and
//!   the decays summing them as a random walk (factor 1 / sqrt(1 - 0.88²) = 2.1): ≈ 5.6e-5.
//! - Measured on lavapipe: at most 0.18 % of the tolerance. A wrong head mapping, decay order
//!   or update is off by O(|v|).

use super::{CASES, REDUCTIONS, assert_close, assert_width, guarded_zeros, noise, read_guarded};
use crate::gpu;
use axon_gpu::kernels::deltanet::{DeltaShape, conv1d_silu, delta_rule};
use axon_reference::ops::conv1d::ConvState;
use axon_reference::ops::deltanet::{DeltaInput, DeltaState, delta_step};
use proptest::prelude::*;

fn close(got: &[f32], want: &[f32], what: &str) {
    // f32 conv taps / delta-rule dot products over d_k, compounded over the tokens and damped
    // by the decays: ≈ 5.6e-5 (1 + |ref|) with independent roundings (module docs).
    assert_close(got, want, 2e-4, what);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]
    #[test]
    fn conv1d_matches_reference(channels in 1usize..150, kernel in 1usize..5, t1 in 1usize..6, t2 in 1usize..6, seed in any::<u64>()) {
        let gpu = gpu();
        let w = noise(channels * kernel, seed, 1.0);
        let x = noise((t1 + t2) * channels, seed ^ 0xabc, 2.0);
        let state = gpu.zeros_f32("conv.state", (kernel - 1).max(1) * channels).unwrap();
        let dw = gpu.upload_f32("conv.w", &w).unwrap();
        let mut reference = ConvState::new(kernel, channels);
        for (call, tokens) in [(0, t1), (t1, t2)] {
            let xs = &x[call * channels..(call + tokens) * channels];
            let dx = gpu.upload_f32("conv.x", xs).unwrap();
            let dy = guarded_zeros(gpu, "conv.y", xs.len());
            gpu.run("conv_test", &[conv1d_silu(gpu, &dw, &state, &dx, &dy, kernel).unwrap()]).unwrap();
            let want: Vec<f32> = xs.chunks_exact(channels).flat_map(|xt| reference.step(&w, xt)).collect();
            close(&read_guarded(gpu, &dy, xs.len()), &want, "conv y");
        }
    }

    #[test]
    fn delta_rule_matches_reference(
        k_heads in 1usize..3, ratio in 1usize..3, dk in 1usize..20, dv in 1usize..80,
        t1 in 1usize..6, t2 in 1usize..6, tiled in any::<bool>(), seed in any::<u64>(),
    ) {
        check_rule(RuleCase { k_heads, ratio, dk, dv, t1, t2, tiled, seed });
    }
}

/// Qwen3.5's head sizes (dk = dv = 128) and the largest key head the registers hold (256),
/// whose rows are many per invocation: the random cases above stay below 20.
#[test]
fn delta_rule_at_real_head_sizes() {
    for (dk, dv, seed) in [(128, 128, 11), (256, 40, 12), (100, 130, 13)] {
        check_rule(RuleCase {
            k_heads: 2,
            ratio: 2,
            dk,
            dv,
            t1: 1,
            t2: 3,
            tiled: true,
            seed,
        });
    }
}

/// One delta-rule case: two calls of t1 and t2 tokens carrying the state.
#[derive(Debug, Clone, Copy)]
struct RuleCase {
    k_heads: usize,
    ratio: usize,
    dk: usize,
    dv: usize,
    t1: usize,
    t2: usize,
    tiled: bool,
    seed: u64,
}

fn check_rule(case: RuleCase) {
    let RuleCase {
        k_heads,
        ratio,
        dk,
        dv,
        t1,
        t2,
        tiled,
        seed,
    } = case;
    let gpu = gpu();
    let v_heads = k_heads * ratio;
    let tokens = t1 + t2;
    let unit = |v: Vec<f32>, scale: f32| unit_heads(&v, dk, scale);
    let q = unit(
        noise(tokens * k_heads * dk, seed, 1.0),
        1.0 / (dk as f32).sqrt(),
    );
    let k = unit(noise(tokens * k_heads * dk, seed ^ 1, 1.0), 1.0);
    let v = noise(tokens * v_heads * dv, seed ^ 2, 1.0);
    let raw = noise(tokens * v_heads * 2, seed ^ 3, 2.0);
    let bg: Vec<f32> = raw
        .chunks_exact(2)
        .flat_map(|p| {
            [
                axon_reference::ops::activation::sigmoid(p[0]),
                -axon_reference::ops::activation::softplus(p[1]),
            ]
        })
        .collect();
    let shape = DeltaShape {
        k_heads,
        v_heads,
        dk,
        dv,
        tiled,
    };
    let state = gpu.zeros_f32("delta.state", v_heads * dk * dv).unwrap();
    let mut heads: Vec<DeltaState> = (0..v_heads).map(|_| DeltaState::new(dk, dv)).collect();
    for (start, len) in [(0, t1), (t1, t2)] {
        let slice = |buf: &[f32], row: usize| buf[start * row..(start + len) * row].to_vec();
        let (dq, dk_, dv_, dbg) = (
            gpu.upload_f32("q", &slice(&q, k_heads * dk)).unwrap(),
            gpu.upload_f32("k", &slice(&k, k_heads * dk)).unwrap(),
            gpu.upload_f32("v", &slice(&v, v_heads * dv)).unwrap(),
            gpu.upload_f32("bg", &slice(&bg, v_heads * 2)).unwrap(),
        );
        let o = guarded_zeros(gpu, "o", len * v_heads * dv);
        let dispatch = delta_rule(gpu, shape, [&dq, &dk_, &dv_, &dbg, &state, &o]).unwrap();
        gpu.run("delta_test", &[dispatch]).unwrap();
        let mut want = Vec::new();
        for t in start..start + len {
            for (h, st) in heads.iter_mut().enumerate() {
                let kh = if tiled { h % k_heads } else { h / ratio };
                let kq = (t * k_heads + kh) * dk;
                let input = DeltaInput {
                    q: &q[kq..kq + dk],
                    k: &k[kq..kq + dk],
                    v: &v[(t * v_heads + h) * dv..(t * v_heads + h + 1) * dv],
                    beta: bg[(t * v_heads + h) * 2],
                    g: bg[(t * v_heads + h) * 2 + 1],
                };
                want.extend(delta_step(st, input));
            }
        }
        close(&read_guarded(gpu, &o, len * v_heads * dv), &want, "delta o");
    }
    let final_state: Vec<f32> = heads
        .iter()
        .flat_map(|h| h.s.iter().map(|&x| x as f32))
        .collect();
    close(&gpu.read_f32(&state).unwrap(), &final_state, "delta state");
}

/// Each `dk` values of `v` scaled to length `scale` (the delta rule's normalised q and k).
pub(super) fn unit_heads(v: &[f32], dk: usize, scale: f32) -> Vec<f32> {
    v.chunks_exact(dk)
        .flat_map(|h| {
            let n = h.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
            h.iter().map(move |x| x / n * scale).collect::<Vec<_>>()
        })
        .collect()
}

/// L2 norm + scale and the gated output norm, every reduction, vs the reference twins.
/// Tolerance 1e-5 relative (+1e-6 absolute floor for outputs near zero), as RMSNorm
/// (`rms_norm.rs`): one f32 sum of squares over cols <= 300, along chains of
/// D <= ceil(300 / WG) + log2(sg) + WG / sg additions (D = 77 one subgroup wide at 4 lanes);
/// l2: (D / 2 + 4.5) u relative (eps, inverseSqrt's 2 ULP, the scale and the product) =
/// 2.6e-6; gated: RMSNorm's (D / 2 + 7.3) u plus SiLU of |z| <= 4 (exp within 11 ULP, a
/// division's 2.5, two roundings) ≈ 62 u = 3.7e-6. Measured on lavapipe: at most 3 % of it.
#[test]
fn l2_norm_and_gated_norm_match_reference() {
    use axon_gpu::kernels::l2_norm::l2_norm;
    use axon_gpu::kernels::rms_norm::{RmsNormParams, gated_rms_norm};
    let gpu = gpu();
    for (rows, cols) in [(1, 1), (3, 16), (5, 128), (2, 300)] {
        let x = noise(rows * cols, (rows * 31 + cols) as u64, 3.0);
        let z = noise(rows * cols, (rows * 17 + cols) as u64, 4.0);
        let w = noise(cols, cols as u64, 1.5);
        let scale = 1.0 / (cols as f32).sqrt();
        let mut want_l2 = Vec::new();
        for row in x.chunks_exact(cols) {
            let mut r = row.to_vec();
            axon_reference::ops::l2_norm::l2_norm(&mut r, 1e-6);
            want_l2.extend(r.iter().map(|v| v * scale));
        }
        let want_gated = axon_reference::ops::rms_norm::gated_rms_norm(&x, &z, &w, 1e-6).unwrap();
        for reduction in REDUCTIONS {
            let (dx, dz, dw) = (
                gpu.upload_f32("x", &x).unwrap(),
                gpu.upload_f32("z", &z).unwrap(),
                gpu.upload_f32("w", &w).unwrap(),
            );
            let l2 = guarded_zeros(gpu, "l2", x.len());
            let gated = guarded_zeros(gpu, "gated", x.len());
            let params = RmsNormParams {
                eps: 1e-6,
                weight_offset: 0.0,
                reduction,
            };
            let steps = [
                l2_norm(gpu, &dx, &l2, cols, 1e-6, scale, reduction).unwrap(),
                gated_rms_norm(gpu, &dx, &dz, &dw, &gated, params).unwrap(),
            ];
            assert_width(&steps[0], reduction);
            super::assert_row_width(&steps[1], reduction, [rows, cols]);
            gpu.run("norms_test", &steps).unwrap();
            for (what, got, want) in [
                ("l2", read_guarded(gpu, &l2, x.len()), &want_l2),
                ("gated", read_guarded(gpu, &gated, x.len()), &want_gated),
            ] {
                for (i, (g, e)) in got.iter().zip(want.iter()).enumerate() {
                    // One f32 sum of squares over cols <= 300: <= 3.7e-6 relative (doc above).
                    assert!(
                        (g - e).abs() <= 1e-5 * e.abs() + 1e-6,
                        "{what} {reduction:?} {rows}x{cols} [{i}]: gpu {g} vs reference {e}"
                    );
                }
            }
        }
    }
}

/// `deltanet_gates` vs the reference's `sigmoid` and `softplus` (f64): 1e-5 relative
/// (+1e-6 absolute). One `exp`, one `log` and a few roundings per value; softplus's large-|x|
/// branch is exercised by projections up to ±30. beta = 1 / (1 + exp(-b)), |b| <= 30: exp
/// within (3 + 2|b|) = 63 ULP in Vulkan, then an add and a division (2.5 ULP): 4e-6
/// relative. g = a_neg · softplus(x): for x >= 0, softplus >= ln 2 and Vulkan's log(1 + t)
/// bound (2^-21 absolute on [0.5, 2]) is <= 12 u relative; exp(-|x|) adds <= 67 u relative to
/// its own small contribution. For x < -3, softplus(x) ≈ e^x is small and Vulkan only
/// promises 2^-21 absolute from log there, up to |a_neg| · 2^-21 = 1.3e-6 for the test's
/// |a_neg| <= e — more than the 1e-6 floor. The tolerance relies on log(1 + t) being accurate
/// to a few ULP of its result near 1, as on lavapipe and NVIDIA (measured here: at most 8 %
/// of the tolerance).
#[test]
fn gates_match_reference() {
    use axon_gpu::kernels::deltanet::deltanet_gates;
    use axon_reference::ops::activation::{sigmoid, softplus};
    let gpu = gpu();
    for (tokens, v_heads) in [(1, 1), (3, 5), (70, 16)] {
        let n = tokens * v_heads;
        let b = noise(n, n as u64, 30.0);
        let a = noise(n, n as u64 ^ 7, 30.0);
        let a_neg: Vec<f32> = noise(v_heads, 3, 1.0).iter().map(|x| -x.exp()).collect();
        let dt = noise(v_heads, 4, 2.0);
        let bufs: Vec<_> = [&b, &a, &a_neg, &dt]
            .iter()
            .map(|v| gpu.upload_f32("in", v).unwrap())
            .collect();
        let out = guarded_zeros(gpu, "bg", 2 * n);
        let dispatch = deltanet_gates(gpu, [&bufs[0], &bufs[1], &bufs[2], &bufs[3], &out]).unwrap();
        gpu.run("gates_test", &[dispatch]).unwrap();
        let got = read_guarded(gpu, &out, 2 * n);
        let want: Vec<f32> = (0..n)
            .flat_map(|i| {
                let h = i % v_heads;
                [sigmoid(b[i]), a_neg[h] * softplus(a[i] + dt[h])]
            })
            .collect();
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            // exp within 63 ULP, log within a few ULP of its result: <= 4e-6 relative (doc
            // above, which also says where Vulkan would allow more).
            assert!(
                (g - w).abs() <= 1e-5 * w.abs() + 1e-6,
                "{tokens}x{v_heads} [{i}]: gpu {g} vs reference {w}"
            );
        }
    }
}
