//! `unused-region-activity`: AWS CloudTrail activity in a region outside the account's set of
//! regions: the configured `regions` when that list is not empty, else the regions learned
//! from the account's own history (store kind `acct-region`, scope the account id, value the
//! region). Attackers favour regions nobody uses, because nobody looks there.
//!
//! The learned set needs history (SPEC §4 "Novelty needs history"): a region is judged only
//! once the account's recorded activity reaches back `min_history` before the event; until
//! then new regions are learned in silence and counted ([`UnusedRegionActivity::learned_silently`]).
//! "Learned" means seen at an earlier event time, so older logs scanned after newer ones are
//! judged by what came before them. Every (account, region) is recorded as it is seen.
//!
//! One alert per (account, region) per UTC day, emitted when the watermark passes the day's
//! end (at the end of input in `scan`), with the day's calls, APIs, identities and sources.
//! Events without a region are skipped.

use super::catalogue::RuleSpec;
use super::context::{Context, Facts, Setup};
use super::discovery::MAX_EVIDENCE;
use super::history::BEGINNING;
use super::rule::{HistoryUse, Interest, Needs, Rule, WorkAhead};
use crate::collections::{HashMap, HashSet};
use crate::event::alert::{on_behalf, Signals, AWS_INTERNAL, MAX_SIGNAL_VALUES};
use crate::event::{
    DeliveryKey, Duration, Event, Fields, LogFormat, Origin, Provider, Severity, Timestamp,
};
use crate::state::Store;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub regions: Vec<String>,
    pub min_history: Duration,
}

/// Store kind: regions an account was active in.
pub const ACCT_REGION: &str = "acct-region";

const DAY: Duration = Duration::secs(86_400);
const MAX_APIS: usize = 50;
const MAX_LIST: usize = 10;

struct DayAgg {
    calls: u64,
    apis: Vec<String>,
    identities: Vec<String>,
    ips: Vec<String>,
    first: Timestamp,
    last: Timestamp,
    evidence: Vec<String>,
    signals: Signals,
}

/// First sighting of a value: (time, origin), the ordered pass's order.
type Sighting = (Timestamp, Origin);

/// The values sighted first, at most `cap` once pruned. Pruning to the earliest is exact:
/// merging only adds sightings, and a value's earliest sighting is kept by the summary of
/// the batch it came from (it ranks there no lower than overall), so a dropped one never
/// belongs to the final list.
#[derive(Default, serde::Serialize, serde::Deserialize)]
struct FirstSighted {
    map: HashMap<String, Sighting>,
    /// Once pruned to `cap`: the latest kept sighting. A value first sighted at or after it
    /// cannot be among the earliest `cap`, so it is not stored (most are, in time order).
    bar: Option<Sighting>,
    /// Pruned here or in a summary merged in: more than `cap` distinct values were seen.
    /// Unpruned, `map` holds every value, so `pruned || map.len() > cap` is exact.
    #[serde(default)]
    pruned: bool,
}

impl FirstSighted {
    fn sight(&mut self, value: &str, at: &Sighting, cap: usize) {
        if value.is_empty() {
            return;
        }
        match self.map.get_mut(value) {
            Some(s) if *at < *s => *s = at.clone(),
            Some(_) => {}
            None if self.bar.as_ref().is_some_and(|bar| *at >= *bar) => {}
            None => {
                self.map.insert(value.to_string(), at.clone());
                if self.map.len() > 4 * cap {
                    self.prune(cap);
                }
            }
        }
    }

    /// Merging only adds earlier candidates, so the bar stays a safe bound.
    fn merge(&mut self, other: FirstSighted, cap: usize) {
        self.pruned |= other.pruned;
        for (v, at) in other.map {
            match self.map.get_mut(&v) {
                Some(s) if at < *s => *s = at,
                Some(_) => {}
                None => {
                    self.map.insert(v, at);
                }
            }
        }
        if self.map.len() > 4 * cap {
            self.prune(cap);
        }
    }

    fn sorted(self) -> Vec<(Sighting, String)> {
        let mut v: Vec<(Sighting, String)> = self.map.into_iter().map(|(k, s)| (s, k)).collect();
        v.sort();
        v
    }

    fn prune(&mut self, cap: usize) {
        let kept: Vec<(Sighting, String)> = std::mem::take(&mut self.map)
            .into_iter()
            .map(|(k, s)| (s, k))
            .collect::<Vec<_>>();
        let mut kept = kept;
        kept.sort();
        self.pruned |= kept.len() > cap;
        kept.truncate(cap);
        if kept.len() == cap {
            self.bar = kept.last().map(|(s, _)| s.clone());
        }
        self.map = kept.into_iter().map(|(s, k)| (k, s)).collect();
    }

    /// Whether more than `cap` distinct values were sighted.
    fn over(&self, cap: usize) -> bool {
        self.pruned || self.map.len() > cap
    }

    fn first(self, cap: usize) -> Vec<String> {
        self.sorted()
            .into_iter()
            .take(cap)
            .map(|(_, k)| k)
            .collect()
    }
}

/// An order-free summary of one (account, region, UTC day): what the day's alert reports,
/// whatever order the events come in. Built on the worker threads when the scan works ahead,
/// else by the ordered pass for the days it judged unused: one aggregator either way. A duplicate delivery (same
/// event id and content, `Event::delivery_key`) counts once, as the ordered pass counts it.
#[derive(Default, serde::Serialize, serde::Deserialize)]
struct GroupSummary {
    ids: HashSet<DeliveryKey>,
    without_id: u64,
    apis: FirstSighted,
    identities: FirstSighted,
    ips: FirstSighted,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    /// The earliest sightings, at most one per event id once pruned.
    evidence: Vec<(Timestamp, Origin, Option<DeliveryKey>)>,
    /// When `evidence` is full: its latest entry (a later sighting cannot get in).
    evidence_bar: Option<(Timestamp, Origin)>,
    /// The alert's signals, order-free: user agents (events made on the identity's behalf
    /// aside), sources and key ids, each by first sighting.
    #[serde(default)]
    agents: FirstSighted,
    #[serde(default)]
    sources: FirstSighted,
    #[serde(default)]
    keys: FirstSighted,
}

impl GroupSummary {
    fn add(&mut self, e: &Event) {
        let id = e.delivery_key();
        match id {
            Some(h) => {
                self.ids.insert(h);
            }
            None => self.without_id += 1,
        }
        let at = (e.time, e.origin.clone());
        self.apis.sight(&e.action, &at, MAX_APIS);
        self.identities.sight(&e.identity, &at, MAX_LIST);
        self.ips.sight(&e.source_ip, &at, MAX_LIST);
        if !on_behalf(&e.source_ip) && e.user_agent != AWS_INTERNAL {
            self.agents.sight(&e.user_agent, &at, MAX_SIGNAL_VALUES);
        }
        self.sources.sight(&e.source_ip, &at, MAX_SIGNAL_VALUES);
        self.keys.sight(&e.key_id, &at, MAX_SIGNAL_VALUES);
        self.first = Some(self.first.map_or(e.time, |f| f.min(e.time)));
        self.last = Some(self.last.map_or(e.time, |l| l.max(e.time)));
        if self.evidence_bar.as_ref().is_none_or(|bar| at < *bar) {
            self.evidence.push((at.0, at.1, id));
            if self.evidence.len() > 4 * MAX_EVIDENCE {
                self.prune_evidence();
            }
        }
    }

    fn merge(&mut self, other: GroupSummary) {
        self.ids.extend(other.ids);
        self.without_id += other.without_id;
        self.apis.merge(other.apis, MAX_APIS);
        self.identities.merge(other.identities, MAX_LIST);
        self.ips.merge(other.ips, MAX_LIST);
        self.agents.merge(other.agents, MAX_SIGNAL_VALUES);
        self.sources.merge(other.sources, MAX_SIGNAL_VALUES);
        self.keys.merge(other.keys, MAX_SIGNAL_VALUES);
        self.first = match (self.first, other.first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last = self.last.max(other.last);
        self.evidence.extend(other.evidence);
        self.prune_evidence();
    }

    /// Keeps the earliest `MAX_EVIDENCE` sightings of distinct events (exact for the same
    /// reason as [`FirstSighted`]).
    fn prune_evidence(&mut self) {
        self.evidence.sort();
        let mut taken: HashSet<DeliveryKey> = HashSet::default();
        self.evidence
            .retain(|(_, _, id)| id.is_none_or(|h| taken.insert(h)));
        self.evidence.truncate(MAX_EVIDENCE);
        self.evidence_bar = (self.evidence.len() == MAX_EVIDENCE)
            .then(|| self.evidence.last().map(|(t, o, _)| (*t, o.clone())))
            .flatten();
    }

    fn into_day(mut self) -> DayAgg {
        self.prune_evidence();
        let signals = Signals {
            user_agents_truncated: self.agents.over(MAX_SIGNAL_VALUES),
            user_agents: self.agents.first(MAX_SIGNAL_VALUES),
            source_ips_truncated: self.sources.over(MAX_SIGNAL_VALUES),
            source_ips: self.sources.first(MAX_SIGNAL_VALUES),
            key_ids: self.keys.first(MAX_SIGNAL_VALUES),
        };
        DayAgg {
            signals,
            calls: self.ids.len() as u64 + self.without_id,
            apis: self.apis.first(MAX_APIS),
            identities: self.identities.first(MAX_LIST),
            ips: self.ips.first(MAX_LIST),
            first: self.first.unwrap_or_default(),
            last: self.last.unwrap_or_default(),
            evidence: self
                .evidence
                .into_iter()
                .map(|(_, o, _)| o.to_string())
                .collect(),
        }
    }
}

/// Day summaries by account, region and UTC day start (nested, so that looking one up
/// borrows the event's strings instead of building a key).
#[derive(Default, serde::Serialize, serde::Deserialize)]
pub struct Groups(HashMap<String, HashMap<String, BTreeMap<Timestamp, GroupSummary>>>);

impl Groups {
    fn get(&mut self, account: &str, region: &str, day: Timestamp) -> &mut GroupSummary {
        if !self.0.contains_key(account) {
            self.0.insert(account.to_string(), HashMap::default());
        }
        let regions = self.0.get_mut(account).expect("just inserted");
        if !regions.contains_key(region) {
            regions.insert(region.to_string(), BTreeMap::new());
        }
        regions
            .get_mut(region)
            .expect("just inserted")
            .entry(day)
            .or_default()
    }

    fn merge(&mut self, other: Groups) {
        for (account, regions) in other.0 {
            let mine = self.0.entry(account).or_default();
            for (region, days) in regions {
                let mine = mine.entry(region).or_default();
                for (day, g) in days {
                    match mine.get_mut(&day) {
                        Some(m) => m.merge(g),
                        None => {
                            mine.insert(day, g);
                        }
                    }
                }
            }
        }
    }

    fn take(&mut self, account: &str, region: &str, day: Timestamp) -> Option<GroupSummary> {
        self.0.get_mut(account)?.get_mut(region)?.remove(&day)
    }
}

pub struct UnusedRegionActivity {
    spec: RuleSpec,
    severity: Severity,
    /// Configured regions (lower-cased); empty means learn them.
    configured: HashSet<String>,
    min_history: Duration,
}

#[derive(Default, serde::Serialize, serde::Deserialize)]
pub struct State {
    learned_silently: u64,
    /// Day start → (account, region) judged unused that day, emitted once the day is over.
    unused: BTreeMap<Timestamp, BTreeSet<(String, String)>>,
    /// (account, region) judged today and not unused (in use, or learned in silence): later
    /// events find the same answer without asking the store. Cleared each UTC day.
    day: i64,
    in_use: HashSet<(String, String)>,
    /// Accounts whose history covers `min_history` (stays true as event time moves on).
    covered: HashSet<String>,
    /// Day summaries: the whole input's, when the scan built them ahead of the ordered pass
    /// (`summarised`), else those of the days judged unused, built as events come.
    groups: Groups,
    summarised: bool,
}

impl UnusedRegionActivity {
    /// Whether the region is unused at `t`.
    fn unused(
        &self,
        st: &mut State,
        store: &Store,
        account: &str,
        region: &str,
        t: Timestamp,
    ) -> bool {
        if !self.configured.is_empty() {
            return !self.configured.contains(&region.to_lowercase());
        }
        if store.seen_between(ACCT_REGION, account, region, BEGINNING, t) {
            return false;
        }
        let covered = st.covered.contains(account)
            || store
                .first_seen(ACCT_REGION, account)
                .is_some_and(|f| f <= t.sub(self.min_history));
        if !covered {
            st.learned_silently += 1;
            return false;
        }
        st.covered.insert(account.to_string());
        true
    }

    fn emit(
        &self,
        day: Timestamp,
        (account, region): (String, String),
        g: GroupSummary,
        cx: &mut Context<'_>,
    ) {
        let agg = g.into_day();
        let mut group = Fields::default();
        group.push("account", account.as_str());
        group.push("region", region.as_str());
        let end = day.add(DAY);
        let mut f = Fields::default();
        f.push("AccountId", account);
        f.push("Region", region);
        f.push(
            "RegionSet",
            if self.configured.is_empty() {
                "learned"
            } else {
                "configured"
            },
        );
        f.push("Calls", agg.calls);
        f.push("APIList", agg.apis);
        f.push("Identities", agg.identities);
        f.push("SourceIPs", agg.ips);
        f.push("FirstSeen", agg.first.to_string());
        f.push("LastSeen", agg.last.to_string());
        let alert = self
            .spec
            .alert(group, day, end)
            .provider(Provider::Aws)
            .severity(self.severity)
            .seen(agg.first, agg.last, agg.calls)
            .fields(f)
            .evidence(agg.evidence)
            .signals(agg.signals)
            .build();
        cx.emit(alert);
    }
}

impl Rule for UnusedRegionActivity {
    type Params = Params;
    type State = State;
    const CATALOGUE: &'static str = include_str!("catalogue/unused-region-activity.toml");
    const HISTORY: HistoryUse = HistoryUse::ReadsAndWrites;

    fn build(spec: RuleSpec, p: Params, setup: &Setup<'_>) -> Result<Self, String> {
        // The rule's own list wins; else `[organisation] regions`, the regions in use.
        let regions = if p.regions.is_empty() {
            &setup.config.organisation.regions
        } else {
            &p.regions
        };
        Ok(UnusedRegionActivity {
            severity: spec.default_severity().unwrap_or(Severity::Medium),
            spec,
            configured: regions
                .iter()
                .map(|r| r.trim().to_lowercase())
                .filter(|r| !r.is_empty())
                .collect(),
            min_history: p.min_history,
        })
    }

    fn spec(&self) -> &RuleSpec {
        &self.spec
    }

    fn interest(&self) -> Interest {
        Interest::All
    }

    fn wants(&self, e: &Event) -> bool {
        e.provider() == Provider::Aws
            && e.log() == LogFormat::CloudTrail
            && !e.region.trim().is_empty()
            && !e.account.trim().is_empty()
    }

    /// Every (account, region) an event was in.
    fn history(&self, e: &Event, facts: &mut dyn Facts) {
        facts.record(ACCT_REGION, e.account.trim(), e.region.trim(), e.time);
    }

    /// A region is judged at its first event of the day; the day's summary has the rest.
    fn observe(&self, st: &mut State, e: &Event, cx: &mut Context<'_>) {
        let t = e.time;
        if t.day() != st.day {
            st.day = t.day();
            st.in_use.clear();
        }
        let key = (e.account.trim().to_string(), e.region.trim().to_string());
        let day = t.bin(DAY);
        let judged_unused = st.unused.get(&day).is_some_and(|d| d.contains(&key));
        if !judged_unused {
            if st.in_use.contains(&key) {
                return;
            }
            if !self.unused(st, cx.history(), &key.0, &key.1, t) {
                st.in_use.insert(key);
                return;
            }
            st.unused.entry(day).or_default().insert(key.clone());
        }
        if !st.summarised {
            st.groups.get(&key.0, &key.1, day).add(e);
        }
    }

    fn advance(&self, st: &mut State, watermark: Timestamp, cx: &mut Context<'_>) {
        while let Some(entry) = st.unused.first_entry() {
            if entry.key().add(DAY) > watermark {
                break;
            }
            let (day, keys) = entry.remove_entry();
            for k in keys {
                let g = st.groups.take(&k.0, &k.1, day).unwrap_or_default();
                self.emit(day, k, g, cx);
            }
        }
    }

    fn note(&self, st: &State) -> Option<String> {
        (st.learned_silently > 0).then(|| format!("unused-region-activity: learned {} sources in silence (history shorter than min_history)", st.learned_silently))
    }
}

impl WorkAhead for UnusedRegionActivity {
    type Summary = Groups;

    fn plan(&self, e: &Event, groups: &mut Groups) -> Needs {
        let (account, region) = (e.account.trim(), e.region.trim());
        groups.get(account, region, e.time.bin(DAY)).add(e);
        let mut key = String::with_capacity(account.len() + 1 + region.len());
        key.push_str(account);
        key.push('\0');
        key.push_str(region);
        Needs::FirstOf(key)
    }

    fn merge(&self, into: &mut Groups, from: Groups) {
        into.merge(from);
    }

    fn accept(&self, st: &mut State, groups: Groups) {
        st.groups = groups;
        st.summarised = true;
    }
}
