//! Axon's model architectures: what a model is ([`config`]: typed, validated hyperparameters
//! read from its file, the one description of its shape), its weights uploaded once into
//! immutable GPU buffers ([`weights`]), and the execution plans a forward pass runs
//! ([`plan`]: the IR, validator and scratch planner; [`decoder`]: the ops and the builder),
//! plus random-weight GGUFs of real shapes ([`synth`], for benchmarks).
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
