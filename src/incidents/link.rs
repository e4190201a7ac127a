//! Which alerts belong together (SPEC §4): linked alerts (one actor, or a shared access key)
//! chained in time. Works on plain keys and times so the rules are testable on their own.

use std::collections::HashMap;

use crate::event::{Duration, Timestamp};

/// Linked alerts are one incident while each one's first event is less than this after the
/// latest last event before it.
pub const CHAIN_GAP: Duration = Duration::minutes(60);

/// Disjoint sets over alert indices (path halving, union by smaller root index, so the
/// representative never depends on the order links are made).
struct Sets(Vec<usize>);

impl Sets {
    fn find(&mut self, mut i: usize) -> usize {
        while self.0[i] != i {
            self.0[i] = self.0[self.0[i]];
            i = self.0[i];
        }
        i
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        let (lo, hi) = (ra.min(rb), ra.max(rb));
        self.0[hi] = lo;
    }
}

/// Groups of linked alerts: alerts with the same `actor` key, or sharing any key id, are
/// linked (transitively). Returns, per alert, the index of its group's smallest member.
/// Linear in alerts plus keys (near-constant union-find).
pub fn linked_groups(actors: &[&str], key_ids: &[&[String]]) -> Vec<usize> {
    let mut sets = Sets((0..actors.len()).collect());
    let mut first_with: HashMap<&str, usize> = HashMap::new();
    for (i, actor) in actors.iter().enumerate() {
        match first_with.get(actor) {
            Some(&j) => sets.union(i, j),
            None => {
                first_with.insert(actor, i);
            }
        }
    }
    let mut first_key: HashMap<&str, usize> = HashMap::new();
    for (i, keys) in key_ids.iter().enumerate() {
        for k in keys.iter() {
            match first_key.get(k.as_str()) {
                Some(&j) => sets.union(i, j),
                None => {
                    first_key.insert(k.as_str(), i);
                }
            }
        }
    }
    (0..actors.len()).map(|i| sets.find(i)).collect()
}

/// Splits one group's members, given as (first_seen, last_seen) in (first_seen, id) order,
/// into chains: a member starts a new chain when its first_seen is [`CHAIN_GAP`] or more
/// after the latest last_seen before it. Returns the chain number of each member.
pub fn chains(spans: &[(Timestamp, Timestamp)]) -> Vec<usize> {
    let mut out = Vec::with_capacity(spans.len());
    let mut chain = 0;
    let mut latest: Option<Timestamp> = None;
    for &(first, last) in spans {
        if let Some(l) = latest {
            if first >= l.add(CHAIN_GAP) {
                chain += 1;
                latest = None;
            }
        }
        latest = Some(latest.map_or(last, |l| l.max(last)));
        out.push(chain);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(min: i64) -> Timestamp {
        Timestamp(0).add(Duration::minutes(min))
    }

    #[test]
    fn chaining_edge_gap_59_chains_60_and_61_split() {
        // First alert 10:00–10:30; the next starts 59, 60, 61 minutes after 10:30.
        for (gap, together) in [(59, true), (60, false), (61, false)] {
            let c = chains(&[(t(0), t(30)), (t(30 + gap), t(30 + gap + 5))]);
            assert_eq!(c[0] == c[1], together, "gap {gap}");
        }
    }

    #[test]
    fn chaining_is_measured_from_the_latest_last_seen_not_the_previous_alert() {
        // A long alert (0–120) covers a short one (10–11): the third (150) is 30 minutes
        // after the long one's end, so all three chain.
        let c = chains(&[(t(0), t(120)), (t(10), t(11)), (t(150), t(151))]);
        assert_eq!(c, vec![0, 0, 0]);
    }

    #[test]
    fn one_actor_or_one_key_links() {
        let keys_a = vec!["AKIA1".to_string()];
        let keys_b = vec!["AKIA1".to_string(), "AKIA2".to_string()];
        let keys_c = vec!["AKIA2".to_string()];
        let none: Vec<String> = vec![];
        let g = linked_groups(
            &["alice", "bob", "carol", "alice", "dave"],
            &[&keys_a, &keys_b, &keys_c, &none, &none],
        );
        assert_eq!(g, vec![0, 0, 0, 0, 4]);
    }
}
