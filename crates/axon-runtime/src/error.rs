//! What the runtime reports.

use axon_gpu::GpuError;
use axon_models::decoder::PlanBuildError;
use axon_models::plan::PlanError;

/// A failed forward pass or session operation.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// The GPU refused or failed.
    #[error(transparent)]
    Gpu(#[from] GpuError),
    /// A plan could not be built.
    #[error(transparent)]
    Build(#[from] PlanBuildError),
    /// A plan failed validation (a bug in the plan builder; never run).
    #[error("invalid plan: {0}")]
    Plan(#[from] PlanError),
    /// A weight the plan names is not in the model, or is not the kind the step needs.
    #[error("weight {name:?}: {problem}")]
    Weight {
        /// Weight name.
        name: String,
        /// What is wrong.
        problem: &'static str,
    },
    /// The session's context cannot hold the tokens.
    #[error(
        "the session's context holds {context} tokens; {needed} would be needed (create the \
         session with a larger context, or start a new one)"
    )]
    ContextFull {
        /// The context size.
        context: usize,
        /// Position after the call.
        needed: usize,
    },
    /// A session of this many positions would need a tensor larger than the device can bind
    /// (or more positions than a model may have); refused before anything is allocated.
    #[error(
        "a context of {context} positions needs {bytes} bytes for {tensor}, over this device's \
         limit of {max}; use a smaller context"
    )]
    ContextTooLarge {
        /// The context asked for.
        context: usize,
        /// The tensor that would not fit (`blk.N.cache_k`, `blk.N.scores`, or `positions`).
        tensor: String,
        /// Its size (positions, for `positions`).
        bytes: u64,
        /// The limit.
        max: u64,
    },
    /// A token id past the vocabulary.
    #[error("token id {id} is outside the vocabulary of {vocab}")]
    TokenId {
        /// The id.
        id: u32,
        /// Vocabulary size.
        vocab: usize,
    },
    /// The forward pass produced a NaN or infinite logit (found by the GPU's argmax step):
    /// the weights or the activations overflowed. The session is broken until reset.
    #[error(
        "non-finite logit at position {position} (vocabulary column {column}): the model's \
         weights or activations overflowed"
    )]
    NonFiniteLogits {
        /// Position (in the session) of the first row holding one.
        position: usize,
        /// Its first non-finite column.
        column: u32,
    },
    /// A sampling parameter outside its meaning (checked before anything runs).
    #[error(transparent)]
    Sampling(#[from] crate::sampling::BadSampling),
    /// A forward pass over no tokens.
    #[error("a forward pass needs at least one token")]
    NoTokens,
    /// A validation tap names no tensor that this plan writes.
    #[error("no tensor {0:?} is written by this plan")]
    UnknownTensor(String),
    /// A step bound other tensors than its op reports (a bug in the executor: what ran would
    /// not be what the plan validator checked), found when the pass was recorded.
    #[error("step {step} ({op}) bound tensors {bound:?} but its op reports {declared:?}")]
    BindingMismatch {
        /// Step index.
        step: usize,
        /// The op.
        op: String,
        /// Tensor ids the encoder bound.
        bound: Vec<axon_models::plan::TensorId>,
        /// Tensor ids the op reports.
        declared: Vec<axon_models::plan::TensorId>,
    },
    /// A projection that folds in a norm or a residual add, in a plan over several tokens
    /// (only the matrix-vector kernels fold them: a plan-builder bug, found when recording).
    #[error(
        "step {op} folds a norm or residual add over {tokens} tokens; only one-token plans fold"
    )]
    FoldOverTokens {
        /// The op.
        op: String,
        /// The plan's token count.
        tokens: usize,
    },
    /// A session of another engine.
    #[error(
        "the session belongs to another engine (sessions are bound to the engine that made them)"
    )]
    ForeignSession,
    /// A forward pass failed after its work was submitted: the session's KV cache and
    /// recurrent state may be half updated, so it is refused until it is reset.
    #[error("the session is unusable after a failed forward pass ({reason}); reset it first")]
    SessionBroken {
        /// The failure that broke it.
        reason: String,
    },
}
