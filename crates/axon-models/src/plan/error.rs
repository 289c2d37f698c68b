//! What the plan validator rejects.

use std::ops::Range;

/// A defect found in a plan before it runs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// A step names a tensor the plan does not declare.
    #[error("step {step}: tensor #{tensor} is not declared")]
    UnknownTensor {
        /// Step index.
        step: usize,
        /// The undeclared id.
        tensor: u32,
    },
    /// An access reaches past its tensor.
    #[error("step {step}: {tensor} bytes {range:?} lie outside its {bytes} bytes")]
    OutOfBounds {
        /// Step index.
        step: usize,
        /// Tensor name.
        tensor: String,
        /// The access.
        range: Range<u64>,
        /// The tensor's size.
        bytes: u64,
    },
    /// A scratch range is read before any earlier step wrote it.
    #[error("step {step}: reads {tensor} bytes {range:?}, which no earlier step wrote")]
    ReadBeforeWrite {
        /// Step index.
        step: usize,
        /// Tensor name.
        tensor: String,
        /// The first unwritten bytes of the read.
        range: Range<u64>,
    },
    /// A step writes a tensor only the host may write (a weight or an input).
    #[error("step {step}: writes {tensor}, a read-only {kind}")]
    WriteToReadOnly {
        /// Step index.
        step: usize,
        /// Tensor name.
        tensor: String,
        /// "weight" or "input".
        kind: &'static str,
    },
    /// A scratch tensor has no place in the placement.
    #[error("scratch tensor {tensor} has no buffer in the placement")]
    Unplaced {
        /// Tensor name.
        tensor: String,
    },
    /// A buffer is smaller than a tensor placed in it.
    #[error("scratch tensor {tensor} ({bytes} bytes) does not fit buffer {buffer} ({size} bytes)")]
    BufferTooSmall {
        /// Tensor name.
        tensor: String,
        /// Its size.
        bytes: u64,
        /// Buffer index.
        buffer: usize,
        /// Buffer size.
        size: u64,
    },
    /// Two scratch tensors that are live at the same step share a buffer.
    #[error(
        "scratch tensors {first} and {second} share buffer {buffer} while both live (step {step})"
    )]
    LiveOverlap {
        /// One tensor.
        first: String,
        /// The other.
        second: String,
        /// Their buffer.
        buffer: usize,
        /// A step at which both are live.
        step: usize,
    },
    /// A tensor is bigger than one binding may be on this device.
    #[error("{tensor} has {bytes} bytes; one binding holds at most {max}")]
    BindingTooLarge {
        /// Tensor name.
        tensor: String,
        /// Its size.
        bytes: u64,
        /// The device limit.
        max: u64,
    },
    /// The scratch buffers together exceed the model's analytic bound.
    #[error("scratch needs {bytes} bytes, over the bound of {bound}")]
    ScratchOverBound {
        /// Total scratch bytes.
        bytes: u64,
        /// The bound.
        bound: u64,
    },
}
