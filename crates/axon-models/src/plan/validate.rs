//! The plan validator: a pure CPU check, run on every plan before its first use (in tests and
//! debug builds always).
//!
//! It checks the accesses each op reports of itself ([`super::StepOp`]), the ones the
//! executor binds. It proves: every access names a declared tensor and stays inside it; every scratch byte
//! read was written by an earlier step (weights, state and inputs are readable as they come);
//! no step writes a weight or an input (base weights are immutable); every scratch tensor has
//! a buffer big enough, and tensors sharing a buffer are never live at the same step; every
//! tensor fits one binding; the scratch total is under the model's bound.

use super::ranges::RangeSet;
use super::scratch::lifetimes;
use super::{Placement, Plan, PlanError, StepOp, TensorKind};

/// Device and model limits a plan must respect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest storage binding, in bytes.
    pub max_binding_bytes: u64,
    /// Analytic bound on scratch bytes for this model and token count, if any.
    pub scratch_bound: Option<u64>,
}

/// Checks `plan` with its scratch `placement` against `limits`.
pub fn validate<Op: StepOp>(
    plan: &Plan<Op>,
    placement: &Placement,
    limits: &Limits,
) -> Result<(), PlanError> {
    let tensors = plan.tensors();
    for t in tensors {
        if t.bytes > limits.max_binding_bytes {
            return Err(PlanError::BindingTooLarge {
                tensor: t.name.clone(),
                bytes: t.bytes,
                max: limits.max_binding_bytes,
            });
        }
    }
    check_accesses(plan)?;
    check_placement(plan, placement)?;
    if let Some(bound) = limits.scratch_bound
        && placement.total_bytes() > bound
    {
        return Err(PlanError::ScratchOverBound {
            bytes: placement.total_bytes(),
            bound,
        });
    }
    Ok(())
}

fn check_accesses<Op: StepOp>(plan: &Plan<Op>) -> Result<(), PlanError> {
    let tensors = plan.tensors();
    let mut written = vec![RangeSet::default(); tensors.len()];
    for (step, op) in plan.steps().iter().enumerate() {
        let s = op.accesses(tensors);
        for (access, is_write) in s
            .reads
            .iter()
            .map(|a| (a, false))
            .chain(s.writes.iter().map(|a| (a, true)))
        {
            let decl = plan.decl(access.tensor).ok_or(PlanError::UnknownTensor {
                step,
                tensor: access.tensor.0,
            })?;
            let r = &access.range;
            if r.start > r.end || r.end > decl.bytes {
                return Err(PlanError::OutOfBounds {
                    step,
                    tensor: decl.name.clone(),
                    range: r.clone(),
                    bytes: decl.bytes,
                });
            }
            if is_write {
                let kind = match decl.kind {
                    TensorKind::Weight => Some("weight"),
                    TensorKind::Input => Some("input"),
                    TensorKind::State | TensorKind::Scratch | TensorKind::Output => None,
                };
                if let Some(kind) = kind {
                    return Err(PlanError::WriteToReadOnly {
                        step,
                        tensor: decl.name.clone(),
                        kind,
                    });
                }
            } else if matches!(decl.kind, TensorKind::Scratch | TensorKind::Output)
                && let Some(gap) = written[access.tensor.0 as usize].first_gap(r)
            {
                return Err(PlanError::ReadBeforeWrite {
                    step,
                    tensor: decl.name.clone(),
                    range: gap,
                });
            }
        }
        // A step's writes are visible from the next step on.
        for w in &s.writes {
            written[w.tensor.0 as usize].insert(w.range.clone());
        }
    }
    Ok(())
}

fn check_placement<Op: StepOp>(plan: &Plan<Op>, placement: &Placement) -> Result<(), PlanError> {
    let tensors = plan.tensors();
    let life = lifetimes(plan);
    // Per buffer: the scratch tensors in it, with their lifetimes.
    let mut residents: Vec<Vec<usize>> = vec![Vec::new(); placement.buffers.len()];
    for (i, t) in tensors.iter().enumerate() {
        if t.kind != TensorKind::Scratch {
            continue;
        }
        let unplaced = || PlanError::Unplaced {
            tensor: t.name.clone(),
        };
        let buffer = placement
            .buffer_of
            .get(i)
            .copied()
            .flatten()
            .ok_or_else(unplaced)?;
        let size = *placement.buffers.get(buffer).ok_or_else(unplaced)?;
        if size < t.bytes {
            return Err(PlanError::BufferTooSmall {
                tensor: t.name.clone(),
                bytes: t.bytes,
                buffer,
                size,
            });
        }
        residents[buffer].push(i);
    }
    for (buffer, list) in residents.iter().enumerate() {
        for (n, &a) in list.iter().enumerate() {
            for &b in &list[n + 1..] {
                if let (Some((a0, a1)), Some((b0, b1))) = (life[a], life[b])
                    && a0 <= b1
                    && b0 <= a1
                {
                    return Err(PlanError::LiveOverlap {
                        first: tensors[a].name.clone(),
                        second: tensors[b].name.clone(),
                        buffer,
                        step: a0.max(b0),
                    });
                }
            }
        }
    }
    Ok(())
}
