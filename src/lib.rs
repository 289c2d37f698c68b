//! Axon: LLM inference on any Vulkan GPU, through wgpu.
//!
//! This facade re-exports the member crates in data-flow order: `gpu` (device, kernels),
//! `models` (configs, weights, plans), `runtime` (the engine, sessions, sampling and
//! generation) and `reference` (the CPU oracle). The chat-level API (templates, stop strings,
//! a default model) arrives with issue 7.
//!
//! ```no_run
//! use axon::models::weights::WeightLayout;
//! use axon::runtime::{EngineOptions, GenerateParams, SamplingParams, open_model};
//! use std::ops::ControlFlow;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let gpu = axon::gpu::Gpu::new()?; // AXON_ADAPTER picks the adapter; prints the marker
//! let path = std::path::Path::new("models/SmolLM2-135M-Instruct.Q4_1.gguf");
//! let engine = open_model(&gpu, path, WeightLayout::FUSED, EngineOptions::default())?;
//! let mut session = engine.session(2048)?;
//! let params = GenerateParams {
//!     sampling: SamplingParams { temperature: 0.7, top_p: Some(0.9), seed: 42, ..SamplingParams::default() },
//!     max_tokens: 64,
//!     stop_tokens: vec![2],
//! };
//! let prompt = [1, 9690, 198];
//! let reply = engine.generate(&mut session, &prompt, &params, |token| {
//!     print!("{token} ");
//!     ControlFlow::Continue(())
//! })?;
//! println!("\n{} tokens, finished by {:?}", reply.tokens.len(), reply.finish);
//! # Ok(())
//! # }
//! ```
//!
//! Kernels can be used on their own too:
//!
//! ```no_run
//! use axon::gpu::Gpu;
//! use axon::gpu::kernels::rms_norm::{Reduction, RmsNormParams, rms_norm};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let gpu = Gpu::new()?;
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
pub use axon_models as models;
pub use axon_reference as reference;
pub use axon_runtime as runtime;
