//! The scratch planner: which buffer each scratch tensor of a plan lives in.
//!
//! wgpu forbids binding one buffer both read-only and writable in a dispatch, and binds whole
//! ranges, so scratch tensors are never packed side by side in one arena: each lives alone in
//! a buffer, and with [`ScratchMode::Reuse`] tensors of the same size whose lifetimes (first to
//! last step touching them) are disjoint take turns in one buffer. [`ScratchMode::NoReuse`]
//! gives every tensor its own buffer; the logits of both modes must be bit-identical.

use super::{Plan, StepOp, TensorId, TensorKind};

/// How scratch tensors are given buffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScratchMode {
    /// Same-size tensors with disjoint lifetimes share a buffer.
    Reuse,
    /// One buffer per tensor (the debugging twin).
    NoReuse,
}

/// Scratch buffers and the buffer of each scratch tensor.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Placement {
    /// Size in bytes of each buffer.
    pub buffers: Vec<u64>,
    /// Per tensor of the plan (indexed by [`TensorId`]): its buffer, for scratch tensors.
    pub buffer_of: Vec<Option<usize>>,
}

impl Placement {
    /// Bytes of all scratch buffers together.
    pub fn total_bytes(&self) -> u64 {
        self.buffers.iter().sum()
    }

    /// The buffer of `tensor`, if it is placed.
    pub fn buffer(&self, tensor: TensorId) -> Option<usize> {
        self.buffer_of.get(tensor.0 as usize).copied().flatten()
    }
}

/// First and last step touching each tensor (`None`: never touched).
pub fn lifetimes<Op: StepOp>(plan: &Plan<Op>) -> Vec<Option<(usize, usize)>> {
    let mut life = vec![None; plan.tensors().len()];
    for (i, op) in plan.steps().iter().enumerate() {
        let step = op.accesses(plan.tensors());
        for access in step.reads.iter().chain(&step.writes) {
            if let Some(slot) = life.get_mut(access.tensor.0 as usize) {
                *slot = Some(match *slot {
                    None => (i, i),
                    Some((first, _)) => (first, i),
                });
            }
        }
    }
    life
}

/// Places every scratch tensor of `plan`.
pub fn place_scratch<Op: StepOp>(plan: &Plan<Op>, mode: ScratchMode) -> Placement {
    let life = lifetimes(plan);
    let mut order: Vec<usize> = plan
        .tensors()
        .iter()
        .enumerate()
        .filter(|(_, t)| t.kind == TensorKind::Scratch)
        .map(|(i, _)| i)
        .collect();
    // By first use, so a buffer freed early is found by the next tensor that fits it.
    order.sort_by_key(|&i| life[i].map_or((usize::MAX, i), |(first, _)| (first, i)));
    let mut placement = Placement {
        buffers: Vec::new(),
        buffer_of: vec![None; plan.tensors().len()],
    };
    // Per buffer: the last step of the tensor that used it last (None: never used).
    let mut busy_until: Vec<Option<usize>> = Vec::new();
    for i in order {
        let bytes = plan.tensors()[i].bytes;
        let reusable = match (mode, life[i]) {
            (ScratchMode::NoReuse, _) => None,
            (ScratchMode::Reuse, Some((first, _))) => (0..placement.buffers.len()).find(|&b| {
                placement.buffers[b] == bytes && busy_until[b].is_none_or(|last| last < first)
            }),
            (ScratchMode::Reuse, None) => {
                (0..placement.buffers.len()).find(|&b| placement.buffers[b] == bytes)
            }
        };
        let buffer = reusable.unwrap_or_else(|| {
            placement.buffers.push(bytes);
            busy_until.push(None);
            placement.buffers.len() - 1
        });
        if let Some((_, last)) = life[i] {
            busy_until[buffer] = Some(busy_until[buffer].map_or(last, |b| b.max(last)));
        }
        placement.buffer_of[i] = Some(buffer);
    }
    placement
}
