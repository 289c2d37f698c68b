//! `add` vs `axon_reference::add`. Tolerance: exact. f32 addition is correctly rounded on both
//! sides; the one allowed difference is a subnormal result flushed to zero (Vulkan permits it).

use super::{CASES, guarded_zeros, read_guarded};
use crate::gpu;
use axon_gpu::kernels::add::add;
use proptest::prelude::*;

fn run_add(a: &[f32], b: &[f32]) -> Vec<f32> {
    let gpu = gpu();
    let da = gpu.upload_f32("a", a).unwrap();
    let db = gpu.upload_f32("b", b).unwrap();
    let out = guarded_zeros(gpu, "out", a.len());
    let dispatch = add(gpu, &da, &db, &out).unwrap();
    gpu.run("add_test", &[dispatch]).unwrap();
    read_guarded(gpu, &out, a.len())
}

fn assert_matches(a: &[f32], b: &[f32]) {
    let got = run_add(a, b);
    let want = axon_reference::add(a, b);
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        // Exact: one correctly rounded f32 add on each side; Vulkan may flush a subnormal
        // result to zero.
        let flushed = *g == 0.0 && w.abs() < f32::MIN_POSITIVE;
        assert!(
            g.to_bits() == w.to_bits() || flushed,
            "index {i}: gpu {g} vs reference {w} (a={}, b={})",
            a[i],
            b[i]
        );
    }
}

fn pair(n: usize) -> impl Strategy<Value = (Vec<f32>, Vec<f32>)> {
    let values = prop::collection::vec(-1.0e4f32..1.0e4, n);
    (values.clone(), values)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]
    #[test]
    fn add_matches_reference((a, b) in (0usize..3000).prop_flat_map(pair)) {
        assert_matches(&a, &b);
    }
}

#[test]
fn add_edge_lengths() {
    for n in [0, 1, 2, 3, 255, 256, 257, 511, 1025] {
        let a: Vec<f32> = (0..n).map(|i| i as f32 * 0.5 - 7.0).collect();
        let b: Vec<f32> = (0..n).map(|i| (i as f32).sin()).collect();
        assert_matches(&a, &b);
    }
}

#[test]
fn add_folds_the_grid_past_the_per_dimension_limit() {
    let max = gpu().caps().limits.max_compute_workgroups_per_dimension as usize;
    let n = max * 256 + 3; // one more workgroup than a single grid row allows
    let a: Vec<f32> = (0..n).map(|i| (i % 1013) as f32).collect();
    let b: Vec<f32> = (0..n).map(|i| -((i % 97) as f32)).collect();
    let got = run_add(&a, &b);
    let bad = got
        .iter()
        .zip(axon_reference::add(&a, &b))
        .position(|(g, w)| *g != w);
    assert_eq!(bad, None, "first mismatch at {bad:?} of {n}");
}
