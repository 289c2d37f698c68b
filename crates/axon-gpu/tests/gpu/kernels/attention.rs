//! Decode attention vs `axon_reference::ops::attention::attend` (+ `sigmoid_gate`): GQA,
//! sliding windows shorter and longer than the cache, gated and ungated, every reduction.
//!
//! Tolerance: 1e-4 · (1 + max|v|) per value. Scores are f32 dot products over head_dim and
//! the softmax runs in f32 (the reference in f64); weights sum to 1, so the output error is a
//! small multiple of f32 rounding of values of size max|v|. A wrong KV head, window edge or
//! normalisation is off by O(max|v|).

use super::{CASES, REDUCTIONS, assert_width, guarded_zeros, noise, read_guarded};
use crate::gpu;
use axon_gpu::kernels::Reduction;
use axon_gpu::kernels::attention::{DecodeAttention, attention_decode};
use axon_reference::ops::attention::{AttentionShape, attend, sigmoid_gate};
use proptest::prelude::*;

/// Values in [-2, 2).
fn values(n: usize, seed: u64) -> Vec<f32> {
    noise(n, seed, 2.0)
}

/// One test case.
#[derive(Debug, Clone, Copy)]
struct Case {
    kv_heads: usize,
    group: usize,
    head_dim: usize,
    pos: usize,
    window: Option<usize>,
    gated: bool,
    seed: u64,
}

fn check(case: Case, reduction: Reduction) {
    let Case {
        kv_heads,
        group,
        head_dim,
        pos,
        window,
        gated,
        seed,
    } = case;
    let gpu = gpu();
    let heads = kv_heads * group;
    let q = values(heads * head_dim, seed);
    let k = values((pos + 1) * kv_heads * head_dim, seed ^ 1);
    let v = values((pos + 1) * kv_heads * head_dim, seed ^ 2);
    let g = values(heads * head_dim, seed ^ 3);
    let scale = 1.0 / (head_dim as f32).sqrt();
    let a = DecodeAttention {
        heads,
        kv_heads,
        head_dim,
        pos,
        window,
        scale,
        reduction,
    };
    let (dq, dk, dv, dg) = (
        gpu.upload_f32("q", &q).unwrap(),
        gpu.upload_f32("k", &k).unwrap(),
        gpu.upload_f32("v", &v).unwrap(),
        gpu.upload_f32("gate", &g).unwrap(),
    );
    let scores = gpu.zeros_f32("scores", heads * (pos + 1)).unwrap();
    let out = guarded_zeros(gpu, "out", heads * head_dim);
    let passes = attention_decode(
        gpu,
        &a,
        [&dq, &dk, &dv, &scores, &out],
        gated.then_some(&dg),
    )
    .unwrap();
    assert_width(&passes[1], reduction);
    gpu.run("attention_test", &passes).unwrap();
    let got = read_guarded(gpu, &out, heads * head_dim);
    let shape = AttentionShape {
        heads,
        kv_heads,
        head_dim,
    };
    let mut want = attend(&q, &k, &v, shape, f64::from(scale), pos, window);
    if gated {
        sigmoid_gate(&mut want, &g);
    }
    let vmax = v.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    for (i, (a, b)) in got.iter().zip(&want).enumerate() {
        assert!(
            (a - b).abs() <= 1e-4 * (1.0 + vmax),
            "{reduction:?} pos {pos} window {window:?} gated {gated}: out[{i}] gpu {a} vs reference {b}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]
    #[test]
    fn decode_attention_matches_reference(
        kv_heads in 1usize..3, group in 1usize..4, head_dim in 1usize..80, pos in 0usize..300,
        window in prop_oneof![Just(None), (1usize..40).prop_map(Some), (300usize..400).prop_map(Some)],
        gated in any::<bool>(), seed in any::<u64>(),
    ) {
        let case = Case { kv_heads, group, head_dim, pos, window, gated, seed };
        for reduction in REDUCTIONS {
            check(case, reduction);
        }
    }
}

#[test]
fn edge_cases() {
    for reduction in REDUCTIONS {
        check(
            Case {
                kv_heads: 1,
                group: 1,
                head_dim: 1,
                pos: 0,
                window: None,
                gated: false,
                seed: 1,
            },
            reduction,
        );
        check(
            Case {
                kv_heads: 2,
                group: 2,
                head_dim: 2,
                pos: 1,
                window: Some(1),
                gated: true,
                seed: 2,
            },
            reduction,
        );
        check(
            Case {
                kv_heads: 1,
                group: 8,
                head_dim: 256,
                pos: 700,
                window: Some(512),
                gated: true,
                seed: 3,
            },
            reduction,
        );
    }
}
