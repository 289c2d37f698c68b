//! Runs a residual add and an RMSNorm on the GPU and prints how far they are from the CPU
//! reference: `cargo run --release --example residual_norm`.
//! (Set AXON_ALLOW_SOFTWARE=1 to run on lavapipe when no GPU is present.)

use axon::gpu::Gpu;
use axon::gpu::kernels::add::add;
use axon::gpu::kernels::rms_norm::{Reduction, RmsNormParams, rms_norm};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let gpu = Gpu::new()?;
    let cols = 4096;
    let hidden: Vec<f32> = (0..cols).map(|i| (i as f32 * 0.37).sin()).collect();
    let residual: Vec<f32> = (0..cols).map(|i| (i as f32 * 0.11).cos()).collect();
    let weight = vec![1.0f32; cols];

    let h = gpu.upload_f32("hidden", &hidden)?;
    let r = gpu.upload_f32("residual", &residual)?;
    let w = gpu.upload_f32("weight", &weight)?;
    let sum = gpu.zeros_f32("sum", cols)?;
    let out = gpu.zeros_f32("out", cols)?;
    let params = RmsNormParams {
        eps: 1e-6,
        weight_offset: 0.0,
        reduction: Reduction::preferred(gpu.caps()),
    };
    gpu.run(
        "residual_norm",
        &[
            add(&gpu, &h, &r, &sum)?,
            rms_norm(&gpu, &sum, &w, &out, params)?,
        ],
    )?;

    let got = gpu.read_f32(&out)?;
    let want = axon::reference::rms_norm(
        &axon::reference::add(&hidden, &residual),
        &weight,
        1e-6,
        0.0,
    )?;
    let max_err = got
        .iter()
        .zip(&want)
        .map(|(g, w)| (g - w).abs())
        .fold(0.0f32, f32::max);
    println!(
        "{cols} values on {}: max |gpu - reference| = {max_err:e}",
        gpu.caps().adapter_name
    );
    Ok(())
}
