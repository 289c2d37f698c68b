//! Stop strings over streamed text. Text that could still turn into a stop string is held
//! back until it either completes one (the reply ends before it) or cannot (it is released),
//! so no part of a stop string is ever shown.

/// Matches stop strings across text pieces, whatever their boundaries.
#[derive(Debug, Clone, Default)]
pub struct StopStrings {
    stops: Vec<String>,
    /// Text received but not yet released: a suffix that is a proper prefix of a stop string.
    held: String,
    /// The stop string that ended the text.
    hit: Option<String>,
}

impl StopStrings {
    /// A matcher for `stops` (empty strings are ignored).
    pub fn new(stops: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self {
            stops: stops
                .into_iter()
                .map(Into::into)
                .filter(|s: &String| !s.is_empty())
                .collect(),
            ..Self::default()
        }
    }

    /// The stop string that ended the text, once one has.
    pub fn hit(&self) -> Option<&str> {
        self.hit.as_deref()
    }

    /// Adds `piece`; returns the text that is now safe to show. After a stop string completes,
    /// returns the text before it and nothing more, ever. The stop string that completes first
    /// wins (on a tie, the one that starts first).
    pub fn push(&mut self, piece: &str) -> String {
        if self.hit.is_some() {
            return String::new();
        }
        self.held.push_str(piece);
        let first = self
            .stops
            .iter()
            .filter_map(|s| self.held.find(s.as_str()).map(|at| (at + s.len(), at, s)))
            .min_by_key(|&(end, at, _)| (end, at));
        if let Some((_, at, stop)) = first {
            self.hit = Some(stop.clone());
            let out = self.held[..at].to_owned();
            self.held.clear();
            return out;
        }
        let keep = self.held_suffix();
        let split = self.held.len() - keep;
        let out = self.held[..split].to_owned();
        self.held.drain(..split);
        out
    }

    /// Ends the text: releases what was held back (nothing after a stop string; nothing on a
    /// second call).
    pub fn flush(&mut self) -> String {
        std::mem::take(&mut self.held)
    }

    /// Length of the longest suffix of `held` that is a proper prefix of some stop string.
    fn held_suffix(&self) -> usize {
        let longest = self.stops.iter().map(String::len).max().unwrap_or(0);
        (1..longest.min(self.held.len() + 1))
            .rev()
            .find(|&k| {
                let start = self.held.len() - k;
                self.held.is_char_boundary(start)
                    && self
                        .stops
                        .iter()
                        .any(|s| s.len() > k && s.starts_with(&self.held[start..]))
            })
            .unwrap_or(0)
    }
}
