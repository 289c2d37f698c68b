//! The CPU reference: plain, readable Rust twins of every GPU kernel.
//!
//! This crate is the oracle the GPU is judged against, so it favours clarity and accuracy over
//! speed: it accumulates in `f64`, subtracts maxima before exponentiating and upcasts half types.
//! It reads model files through `axon-formats` and never depends on a GPU crate (the dependency
//! flow is formats -> reference). The engine crates use it only in their tests; `axon logits
//! --backend cpu` and the facade (`axon::reference`) expose it to users as the oracle.
//!
//! - [`ops`]: every op, in f64 (`linear`, norms, RoPE, attention, conv1d, the gated delta
//!   rule, argmax / top-k / logsumexp).
//! - [`model`]: whole models from GGUF or Hugging Face files, with their own hyperparameter
//!   checks (`model::hparams`), held to the engine's verdicts by tests.
//!
//! It does not provide a fast CPU backend, and nothing in the engine may fall back to it at run
//! time: it exists to be compared with.

// Library code reports failures as typed errors; tests may unwrap (clippy.toml).
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod model;
pub mod ops;

pub use ops::add::add;
pub use ops::rms_norm::{RmsNormError, rms_norm};
