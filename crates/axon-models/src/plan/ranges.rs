//! A set of byte ranges (sorted, disjoint, merged), to track what a plan has written so far.

use std::ops::Range;

/// Sorted, disjoint, non-adjacent half-open ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RangeSet {
    ranges: Vec<Range<u64>>,
}

impl RangeSet {
    /// Adds `r` (empty ranges are ignored).
    pub(crate) fn insert(&mut self, r: Range<u64>) {
        if r.start >= r.end {
            return;
        }
        let mut merged = r;
        let mut kept = Vec::with_capacity(self.ranges.len() + 1);
        for existing in self.ranges.drain(..) {
            if existing.end < merged.start || existing.start > merged.end {
                kept.push(existing);
            } else {
                merged = merged.start.min(existing.start)..merged.end.max(existing.end);
            }
        }
        let at = kept.partition_point(|k| k.start < merged.start);
        kept.insert(at, merged);
        self.ranges = kept;
    }

    /// The first part of `r` not covered, or `None` when all of it is.
    pub(crate) fn first_gap(&self, r: &Range<u64>) -> Option<Range<u64>> {
        let mut at = r.start;
        for k in &self.ranges {
            if at >= r.end {
                break;
            }
            if k.end <= at {
                continue;
            }
            if k.start > at {
                return Some(at..k.start.min(r.end));
            }
            at = k.end;
        }
        (at < r.end).then_some(at..r.end)
    }
}

#[cfg(test)]
mod tests {
    use super::RangeSet;

    #[test]
    fn merges_and_finds_gaps() {
        let mut s = RangeSet::default();
        s.insert(10..20);
        s.insert(30..40);
        assert_eq!(s.first_gap(&(10..20)), None);
        assert_eq!(s.first_gap(&(15..35)), Some(20..30));
        assert_eq!(s.first_gap(&(0..5)), Some(0..5));
        s.insert(20..30);
        assert_eq!(s.first_gap(&(10..40)), None);
        assert_eq!(s.first_gap(&(10..41)), Some(40..41));
        s.insert(5..5);
        assert_eq!(s.first_gap(&(5..10)), Some(5..10));
        assert_eq!(s.first_gap(&(12..12)), None);
    }
}
