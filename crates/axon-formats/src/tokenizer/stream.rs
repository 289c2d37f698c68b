//! Streaming decode: text is released only once it is complete UTF-8, so a character whose
//! bytes are split across tokens (emoji, CJK under byte-level BPE) is never printed broken.

use super::Tokenizer;
use super::error::TokenizerError;

/// Turns token ids into text pieces as they are generated.
#[derive(Debug)]
pub struct TextStream<'t> {
    tokenizer: &'t Tokenizer,
    skip_control: bool,
    ids: Vec<u32>,
    /// Start of the ids whose text is the context for the next piece.
    prefix: usize,
    /// Ids before this index have had their text released.
    read: usize,
}

impl<'t> TextStream<'t> {
    pub(crate) fn new(tokenizer: &'t Tokenizer, skip_control: bool) -> Self {
        Self {
            tokenizer,
            skip_control,
            ids: Vec::new(),
            prefix: 0,
            read: 0,
        }
    }

    /// Adds one id; returns the text that became complete, if any.
    ///
    /// Decoding a window that starts a few tokens back keeps decoders that depend on context
    /// (SentencePiece's leading-space rule, byte fallback) right; only the suffix past what was
    /// already released is returned.
    pub fn push(&mut self, id: u32) -> Result<Option<String>, TokenizerError> {
        self.ids.push(id);
        let inner = self.tokenizer.inner();
        let window = self.ids.get(self.prefix..).unwrap_or(&[]);
        let released = self.ids.get(self.prefix..self.read).unwrap_or(&[]);
        let before = inner.decode(released, self.skip_control)?;
        let now = inner.decode(window, self.skip_control)?;
        if now.len() <= before.len() || now.ends_with('\u{FFFD}') || !now.starts_with(&before) {
            return Ok(None);
        }
        let piece = now[before.len()..].to_owned();
        self.prefix = self.read;
        self.read = self.ids.len();
        Ok(Some(piece))
    }
}
