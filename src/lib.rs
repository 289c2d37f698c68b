//! Axon: LLM inference on any Vulkan GPU, through wgpu.
//!
//! The text-level API is at the top: a [`Model`] (weights on the GPU, tokenizer, chat
//! template), [`Chat`] conversations, replies streamed by callback or iterator with sampling,
//! stop strings and cancellation, and the default model ([`default_model`]). Below it, the
//! member crates in data-flow order: `gpu` (device, kernels), `models` (configs, weights,
//! plans), `runtime` (the engine, sessions, token-level generation) and `reference` (the CPU
//! oracle).
//!
//! ```no_run
//! use axon::{GenerateOptions, Model, ModelOptions, SamplingParams};
//! use std::ops::ControlFlow;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A GGUF file or a Hugging Face checkpoint directory; the adapter comes from AXON_ADAPTER
//! // (a GPU unless AXON_ALLOW_SOFTWARE=1 allows lavapipe).
//! let options = ModelOptions { context: Some(2048), ..ModelOptions::default() };
//! let model = Model::load("models/SmolLM2-135M-Instruct.Q4_1.gguf", &options)?;
//! let mut chat = model.chat()?.with_system(Some("Answer in one sentence.".into()));
//! let sampling = SamplingParams { temperature: 0.7, top_p: Some(0.9), seed: 42, ..SamplingParams::default() };
//! let generate = GenerateOptions { sampling, max_tokens: 128, stop_strings: vec!["\n\n".into()], ..GenerateOptions::default() };
//! let reply = chat.send("What is the capital of France?", &generate, |piece| {
//!     print!("{piece}");
//!     ControlFlow::Continue(()) // Break(()) stops the reply
//! })?;
//! println!("\n{} tokens, {:.1} tok/s, ended by {:?}", reply.tokens.len(), reply.decode_tokens_per_second(), reply.finish);
//!
//! // Token counting and the template, for budgeting a prompt.
//! let text = model.apply_chat_template(chat.messages(), false)?;
//! println!("the conversation is {} tokens", model.count_tokens(&text)?);
//! # Ok(())
//! # }
//! ```
//!
//! Token-level generation, without tokenizer or template:
//!
//! ```no_run
//! use axon::models::weights::WeightLayout;
//! use axon::runtime::{EngineOptions, GenerateParams, open_model};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let gpu = axon::gpu::Gpu::new()?;
//! let path = std::path::Path::new("models/SmolLM2-135M-Instruct.Q4_1.gguf");
//! let engine = open_model(&gpu, path, WeightLayout::FUSED, EngineOptions::default())?;
//! let mut session = engine.session(2048)?;
//! let params = GenerateParams { max_tokens: 16, stop_tokens: vec![2], ..GenerateParams::default() };
//! for token in engine.stream(&mut session, &[1, 9690, 198], &params)? {
//!     print!("{} ", token?);
//! }
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

pub use axon_chat::{
    CancelToken, Chat, ChatError, DEFAULT_CONTEXT, FinishReason, GenerateOptions, LoadProgress,
    Message, Model, ModelOptions, Reply, SamplingParams, StopStrings, TextStream, default_model,
};
pub use axon_gpu as gpu;
pub use axon_models as models;
pub use axon_reference as reference;
pub use axon_runtime as runtime;

/// The README's Rust examples, compiled by `cargo test --doc` so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeExamples;
