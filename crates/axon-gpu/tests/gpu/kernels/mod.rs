//! One module per kernel family: GPU result vs the `axon-reference` twin, over random shapes.

mod add;
mod argmax;
mod attention;
mod attention_prefill;
mod deltanet;
mod deltanet_chunked;
mod gather;
mod matmul;
mod matvec;
mod rms_norm;
mod rope;
mod top_k;
mod weights;

/// Cases per property test: enough to hit ragged sizes, few enough for lavapipe in CI.
pub const CASES: u32 = 64;
