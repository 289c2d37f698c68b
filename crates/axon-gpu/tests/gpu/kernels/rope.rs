//! `rope` vs `axon_reference::ops::rope::Rope` (adjacent / NeoX, partial, linear scaling) and
//! `axon_reference::ops::rope_ext::Yarn`.
//!
//! Tolerance: 2e-3 · max|x| per value (absolute), from Vulkan's precision rules, not from
//! what lavapipe happens to deliver. Each output is `mscale · (x0 cos θ ∓ x1 sin θ)` and the
//! reference computes it in f64. Vulkan bounds f32 sin and cos to 2^-11 absolute on [-π, π],
//! which the kernel's angle always lies in (exact range reduction in 64-bit fixed point; the
//! angle itself is within ~5e-7 rad at any position), so |error| <= mscale · (2 · 2^-11 +
//! 2 · 5e-7 + a few 2^-24) · max|x| ≈ 1.1e-3 · max|x| for YaRN's largest mscale here
//! (1 + 0.1 ln 4 = 1.14); 2e-3 covers that. Measured on lavapipe: 4.6e-7 · max|x| at every
//! position tested, and 1.0e-2 · max|x| near position 10^5 before the range reduction (the
//! kernel then formed `pos · freq` in f32, off by ~1e-2 rad there), which fails this test. A
//! swapped pair or a wrong frequency is off by O(max|x|).

use super::{CASES, guarded_upload, read_guarded};
use crate::gpu;
use axon_gpu::kernels::rope::{RopeTable, rope};
use axon_reference::ops::rope::{Rope, RopePairing};
use axon_reference::ops::rope_ext::Yarn;
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Problem {
    tokens: usize,
    heads: usize,
    head_dim: usize,
    dims: usize,
    pos0: u32,
    neox: bool,
    yarn: bool,
    linear_scale: f64,
    theta: f64,
    x: Vec<f32>,
}

fn problem() -> impl Strategy<Value = Problem> {
    (
        1usize..5,
        1usize..5,
        1usize..40,
        0u32..1000,
        any::<bool>(),
        any::<bool>(),
        prop_oneof![Just(1.0f64), Just(4.0)],
        1usize..=4,
    )
        .prop_flat_map(
            |(tokens, heads, half_head, pos0, neox, yarn, linear_scale, quarter)| {
                let head_dim = 2 * half_head;
                // Rotated dims: the whole head or a part of it (partial rotary), always even.
                let dims = (2 * ((half_head * quarter).div_ceil(4))).min(head_dim);
                prop::collection::vec(-3.0f32..3.0, tokens * heads * head_dim).prop_map(move |x| {
                    Problem {
                        tokens,
                        heads,
                        head_dim,
                        dims,
                        pos0,
                        neox,
                        yarn,
                        linear_scale,
                        theta: 10_000.0,
                        x,
                    }
                })
            },
        )
}

fn check(p: &Problem) {
    let (got, want) = rotate(p);
    let scale = p.x.iter().fold(0.0f32, |m, v| m.max(v.abs())).max(1e-6);
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        // mscale · 2 · 2^-11 (Vulkan's sin/cos bound on [-π, π]) · max|x| plus the small
        // angle and rounding terms: ≈ 1.1e-3 · max|x| at most (module docs).
        assert!(
            (g - w).abs() <= 2e-3 * scale,
            "{}: element {i} (token {}): gpu {g} vs reference {w}",
            p.describe(),
            i / (p.heads * p.head_dim)
        );
    }
}

impl Problem {
    /// Everything but the values.
    fn describe(&self) -> String {
        format!(
            "{} tokens x {} heads x {} (dims {}) from position {}, neox {}, yarn {}, linear \
             scale {}, theta {}",
            self.tokens,
            self.heads,
            self.head_dim,
            self.dims,
            self.pos0,
            self.neox,
            self.yarn,
            self.linear_scale,
            self.theta
        )
    }
}

/// The kernel's table for `p`, computed here from the formulas (plain and linear:
/// `theta^(-2i/dims) / scale`; YaRN: llama.cpp's ramp between `1/factor` interpolation and
/// extrapolation, and its magnitude scale), independently of `axon-models`' and of the
/// reference's code; the reference then rotates with its own ops.
fn table(p: &Problem) -> RopeTable {
    let dims = p.dims as f64;
    let plain = |i: usize| p.theta.powf(-2.0 * i as f64 / dims);
    let (freqs, mscale) = if p.yarn {
        let (factor, original, beta_fast, beta_slow) = (4.0f64, 256.0f64, 32.0f64, 1.0f64);
        let corr = |rotations: f64| {
            dims * (original / (rotations * std::f64::consts::TAU)).ln() / (2.0 * p.theta.ln())
        };
        let low = corr(beta_fast).floor().max(0.0);
        let high = corr(beta_slow).ceil().min(dims - 1.0);
        let freqs = (0..p.dims / 2)
            .map(|i| {
                let y = (i as f64 - low) / (high - low).max(0.001);
                let ramp = 1.0 - y.clamp(0.0, 1.0);
                plain(i) / factor * (1.0 - ramp) + plain(i) * ramp
            })
            .collect();
        (freqs, (1.0 + 0.1 * factor.ln()) as f32)
    } else {
        let freqs = (0..p.dims / 2).map(|i| plain(i) / p.linear_scale).collect();
        (freqs, 1.0)
    };
    RopeTable {
        freqs,
        neox: p.neox,
        mscale,
    }
}

/// A plain RoPE table: `dims` rotated values, base `theta`, NeoX pairs.
fn plain_neox(dims: usize, theta: f64) -> RopeTable {
    RopeTable {
        freqs: (0..dims / 2)
            .map(|i| theta.powf(-2.0 * i as f64 / dims as f64))
            .collect(),
        neox: true,
        mscale: 1.0,
    }
}

/// The GPU's rotation of `p.x` and the reference's.
fn rotate(p: &Problem) -> (Vec<f32>, Vec<f32>) {
    assert_eq!(p.x.len(), p.tokens * p.heads * p.head_dim);
    let gpu = gpu();
    let config = table(p);
    let x = guarded_upload(gpu, "x", &p.x);
    gpu.run(
        "rope_test",
        &[rope(gpu, &x, p.tokens, p.heads, p.head_dim, p.pos0, &config).unwrap()],
    )
    .unwrap();
    let got = read_guarded(gpu, &x, p.x.len());

    let mut want = p.x.clone();
    for (t, token) in want.chunks_exact_mut(p.heads * p.head_dim).enumerate() {
        let pos = p.pos0 as usize + t;
        for head in token.chunks_exact_mut(p.head_dim) {
            if p.yarn {
                let y = Yarn {
                    dims: p.dims,
                    theta: p.theta,
                    factor: 4.0,
                    original_context: 256,
                    ext_factor: 1.0,
                    attn_factor: 1.0,
                    beta_fast: 32.0,
                    beta_slow: 1.0,
                };
                if p.neox {
                    y.apply(head, pos);
                } else {
                    // The reference's YaRN is NeoX-paired; check adjacent pairing through a permutation.
                    let half = p.dims / 2;
                    let mut perm: Vec<f32> = head.to_vec();
                    for i in 0..half {
                        perm[i] = head[2 * i];
                        perm[i + half] = head[2 * i + 1];
                    }
                    y.apply(&mut perm, pos);
                    for i in 0..half {
                        head[2 * i] = perm[i];
                        head[2 * i + 1] = perm[i + half];
                    }
                }
            } else {
                let pairing = if p.neox {
                    RopePairing::Neox
                } else {
                    RopePairing::Adjacent
                };
                Rope {
                    dims: p.dims,
                    theta: p.theta,
                    pairing,
                    linear_scale: p.linear_scale,
                }
                .apply(head, pos);
            }
        }
    }
    (got, want)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]
    #[test]
    fn rope_matches_reference(p in problem()) {
        check(&p);
    }
}

#[test]
fn partial_rotary_leaves_the_tail_bit_exact() {
    let p = Problem {
        tokens: 2,
        heads: 3,
        head_dim: 16,
        dims: 4,
        pos0: 17,
        neox: true,
        yarn: false,
        linear_scale: 1.0,
        theta: 1e4,
        x: (0..96).map(|i| i as f32 / 7.0).collect(),
    };
    check(&p);
    let gpu = gpu();
    let x = gpu.upload_f32("x", &p.x).unwrap();
    let config = plain_neox(4, 1e4);
    gpu.run(
        "rope_tail",
        &[rope(gpu, &x, 2, 3, 16, 17, &config).unwrap()],
    )
    .unwrap();
    let got = gpu.read_f32(&x).unwrap();
    for head in 0..6 {
        assert_eq!(
            &got[head * 16 + 4..head * 16 + 16],
            &p.x[head * 16 + 4..head * 16 + 16]
        );
    }
}

/// Positions near 10^5 and around 2^17 = 131 072 (long-context models), where an f32 angle
/// `pos · freq` is off by up to ~1e-2 rad: every head size the models use, both pairings, plain,
/// linear-scaled and YaRN frequencies, bases 1e4 and 1e6, a partial rotary case.
#[test]
fn rope_at_large_positions_matches_reference() {
    use super::noise;
    for (pos0, tokens) in [(99_990, 21), (130_990, 20), (131_060, 24)] {
        for (head_dim, dims) in [(64, 64), (80, 80), (128, 128), (128, 64), (256, 256)] {
            for neox in [false, true] {
                for (yarn, linear_scale, theta) in [
                    (false, 1.0, 1e4),
                    (false, 4.0, 1e4),
                    (false, 1.0, 1e6),
                    (true, 1.0, 1e4),
                ] {
                    let heads = 2;
                    let seed = u64::from(pos0) ^ head_dim as u64;
                    check(&Problem {
                        tokens,
                        heads,
                        head_dim,
                        dims,
                        pos0,
                        neox,
                        yarn,
                        linear_scale,
                        theta,
                        x: noise(tokens * heads * head_dim, seed, 3.0),
                    });
                }
            }
        }
    }
}

/// `rope_at` reads its position when the pass runs: one encoded dispatch, run at two
/// positions set afterwards, gives bit for bit what `rope` gives with those positions fixed.
#[test]
fn rope_at_reads_the_position_uniform_at_run_time() {
    use axon_gpu::kernels::rope::rope_at;
    let gpu = gpu();
    let config = plain_neox(16, 1e4);
    let data: Vec<f32> = (0..3 * 2 * 16).map(|i| (i as f32 * 0.37).sin()).collect();
    let x = gpu.upload_f32("x", &data).unwrap();
    let position = gpu.position(0).unwrap();
    let encoded = rope_at(gpu, &x, [3, 2, 16], &position, &config).unwrap();
    for pos in [7usize, 300] {
        gpu.queue()
            .write_buffer(x.raw(), 0, bytemuck::cast_slice(&data));
        position.set(gpu, pos);
        gpu.run("rope_at", std::slice::from_ref(&encoded)).unwrap();
        let got = gpu.read_f32(&x).unwrap();
        let fixed = gpu.upload_f32("fixed", &data).unwrap();
        let dispatch = rope(gpu, &fixed, 3, 2, 16, pos as u32, &config).unwrap();
        gpu.run("rope_fixed", &[dispatch]).unwrap();
        let want = gpu.read_f32(&fixed).unwrap();
        let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&got), bits(&want), "position {pos}");
    }
}
