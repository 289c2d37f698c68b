//! The plan validator and scratch planner: deliberately broken plans are each rejected with the
//! right error, and random well-formed plans are placed validly in both scratch modes.

use axon_models::plan::{
    Access, Limits, Placement, Plan, PlanError, ScratchMode, StepAccesses, StepOp, TensorDecl,
    TensorId, TensorKind, place_scratch, validate,
};
use proptest::prelude::*;

const LIMITS: Limits = Limits {
    max_binding_bytes: 1 << 20,
    scratch_bound: None,
};

/// A test op that carries its accesses as lists, so the validator's rules can be checked on
/// any shape of plan (the decoder's ops derive theirs: `tests/decoder_plan.rs`).
#[derive(Debug, Clone)]
struct Listed(StepAccesses);

impl StepOp for Listed {
    fn accesses(&self, _: &[TensorDecl]) -> StepAccesses {
        self.0.clone()
    }
}

fn step(reads: &[(TensorId, u64)], writes: &[(TensorId, u64)]) -> Listed {
    let all = |list: &[(TensorId, u64)]| list.iter().map(|&(t, b)| Access::whole(t, b)).collect();
    Listed(StepAccesses {
        reads: all(reads),
        writes: all(writes),
    })
}

/// tokens -> embed -> norm -> logits, with a weight and a state tensor.
fn tiny() -> (Plan<Listed>, [TensorId; 6]) {
    let mut p = Plan::new();
    let ids = p.tensor("ids", TensorKind::Input, 4);
    let w = p.tensor("embd", TensorKind::Weight, 64);
    let kv = p.tensor("kv", TensorKind::State, 32);
    let h = p.tensor("hidden", TensorKind::Scratch, 16);
    let n = p.tensor("normed", TensorKind::Scratch, 16);
    let out = p.tensor("logits", TensorKind::Scratch, 16);
    p.push(step(&[(ids, 4), (w, 64)], &[(h, 16)]));
    p.push(step(&[(h, 16), (kv, 32)], &[(n, 16), (kv, 32)]));
    p.push(step(&[(n, 16), (w, 64)], &[(out, 16)]));
    (p, [ids, w, kv, h, n, out])
}

fn check(p: &Plan<Listed>) -> Result<(), PlanError> {
    validate(p, &place_scratch(p, ScratchMode::Reuse), &LIMITS)?;
    validate(p, &place_scratch(p, ScratchMode::NoReuse), &LIMITS)
}

#[test]
fn a_well_formed_plan_passes_in_both_modes() {
    let (p, _) = tiny();
    check(&p).unwrap();
    // hidden (steps 0-1) and logits (step 2) are the same size with disjoint lives.
    assert_eq!(place_scratch(&p, ScratchMode::Reuse).buffers.len(), 2);
    assert_eq!(place_scratch(&p, ScratchMode::NoReuse).buffers.len(), 3);
}

#[test]
fn reading_scratch_nobody_wrote_is_rejected() {
    let (mut p, _) = tiny();
    p.steps_mut().remove(0);
    assert!(matches!(
        check(&p),
        Err(PlanError::ReadBeforeWrite { step: 0, .. })
    ));
    // Half written, all read: the gap is named.
    let (mut p, _) = tiny();
    p.steps_mut()[0].0.writes[0].range = 0..8;
    assert!(matches!(
        check(&p),
        Err(PlanError::ReadBeforeWrite { step: 1, range, .. }) if range == (8..16)
    ));
    // Read in the same step that writes it: not yet written.
    let (mut p, [_, _, _, _, n, _]) = tiny();
    p.steps_mut()[1].0.reads.push(Access::whole(n, 16));
    assert!(matches!(
        check(&p),
        Err(PlanError::ReadBeforeWrite { step: 1, .. })
    ));
}

#[test]
fn writing_weights_or_inputs_is_rejected() {
    let (mut p, [_, w, ..]) = tiny();
    p.steps_mut()[2].0.writes.push(Access::whole(w, 64));
    assert!(matches!(
        check(&p),
        Err(PlanError::WriteToReadOnly { kind: "weight", .. })
    ));
    let (mut p, [ids, ..]) = tiny();
    p.steps_mut()[1].0.writes.push(Access::whole(ids, 4));
    assert!(matches!(
        check(&p),
        Err(PlanError::WriteToReadOnly { kind: "input", .. })
    ));
}

#[test]
fn accesses_outside_a_tensor_or_the_plan_are_rejected() {
    let (mut p, [_, w, ..]) = tiny();
    p.steps_mut()[0].0.reads[1] = Access {
        tensor: w,
        range: 60..68,
    };
    assert!(matches!(check(&p), Err(PlanError::OutOfBounds { .. })));
    let (mut p, _) = tiny();
    p.steps_mut()[0]
        .0
        .reads
        .push(Access::whole(TensorId(99), 4));
    assert!(matches!(
        check(&p),
        Err(PlanError::UnknownTensor { tensor: 99, .. })
    ));
}

#[test]
fn bad_placements_are_rejected() {
    let (p, [_, _, _, h, n, out]) = tiny();
    let place = |assign: &[(TensorId, usize)], buffers: Vec<u64>| {
        let mut buffer_of = vec![None; p.tensors().len()];
        for &(t, b) in assign {
            buffer_of[t.0 as usize] = Some(b);
        }
        Placement { buffers, buffer_of }
    };
    // hidden and normed are both live at step 1.
    let shared = place(&[(h, 0), (n, 0), (out, 1)], vec![16, 16]);
    assert!(matches!(
        validate(&p, &shared, &LIMITS),
        Err(PlanError::LiveOverlap { step: 1, .. })
    ));
    let small = place(&[(h, 0), (n, 1), (out, 2)], vec![16, 8, 16]);
    assert!(matches!(
        validate(&p, &small, &LIMITS),
        Err(PlanError::BufferTooSmall { .. })
    ));
    let missing = place(&[(h, 0), (n, 1)], vec![16, 16]);
    assert!(matches!(
        validate(&p, &missing, &LIMITS),
        Err(PlanError::Unplaced { .. })
    ));
}

#[test]
fn device_and_model_limits_are_enforced() {
    let (p, _) = tiny();
    let placement = place_scratch(&p, ScratchMode::Reuse);
    let tight = Limits {
        max_binding_bytes: 32,
        scratch_bound: None,
    };
    assert!(matches!(
        validate(&p, &placement, &tight),
        Err(PlanError::BindingTooLarge { bytes: 64, .. })
    ));
    let bounded = Limits {
        max_binding_bytes: 1 << 20,
        scratch_bound: Some(31),
    };
    assert!(matches!(
        validate(&p, &placement, &bounded),
        Err(PlanError::ScratchOverBound { bytes: 32, .. })
    ));
}

/// A random well-formed plan: each step reads two tensors already available (weights, state,
/// written scratch) and writes one new scratch tensor of one of a few sizes, sometimes
/// updating the state in place.
fn random_plan(choices: &[(u8, u8, u8, bool)]) -> Plan<Listed> {
    let mut p = Plan::new();
    let sizes = [16u64, 32, 48];
    let w = p.tensor("w", TensorKind::Weight, 64);
    let s = p.tensor("state", TensorKind::State, 32);
    let mut available = vec![(w, 64), (s, 32)];
    for (i, &(a, b, size, in_place)) in choices.iter().enumerate() {
        let out_bytes = sizes[size as usize % sizes.len()];
        let out = p.tensor(format!("t{i}"), TensorKind::Scratch, out_bytes);
        let reads = [
            available[a as usize % available.len()],
            available[b as usize % available.len()],
        ];
        let mut writes = vec![(out, out_bytes)];
        if in_place {
            writes.push((s, 32));
        }
        p.push(step(&reads, &writes));
        available.push((out, out_bytes));
    }
    p
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn placements_of_random_plans_are_valid(
        choices in prop::collection::vec((any::<u8>(), any::<u8>(), any::<u8>(), any::<bool>()), 1..40)
    ) {
        let p = random_plan(&choices);
        let reuse = place_scratch(&p, ScratchMode::Reuse);
        let separate = place_scratch(&p, ScratchMode::NoReuse);
        prop_assert_eq!(validate(&p, &reuse, &LIMITS), Ok(()));
        prop_assert_eq!(validate(&p, &separate, &LIMITS), Ok(()));
        prop_assert_eq!(separate.buffers.len(), choices.len());
        prop_assert!(reuse.total_bytes() <= separate.total_bytes());
    }
}
