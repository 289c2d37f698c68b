//! Generation: prefill a prompt, then sample and feed one token at a time until a stop
//! token, the token budget, a full context, or the caller's cancellation. One path: the
//! callback form drives the iterator form.
//!
//! Where the next token comes from: the CPU [`Sampler`] over read-back logits, or, for greedy
//! generation without a repetition penalty ([`SamplingParams::is_plain_greedy`], with
//! [`crate::EngineOptions::pipeline`]), the GPU's argmax of the pass in flight. Then the pass
//! that feeds a token is submitted before that token is read (`pipeline.rs`), so a picked
//! token is fed by the time it is returned; the stops are the same either way (a stop token
//! is fed, not emitted, exactly as when it is fed after it is read).

use crate::engine::Engine;
use crate::error::RuntimeError;
use crate::pipeline::{Feed, InFlight};
use crate::sampling::{Sampler, SamplingParams};
use crate::session::Session;
use crate::weights::DeviceWeights;
use std::ops::ControlFlow;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GenerateParams {
    /// How each token is picked.
    pub sampling: SamplingParams,
    /// Most tokens to emit.
    pub max_tokens: usize,
    /// Tokens that end the reply (not emitted; fed, so the session stays whole).
    pub stop_tokens: Vec<u32>,
}

/// Why a generation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// `max_tokens` were emitted.
    MaxTokens,
    /// This stop token was sampled.
    StopToken(u32),
    /// The callback asked to stop.
    Cancelled,
    /// The session's context is full.
    ContextFull,
}

/// The tokens emitted and why generation ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generation {
    /// Emitted tokens, in order (stop tokens excluded).
    pub tokens: Vec<u32>,
    /// Why it ended.
    pub finish: Finish,
}

impl<'g, W: DeviceWeights> Engine<'g, W> {
    /// Feeds `prompt` after the session's tokens (one prefill pass), then returns an iterator
    /// that picks and feeds one token per step until a stop token, `params.max_tokens`, or a
    /// full context. Each token is returned as soon as it is picked. [`TokenStream::finish`]
    /// leaves the session holding every returned token (and a stop token); a stream dropped
    /// early leaves it holding every token fed so far: the last one returned is among them
    /// when picks come from the GPU, not when they come from the CPU sampler.
    pub fn stream<'e, 's>(
        &'e self,
        session: &'s mut Session,
        prompt: &[u32],
        params: &GenerateParams,
    ) -> Result<TokenStream<'e, 's, 'g, W>, RuntimeError> {
        params.sampling.validate()?;
        let next = if self.options.pipeline && params.sampling.is_plain_greedy() {
            Next::Gpu(Some(self.submit_picking(session, Feed::Host(prompt))?))
        } else {
            Next::Logits(self.forward_last(session, prompt)?)
        };
        Ok(TokenStream {
            engine: self,
            session,
            sampler: Sampler::new(params.sampling.clone()),
            max_tokens: params.max_tokens,
            stop_tokens: params.stop_tokens.clone(),
            next,
            pending: None,
            tokens: Vec::new(),
            finish: None,
        })
    }

    /// Generation with a callback: [`Engine::stream`] driven to its end, `on_token` called with
    /// each token as soon as it is picked (return `ControlFlow::Break` to cancel). Every
    /// emitted token, and a sampled stop token, is fed to the session before returning, so the
    /// next call continues the conversation.
    pub fn generate(
        &self,
        session: &mut Session,
        prompt: &[u32],
        params: &GenerateParams,
        mut on_token: impl FnMut(u32) -> ControlFlow<()>,
    ) -> Result<Generation, RuntimeError> {
        let mut stream = self.stream(session, prompt, params)?;
        while let Some(token) = stream.next() {
            if on_token(token?).is_break() {
                stream.cancel();
            }
        }
        stream.finish()
    }
}

/// Where the next token comes from.
enum Next {
    /// The CPU sampler, over the logits of the session's last token.
    Logits(Vec<f32>),
    /// The argmax of the pass in flight (which fed the session's last token); `None` once
    /// that pass has been read at the end.
    Gpu(Option<InFlight>),
}

/// Tokens picked one forward pass at a time ([`Engine::stream`]).
pub struct TokenStream<'e, 's, 'g, W> {
    engine: &'e Engine<'g, W>,
    session: &'s mut Session,
    sampler: Sampler,
    max_tokens: usize,
    stop_tokens: Vec<u32>,
    next: Next,
    /// Returned but not yet fed (CPU sampling only: a GPU pick is fed before it is returned).
    pending: Option<u32>,
    tokens: Vec<u32>,
    finish: Option<Finish>,
}

impl<W> std::fmt::Debug for TokenStream<'_, '_, '_, W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenStream")
            .field("tokens", &self.tokens)
            .field("pending", &self.pending)
            .field("gpu_picks", &matches!(self.next, Next::Gpu(_)))
            .field("finish", &self.finish)
            .finish_non_exhaustive()
    }
}

impl<W: DeviceWeights> TokenStream<'_, '_, '_, W> {
    /// Ends the stream: the next call of `next` returns `None` and the generation reports
    /// [`Finish::Cancelled`].
    pub fn cancel(&mut self) {
        self.finish.get_or_insert(Finish::Cancelled);
    }

    /// Tokens returned so far.
    pub fn tokens(&self) -> &[u32] {
        &self.tokens
    }

    /// Feeds the last returned token (if the stream has not), reads the pass still in flight,
    /// and reports what was generated. A stream stopped before its end reports
    /// [`Finish::Cancelled`].
    pub fn finish(mut self) -> Result<Generation, RuntimeError> {
        self.feed_pending()?;
        self.drain()?;
        Ok(Generation {
            tokens: self.tokens,
            finish: self.finish.unwrap_or(Finish::Cancelled),
        })
    }

    fn feed_pending(&mut self) -> Result<(), RuntimeError> {
        if let Some(token) = self.pending.take() {
            self.next = Next::Logits(self.engine.forward(self.session, &[token])?);
        }
        Ok(())
    }

    /// Reads the pass in flight, if any: its pick is not needed, its errors are reported
    /// (as feeding the last token reports them without pipelining).
    fn drain(&mut self) -> Result<(), RuntimeError> {
        if let Next::Gpu(in_flight) = &mut self.next
            && let Some(pass) = in_flight.take()
        {
            self.engine.read_pick(self.session, pass)?;
        }
        Ok(())
    }

    fn step(&mut self) -> Result<Option<u32>, RuntimeError> {
        if self.finish.is_some() {
            return Ok(None);
        }
        self.feed_pending()?;
        if self.tokens.len() >= self.max_tokens {
            self.finish = Some(Finish::MaxTokens);
            return Ok(None);
        }
        if self.session.position() >= self.session.context() {
            self.finish = Some(Finish::ContextFull);
            return Ok(None);
        }
        let next = match &mut self.next {
            Next::Logits(logits) => {
                let next = self.sampler.pick(logits, self.session.tokens());
                if self.stop_tokens.contains(&next) {
                    self.engine.forward(self.session, &[next])?;
                    self.finish = Some(Finish::StopToken(next));
                    return Ok(None);
                }
                self.pending = Some(next);
                next
            }
            Next::Gpu(in_flight) => {
                // Only a finished stream has no pass in flight (it was drained).
                let Some(previous) = in_flight.take() else {
                    self.finish.get_or_insert(Finish::Cancelled);
                    return Ok(None);
                };
                let (next, feeding) = self.engine.advance(self.session, previous)?;
                *in_flight = Some(feeding);
                if self.stop_tokens.contains(&next) {
                    self.finish = Some(Finish::StopToken(next));
                    self.drain()?;
                    return Ok(None);
                }
                next
            }
        };
        self.tokens.push(next);
        Ok(Some(next))
    }
}

impl<W: DeviceWeights> Iterator for TokenStream<'_, '_, '_, W> {
    type Item = Result<u32, RuntimeError>;

    /// The next token; after an error, `None`.
    fn next(&mut self) -> Option<Self::Item> {
        match self.step() {
            Ok(token) => token.map(Ok),
            Err(e) => {
                self.pending = None;
                if let Next::Gpu(in_flight) = &mut self.next {
                    in_flight.take();
                }
                self.cancel();
                Some(Err(e))
            }
        }
    }
}
