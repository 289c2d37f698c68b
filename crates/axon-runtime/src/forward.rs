//! A forward pass: check the call, take the cached plan, bind and encode every step, run
//! them in one submit and read the logits (and any validation taps) back.

use crate::encode::{Bindings, Call, encode_step, q8_applies};
use crate::engine::{Engine, ForwardStats, Prepared};
use crate::error::RuntimeError;
use crate::session::{Encoded, Session};
use crate::weights::DeviceWeights;
use axon_gpu::kernels::Reduction;
use axon_gpu::kernels::argmax;
use axon_gpu::kernels::noop::noops;
use axon_gpu::kernels::quantize_q8::q8_words;
use axon_gpu::{DeviceBuffer, ReadValues, Readback, Tap};
use axon_models::decoder::DecoderOp;
use axon_models::plan::TensorId;
use std::sync::Arc;
use std::time::{Duration, Instant};

impl<W: DeviceWeights> Engine<'_, W> {
    /// Runs `ids` through the model after the session's tokens and returns their logits,
    /// `[ids.len(), vocab]` row-major. One `queue.submit`.
    pub fn forward(&self, session: &mut Session, ids: &[u32]) -> Result<Vec<f32>, RuntimeError> {
        Ok(self.run(session, ids, true, Observe::Nothing)?.0)
    }

    /// Like [`Engine::forward`], returning only the last token's logits (`[vocab]`): what
    /// generation needs, without the `[tokens, vocab]` scratch of a long prefill.
    pub fn forward_last(
        &self,
        session: &mut Session,
        ids: &[u32],
    ) -> Result<Vec<f32>, RuntimeError> {
        Ok(self.run(session, ids, false, Observe::Nothing)?.0)
    }

    /// Like [`Engine::forward`], also returning the values of the named plan tensors right
    /// after the step that last writes them (validation taps: an observer; the logits are
    /// those of [`Engine::forward`]).
    pub fn forward_tapped(
        &self,
        session: &mut Session,
        ids: &[u32],
        taps: &[&str],
    ) -> Result<(Vec<f32>, Vec<Vec<f32>>), RuntimeError> {
        let (logits, observed) = self.run(session, ids, true, Observe::Taps(taps))?;
        Ok((logits, observed.taps))
    }

    /// Like [`Engine::forward_last`], also returning each dispatch's kernel family (the stem
    /// of its WGSL file: `matvec`, `attention_decode`, ...) and GPU time: every dispatch in a
    /// compute pass of its own with timestamps (an observer: the same dispatches in the same
    /// submit; needs `timestamp-query`).
    pub fn forward_profiled(
        &self,
        session: &mut Session,
        ids: &[u32],
    ) -> Result<(Vec<f32>, DispatchTimes), RuntimeError> {
        let (logits, observed) = self.run(session, ids, false, Observe::Profile)?;
        Ok((logits, observed.profile))
    }

    fn run(
        &self,
        session: &mut Session,
        ids: &[u32],
        all_logits: bool,
        observe: Observe<'_>,
    ) -> Result<(Vec<f32>, Observed), RuntimeError> {
        let needed = self.check_call(session, ids.len())?;
        self.check_ids(ids)?;
        let key = (ids.len(), all_logits || ids.len() == 1);
        let encode_start = Instant::now();
        let encoded = self.encoded(session, key)?;
        let prepared = Arc::clone(&encoded.prepared);
        // Per-call values: the token ids and the position, written before the one submit.
        self.gpu.write_u32(&encoded.ids, ids)?;
        session.position.set(&self.gpu, session.pos);
        let encode = encode_start.elapsed();
        let buffers = [&encoded.ids, &encoded.picks];
        let bindings = Bindings::new(&prepared, &self.weights, &session.state, buffers);
        let logits = Readback {
            values: bindings.logits()?,
            indices: Some(&encoded.picks),
        };
        let dispatches = &encoded.dispatches;
        let observe = match observe {
            Observe::Taps(names) if !names.is_empty() => {
                Resolved::Taps(resolve_taps(&bindings, names, &encoded.step_ends)?)
            }
            Observe::Profile => Resolved::Profile,
            Observe::Taps(_) | Observe::Nothing => Resolved::Nothing,
        };
        // From here on the pass is submitted: a failure may leave the state half updated.
        let submit_start = Instant::now();
        let submitted = self.submit(dispatches, logits, observe);
        let submit = submit_start.elapsed();
        let dispatch_count = dispatches.len();
        session.encoded.put(key, encoded);
        // A non-finite logit is refused, naming the first position; the state that produced
        // it may hold NaN too, so the session is broken as for any failure after submit.
        let checked = submitted.and_then(|(read, observed, gpu_time)| {
            let first = session.pos + ids.len() - prepared.rows;
            non_finite_row(&read.indices, first)?;
            Ok((read.values, observed, gpu_time))
        });
        let (out, observed, gpu_time) = match checked {
            Ok(done) => done,
            Err(e) => {
                session.broken = Some(e.to_string());
                return Err(e);
            }
        };
        *self.last_stats.lock().unwrap_or_else(|e| e.into_inner()) = Some(ForwardStats {
            dispatches: dispatch_count,
            encode,
            submit,
            gpu: gpu_time,
        });
        session.pos = needed;
        session.tokens.extend_from_slice(ids);
        Ok((out, observed))
    }

    /// Checks that `session` can take `tokens` more tokens now; returns its position after.
    pub(crate) fn check_call(
        &self,
        session: &Session,
        tokens: usize,
    ) -> Result<usize, RuntimeError> {
        if tokens == 0 {
            return Err(RuntimeError::NoTokens);
        }
        if session.engine != self.id {
            return Err(RuntimeError::ForeignSession);
        }
        if let Some(reason) = &session.broken {
            return Err(RuntimeError::SessionBroken {
                reason: reason.clone(),
            });
        }
        let needed = session.pos + tokens;
        if needed > session.context {
            return Err(RuntimeError::ContextFull {
                context: session.context,
                needed,
            });
        }
        Ok(needed)
    }

    /// Refuses an id outside the vocabulary.
    pub(crate) fn check_ids(&self, ids: &[u32]) -> Result<(), RuntimeError> {
        let vocab = self.config.vocab;
        match ids.iter().find(|&&id| id as usize >= vocab) {
            Some(&id) => Err(RuntimeError::TokenId { id, vocab }),
            None => Ok(()),
        }
    }

    /// The session's recorded pass for `key` (token count, all logits), taken out of its
    /// cache (put it back after the run), recorded now if it has none. A pass this session
    /// recorded binds its own plan's scratch, which lives as long as the pass even when the
    /// engine's cache has dropped the plan.
    pub(crate) fn encoded(
        &self,
        session: &mut Session,
        key: (usize, bool),
    ) -> Result<Encoded, RuntimeError> {
        match session.encoded.take(&key) {
            Some(e) => Ok(e),
            None => {
                let prepared = self.prepared(key.0, session.context, key.1)?;
                self.encode(session, &prepared, key.0)
            }
        }
    }

    /// Submits the recorded pass with what `observe` asks for, and reads the logits back.
    fn submit(
        &self,
        dispatches: &[axon_gpu::Dispatch],
        logits: Readback<'_>,
        observe: Resolved<'_>,
    ) -> Result<(ReadValues, Observed, Option<Duration>), RuntimeError> {
        let mut observed = Observed::default();
        let mut gpu_time = None;
        let out = match observe {
            Resolved::Taps(taps) => {
                let (out, tapped) = self
                    .gpu
                    .run_and_read_tapped("forward", dispatches, &taps, logits)?;
                observed.taps = tapped;
                out
            }
            Resolved::Profile => {
                let (out, times) = self
                    .gpu
                    .run_and_read_profiled("forward", dispatches, logits)?;
                gpu_time = Some(times.iter().sum());
                observed.profile = dispatches.iter().map(kernel_family).zip(times).collect();
                out
            }
            _ if self.options.timestamps => {
                let (out, time) = self.gpu.run_and_read_timed("forward", dispatches, logits)?;
                gpu_time = Some(time);
                out
            }
            _ => self.gpu.run_and_read("forward", dispatches, logits)?,
        };
        Ok((out, observed, gpu_time))
    }

    /// Records every step of `prepared` for `session`: its state, its position uniform and a
    /// token-id buffer of its own, so later calls only rewrite ids and position.
    fn encode(
        &self,
        session: &Session,
        prepared: &Arc<Prepared>,
        tokens: usize,
    ) -> Result<Encoded, RuntimeError> {
        let ids = self.gpu.zeros_u32("ids", tokens)?;
        let picks = self.gpu.zeros_u32("picks", 2 * prepared.rows)?;
        // The recorded dispatches' bind groups keep this buffer alive with them.
        let q8 = self.q8_buffer(prepared)?;
        let mut bindings = Bindings::new(prepared, &self.weights, &session.state, [&ids, &picks]);
        if let (Some(buffer), Some(min_cols)) = (&q8, self.options.matvec_q8) {
            bindings = bindings.with_q8(buffer, min_cols);
        }
        let call = Call {
            tokens,
            position: &session.position,
            reduction: self
                .options
                .reduction
                .unwrap_or_else(|| Reduction::preferred(self.gpu.caps())),
        };
        let mut dispatches = Vec::with_capacity(prepared.plan.steps().len() + 8);
        // Per step: how many dispatches there are once it is encoded.
        let mut step_ends = Vec::with_capacity(prepared.plan.steps().len());
        for (step, op) in prepared.plan.steps().iter().enumerate() {
            dispatches.extend(encode_step(&self.gpu, &self.config, &bindings, op, call)?);
            step_ends.push(dispatches.len());
            let operands = op.operands();
            bindings.note_writes(&operands);
            // What the step bound must be what its op reports: what the validator checked.
            let bound = bindings.take_bound();
            let mut declared: Vec<TensorId> = operands.into_iter().map(|(t, _)| t).collect();
            declared.sort_unstable();
            declared.dedup();
            if bound != declared {
                return Err(RuntimeError::BindingMismatch {
                    step,
                    op: format!("{op:?}"),
                    bound,
                    declared,
                });
            }
        }
        // Observer: empty dispatches after the last step, to measure what one costs.
        dispatches.extend(noops(&self.gpu, self.options.noop_dispatches)?);
        Ok(Encoded {
            prepared: Arc::clone(prepared),
            dispatches,
            step_ends,
            ids,
            picks,
            slots: None,
        })
    }

    /// The buffer for the 8-bit x of `prepared`'s projections (`EngineOptions::matvec_q8`):
    /// room for the widest matrix of its linear and GLU steps that takes one; none when no
    /// step does.
    fn q8_buffer(&self, prepared: &Prepared) -> Result<Option<DeviceBuffer>, RuntimeError> {
        let Some(min_cols) = self.options.matvec_q8 else {
            return Ok(None);
        };
        let widest = prepared
            .plan
            .steps()
            .iter()
            .filter_map(|op| match *op {
                DecoderOp::Linear { w, .. } | DecoderOp::Glu { w, .. } => prepared.plan.decl(w),
                _ => None,
            })
            .filter_map(|decl| self.weights.matrix(&decl.name))
            .filter(|m| q8_applies(m, min_cols))
            .map(|m| m.cols())
            .max();
        match widest {
            Some(cols) => Ok(Some(self.gpu.zeros_f32("q8_x", q8_words(cols))?)),
            None => Ok(None),
        }
    }
}

/// `RuntimeError::NonFiniteLogits` for the first row whose picks (argmax, first non-finite
/// column) name a non-finite column; rows are positions `first..`.
pub(crate) fn non_finite_row(picks: &[u32], first: usize) -> Result<(), RuntimeError> {
    match picks
        .chunks_exact(2)
        .enumerate()
        .find(|(_, p)| p[1] != argmax::NONE)
    {
        Some((row, p)) => Err(RuntimeError::NonFiniteLogits {
            position: first + row,
            column: p[1],
        }),
        None => Ok(()),
    }
}

/// Each dispatch's kernel family and GPU time, in pass order.
pub type DispatchTimes = Vec<(&'static str, Duration)>;

/// What a forward pass observes besides the logits.
enum Observe<'t> {
    Nothing,
    /// Validation taps: these plan tensors' values after the step that last writes them.
    Taps(&'t [&'t str]),
    /// Every dispatch's GPU time.
    Profile,
}

/// [`Observe`] with the taps' buffers found.
enum Resolved<'b> {
    Nothing,
    Taps(Vec<Tap<'b>>),
    Profile,
}

/// What was observed.
#[derive(Default)]
struct Observed {
    taps: Vec<Vec<f32>>,
    profile: DispatchTimes,
}

/// The kernel family of a dispatch: the stem of its variant's kernel file (the one outside
/// `wgsl/parts/`, which holds shared pieces).
fn kernel_family(d: &axon_gpu::Dispatch) -> &'static str {
    let kernel = d.variant.files.iter().find(|f| !f.path.contains("parts/"));
    kernel.map_or(d.variant.name, |f| {
        let name = f.path.rsplit('/').next().unwrap_or(f.path);
        name.strip_suffix(".wgsl").unwrap_or(name)
    })
}

/// Each named tensor's buffer and the dispatch after which it is final for this pass.
fn resolve_taps<'b>(
    bindings: &'b Bindings<'_>,
    names: &[&str],
    step_ends: &[usize],
) -> Result<Vec<Tap<'b>>, RuntimeError> {
    let plan = &bindings.prepared.plan;
    names
        .iter()
        .map(|&name| {
            let unknown = || RuntimeError::UnknownTensor(name.to_owned());
            let id = plan
                .tensors()
                .iter()
                .position(|t| t.name == name)
                .map(|i| TensorId(i as u32))
                .ok_or_else(unknown)?;
            let last_write = (0..plan.steps().len())
                .rev()
                .find(|&step| {
                    plan.accesses(step)
                        .is_some_and(|a| a.writes.iter().any(|w| w.tensor == id))
                })
                .ok_or_else(unknown)?;
            let after = step_ends
                .get(last_write)
                .and_then(|end| end.checked_sub(1))
                .ok_or_else(unknown)?;
            Ok(Tap {
                after,
                buffer: bindings.f32(id)?,
            })
        })
        .collect()
}
