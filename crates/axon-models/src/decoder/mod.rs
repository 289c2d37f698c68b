//! Decoder-only transformers (the llama family, Gemma 3, the Qwen3.5 hybrid) as execution
//! plans: the ops ([`DecoderOp`]) and the plan builder ([`build_plan`]), which reads the
//! model's shape from its [`ModelConfig`](crate::config::ModelConfig), the one description.

mod attention;
mod build;
mod deltanet;
mod op;

pub use build::{PlanBuildError, PlanOptions, build_plan};
pub use op::{DecoderOp, QueryBlock};
