//! The engine's validated plans with their scratch buffers, kept under a byte budget.
//!
//! A plan is built per (token count, context, all logits), so a chat whose prompts have many
//! lengths would otherwise keep a scratch set per length for ever. The cache keeps the most
//! recently used plans while their scratch fits [`EngineOptions::plan_cache_bytes`]
//! (`crate::EngineOptions`) and drops the least recently used past it; the newest plan is
//! always kept. Sessions hold the plans of their recorded passes (`Arc`), so an evicted
//! plan's scratch is freed when no session replays it any more; every plan's scratch is
//! counted while it lives ([`LiveScratch`]), which is what tests and `axon bench` read.

use crate::engine::Prepared;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// What a plan is built for: token count, context, every token's logits or the last only.
pub(crate) type PlanKey = (usize, usize, bool);

/// Bytes of scratch held by live plans (cached or held by sessions), shared by an engine and
/// every plan it built.
#[derive(Debug, Default)]
pub(crate) struct LiveScratch(AtomicU64);

impl LiveScratch {
    pub(crate) fn add(&self, bytes: u64) {
        self.0.fetch_add(bytes, Ordering::Relaxed);
    }

    pub(crate) fn remove(&self, bytes: u64) {
        self.0.fetch_sub(bytes, Ordering::Relaxed);
    }

    pub(crate) fn bytes(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Least-recently-used plans under a byte budget.
#[derive(Default)]
pub(crate) struct PlanCache {
    entries: HashMap<PlanKey, (Arc<Prepared>, u64)>,
    /// Advances on every use; an entry's stamp is its last use.
    clock: u64,
}

impl PlanCache {
    /// The cached plan for `key`, marked as used now.
    pub(crate) fn get(&mut self, key: &PlanKey) -> Option<Arc<Prepared>> {
        self.clock += 1;
        let now = self.clock;
        self.entries.get_mut(key).map(|(plan, stamp)| {
            *stamp = now;
            Arc::clone(plan)
        })
    }

    /// Adds `plan`, then drops the least recently used others while the cached scratch is
    /// over `budget` bytes.
    pub(crate) fn insert(&mut self, key: PlanKey, plan: Arc<Prepared>, budget: u64) {
        self.clock += 1;
        self.entries.insert(key, (plan, self.clock));
        while self.bytes() > budget && self.entries.len() > 1 {
            let oldest = self
                .entries
                .iter()
                .filter(|(k, _)| **k != key)
                .min_by_key(|(_, (_, stamp))| *stamp)
                .map(|(k, _)| *k);
            match oldest {
                Some(k) => {
                    self.entries.remove(&k);
                }
                None => break,
            }
        }
    }

    /// Bytes of scratch of the cached plans.
    pub(crate) fn bytes(&self) -> u64 {
        self.entries
            .values()
            .map(|(p, _)| p.placement.total_bytes())
            .sum()
    }

    /// Plans cached.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}
