//! `Gpu::run_timed`: the same results as `Gpu::run` (timing only observes) and a positive
//! GPU time that grows with the work; without the timestamp feature, a typed error and a
//! declared skip (`axon_testkit::skip`).

use crate::gpu;
use axon_gpu::GpuError;
use axon_gpu::kernels::copy::copy;

#[test]
fn timed_run_matches_run_and_measures_time() {
    let gpu = gpu();
    let n = 1 << 20;
    let data: Vec<f32> = (0..n).map(|i| i as f32).collect();
    let src = gpu.upload_f32("src", &data).unwrap();
    let plain = gpu.zeros_f32("plain", n).unwrap();
    let timed = gpu.zeros_f32("timed", n).unwrap();
    gpu.run("plain", &[copy(gpu, &src, &plain).unwrap()])
        .unwrap();
    if !gpu.caps().has_timestamps() {
        let err = gpu
            .run_timed("timed", &[copy(gpu, &src, &timed).unwrap()])
            .unwrap_err();
        assert!(matches!(err, GpuError::MissingFeature { .. }), "{err}");
        axon_testkit::skip::skip("the adapter has no timestamp queries");
        return;
    }
    let one = gpu
        .run_timed("timed", &[copy(gpu, &src, &timed).unwrap()])
        .unwrap();
    assert_eq!(gpu.read_f32(&timed).unwrap(), gpu.read_f32(&plain).unwrap());
    let many: Vec<_> = (0..16).map(|_| copy(gpu, &src, &timed).unwrap()).collect();
    let sixteen = gpu.run_timed("timed16", &many).unwrap();
    assert!(one.as_nanos() > 0, "a 4 MiB copy took no GPU time");
    assert!(
        sixteen > one,
        "16 copies ({sixteen:?}) not slower than one ({one:?})"
    );
}
