//! Axon's model architectures: what a model is (typed hyperparameters read from its file),
//! its weights uploaded once into immutable GPU buffers, and the execution plans a forward
//! pass runs (an ordered list of kernel steps, validated on the CPU before first use).
//!
//! Dependencies flow one way: formats -> gpu -> models -> runtime. This crate never depends
//! on `axon-reference` (the oracle it is tested against).

// Library code reports failures as typed errors; tests may unwrap (clippy.toml).
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod config;
pub mod decoder;
pub mod plan;
pub mod synth;
pub mod weights;
