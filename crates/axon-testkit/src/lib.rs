//! Test support shared by Axon's crates (a dev-dependency only; nothing here ships):
//!
//! - [`equivalence`]: the one check that two execution paths of the same model agree
//!   (full-vocabulary KL divergence, top-1 equal, top-1 logit gap), and the report of why not;
//! - [`skip`]: a test that cannot run on this adapter says so, by name, and fails unless the
//!   skip is declared (`AXON_ALLOWED_SKIPS`); `scripts/test` counts them from `AXON_SKIP_LOG`;
//! - [`mutate`]: copies of a real GGUF with one metadata value, tensor shape or value changed;
//! - [`convert`]: a Hugging Face Qwen3.5 checkpoint written as a GGUF the way llama.cpp's
//!   converter writes it.

pub mod convert;
pub mod equivalence;
pub mod mutate;
pub mod skip;
