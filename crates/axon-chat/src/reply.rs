//! A generated reply as text, streamed piece by piece.

use crate::cancel::CancelToken;
use crate::error::ChatError;
use crate::stop::StopStrings;
use axon_models::weights::ModelWeights;
use axon_runtime::{Finish, TokenStream};
use std::time::{Duration, Instant};

/// Why a reply ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FinishReason {
    /// The model ended its turn (an end-of-sequence, end-of-turn or caller's stop token).
    StopToken(u32),
    /// A stop string completed; the reply's text ends before it.
    StopString(String),
    /// `max_tokens` were generated.
    MaxTokens,
    /// The session's context is full.
    ContextFull,
    /// The caller cancelled (callback, [`CancelToken`], or a stream dropped early).
    Cancelled,
}

/// A finished reply.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    /// The reply's text (stop strings excluded).
    pub text: String,
    /// Every token generated, including those of a stop string (the session holds them).
    pub tokens: Vec<u32>,
    /// Prompt tokens fed before the reply.
    pub prompt_tokens: usize,
    /// Why it ended.
    pub finish: FinishReason,
    /// Time to feed the prompt and pick the first token's logits.
    pub prefill_time: Duration,
    /// Time from then to the end.
    pub decode_time: Duration,
}

impl Reply {
    /// Generated tokens per second of decoding (0 when nothing was decoded).
    pub fn decode_tokens_per_second(&self) -> f64 {
        let seconds = self.decode_time.as_secs_f64();
        if self.tokens.is_empty() || seconds <= 0.0 {
            0.0
        } else {
            self.tokens.len() as f64 / seconds
        }
    }
}

/// Text pieces of a reply as tokens are decoded: an iterator over `Result<String, _>`.
/// [`TextStream::finish`] ends it and returns the [`Reply`].
pub struct TextStream<'a> {
    pub(crate) tokens: TokenStream<'a, 'a, 'static, ModelWeights>,
    pub(crate) detokenizer: axon_formats::tokenizer::TextStream<'a>,
    pub(crate) stops: StopStrings,
    pub(crate) cancel: Option<CancelToken>,
    pub(crate) text: String,
    pub(crate) prompt_tokens: usize,
    pub(crate) prefill_time: Duration,
    pub(crate) decode_start: Instant,
}

impl std::fmt::Debug for TextStream<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextStream")
            .field("text", &self.text)
            .field("prompt_tokens", &self.prompt_tokens)
            .finish_non_exhaustive()
    }
}

impl TextStream<'_> {
    /// Stops the reply after the token being decoded.
    pub fn cancel(&mut self) {
        self.tokens.cancel();
    }

    /// The reply's text so far.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Ends the reply (feeding the last token to the session) and returns it.
    pub fn finish(mut self) -> Result<Reply, ChatError> {
        let rest = self.stops.flush();
        self.text.push_str(&rest);
        let hit = self.stops.hit().map(str::to_owned);
        let generation = self.tokens.finish()?;
        let finish = match (hit, generation.finish) {
            (Some(stop), _) => FinishReason::StopString(stop),
            (None, Finish::StopToken(t)) => FinishReason::StopToken(t),
            (None, Finish::MaxTokens) => FinishReason::MaxTokens,
            (None, Finish::ContextFull) => FinishReason::ContextFull,
            (None, Finish::Cancelled) => FinishReason::Cancelled,
        };
        Ok(Reply {
            text: self.text,
            tokens: generation.tokens,
            prompt_tokens: self.prompt_tokens,
            finish,
            prefill_time: self.prefill_time,
            decode_time: self.decode_start.elapsed(),
        })
    }

    fn step(&mut self) -> Result<Option<String>, ChatError> {
        loop {
            if self.cancel.as_ref().is_some_and(CancelToken::is_cancelled) {
                self.tokens.cancel();
            }
            let Some(token) = self.tokens.next().transpose()? else {
                // The end: what the stop matcher held back was not a stop string after all.
                let rest = self.stops.flush();
                self.text.push_str(&rest);
                return Ok((!rest.is_empty()).then_some(rest));
            };
            let Some(piece) = self.detokenizer.push(token)? else {
                continue;
            };
            let shown = self.stops.push(&piece);
            if self.stops.hit().is_some() {
                self.tokens.cancel();
            }
            if !shown.is_empty() {
                self.text.push_str(&shown);
                return Ok(Some(shown));
            }
        }
    }
}

impl Iterator for TextStream<'_> {
    type Item = Result<String, ChatError>;

    /// The next piece of text; after an error, `None`.
    fn next(&mut self) -> Option<Self::Item> {
        match self.step() {
            Ok(piece) => piece.map(Ok),
            Err(e) => {
                self.tokens.cancel();
                Some(Err(e))
            }
        }
    }
}
