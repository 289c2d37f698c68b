//! Facade-level GPU smoke test: a residual add followed by RMSNorm of the sum, two dispatches in
//! one submit (the second reads what the first wrote), against the CPU reference.

use axon::gpu::Gpu;
use axon::gpu::kernels::add::add;
use axon::gpu::kernels::rms_norm::{Reduction, RmsNormParams, rms_norm};
use axon::reference;

#[test]
fn residual_add_then_norm_in_one_submit_matches_reference() {
    let gpu = Gpu::new().expect("GPU tests need a Vulkan adapter");
    let (rows, cols) = (3, 1000);
    let hidden: Vec<f32> = (0..rows * cols)
        .map(|i| ((i * 7919 % 1000) as f32 - 500.0) / 250.0)
        .collect();
    let residual: Vec<f32> = (0..rows * cols)
        .map(|i| ((i * 104_729 % 997) as f32) / 997.0)
        .collect();
    let weight: Vec<f32> = (0..cols).map(|i| 0.75 + (i % 5) as f32 * 0.1).collect();

    let h = gpu.upload_f32("hidden", &hidden).unwrap();
    let r = gpu.upload_f32("residual", &residual).unwrap();
    let w = gpu.upload_f32("weight", &weight).unwrap();
    let sum = gpu.zeros_f32("sum", rows * cols).unwrap();
    let out = gpu.zeros_f32("out", rows * cols).unwrap();
    let params = RmsNormParams {
        eps: 1e-6,
        weight_offset: 0.0,
        reduction: Reduction::preferred(gpu.caps()),
    };
    let steps = [
        add(&gpu, &h, &r, &sum).unwrap(),
        rms_norm(&gpu, &sum, &w, &out, params).unwrap(),
    ];
    gpu.run("residual_norm", &steps).unwrap();

    let want =
        reference::rms_norm(&reference::add(&hidden, &residual), &weight, 1e-6, 0.0).unwrap();
    let got = gpu.read_f32(&out).unwrap();
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert!(
            (g - w).abs() <= 1e-5 * w.abs() + 1e-30,
            "index {i}: gpu {g} vs reference {w}"
        );
    }
}
