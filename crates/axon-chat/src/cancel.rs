//! Cancelling a generation from another thread (a Ctrl-C handler, a UI's stop button).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A shared flag: [`CancelToken::cancel`] makes every generation watching it stop after the
/// token being decoded. Clones share the flag.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token not yet cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the generations watching this token to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether [`CancelToken::cancel`] was called since the last [`CancelToken::clear`].
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// Re-arms the token for the next generation.
    pub fn clear(&self) {
        self.0.store(false, Ordering::SeqCst);
    }
}
