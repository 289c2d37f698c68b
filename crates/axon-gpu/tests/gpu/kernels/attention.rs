//! Decode attention vs `axon_reference::ops::attention::attend` (+ `sigmoid_gate`): GQA,
//! sliding windows shorter and longer than the cache, gated and ungated, every reduction, f32
//! and f16 caches (the reference attends over the halves an f16 cache holds).
//!
//! Tolerance: 1e-4 · (1 + max|v|) per value; f32 on the GPU, f64 in the reference, u = 2^-24.
//! - Scores: f32 dot products over head_dim <= 256 (times scale = 1/sqrt(head_dim)). A sum's
//!   error is <= u · Σ_k |S_k| (S_k its partial sums). With the test's independent q, k
//!   uniform in [-2, 2) the partial sums grow like sqrt(k): E Σ_k |S_k| ≈ 0.71 head_dim^1.5,
//!   so a score is off by ≈ 1.1e-5 at head_dim 256 (2.2e-5 allowing twice that); only
//!   products of one sign throughout, which random data does not produce, could reach 9.8e-4.
//! - A score error δ moves the output by <= 2 max|δ| · max|v| (the weights sum to 1).
//! - exp of (score - max) is within (3 + 2|s - max|) ULP in Vulkan: <= 43 u for the weights
//!   that matter (|s - max| < 20; smaller ones are below e^-20), so <= 86 u · max|v| out.
//! - The value sums: a run of at most 512 positions (n visible positions cut into `splits`
//!   runs of whole 16-position tiles; a run is longer than 512 only past 32 768 positions),
//!   one rescale per tile, the merge over at most 64 runs, the division by the weight sum:
//!   (512 + 32 + 64 + 3) u · max|v| <= 3.7e-5 · max|v| worst case.
//! - Total <= (4.4e-5 + 5.1e-6 + 3.7e-5) · max|v| < 1e-4 · (1 + max|v|). A wrong KV
//!   head, window edge, run boundary or normalisation is off by O(max|v|).

use super::{
    CASES, REDUCTIONS, as_cached, assert_width, guarded_zeros, noise, read_guarded, upload_cache,
};
use crate::gpu;
use axon_gpu::kernels::Reduction;
use axon_gpu::kernels::attention::{DecodeAttention, attention_decode, partials_len};
use axon_gpu::kernels::kv_cache::KvType;
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

/// Decode attention over a cache of type `kv` (an f16 cache: the reference attends over the
/// halves it holds, which the kernel reads exactly, so the tolerance is f32's).
fn check(case: Case, reduction: Reduction, kv: KvType) {
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
        cache: kv,
    };
    let (dq, dk, dv, dg) = (
        gpu.upload_f32("q", &q).unwrap(),
        upload_cache(gpu, "k", &k, kv),
        upload_cache(gpu, "v", &v, kv),
        gpu.upload_f32("gate", &g).unwrap(),
    );
    let (k, v) = (as_cached(&k, kv), as_cached(&v, kv));
    let partials = gpu
        .zeros_f32("partials", partials_len(heads, kv_heads, head_dim))
        .unwrap();
    let out = guarded_zeros(gpu, "out", heads * head_dim);
    let passes = attention_decode(
        gpu,
        &a,
        [&dq, &dk, &dv, &partials, &out],
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
        // f32 scores over head_dim, f32 softmax and value sums over runs of <= 512
        // positions: <= 8.7e-5 · max|v| (module docs).
        assert!(
            (a - b).abs() <= 1e-4 * (1.0 + vmax),
            "{kv} {reduction:?} pos {pos} window {window:?} gated {gated}: out[{i}] gpu {a} vs reference {b}"
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
            check(case, reduction, KvType::F32);
        }
        // The cache type changes the split pass only, which no reduction variant touches.
        check(case, Reduction::Workgroup, KvType::F16);
    }
}

#[test]
fn edge_cases() {
    for (reduction, kv) in REDUCTIONS
        .map(|r| (r, KvType::F32))
        .into_iter()
        .chain([(Reduction::Workgroup, KvType::F16)])
    {
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
            kv,
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
            kv,
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
            kv,
        );
        // More query heads per KV head than one scoring round takes (GROUP = 4 in the
        // kernel), over several tiles with a partial last one.
        check(
            Case {
                kv_heads: 2,
                group: 12,
                head_dim: 96,
                pos: 200,
                window: None,
                gated: false,
                seed: 4,
            },
            reduction,
            kv,
        );
        // Deep caches: runs of several tiles, so the online softmax rescales what a run has
        // summed (64 runs per KV head at 1-2 KV heads, 32 at 8), windowed and not.
        check(
            Case {
                kv_heads: 8,
                group: 4,
                head_dim: 128,
                pos: 2100,
                window: None,
                gated: false,
                seed: 5,
            },
            reduction,
            kv,
        );
        check(
            Case {
                kv_heads: 2,
                group: 3,
                head_dim: 64,
                pos: 4000,
                window: Some(3000),
                gated: true,
                seed: 6,
            },
            reduction,
            kv,
        );
        // Heads past 256 values: the key dot products take a second pass of loads and the
        // values a second dimension per invocation.
        check(
            Case {
                kv_heads: 1,
                group: 2,
                head_dim: 320,
                pos: 150,
                window: None,
                gated: false,
                seed: 7,
            },
            reduction,
            kv,
        );
    }
}
