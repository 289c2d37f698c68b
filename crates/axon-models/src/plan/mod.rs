//! Execution plans: the tensors a forward pass touches and the ordered kernel steps that read
//! and write them, as plain data the CPU can check before the GPU runs anything.
//!
//! A plan is generic over its step payload `Op` (which kernel, with which parameters): this
//! module only asks each op what it reads and writes ([`StepOp`]), which is all the
//! validator ([`validate`]) and the scratch planner ([`scratch`]) need. The executor binds
//! exactly the tensors the op reports, and checks that it did.

mod error;
mod ranges;
pub mod scratch;
pub mod validate;

pub use error::PlanError;
pub use scratch::{Placement, ScratchMode, place_scratch};
pub use validate::{Limits, validate};

use std::ops::Range;

/// Index of a tensor in its plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TensorId(pub u32);

/// Where a tensor's contents come from and how long they live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TensorKind {
    /// A model weight: uploaded once, immutable; steps may only read it.
    Weight,
    /// Per-session state that outlives a forward pass (KV cache, conv and recurrent state):
    /// readable before any step writes it in this plan.
    State,
    /// Written by the host before the pass (token ids, positions); steps may only read it.
    Input,
    /// An intermediate of this pass: must be written before it is read; placed in reusable
    /// buffers by the scratch planner.
    Scratch,
    /// A result the host reads back after the pass (the argmax picks): must be written
    /// before it is read; it lives with the recorded pass, not in scratch.
    Output,
}

/// One tensor of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorDecl {
    /// Name for errors and labels (`blk.3.attn_q`, `scratch.ffn_in`).
    pub name: String,
    /// Role.
    pub kind: TensorKind,
    /// Size in bytes.
    pub bytes: u64,
}

/// A byte range of a tensor that a step reads or writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    /// The tensor.
    pub tensor: TensorId,
    /// Bytes of it.
    pub range: Range<u64>,
}

/// How a step uses a tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// Read only.
    Read,
    /// Written (its earlier contents are not read).
    Write,
    /// Read and written in place.
    ReadWrite,
}

/// The byte ranges one step reads and writes. A range both read and written (in place) is
/// in both lists.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StepAccesses {
    /// Ranges read (weights, state, inputs, earlier scratch).
    pub reads: Vec<Access>,
    /// Ranges written.
    pub writes: Vec<Access>,
}

impl StepAccesses {
    /// Whole-tensor accesses of `operands` (tensor, use) given the plan's declarations;
    /// operands naming no declared tensor get an empty range past nothing, which the
    /// validator reports as an unknown tensor.
    pub fn whole(tensors: &[TensorDecl], operands: &[(TensorId, Use)]) -> Self {
        let mut out = Self::default();
        for &(tensor, use_) in operands {
            let bytes = tensors.get(tensor.0 as usize).map_or(0, |d| d.bytes);
            let access = Access::whole(tensor, bytes);
            match use_ {
                Use::Read => out.reads.push(access),
                Use::Write => out.writes.push(access),
                Use::ReadWrite => {
                    out.reads.push(access.clone());
                    out.writes.push(access);
                }
            }
        }
        out
    }
}

/// A step's payload: it says itself which tensors it touches, so what the validator checks
/// is derived from the op that runs, never listed beside it by hand.
pub trait StepOp {
    /// The byte ranges this op reads and writes, given the plan's tensor declarations.
    fn accesses(&self, tensors: &[TensorDecl]) -> StepAccesses;
}

/// The tensors and ordered steps of one forward pass (decode, or one prefill chunk).
#[derive(Debug, Clone, PartialEq)]
pub struct Plan<Op> {
    tensors: Vec<TensorDecl>,
    steps: Vec<Op>,
}

impl<Op> Default for Plan<Op> {
    fn default() -> Self {
        Self {
            tensors: Vec::new(),
            steps: Vec::new(),
        }
    }
}

impl<Op> Plan<Op> {
    /// An empty plan.
    pub fn new() -> Self {
        Self::default()
    }

    /// Declares a tensor and returns its id.
    pub fn tensor(&mut self, name: impl Into<String>, kind: TensorKind, bytes: u64) -> TensorId {
        let id = TensorId(self.tensors.len() as u32);
        self.tensors.push(TensorDecl {
            name: name.into(),
            kind,
            bytes,
        });
        id
    }

    /// Appends a step.
    pub fn push(&mut self, op: Op) {
        self.steps.push(op);
    }

    /// Every tensor, indexed by [`TensorId`].
    pub fn tensors(&self) -> &[TensorDecl] {
        &self.tensors
    }

    /// The declaration of `id`, if it belongs to this plan.
    pub fn decl(&self, id: TensorId) -> Option<&TensorDecl> {
        self.tensors.get(id.0 as usize)
    }

    /// The steps' ops, in execution order.
    pub fn steps(&self) -> &[Op] {
        &self.steps
    }

    /// Mutable access to the steps (tests corrupt plans this way).
    pub fn steps_mut(&mut self) -> &mut Vec<Op> {
        &mut self.steps
    }
}

impl<Op: StepOp> Plan<Op> {
    /// What step `step` reads and writes, derived from its op.
    pub fn accesses(&self, step: usize) -> Option<StepAccesses> {
        self.steps.get(step).map(|op| op.accesses(&self.tensors))
    }
}

impl Access {
    /// The whole of a tensor of `bytes` bytes.
    pub fn whole(tensor: TensorId, bytes: u64) -> Self {
        Self {
            tensor,
            range: 0..bytes,
        }
    }
}
