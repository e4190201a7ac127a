//! An order-free summary of some events of one actor: counts by action, resources changed,
//! denied calls, sources, regions, user agents. Two tallies merge into the tally of both, so
//! the events may come in any order (a second read goes file by file, workers in parallel)
//! and the part before a detection is the merge of the segments before it.

use crate::collections::HashMap;
use crate::event::activity::{
    ActionCount, ActivityPart, Bounded, ChangedResource, Shared, ACTIVITY_LIST_CAP,
};
use crate::event::{Access, Event, LogFormat, Outcome, Timestamp};

#[derive(Clone, Debug, Default)]
struct ActionStat {
    count: u64,
    failed: u64,
    denied: u64,
    first: Timestamp,
}

#[derive(Clone, Debug)]
struct ChangedStat {
    /// The earliest write that named the resource: (time, action) — the action breaks ties
    /// so the merge order never shows.
    first: (Timestamp, String),
    count: u64,
}

/// The first time of each value (source addresses, regions, user agents, objects).
///
/// The value of the latest run of equal values waits in `run` before it reaches the map:
/// an actor's consecutive events mostly repeat their address, region and agent, and a
/// comparison costs less than hashing a user agent. Readers see the run as if it were in
/// the map ([`Seen::iter`]), so nothing needs to flush it.
#[derive(Clone, Debug, Default)]
struct Seen {
    first: HashMap<String, Timestamp>,
    run_value: String,
    run_first: Option<Timestamp>,
}

impl Seen {
    fn see(&mut self, value: &str, t: Timestamp) {
        if value.is_empty() {
            return;
        }
        if let Some(first) = &mut self.run_first {
            if crate::text::same_text(&self.run_value, value) {
                *first = (*first).min(t);
                return;
            }
        }
        self.settle();
        self.run_value.clear();
        self.run_value.push_str(value);
        self.run_first = Some(t);
    }

    /// Puts the run into the map.
    fn settle(&mut self) {
        if let Some(t) = self.run_first.take() {
            match self.first.get_mut(self.run_value.as_str()) {
                Some(first) => *first = (*first).min(t),
                None => {
                    self.first.insert(self.run_value.clone(), t);
                }
            }
        }
    }

    /// Every value with its first time, the run included.
    fn iter(&self) -> impl Iterator<Item = (&String, Timestamp)> {
        let run = self.run_first.map(|t| (&self.run_value, t));
        let run_in_map = run.is_some_and(|(v, _)| self.first.contains_key(v.as_str()));
        self.first
            .iter()
            .map(move |(v, t)| match run {
                Some((rv, rt)) if rv == v => (v, (*t).min(rt)),
                _ => (v, *t),
            })
            .chain(run.filter(|_| !run_in_map))
    }

    fn merge(&mut self, other: &Seen) {
        for (v, t) in other.iter() {
            self.see(v, t);
        }
    }

    fn contains(&self, value: &str) -> bool {
        self.first.contains_key(value) || (self.run_first.is_some() && self.run_value == value)
    }

    /// The number of distinct values, the run included.
    fn len(&self) -> usize {
        let run_apart =
            self.run_first.is_some() && !self.first.contains_key(self.run_value.as_str());
        self.first.len() + usize::from(run_apart)
    }
}

#[derive(Clone, Debug, Default)]
pub struct Tally {
    events: u64,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    by_access: [u64; 4],
    denied: u64,
    failed_sign_ins: u64,
    mfa_sign_ins: u64,
    single_factor_sign_ins: u64,
    /// Per kind of access (`Access::ALL` order), by action: looked up by `&str`, so counting
    /// an event allocates nothing once its action is known.
    actions: [HashMap<String, ActionStat>; 4],
    changed: HashMap<String, ChangedStat>,
    objects: Seen,
    sources: Seen,
    regions: Seen,
    user_agents: Seen,
    /// Room for an object read's `bucket/key`, reused from event to event.
    object_buf: String,
}

/// Whether a failed call was refused for lack of permission rather than failing otherwise:
/// AWS `AccessDenied*` / `*UnauthorizedOperation` / `*Forbidden*`, Azure
/// `AuthorizationFailed`, GCP status 7 (PERMISSION_DENIED) and 16 (UNAUTHENTICATED), HTTP
/// 401 / 403.
pub fn is_denied(e: &Event) -> bool {
    if e.outcome != Outcome::Failure && e.http_status.is_none() {
        return false;
    }
    if matches!(e.http_status, Some(401 | 403)) {
        return true;
    }
    let code = e.error_code.to_ascii_lowercase();
    code.contains("accessdenied")
        || code.contains("unauthorized")
        || code.contains("forbidden")
        || code.contains("authorizationfailed")
        || code.contains("permission_denied")
        || code.contains("permission denied")
        || (e.log() == LogFormat::GcpAudit && matches!(e.status.as_str(), "7" | "16"))
}

/// Object reads: the object where the log names it (GCP `.../objects/NAME`, an S3 access
/// log's request path, a CloudTrail data event's `key`), else the bucket; written into `buf`
/// (reused from event to event) when it joins bucket and key, else borrowed from the event.
fn object_read<'a>(e: &'a Event, buf: &'a mut String) -> Option<&'a str> {
    let a = e.action.as_str();
    let is_object_read = a == "GetObject"
        || a == "storage.objects.get"
        || a == "REST.GET.OBJECT"
        || a == "REST.HEAD.OBJECT";
    if !is_object_read || e.resource.is_empty() {
        return None;
    }
    let key = if !e.object.is_empty() {
        e.object.as_str()
    } else if e.log() == LogFormat::S3Access {
        // `GET /key?x HTTP/1.1`: the key is the path.
        let path = e.request.split_whitespace().nth(1).unwrap_or("");
        path.split('?').next().unwrap_or("").trim_start_matches('/')
    } else {
        ""
    };
    if key.is_empty() {
        return Some(e.resource.as_str());
    }
    buf.clear();
    for piece in [e.resource.as_str(), "/", key] {
        buf.push_str(piece);
    }
    Some(buf.as_str())
}

/// The index of an access kind in `Access::ALL` (the tallies' arrays follow that order).
fn access_index(a: Access) -> usize {
    Access::ALL.iter().position(|x| *x == a).unwrap_or(0)
}

impl Tally {
    /// Whether no event was added.
    pub fn is_empty(&self) -> bool {
        self.events == 0
    }

    pub fn add(&mut self, e: &Event) {
        let t = e.time;
        self.events += 1;
        self.first = Some(self.first.map_or(t, |f| f.min(t)));
        self.last = Some(self.last.map_or(t, |l| l.max(t)));
        self.by_access[access_index(e.access)] += 1;
        let failed = e.outcome == Outcome::Failure;
        let denied = is_denied(e);
        self.denied += u64::from(denied);
        if e.access == Access::SignIn && failed {
            self.failed_sign_ins += 1;
        }
        if e.access == Access::SignIn {
            match e.mfa {
                Some(true) => self.mfa_sign_ins += 1,
                Some(false) => self.single_factor_sign_ins += 1,
                None => {}
            }
        }
        if !e.action.is_empty() {
            let by_action = &mut self.actions[access_index(e.access)];
            let stat = match by_action.get_mut(e.action.as_str()) {
                Some(stat) => stat,
                None => by_action.entry(e.action.clone()).or_insert(ActionStat {
                    first: t,
                    ..ActionStat::default()
                }),
            };
            stat.count += 1;
            stat.failed += u64::from(failed);
            stat.denied += u64::from(denied);
            stat.first = stat.first.min(t);
        }
        if e.access == Access::Write && !e.resource.is_empty() && !failed {
            // The action is copied only when it becomes the resource's first write.
            match self.changed.get_mut(e.resource.as_str()) {
                Some(c) => {
                    c.count += 1;
                    if (t, e.action.as_str()) < (c.first.0, c.first.1.as_str()) {
                        c.first = (t, e.action.clone());
                    }
                }
                None => {
                    let first = (t, e.action.clone());
                    self.changed
                        .insert(e.resource.clone(), ChangedStat { first, count: 1 });
                }
            }
        }
        if let Some(object) = object_read(e, &mut self.object_buf) {
            self.objects.see(object, t);
        }
        self.sources.see(&e.source_ip, t);
        self.regions.see(&e.region, t);
        self.user_agents.see(&e.user_agent, t);
    }

    pub fn merge(&mut self, other: &Tally) {
        self.events += other.events;
        self.first = match (self.first, other.first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last = match (self.last, other.last) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        for (i, n) in other.by_access.iter().enumerate() {
            self.by_access[i] += n;
        }
        self.denied += other.denied;
        self.failed_sign_ins += other.failed_sign_ins;
        self.mfa_sign_ins += other.mfa_sign_ins;
        self.single_factor_sign_ins += other.single_factor_sign_ins;
        for (k, s) in other
            .actions
            .iter()
            .enumerate()
            .flat_map(|(i, m)| m.iter().map(move |(action, stat)| ((i, action), stat)))
        {
            let (i, action) = k;
            match self.actions[i].get_mut(action.as_str()) {
                Some(mine) => {
                    mine.count += s.count;
                    mine.failed += s.failed;
                    mine.denied += s.denied;
                    mine.first = mine.first.min(s.first);
                }
                None => {
                    self.actions[i].insert(action.clone(), s.clone());
                }
            }
        }
        for (r, c) in &other.changed {
            match self.changed.get_mut(r) {
                Some(mine) => {
                    mine.count += c.count;
                    if c.first < mine.first {
                        mine.first = c.first.clone();
                    }
                }
                None => {
                    self.changed.insert(r.clone(), c.clone());
                }
            }
        }
        self.objects.merge(&other.objects);
        self.sources.merge(&other.sources);
        self.regions.merge(&other.regions);
        self.user_agents.merge(&other.user_agents);
    }

    fn has_action(&self, (i, action): &(usize, Shared)) -> bool {
        self.actions
            .get(*i)
            .is_some_and(|m| m.contains_key(&**action))
    }

    /// The value tallies, in [`Lists::seen`] order.
    fn seen(&self) -> [&Seen; 4] {
        [
            &self.objects,
            &self.sources,
            &self.regions,
            &self.user_agents,
        ]
    }

    /// The printed part: lists earliest first (ties by value), bounded, totals exact.
    pub fn part(&self) -> ActivityPart {
        self.part_with(&self.lists())
    }

    /// What [`part`](Self::part) lists of this tally: only the listed entries are sorted
    /// ([`earliest`]), so this costs the tally's distinct values once.
    pub fn lists(&self) -> Lists {
        let all_actions = || {
            self.actions
                .iter()
                .enumerate()
                .flat_map(|(i, m)| m.iter().map(move |(action, s)| (i, action, s)))
        };
        fn action_order<'a>(
            a: &(usize, &'a String, &ActionStat),
        ) -> (Timestamp, &'a String, &'static str) {
            (a.2.first, a.1, Access::ALL[a.0].as_str())
        }
        let key =
            |(i, action, _): (usize, &String, &ActionStat)| (i, Shared::from(action.as_str()));
        Lists {
            actions: earliest(all_actions().collect(), ACTIVITY_LIST_CAP, action_order)
                .into_iter()
                .map(key)
                .collect(),
            notable: earliest(
                all_actions()
                    .filter(|(_, action, _)| super::notable::is_notable(action))
                    .collect(),
                usize::MAX,
                action_order,
            )
            .into_iter()
            .map(key)
            .collect(),
            changed: earliest(
                self.changed.iter().collect(),
                ACTIVITY_LIST_CAP,
                changed_order,
            )
            .into_iter()
            .map(|(r, _)| Shared::from(r.as_str()))
            .collect(),
            seen: self.seen().map(|seen| {
                earliest(
                    seen.iter().collect(),
                    ACTIVITY_LIST_CAP,
                    |(s, t): &(&String, Timestamp)| (*t, *s),
                )
                .into_iter()
                .map(|(s, _)| Shared::from(s.as_str()))
                .collect()
            }),
        }
    }

    /// The part with these lists (this tally's own, or chained from an actor's segments):
    /// counts and totals from this tally.
    pub fn part_with(&self, lists: &Lists) -> ActivityPart {
        let count = |a: Access| self.by_access[access_index(a)];
        let action_count = |(i, action): &(usize, Shared)| {
            let s = self.actions.get(*i)?.get(&**action)?;
            Some(ActionCount {
                action: action.clone(),
                access: Access::ALL[*i],
                count: s.count,
                failed: s.failed,
                denied: s.denied,
                first: s.first,
            })
        };
        let seen = self.seen();
        let bounded = |i: usize| Bounded {
            total: seen[i].len(),
            values: lists.seen[i].clone(),
        };
        ActivityPart {
            events: self.events,
            first: self.first,
            last: self.last,
            reads: count(Access::Read),
            writes: count(Access::Write),
            sign_ins: count(Access::SignIn),
            unclassified: count(Access::Unknown),
            denied: self.denied,
            failed_sign_ins: self.failed_sign_ins,
            mfa_sign_ins: self.mfa_sign_ins,
            single_factor_sign_ins: self.single_factor_sign_ins,
            actions: lists.actions.iter().filter_map(action_count).collect(),
            actions_total: self.actions.iter().map(HashMap::len).sum(),
            notable: lists.notable.iter().filter_map(action_count).collect(),
            changed: lists
                .changed
                .iter()
                .filter_map(|r| {
                    let c = self.changed.get(&**r)?;
                    Some(ChangedResource {
                        resource: r.clone(),
                        action: Shared::from(c.first.1.as_str()),
                        first: c.first.0,
                        count: c.count,
                    })
                })
                .collect(),
            changed_total: self.changed.len(),
            objects_read: bounded(0),
            source_ips: bounded(1),
            regions: bounded(2),
            user_agents: bounded(3),
        }
    }
}

/// The keys a part lists, earliest first, as [`Tally::part`] selects them. An actor's parts
/// at its cuts are prefix and suffix merges of time-ordered segments, so each cut's lists
/// follow from the previous cut's and one segment's ([`Lists::then`], [`Lists::then_rest`])
/// instead of from a selection over everything the merged tally holds: an actor's parts
/// cost its events once, not once per alert.
#[derive(Clone, Debug, Default)]
pub struct Lists {
    /// (index in `Access::ALL`, action). The values are shared with every part that lists
    /// them and every later cut's lists: an actor's many alerts list many of the same.
    actions: Vec<(usize, Shared)>,
    notable: Vec<(usize, Shared)>,
    changed: Vec<Shared>,
    /// Objects read, sources, regions, user agents ([`Tally::seen`] order).
    seen: [Vec<Shared>; 4],
}

impl Lists {
    /// These lists, then `then`'s keys that `skip` does not hold, each list up to its cap:
    /// the next prefix's lists, from the lists before a segment, the segment's own lists and
    /// the tally before it. Right because every key new in the segment is later than every
    /// key before it, and a key the tally holds is listed already (or its list was full).
    /// Only the keys looked at are copied: none once a list is full.
    pub fn then(self, then: &Lists, skip: &Tally) -> Lists {
        self.followed_by(
            then.actions.iter().cloned(),
            then.notable.iter().cloned(),
            then.changed.iter().cloned(),
            then.seen.each_ref().map(|values| values.iter().cloned()),
            skip,
        )
    }

    /// These lists (a segment's own), then `rest`'s keys (the lists of the suffix after the
    /// segment) that `segment` does not hold, each list up to its cap: the suffix's lists
    /// from the segment on. A key in both is listed at its earlier, segment time. Moves the
    /// keys, copies none.
    pub fn then_rest(self, rest: Lists, segment: &Tally) -> Lists {
        self.followed_by(rest.actions, rest.notable, rest.changed, rest.seen, segment)
    }

    /// Each list, then the keys of `more` that `skip` does not hold, up to the list's cap.
    fn followed_by<A, C, S>(
        mut self,
        actions: A,
        notable: A,
        changed: C,
        seen: [S; 4],
        skip: &Tally,
    ) -> Lists
    where
        A: IntoIterator<Item = (usize, Shared)>,
        C: IntoIterator<Item = Shared>,
        S: IntoIterator<Item = Shared>,
    {
        fn join<K>(
            out: &mut Vec<K>,
            more: impl IntoIterator<Item = K>,
            cap: usize,
            held: impl Fn(&K) -> bool,
        ) {
            for k in more {
                if out.len() >= cap {
                    break;
                }
                if !held(&k) {
                    out.push(k);
                }
            }
        }
        join(&mut self.actions, actions, ACTIVITY_LIST_CAP, |k| {
            skip.has_action(k)
        });
        join(&mut self.notable, notable, usize::MAX, |k| {
            skip.has_action(k)
        });
        join(&mut self.changed, changed, ACTIVITY_LIST_CAP, |r| {
            skip.changed.contains_key(&**r)
        });
        let held = skip.seen();
        for ((list, values), held) in self.seen.iter_mut().zip(seen).zip(held) {
            join(list, values, ACTIVITY_LIST_CAP, |v| held.contains(v));
        }
        self
    }
}

/// The `cap` smallest of `items` by `key`, in order: a selection, then a sort of those only.
/// Keys are unique per item (each names its value), so the result does not depend on the
/// maps' order.
fn earliest<T, K: Ord>(mut items: Vec<T>, cap: usize, key: impl Fn(&T) -> K) -> Vec<T> {
    if items.len() > cap {
        items.select_nth_unstable_by(cap, |a, b| key(a).cmp(&key(b)));
        items.truncate(cap);
    }
    items.sort_unstable_by(|a, b| key(a).cmp(&key(b)));
    items
}

fn changed_order<'a>((r, c): &(&'a String, &ChangedStat)) -> (Timestamp, &'a String) {
    (c.first.0, r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn first_times(seen: &Seen) -> BTreeMap<String, Timestamp> {
        let all: Vec<_> = seen.iter().map(|(v, t)| (v.clone(), t)).collect();
        let map: BTreeMap<_, _> = all.iter().cloned().collect();
        assert_eq!(map.len(), all.len(), "a value listed twice: {all:?}");
        map
    }

    /// The pending run changes nothing a reader sees: every value once, at its earliest
    /// time, whether it is in the map, in the run, or in both, and through merges.
    #[test]
    fn seen_values_keep_their_first_time_whatever_the_runs() {
        use proptest::prelude::*;
        let uses = proptest::collection::vec((0..4usize, 0..50i64), 0..40);
        proptest!(ProptestConfig::with_cases(2000), |(a in uses.clone(), b in uses)| {
            let values = ["10.0.0.1", "aws-cli/2", "", "us-east-1"];
            let mut want: BTreeMap<String, Timestamp> = BTreeMap::new();
            let (mut left, mut right) = (Seen::default(), Seen::default());
            for (uses, seen) in [(&a, &mut left), (&b, &mut right)] {
                for &(v, t) in uses {
                    seen.see(values[v], Timestamp(t));
                    if !values[v].is_empty() {
                        let at = want.entry(values[v].to_string()).or_insert(Timestamp(t));
                        *at = (*at).min(Timestamp(t));
                    }
                }
            }
            left.merge(&right);
            prop_assert_eq!(first_times(&left), want);
        });
    }
}
