//! Shared by the windowed rules: when to look at a key again.

use crate::event::Timestamp;
use std::collections::BTreeMap;

/// Keys to look at again once the watermark passes a time. Entries are lazy: a key that a
/// later event re-scheduled is still listed under its earlier time, so callers re-check
/// whether the key is really stale before closing it.
pub struct Expiry<K> {
    due: BTreeMap<Timestamp, Vec<K>>,
}

impl<K> Default for Expiry<K> {
    fn default() -> Self {
        Expiry {
            due: BTreeMap::new(),
        }
    }
}

impl<K> Expiry<K> {
    pub fn at(&mut self, t: Timestamp, key: K) {
        self.due.entry(t).or_default().push(key);
    }

    /// Every key scheduled at or before `watermark`, earliest first, removed from the schedule.
    pub fn take_due(&mut self, watermark: Timestamp) -> Vec<K> {
        let later = match watermark.0.checked_add(1) {
            Some(next) => self.due.split_off(&Timestamp(next)),
            None => BTreeMap::new(),
        };
        let due = std::mem::replace(&mut self.due, later);
        due.into_values().flatten().collect()
    }

    pub fn clear(&mut self) {
        self.due.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn takes_exactly_what_is_due_in_order() {
        let mut e = Expiry::default();
        e.at(Timestamp(30), "c");
        e.at(Timestamp(10), "a");
        e.at(Timestamp(20), "b");
        assert_eq!(e.take_due(Timestamp(20)), vec!["a", "b"]);
        assert!(e.take_due(Timestamp(29)).is_empty());
        assert_eq!(e.take_due(Timestamp(i64::MAX)), vec!["c"]);
    }
}
