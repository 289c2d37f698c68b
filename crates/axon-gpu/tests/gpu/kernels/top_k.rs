//! GPU top-k vs `axon_reference::ops::sampling::top_k`: exact indices and bit-identical values
//! (selection does no arithmetic, so there is no tolerance). Values include heavy ties, -0.0
//! and 0.0, infinities and NaN; lengths cross the 4096-candidate segment so one, two and
//! three chained levels run; k covers 1, 2 and the maximum 256.
//!
//! Guard: both outputs have 5 sentinel elements past k; they must survive.

use super::{CASES, assert_width, noise};
use crate::gpu;
use axon_gpu::kernels::Reduction;
use axon_gpu::kernels::top_k::{MAX_K, PER_THREAD, TopK};
use axon_reference::ops::sampling::top_k;
use proptest::prelude::*;

const GUARD: usize = 5;

fn check(values: &[f32], k: usize) {
    check_at(values, k, Reduction::Workgroup);
}

/// `check` in workgroups of `width` (`OneSubgroup`: one subgroup wide, segments of 16 per
/// lane).
fn check_at(values: &[f32], k: usize, width: Reduction) {
    let gpu = gpu();
    let plan = match width {
        Reduction::Workgroup => TopK::new(gpu, values.len(), k).unwrap(),
        _ => TopK::with_reduction(gpu, values.len(), k, width).unwrap(),
    };
    let dv = gpu.upload_f32("logits", values).unwrap();
    let out_v = gpu.upload_f32("top_k.v", &vec![7.5; k + GUARD]).unwrap();
    let out_i = gpu.upload_u32("top_k.i", &vec![77; k + GUARD]).unwrap();
    let dispatches = plan.dispatches(gpu, &dv, &out_v, &out_i).unwrap();
    for d in &dispatches {
        assert_width(d, width);
    }
    gpu.run("top_k_test", &dispatches).unwrap();
    let got_i = gpu.read_u32(&out_i).unwrap();
    let got_v = gpu.read_f32(&out_v).unwrap();
    let want: Vec<u32> = top_k(values, k).iter().map(|&i| i as u32).collect();
    assert_eq!(
        &got_i[..k],
        &want[..],
        "{width:?} n {} k {k}: indices",
        values.len()
    );
    for (r, &i) in want.iter().enumerate() {
        assert_eq!(
            got_v[r].to_bits(),
            values[i as usize].to_bits(),
            "rank {r}: value of index {i}"
        );
    }
    assert!(
        got_i[k..].iter().all(|&i| i == 77),
        "write past k (indices)"
    );
    assert!(
        got_v[k..].iter().all(|&v| v == 7.5),
        "write past k (values)"
    );
}

/// Values drawn from a small set, so ties are everywhere, with specials mixed in.
fn logits(n: usize, seed: u64) -> Vec<f32> {
    noise(n, seed, 1.0)
        .into_iter()
        .map(|u| match ((u + 1.0) * 48.5) as u32 {
            0 => f32::NAN,
            1 => f32::INFINITY,
            2 => f32::NEG_INFINITY,
            3 => -0.0,
            4 => 0.0,
            m => (m % 41) as f32 * 0.25 - 5.0,
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]
    #[test]
    fn top_k_matches_reference(
        n in prop_oneof![1usize..300, 4000usize..9000],
        k in prop_oneof![Just(1usize), Just(2usize), 1usize..64],
        seed in any::<u64>(),
    ) {
        check(&logits(n, seed), k.min(n));
    }
}

#[test]
fn chained_levels_and_the_largest_k() {
    // 70_000 values, k = 256: 18 segments → 4608 candidates → 2 segments → 512 → 1.
    check(&logits(70_000, 3), MAX_K);
    check(&logits(4096, 4), MAX_K);
    check(&logits(4097, 5), 40);
    // Distinct values: a plain ranking.
    let distinct: Vec<f32> = (0..10_000).map(|i| ((i * 7919) % 10_000) as f32).collect();
    check(&distinct, 100);
    // All NaN: NaN against NaN goes to the lower index.
    check(&[f32::NAN; 9], 9);
}

/// Candidates per segment one subgroup wide (the device's largest subgroup size).
fn one_subgroup_segment() -> usize {
    gpu().caps().subgroup_max_size as usize * PER_THREAD
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]
    #[test]
    fn top_k_one_subgroup_matches_reference(
        n in prop_oneof![1usize..300, 300usize..3000],
        k in prop_oneof![Just(1usize), Just(2usize), 1usize..64],
        seed in any::<u64>(),
    ) {
        // Past one segment, k is at most half of one (the launcher's contract).
        let k = k.min(n).min(one_subgroup_segment() / 2);
        check_at(&logits(n, seed), k, Reduction::OneSubgroup);
    }
}

/// One subgroup wide, segments hold 16 candidates per lane (64 to 256 on lavapipe), so these
/// lengths chain three to six levels.
#[test]
fn one_subgroup_chains_many_levels() {
    let segment = one_subgroup_segment();
    let half = (segment / 2).min(MAX_K);
    for (n, k) in [(70_000, half), (segment + 1, half), (9, 9)] {
        check_at(&logits(n, n as u64), k, Reduction::OneSubgroup);
    }
    let distinct: Vec<f32> = (0..10_000).map(|i| ((i * 7919) % 10_000) as f32).collect();
    check_at(&distinct, 17, Reduction::OneSubgroup);
    // More than half a segment past one segment would never shrink: refused.
    if segment / 2 < MAX_K {
        let too_many = segment / 2 + 1;
        let err =
            TopK::with_reduction(gpu(), segment + 1, too_many, Reduction::OneSubgroup).unwrap_err();
        assert!(err.to_string().contains("half a segment"), "{err}");
    }
}

#[test]
fn invalid_k_is_an_error() {
    let gpu = gpu();
    assert!(TopK::new(gpu, 10, 0).is_err());
    assert!(TopK::new(gpu, 10, 11).is_err());
    assert!(TopK::new(gpu, 1000, MAX_K + 1).is_err());
}
