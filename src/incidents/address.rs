//! Who used which public address when: the evidence that links an alert without an identity
//! (a password spray, bucket or tenant enumeration keyed by source IP) to an actor (SPEC §4).
//!
//! An [`AddressUse`] is a run of one actor's use of one address. Runs are merged when the gap
//! between them is at most [`RUN_GAP`] (120 minutes): then "the actor used the address within
//! [`LINK_SLACK`] (60 minutes) of the alert's [first, last]" is exactly "the widened interval
//! [first − 60 m, last + 60 m] meets a run", because that interval is at least 120 minutes
//! long and so cannot fall inside a gap without touching a use on one side of it.

use std::collections::HashMap;
use std::net::IpAddr;

use super::facts::AlertFacts;
use crate::event::{Alert, Duration, Timestamp};

/// Uses of one address by one actor this close together are one run.
pub const RUN_GAP: Duration = Duration::minutes(120);
/// "Between the alert's first and last event, give or take 60 minutes" (SPEC §4).
pub const LINK_SLACK: Duration = Duration::minutes(60);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddressUse {
    /// The actor, as `history::actor_of` gives it.
    pub actor: String,
    pub ip: IpAddr,
    pub first: Timestamp,
    pub last: Timestamp,
}

/// Address uses read from the identity alerts themselves: each alert's real public sources
/// over its [first_seen, last_seen]. A stand-in until the activity read supplies the actors'
/// uses event by event (SPEC §8), which sees addresses no alert was raised on; replace the
/// call in `cli::scan_cmd` then, nothing else changes.
pub fn uses_from_alerts(alerts: &[Alert], facts: &[AlertFacts]) -> Vec<AddressUse> {
    let mut uses = Vec::new();
    for (a, f) in alerts.iter().zip(facts) {
        let Some(actor) = &f.actor else { continue };
        for ip in &f.addresses {
            uses.push(AddressUse {
                actor: actor.clone(),
                ip: *ip,
                first: a.first_seen,
                last: a.last_seen,
            });
        }
    }
    uses
}

/// The runs, per address, that identity-less alerts are matched against.
pub struct AddressIndex {
    /// Per address, runs sorted by (first, actor): the earliest user comes first.
    runs: HashMap<IpAddr, Vec<AddressUse>>,
}

impl AddressIndex {
    /// Merges `uses` into runs (gaps ≤ [`RUN_GAP`]) and indexes them by address. Sorting
    /// makes the result independent of the order uses arrive in; O(n log n).
    pub fn new(mut uses: Vec<AddressUse>) -> AddressIndex {
        uses.sort_by(|a, b| {
            (a.ip, &a.actor, a.first, a.last).cmp(&(b.ip, &b.actor, b.first, b.last))
        });
        let mut runs: HashMap<IpAddr, Vec<AddressUse>> = HashMap::new();
        let mut current: Option<AddressUse> = None;
        for u in uses {
            match &mut current {
                Some(c) if c.ip == u.ip && c.actor == u.actor && u.first <= c.last.add(RUN_GAP) => {
                    c.last = c.last.max(u.last);
                }
                _ => {
                    if let Some(done) = current.replace(u) {
                        runs.entry(done.ip).or_default().push(done);
                    }
                }
            }
        }
        if let Some(done) = current {
            runs.entry(done.ip).or_default().push(done);
        }
        for list in runs.values_mut() {
            list.sort_by(|a, b| (a.first, &a.actor).cmp(&(b.first, &b.actor)));
        }
        AddressIndex { runs }
    }

    /// The actor an identity-less alert over [`first`, `last`] from `addresses` links to: one
    /// who used one of them within [`LINK_SLACK`] of that span (bounds included), the
    /// earliest such user when there are several (ties by actor name).
    pub fn actor_for(
        &self,
        addresses: &[IpAddr],
        first: Timestamp,
        last: Timestamp,
    ) -> Option<&str> {
        let (from, to) = (first.sub(LINK_SLACK), last.add(LINK_SLACK));
        addresses
            .iter()
            .filter_map(|ip| self.runs.get(ip))
            .filter_map(|runs| {
                // Sorted by first: stop at the first run that starts after the window.
                runs.iter()
                    .take_while(|r| r.first <= to)
                    .find(|r| r.last >= from)
            })
            .min_by(|a, b| (a.first, &a.actor).cmp(&(b.first, &b.actor)))
            .map(|r| r.actor.as_str())
    }

    /// The merged runs, in address then time order (tests, the report).
    pub fn runs(&self) -> Vec<&AddressUse> {
        let mut all: Vec<&AddressUse> = self.runs.values().flatten().collect();
        all.sort_by(|a, b| (a.ip, a.first, &a.actor).cmp(&(b.ip, b.first, &b.actor)));
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }
    fn use_(actor: &str, ip: &str, first: &str, last: &str) -> AddressUse {
        AddressUse {
            actor: actor.into(),
            ip: ip.parse().unwrap(),
            first: t(first),
            last: t(last),
        }
    }
    const IP: &str = "198.51.100.7";

    #[test]
    fn runs_merge_at_a_gap_of_120_minutes_and_not_at_121() {
        let idx = AddressIndex::new(vec![
            use_("alice", IP, "2024-05-06T10:00:00Z", "2024-05-06T10:10:00Z"),
            use_("alice", IP, "2024-05-06T12:10:00Z", "2024-05-06T12:20:00Z"),
            use_("alice", IP, "2024-05-06T14:21:00Z", "2024-05-06T14:30:00Z"),
        ]);
        let runs = idx.runs();
        assert_eq!(runs.len(), 2, "{runs:?}");
        assert_eq!(
            (runs[0].first, runs[0].last),
            (t("2024-05-06T10:00:00Z"), t("2024-05-06T12:20:00Z"))
        );
    }

    #[test]
    fn use_exactly_60_minutes_either_side_links_and_one_second_more_does_not() {
        let ip: IpAddr = IP.parse().unwrap();
        let idx = AddressIndex::new(vec![use_(
            "alice",
            IP,
            "2024-05-06T09:00:00Z",
            "2024-05-06T09:00:00Z",
        )]);
        let at = |f: &str, l: &str| idx.actor_for(&[ip], t(f), t(l)).map(String::from);
        assert_eq!(
            at("2024-05-06T10:00:00Z", "2024-05-06T10:05:00Z"),
            Some("alice".into())
        );
        assert_eq!(at("2024-05-06T10:00:01Z", "2024-05-06T10:05:00Z"), None);
        assert_eq!(
            at("2024-05-06T07:30:00Z", "2024-05-06T08:00:00Z"),
            Some("alice".into())
        );
        assert_eq!(at("2024-05-06T07:30:00Z", "2024-05-06T07:59:59Z"), None);
    }

    #[test]
    fn the_earliest_user_of_the_address_wins_whatever_the_input_order() {
        let ip: IpAddr = IP.parse().unwrap();
        let uses = vec![
            use_("zed", IP, "2024-05-06T09:50:00Z", "2024-05-06T10:20:00Z"),
            use_("bob", IP, "2024-05-06T09:40:00Z", "2024-05-06T09:45:00Z"),
            use_(
                "carol",
                "203.0.113.9",
                "2024-05-06T08:00:00Z",
                "2024-05-06T11:00:00Z",
            ),
        ];
        let mut reversed = uses.clone();
        reversed.reverse();
        for u in [uses, reversed] {
            let idx = AddressIndex::new(u);
            assert_eq!(
                idx.actor_for(&[ip], t("2024-05-06T10:00:00Z"), t("2024-05-06T10:05:00Z")),
                Some("bob")
            );
        }
    }
}
