//! Axon's text-level API: a [`Model`] (an engine with its tokenizer and chat template),
//! [`Chat`] conversations, streamed replies with stop strings and cancellation, and the
//! default model fetched into a cache folder ([`default_model`]).
//!
//! ```no_run
//! use axon_chat::{GenerateOptions, Model, ModelOptions};
//! use std::ops::ControlFlow;
//!
//! # fn main() -> Result<(), axon_chat::ChatError> {
//! let model = Model::load("models/SmolLM2-135M-Instruct.Q4_1.gguf", &ModelOptions::default())?;
//! let mut chat = model.chat()?;
//! let reply = chat.send("What is the capital of France?", &GenerateOptions::default(), |piece| {
//!     print!("{piece}");
//!     ControlFlow::Continue(())
//! })?;
//! println!("\n({} tokens, {:.1} tok/s)", reply.tokens.len(), reply.decode_tokens_per_second());
//! # Ok(())
//! # }
//! ```

// Library code reports failures as typed errors; tests may unwrap (clippy.toml).
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod cancel;
mod chat;
pub mod default_model;
mod error;
mod model;
mod options;
mod reply;
mod stop;

pub use axon_formats::template::Message;
pub use axon_runtime::SamplingParams;
pub use cancel::CancelToken;
pub use chat::Chat;
pub use error::ChatError;
pub use model::Model;
pub use options::{DEFAULT_CONTEXT, GenerateOptions, LoadProgress, ModelOptions};
pub use reply::{FinishReason, Reply, TextStream};
pub use stop::StopStrings;
