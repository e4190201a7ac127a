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
//!
//! Working ahead, events are set aside on disk (`Needs::Deferred`, keyed by account and
//! region) and the history recorded; once the input is read, only the (account, region)
//! pairs that no earlier event had used can be unused, and only their events are observed.
//! With learned regions only a pair's first UTC day can be unused, so an event on a later
//! day than one already seen of its pair is not set aside at all. Memory then follows the
//! pairs, never the events read.

use super::catalogue::RuleSpec;
use super::context::{Context, Facts, Setup};
use super::discovery::MAX_EVIDENCE;
use super::history::BEGINNING;
use super::rule::{HistoryUse, Interest, Needs, Rule, WorkAhead};
use crate::collections::{HashMap, HashSet};
use crate::event::alert::{on_behalf, Signals, AWS_INTERNAL, MAX_SIGNAL_VALUES};
use crate::event::codec::KeepFields;
use crate::event::{Duration, Event, Fields, LogFormat, Origin, Provider, Severity, Timestamp};
use crate::state::Store;
use crate::text::trim;
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

/// The values sighted first (by time, then origin), at most `cap` once pruned: a dropped
/// value was sighted after `cap` others and never belongs to the list.
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

/// One (account, region, UTC day) judged unused: what the day's alert reports. Built by the
/// ordered pass, after duplicate removal, so every event counts once.
#[derive(Default, serde::Serialize, serde::Deserialize)]
struct GroupSummary {
    calls: u64,
    apis: FirstSighted,
    identities: FirstSighted,
    ips: FirstSighted,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    /// The earliest sightings, at most `MAX_EVIDENCE` once pruned.
    evidence: Vec<(Timestamp, Origin)>,
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
        self.calls += 1;
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
            self.evidence.push(at);
            if self.evidence.len() > 4 * MAX_EVIDENCE {
                self.prune_evidence();
            }
        }
    }

    fn prune_evidence(&mut self) {
        self.evidence.sort();
        self.evidence.truncate(MAX_EVIDENCE);
        self.evidence_bar = (self.evidence.len() == MAX_EVIDENCE)
            .then(|| self.evidence.last().cloned())
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
            calls: self.calls,
            apis: self.apis.first(MAX_APIS),
            identities: self.identities.first(MAX_LIST),
            ips: self.ips.first(MAX_LIST),
            first: self.first.unwrap_or_default(),
            last: self.last.unwrap_or_default(),
            evidence: self
                .evidence
                .into_iter()
                .map(|(_, o)| o.to_string())
                .collect(),
        }
    }
}

/// Day summaries by account, region and UTC day start (nested, so that looking one up
/// borrows the event's strings instead of building a key).
#[derive(Default, serde::Serialize, serde::Deserialize)]
struct Groups(HashMap<String, HashMap<String, BTreeMap<Timestamp, GroupSummary>>>);

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
    /// Summaries of the days judged unused, built as their events come.
    groups: Groups,
    /// Working ahead: each (account, region) of the input with its earliest event time.
    earliest: Option<Earliest>,
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
            && !trim(&e.region).is_empty()
            && !trim(&e.account).is_empty()
    }

    /// Every (account, region) an event was in.
    fn history(&self, e: &Event, facts: &mut dyn Facts) {
        facts.record(ACCT_REGION, trim(&e.account), trim(&e.region), e.time);
    }

    /// A region is judged at its first event of the day; the day's summary has the rest.
    fn observe(&self, st: &mut State, e: &Event, cx: &mut Context<'_>) {
        let t = e.time;
        if t.day() != st.day {
            st.day = t.day();
            st.in_use.clear();
        }
        let key = (trim(&e.account).to_string(), trim(&e.region).to_string());
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
        st.groups.get(&key.0, &key.1, day).add(e);
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

/// (account, region) → the earliest event time the input has for it.
pub type Earliest = HashMap<(String, String), Timestamp>;

impl WorkAhead for UnusedRegionActivity {
    type Summary = Earliest;
    const DEFERS: bool = true;

    fn plan(&self, e: &Event, earliest: &mut Earliest) -> Needs {
        let (account, region) = (trim(&e.account), trim(&e.region));
        let key = (account.to_string(), region.to_string());
        let known = earliest.get(&key).copied();
        match known {
            Some(t) if t <= e.time => {}
            _ => {
                earliest.insert(key, e.time);
            }
        }
        // With learned regions only a pair's first UTC day can be unused: on any later day
        // its earlier event is in the history, so the pair is in use there and `observe`
        // adds nothing. An event on a later day than an event already seen of its pair is
        // never needed, and is not written: on a trail of many days, nearly every event.
        // (Configured regions are judged day by day: every event is needed.)
        if self.configured.is_empty() && known.is_some_and(|t| t.day() < e.time.day()) {
            return Needs::Nothing;
        }
        let mut deferred = String::with_capacity(account.len() + 1 + region.len());
        deferred.push_str(account);
        deferred.push('\0');
        deferred.push_str(region);
        Needs::Deferred(deferred)
    }

    /// What `wants`, `observe` and the day summary read.
    fn deferred_fields(&self) -> KeepFields {
        KeepFields::IDENTITY
            .and(KeepFields::ACCOUNT)
            .and(KeepFields::SOURCE_IP)
            .and(KeepFields::ACTION)
            .and(KeepFields::REGION)
            .and(KeepFields::USER_AGENT)
            .and(KeepFields::KEY_ID)
            .and(KeepFields::EVENT_ID)
            .and(KeepFields::ORIGIN)
    }

    fn merge(&self, into: &mut Earliest, from: Earliest) {
        for (k, t) in from {
            let at = into.entry(k).or_insert(t);
            *at = (*at).min(t);
        }
    }

    fn accept(&self, st: &mut State, earliest: Earliest) {
        st.earliest = Some(earliest);
    }

    /// A pair with an event in the store before the input's first event of it is in use at
    /// every event of the input (the store holds the whole input's history by now), so it
    /// can never be unused; nor can a pair whose account's history did not yet cover
    /// `min_history` at that first event (it is learned in silence there, and in use after).
    /// The others are observed. With configured regions: the pairs outside them.
    fn deferred_keys(&self, st: &mut State, store: &Store) -> Option<HashSet<String>> {
        let earliest = st.earliest.take()?;
        let mut silent = 0;
        let keys = earliest
            .iter()
            .filter(|((account, region), first)| {
                if !self.configured.is_empty() {
                    return !self.configured.contains(&region.to_lowercase());
                }
                if store.seen_between(ACCT_REGION, account, region, BEGINNING, **first) {
                    return false;
                }
                let covered = store
                    .first_seen(ACCT_REGION, account)
                    .is_some_and(|f| f <= first.sub(self.min_history));
                silent += u64::from(!covered);
                covered
            })
            .map(|((account, region), _)| format!("{account}\0{region}"))
            .collect();
        st.learned_silently += silent;
        Some(keys)
    }
}
