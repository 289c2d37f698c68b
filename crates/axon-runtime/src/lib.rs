//! Axon's runtime: runs the plans of `axon-models` on the GPU. An [`Engine`] holds a model's
//! weights, its [`ModelConfig`](axon_models::config::ModelConfig) and its validated plans
//! (one per token count, cached under a byte budget); a [`Session`] holds one conversation's
//! state (the KV cache of attention layers, the conv and recurrent state of Gated DeltaNet
//! layers), its position and tokens, and the passes recorded for it. Every forward pass is one
//! `queue.submit` that also reads the logits back. Generation ([`Engine::stream`],
//! [`Engine::generate`]) samples with [`Sampler`] on the CPU, except greedy generation, which
//! takes the GPU's argmax and runs one pass ahead of the host (`pipeline`).

// Library code reports failures as typed errors; tests may unwrap (clippy.toml).
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod encode;
mod engine;
mod error;
mod forward;
mod generate;
mod gpu_ref;
mod load;
mod pipeline;
mod plan_cache;
mod sampling;
mod session;
mod weights;

pub use engine::{
    DEFAULT_PLAN_CACHE_BYTES, Engine, EngineOptions, ForwardStats, MATVEC_Q8_MIN_COLS,
};
pub use error::RuntimeError;
pub use forward::DispatchTimes;
pub use generate::{Finish, GenerateParams, Generation, TokenStream};
pub use gpu_ref::GpuRef;
pub use load::{
    LoadError, layout_from_env, open_model, open_model_with_progress, options_from_env,
    require_model,
};
pub use sampling::{BadSampling, Sampler, SamplingParams};
pub use session::{MAX_ENCODED_PASSES, Session};
pub use weights::DeviceWeights;
