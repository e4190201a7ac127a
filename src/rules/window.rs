//! Shared by the windowed rules: when to look at a key again, which keys have gone quiet,
//! and the episode that opens when a window first qualifies.

use crate::collections::HashMap;
use crate::event::{Duration, Timestamp};
use std::collections::{BTreeMap, VecDeque};
use std::hash::Hash;

/// Keys to look at again once the watermark passes a time. Entries are lazy: a key that a
/// later event re-scheduled is still listed under its earlier time, so callers re-check
/// whether the key is really stale before closing it.
#[derive(serde::Serialize, serde::Deserialize)]
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
}

/// The keys due by `watermark` whose last item is a whole `window` before it: the ones to
/// close. Each once, in due order; a key a later item re-scheduled is left for then.
pub fn quiet_keys<K: Clone + Eq + Hash, S>(
    schedule: &mut Expiry<K>,
    states: &HashMap<K, S>,
    last: impl Fn(&S) -> Timestamp,
    window: Duration,
    watermark: Timestamp,
) -> Vec<K> {
    let mut quiet: Vec<K> = Vec::new();
    for k in schedule.take_due(watermark) {
        let Some(s) = states.get(&k) else { continue };
        if last(s).add(window) <= watermark && !quiet.contains(&k) {
            quiet.push(k);
        }
    }
    quiet
}

/// The keys that went quiet by `watermark` (`quiet_keys`), removed with what they held, for
/// the rule to close: nothing in their window can still count, so they keep no state (what
/// history needs is in the store).
pub fn take_quiet<K: Clone + Eq + Hash, S>(
    schedule: &mut Expiry<K>,
    states: &mut HashMap<K, S>,
    last: impl Fn(&S) -> Timestamp,
    window: Duration,
    watermark: Timestamp,
) -> Vec<(K, S)> {
    quiet_keys(schedule, states, last, window, watermark)
        .into_iter()
        .filter_map(|k| states.remove(&k).map(|s| (k, s)))
        .collect()
}

/// What a sliding-window rule reports about one key: it opens when the window first
/// qualifies, taking every item then in the window, and takes every later item until the
/// key has been quiet for a window's length.
pub trait Episode<I> {
    fn add(&mut self, item: &I);
}

/// After the window took its newest item: extends the open episode with it, or, when the
/// window `qualifies`, opens one (`open` is given the window's first item) with the whole
/// window. Returns the open episode, if any.
pub fn extend_or_open<'a, I, E: Episode<I>>(
    episode: &'a mut Option<E>,
    window: &VecDeque<I>,
    qualifies: bool,
    open: impl FnOnce(&I) -> E,
) -> Option<&'a mut E> {
    match episode {
        Some(ep) => {
            if let Some(newest) = window.back() {
                ep.add(newest);
            }
        }
        None if qualifies => {
            let first = window.front()?;
            let mut ep = open(first);
            for item in window {
                ep.add(item);
            }
            *episode = Some(ep);
        }
        None => {}
    }
    episode.as_mut()
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

    #[test]
    fn quiet_keys_skip_what_moved_on_and_repeat_nothing() {
        let mut e = Expiry::default();
        e.at(Timestamp(10), "a");
        e.at(Timestamp(10), "b");
        e.at(Timestamp(15), "a");
        let states: HashMap<&str, Timestamp> = [("a", Timestamp(5)), ("b", Timestamp(12))]
            .into_iter()
            .collect();
        let quiet = quiet_keys(&mut e, &states, |t| *t, Duration(5), Timestamp(15));
        assert_eq!(quiet, vec!["a"], "b's last item is within the window");
    }

    #[test]
    fn episodes_open_with_the_window_then_extend() {
        struct Sum(u32);
        impl Episode<u32> for Sum {
            fn add(&mut self, i: &u32) {
                self.0 += i;
            }
        }
        let mut ep: Option<Sum> = None;
        let mut w: VecDeque<u32> = [1, 2].into_iter().collect();
        assert!(extend_or_open(&mut ep, &w, false, |_| Sum(0)).is_none());
        w.push_back(4);
        assert_eq!(
            extend_or_open(&mut ep, &w, true, |first| Sum(*first * 100)).map(|e| e.0),
            Some(107)
        );
        w.push_back(8);
        assert_eq!(
            extend_or_open(&mut ep, &w, false, |_| Sum(0)).map(|e| e.0),
            Some(115)
        );
    }
}
