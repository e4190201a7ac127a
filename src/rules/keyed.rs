//! Windows per key with expiry: the state a sliding-window rule keeps for each source IP
//! or identity, and when to look at it again. A key's state is dropped once it has been
//! quiet for a window's length, so memory follows live keys, never events read.

use super::window::{take_quiet, Expiry};
use crate::collections::HashMap;
use crate::event::{Duration, Timestamp};
use std::collections::BTreeMap;
use std::hash::Hash;

#[derive(serde::Serialize, serde::Deserialize)]
#[serde(bound(
    serialize = "K: serde::Serialize + Eq + Hash, S: serde::Serialize",
    deserialize = "K: serde::Deserialize<'de> + Eq + Hash, S: serde::Deserialize<'de>"
))]
pub struct Keyed<K, S> {
    states: HashMap<K, S>,
    due: Expiry<K>,
}

impl<K, S> Default for Keyed<K, S> {
    fn default() -> Self {
        Keyed {
            states: HashMap::default(),
            due: Expiry::default(),
        }
    }
}

impl<K: Clone + Eq + Hash, S> Keyed<K, S> {
    pub fn get_mut(&mut self, key: &K) -> Option<&mut S> {
        self.states.get_mut(key)
    }

    /// The key's state, created empty when it has none.
    pub fn entry(&mut self, key: K) -> &mut S
    where
        S: Default,
    {
        self.states.entry(key).or_default()
    }

    /// Look at `key` again once the watermark reaches `at` (its last event plus a window).
    pub fn expire_at(&mut self, at: Timestamp, key: K) {
        self.due.at(at, key);
    }

    /// The keys whose last event (`last`) is a whole `window` before `watermark`, removed
    /// with their state, in due order. At [`END`](super::rule::END) that is every key.
    pub fn take_quiet(
        &mut self,
        watermark: Timestamp,
        window: Duration,
        last: impl Fn(&S) -> Timestamp,
    ) -> Vec<(K, S)> {
        take_quiet(&mut self.due, &mut self.states, last, window, watermark)
    }
}

/// Aggregates per fixed, epoch-aligned bin (an hour, a UTC day) and key, emitted once the
/// watermark passes the bin's end: the per-day and per-hour rules' windows. The bin width
/// is the rule's parameter, passed in, so the state stays plain data.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(bound(
    serialize = "K: serde::Serialize + Ord, A: serde::Serialize",
    deserialize = "K: serde::Deserialize<'de> + Ord, A: serde::Deserialize<'de>"
))]
pub struct Binned<K, A> {
    bins: BTreeMap<Timestamp, BTreeMap<K, A>>,
}

impl<K, A> Default for Binned<K, A> {
    fn default() -> Self {
        Binned {
            bins: BTreeMap::new(),
        }
    }
}

impl<K: Ord, A> Binned<K, A> {
    /// The aggregate of `key` in the bin starting at `start`, made by `init` when there is none.
    pub fn get_or_insert_with(
        &mut self,
        start: Timestamp,
        key: K,
        init: impl FnOnce() -> A,
    ) -> &mut A {
        self.bins
            .entry(start)
            .or_default()
            .entry(key)
            .or_insert_with(init)
    }

    /// Every bin of `width` that ends at or before `watermark`, oldest first, with its start.
    pub fn take_closed(&mut self, watermark: Timestamp, width: Duration) -> Vec<(Timestamp, K, A)> {
        let mut closed = Vec::new();
        while let Some(entry) = self.bins.first_entry() {
            if entry.key().add(width) > watermark {
                break;
            }
            let (start, groups) = entry.remove_entry();
            closed.extend(groups.into_iter().map(|(k, a)| (start, k, a)));
        }
        closed
    }
}
