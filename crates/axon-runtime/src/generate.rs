//! Generation: prefill a prompt, then sample and feed one token at a time until a stop
//! token, the token budget, a full context, or the caller's cancellation.

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

impl<W: DeviceWeights> Engine<'_, W> {
    /// Feeds `prompt` after the session's tokens, then emits up to `params.max_tokens` tokens,
    /// calling `on_token` with each as soon as it is picked (return `ControlFlow::Break` to
    /// cancel). Every emitted token, and a sampled stop token, is fed to the session before
    /// returning, so the next call continues the conversation.
    pub fn generate(
        &self,
        session: &mut Session,
        prompt: &[u32],
        params: &GenerateParams,
        mut on_token: impl FnMut(u32) -> ControlFlow<()>,
    ) -> Result<Generation, RuntimeError> {
        let mut sampler = Sampler::new(params.sampling.clone());
        let mut logits = self.forward_last(session, prompt)?;
        let mut tokens = Vec::new();
        let finish = loop {
            if tokens.len() >= params.max_tokens {
                break Finish::MaxTokens;
            }
            if session.position() >= session.context() {
                break Finish::ContextFull;
            }
            let next = sampler.pick(&logits, session.tokens());
            if params.stop_tokens.contains(&next) {
                self.forward(session, &[next])?;
                break Finish::StopToken(next);
            }
            tokens.push(next);
            let flow = on_token(next);
            logits = self.forward(session, &[next])?;
            if flow.is_break() {
                break Finish::Cancelled;
            }
        };
        Ok(Generation { tokens, finish })
    }
}
