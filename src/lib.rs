//! Axon: LLM inference on any Vulkan GPU, through wgpu.
//!
//! This facade re-exports the member crates in data-flow order. Today it offers GPU bring-up,
//! the kernel registry and the first kernels; model loading, sessions and generation arrive with
//! their crates.
//!
//! ```no_run
//! use axon::gpu::Gpu;
//! use axon::gpu::kernels::rms_norm::{Reduction, RmsNormParams, rms_norm};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let gpu = Gpu::new()?; // AXON_ADAPTER picks the adapter; prints the [AXON ADAPTER] marker
//! let x = gpu.upload_f32("x", &[1.0, 2.0, 3.0, 4.0])?;
//! let w = gpu.upload_f32("w", &[1.0, 1.0])?;
//! let out = gpu.zeros_f32("out", 4)?;
//! let params = RmsNormParams { eps: 1e-6, weight_offset: 0.0, reduction: Reduction::preferred(gpu.caps()) };
//! gpu.run("norm", &[rms_norm(&gpu, &x, &w, &out, params)?])?;
//! println!("{:?}", gpu.read_f32(&out)?);
//! # Ok(())
//! # }
//! ```

// Library code reports failures as typed errors; tests may unwrap (clippy.toml).
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub use axon_gpu as gpu;
pub use axon_reference as reference;
