//! Generation: prefill a prompt, then sample and feed one token at a time until a stop
//! token, the token budget, a full context, or the caller's cancellation. One path: the
//! callback form drives the iterator form.

use crate::engine::Engine;
use crate::error::RuntimeError;
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
    /// that samples and feeds one token per step until a stop token, `params.max_tokens`, or a
    /// full context. Each token is returned as soon as it is picked, and fed on the next step
    /// (or by [`TokenStream::finish`]); dropping the stream early leaves the session holding
    /// every token fed so far, which excludes the last one returned.
    pub fn stream<'e, 's>(
        &'e self,
        session: &'s mut Session,
        prompt: &[u32],
        params: &GenerateParams,
    ) -> Result<TokenStream<'e, 's, 'g, W>, RuntimeError> {
        params.sampling.validate()?;
        let logits = self.forward_last(session, prompt)?;
        Ok(TokenStream {
            engine: self,
            session,
            sampler: Sampler::new(params.sampling.clone()),
            max_tokens: params.max_tokens,
            stop_tokens: params.stop_tokens.clone(),
            logits,
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

/// Tokens sampled one forward pass at a time ([`Engine::stream`]).
pub struct TokenStream<'e, 's, 'g, W> {
    engine: &'e Engine<'g, W>,
    session: &'s mut Session,
    sampler: Sampler,
    max_tokens: usize,
    stop_tokens: Vec<u32>,
    /// Logits of the session's last token: what the next pick samples from.
    logits: Vec<f32>,
    /// Returned but not yet fed.
    pending: Option<u32>,
    tokens: Vec<u32>,
    finish: Option<Finish>,
}

impl<W> std::fmt::Debug for TokenStream<'_, '_, '_, W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenStream")
            .field("tokens", &self.tokens)
            .field("pending", &self.pending)
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

    /// Feeds the last returned token (if the stream has not) and reports what was generated.
    /// A stream stopped before its end reports [`Finish::Cancelled`].
    pub fn finish(mut self) -> Result<Generation, RuntimeError> {
        self.feed_pending()?;
        Ok(Generation {
            tokens: self.tokens,
            finish: self.finish.unwrap_or(Finish::Cancelled),
        })
    }

    fn feed_pending(&mut self) -> Result<(), RuntimeError> {
        if let Some(token) = self.pending.take() {
            self.logits = self.engine.forward(self.session, &[token])?;
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
        let next = self.sampler.pick(&self.logits, self.session.tokens());
        if self.stop_tokens.contains(&next) {
            self.engine.forward(self.session, &[next])?;
            self.finish = Some(Finish::StopToken(next));
            return Ok(None);
        }
        self.tokens.push(next);
        self.pending = Some(next);
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
                self.cancel();
                Some(Err(e))
            }
        }
    }
}
