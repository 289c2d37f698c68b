//! Forward passes that bring back only their last row's argmax (greedy generation), submitted
//! without waiting. The next pass can then be submitted before this one's pick reaches the
//! host: its token id is copied on the GPU from this pass's picks and its position goes
//! through the queue, so the GPU runs token after token while the host records, reads and
//! checks. The dispatches are the recorded passes [`Engine::forward`] runs; only where the id
//! comes from and what is read back differ (`tests/engine/pipeline.rs` proves the tokens and
//! the session after them equal).

use crate::engine::{Engine, ForwardStats};
use crate::error::RuntimeError;
use crate::forward::non_finite_row;
use crate::session::Session;
use crate::weights::DeviceWeights;
use axon_gpu::kernels::argmax::IndexBuffer;
use axon_gpu::{GpuError, Submitted, TokenCopy};
use std::time::{Duration, Instant};

/// Where a pass's token ids come from.
pub(crate) enum Feed<'a> {
    /// From the host, written before the submit.
    Host(&'a [u32]),
    /// One token: the pick of a pass still in flight, copied on the GPU.
    Pick(&'a InFlight),
}

/// A forward pass submitted and not yet read.
pub(crate) struct InFlight {
    submitted: Submitted,
    /// Its picks buffer, and the word in it holding the last row's argmax.
    picks: IndexBuffer,
    last: usize,
    /// Position of the token of its first logits row (for a non-finite logit's report).
    first_row: usize,
    dispatches: usize,
    encode: Duration,
    submit: Duration,
}

impl<W: DeviceWeights> Engine<'_, W> {
    /// Submits a pass over `feed` after the session's tokens, keeping only the last row's
    /// logits, without waiting for it. The session's position counts the fed tokens at once;
    /// host ids join its tokens now, a picked id when the caller has read it.
    pub(crate) fn submit_picking(
        &self,
        session: &mut Session,
        feed: Feed<'_>,
    ) -> Result<InFlight, RuntimeError> {
        let tokens = match feed {
            Feed::Host(ids) => ids.len(),
            Feed::Pick(_) => 1,
        };
        let needed = self.check_call(session, tokens)?;
        if let Feed::Host(ids) = feed {
            self.check_ids(ids)?;
        }
        let key = (tokens, tokens == 1);
        let start = Instant::now();
        let mut encoded = self.encoded(session, key)?;
        let copy = match feed {
            Feed::Host(ids) => {
                self.gpu.write_u32(&encoded.ids, ids)?;
                None
            }
            Feed::Pick(previous) => Some(TokenCopy {
                from: &previous.picks,
                index: previous.last,
                to: &encoded.ids,
            }),
        };
        session.position.set(&self.gpu, session.pos);
        let encode = start.elapsed();
        let rows = encoded.prepared.rows.max(1);
        // Passes that only `forward` runs never need host slots; made on first use.
        let slots = match &mut encoded.slots {
            Some(slots) => slots,
            None => encoded.slots.insert(self.gpu.read_slots(
                "picks",
                encoded.picks.len(),
                self.options.timestamps,
            )?),
        };
        let submit_start = Instant::now();
        let submitted =
            self.gpu
                .submit_pass("forward", copy, &encoded.dispatches, &encoded.picks, slots);
        let submit = submit_start.elapsed();
        let picks = encoded.picks.clone();
        let dispatches = encoded.dispatches.len();
        session.encoded.put(key, encoded);
        let submitted = submitted.map_err(|e| {
            // As for any pass, a failure at submit may leave the state half updated.
            let e = RuntimeError::from(e);
            session.broken = Some(e.to_string());
            e
        })?;
        let first_row = needed - rows;
        session.pos = needed;
        if let Feed::Host(ids) = feed {
            session.tokens.extend_from_slice(ids);
        }
        Ok(InFlight {
            submitted,
            picks,
            last: 2 * (rows - 1),
            first_row,
            dispatches,
            encode,
            submit,
        })
    }

    /// One pipelined step: submits the pass that feeds `previous`'s pick, then reads that
    /// pick (the GPU runs the new pass meanwhile), which joins the session's tokens. Returns
    /// the pick and the new pass, whose own pick is the token after it.
    pub(crate) fn advance(
        &self,
        session: &mut Session,
        previous: InFlight,
    ) -> Result<(u32, InFlight), RuntimeError> {
        let feeding = self.submit_picking(session, Feed::Pick(&previous))?;
        let pick = self.read_pick(session, previous)?;
        session.tokens.push(pick);
        Ok((pick, feeding))
    }

    /// Waits for `pass` (not for passes submitted after it) and returns its last row's
    /// argmax. A non-finite logit in it is [`RuntimeError::NonFiniteLogits`] and breaks the
    /// session, as in [`Engine::forward`].
    pub(crate) fn read_pick(
        &self,
        session: &mut Session,
        pass: InFlight,
    ) -> Result<u32, RuntimeError> {
        let read = pass
            .submitted
            .wait(&self.gpu)
            .map_err(RuntimeError::from)
            .and_then(|(words, gpu)| {
                non_finite_row(&words, pass.first_row)?;
                let pick = words.get(pass.last).copied().ok_or_else(|| {
                    RuntimeError::Gpu(GpuError::Readback {
                        label: "forward".to_owned(),
                        message: format!("{} picks back, word {} wanted", words.len(), pass.last),
                    })
                })?;
                Ok((pick, gpu))
            });
        let (pick, gpu) = read.inspect_err(|e| session.broken = Some(e.to_string()))?;
        *self.last_stats.lock().unwrap_or_else(|e| e.into_inner()) = Some(ForwardStats {
            dispatches: pass.dispatches,
            encode: pass.encode,
            submit: pass.submit,
            gpu,
        });
        Ok(pick)
    }
}
