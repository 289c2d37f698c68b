//! Bring-up facts: the device got the adapter's own limits and every wanted feature offered,
//! and compute runs at the subgroup size the adapter (and the CI script) says.

use super::gpu;
use axon_gpu::device::caps::WANTED_FEATURES;
use axon_gpu::kernels::subgroup_probe::measure_subgroup_sizes;

#[test]
fn device_gets_the_adapters_own_limits() {
    let gpu = gpu();
    let adapter = gpu.adapter().limits();
    let got = &gpu.caps().limits;
    assert_eq!(
        got.max_storage_buffer_binding_size,
        adapter.max_storage_buffer_binding_size
    );
    assert_eq!(got.max_buffer_size, adapter.max_buffer_size);
    assert_eq!(
        got.max_compute_workgroup_storage_size,
        adapter.max_compute_workgroup_storage_size
    );
    assert_eq!(
        got.max_compute_invocations_per_workgroup,
        adapter.max_compute_invocations_per_workgroup
    );
    // wgpu's default would cap buffers at 256 MiB; every adapter we target offers more.
    assert!(
        got.max_buffer_size > wgpu::Limits::default().max_buffer_size,
        "{got:?}"
    );
}

#[test]
fn device_gets_every_wanted_feature_the_adapter_offers() {
    let gpu = gpu();
    let offered = gpu.adapter().features();
    for (feature, name) in WANTED_FEATURES {
        assert_eq!(
            gpu.caps().features.contains(*feature),
            offered.contains(*feature),
            "{name}"
        );
    }
}

#[test]
fn compute_runs_at_the_advertised_subgroup_size() {
    let gpu = gpu();
    let caps = gpu.caps();
    assert!(
        caps.has_subgroups(),
        "every adapter we target offers subgroups: {}",
        caps.marker()
    );
    let (min, max) = measure_subgroup_sizes(gpu).unwrap();
    assert!(
        caps.subgroup_min_size <= min && max <= caps.subgroup_max_size,
        "measured {min}..{max}, advertised {}..{}",
        caps.subgroup_min_size,
        caps.subgroup_max_size
    );
    // The test script sets this for lavapipe runs (LP_NATIVE_VECTOR_WIDTH=128 gives 4, 256
    // gives 8, 512 gives 16), so a run that claims a subgroup size really ran at it.
    if let Ok(expected) = std::env::var("AXON_EXPECT_SUBGROUP") {
        let expected: u32 = expected.parse().unwrap();
        assert_eq!(
            (min, max),
            (expected, expected),
            "AXON_EXPECT_SUBGROUP={expected}"
        );
    }
}
