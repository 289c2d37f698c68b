//! Prefill attention vs `axon_reference::ops::attention::attend` (+ `sigmoid_gate`) for each
//! query token at its own position: GQA, sliding windows shorter and longer than the context,
//! gated and ungated, starting at position 0 or after a cached prefix, token counts across
//! the 8-query tile and contexts across the 64-key tile, f32 and f16 caches (the reference
//! attends over the halves an f16 cache holds).
//!
//! Tolerance: 1e-4 · (1 + max|v|) per value, derived as for decode attention (`attention.rs`:
//! f32 scores over head_dim <= 256, exp within (3 + 2|s - max|) ULP, values summed over at
//! most 512 visible positions: <= 8.0e-5 · max|v|). The online softmax adds one rescale per
//! 64-key tile (exp of the max's change and a multiply, ~(5 + 2|Δmax|) u per tile on the
//! running sums, <= 11 tiles here), below 1e-5 · max|v|: <= 9.0e-5 · max|v| in all. Measured
//! on lavapipe: at most 0.72 % of the tolerance. A wrong mask edge, KV head or rescale is off
//! by O(max|v|).
//!
//! Guard: `out` has sentinel elements past `tokens * heads * head_dim`; they must survive.

use super::{CASES, as_cached, guarded_zeros, noise, read_guarded, upload_cache};
use crate::gpu;
use axon_gpu::kernels::attention_prefill::{PrefillAttention, attention_prefill};
use axon_gpu::kernels::kv_cache::KvType;
use axon_reference::ops::attention::{AttentionShape, attend, sigmoid_gate};
use proptest::prelude::*;

/// Values in [-2, 2).
fn values(n: usize, seed: u64) -> Vec<f32> {
    noise(n, seed, 2.0)
}

#[derive(Debug, Clone, Copy)]
struct Case {
    kv_heads: usize,
    group: usize,
    head_dim: usize,
    start: usize,
    tokens: usize,
    window: Option<usize>,
    gated: bool,
    seed: u64,
    kv: KvType,
}

fn check(c: Case) {
    let gpu = gpu();
    let heads = c.kv_heads * c.group;
    let positions = c.start + c.tokens;
    let per_token = heads * c.head_dim;
    let q = values(c.tokens * per_token, c.seed);
    let k = values(positions * c.kv_heads * c.head_dim, c.seed ^ 1);
    let v = values(positions * c.kv_heads * c.head_dim, c.seed ^ 2);
    let g = values(c.tokens * per_token, c.seed ^ 3);
    let scale = 1.0 / (c.head_dim as f32).sqrt();
    let a = PrefillAttention {
        heads,
        kv_heads: c.kv_heads,
        head_dim: c.head_dim,
        start: c.start,
        tokens: c.tokens,
        window: c.window,
        scale,
        cache: c.kv,
    };
    let (dq, dk, dv, dg) = (
        gpu.upload_f32("q", &q).unwrap(),
        upload_cache(gpu, "k", &k, c.kv),
        upload_cache(gpu, "v", &v, c.kv),
        gpu.upload_f32("gate", &g).unwrap(),
    );
    let (k, v) = (as_cached(&k, c.kv), as_cached(&v, c.kv));
    let out = guarded_zeros(gpu, "out", c.tokens * per_token);
    let dispatch = attention_prefill(gpu, &a, [&dq, &dk, &dv, &out], c.gated.then_some(&dg));
    gpu.run("attention_prefill_test", &[dispatch.unwrap()])
        .unwrap();
    let got = read_guarded(gpu, &out, c.tokens * per_token);
    let shape = AttentionShape {
        heads,
        kv_heads: c.kv_heads,
        head_dim: c.head_dim,
    };
    let vmax = v.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    for t in 0..c.tokens {
        let span = t * per_token..(t + 1) * per_token;
        let mut want = attend(
            &q[span.clone()],
            &k,
            &v,
            shape,
            f64::from(scale),
            c.start + t,
            c.window,
        );
        if c.gated {
            sigmoid_gate(&mut want, &g[span.clone()]);
        }
        for (i, (a, b)) in got[span].iter().zip(&want).enumerate() {
            // f32 scores, online softmax and value sums vs f64: <= 9.0e-5 · max|v| (module
            // docs).
            assert!(
                (a - b).abs() <= 1e-4 * (1.0 + vmax),
                "{c:?}: token {t} out[{i}] gpu {a} vs reference {b}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]
    #[test]
    fn prefill_attention_matches_reference(
        kv_heads in 1usize..3, group in 1usize..4,
        head_dim in prop_oneof![1usize..80, Just(256usize)],
        start in prop_oneof![Just(0usize), 0usize..150], tokens in 1usize..40,
        window in prop_oneof![Just(None), (1usize..70).prop_map(Some), (200usize..300).prop_map(Some)],
        gated in any::<bool>(), seed in any::<u64>(),
        kv in prop_oneof![Just(KvType::F32), Just(KvType::F16)],
    ) {
        check(Case { kv_heads, group, head_dim, start, tokens, window, gated, seed, kv });
    }
}

#[test]
fn edge_cases() {
    let base = Case {
        kv_heads: 1,
        group: 1,
        head_dim: 1,
        start: 0,
        tokens: 1,
        window: None,
        gated: false,
        seed: 1,
        kv: KvType::F32,
    };
    check(base);
    check(Case {
        head_dim: 2,
        tokens: 2,
        window: Some(1),
        gated: true,
        ..base
    });
    // Gemma-like: 256-wide heads, a 512 window inside a longer context, 65 tokens.
    check(Case {
        kv_heads: 1,
        group: 4,
        head_dim: 256,
        start: 600,
        tokens: 65,
        window: Some(512),
        gated: true,
        seed: 3,
        kv: KvType::F32,
    });
    check(Case {
        kv_heads: 2,
        group: 2,
        head_dim: 128,
        start: 90,
        tokens: 17,
        window: None,
        gated: false,
        seed: 4,
        kv: KvType::F16,
    });
}

#[test]
fn shape_errors() {
    let gpu = gpu();
    let buf = gpu.zeros_f32("b", 2 * 300).unwrap();
    let a = PrefillAttention {
        heads: 1,
        kv_heads: 1,
        head_dim: 300,
        start: 0,
        tokens: 2,
        window: None,
        scale: 1.0,
        cache: KvType::F32,
    };
    assert!(attention_prefill(gpu, &a, [&buf, &buf, &buf, &buf], None).is_err());
    let a = PrefillAttention {
        head_dim: 2,
        window: Some(0),
        ..a
    };
    let small = gpu.zeros_f32("s", 4).unwrap();
    assert!(attention_prefill(gpu, &a, [&small, &small, &small, &small], None).is_err());
    // An f16 cache of two positions (one head of 2) is one word per position: the f32 twin
    // needs twice the room.
    let a = PrefillAttention {
        window: None,
        tokens: 2,
        ..a
    };
    let (q, out, half_cache) = (
        gpu.zeros_f32("q", 4).unwrap(),
        gpu.zeros_f32("out", 4).unwrap(),
        gpu.zeros_f32("cache", 2).unwrap(),
    );
    let f16 = PrefillAttention {
        cache: KvType::F16,
        ..a
    };
    let bufs = [&q, &half_cache, &half_cache, &out];
    assert!(attention_prefill(gpu, &f16, bufs, None).is_ok());
    assert!(attention_prefill(gpu, &a, bufs, None).is_err());
}
