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

use super::catalogue::{Params, RuleSpec};
use super::discovery::MAX_EVIDENCE;
use super::new_source_signin::{lock, SharedStore, BEGINNING};
use super::rule::{Interest, Rule};
use crate::collections::HashSet;
use crate::config::Config;
use crate::event::{
    alert_id, Alert, Duration, Event, Fields, LogFormat, Provider, Severity, Timestamp,
};
use std::collections::BTreeMap;

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
}

fn push_distinct(list: &mut Vec<String>, value: &str, cap: usize) {
    if !value.is_empty() && list.len() < cap && !list.iter().any(|v| v == value) {
        list.push(value.to_string());
    }
}

impl DayAgg {
    fn add(&mut self, e: &Event) {
        self.calls += 1;
        push_distinct(&mut self.apis, &e.action, MAX_APIS);
        push_distinct(&mut self.identities, &e.identity, MAX_LIST);
        push_distinct(&mut self.ips, &e.source_ip, MAX_LIST);
        self.first = self.first.min(e.time);
        self.last = self.last.max(e.time);
        if self.evidence.len() < MAX_EVIDENCE {
            self.evidence.push(e.origin.to_string());
        }
    }
}

pub struct UnusedRegionActivity {
    spec: RuleSpec,
    severity: Severity,
    /// Configured regions (lower-cased); empty means learn them.
    configured: HashSet<String>,
    min_history: Duration,
    store: SharedStore,
    learned_silently: u64,
    /// Day start → (account, region) → the day's activity there.
    days: BTreeMap<Timestamp, BTreeMap<(String, String), DayAgg>>,
    /// (account, region) judged today and not unused (in use, or learned in silence): later
    /// events find the same answer without asking the store. Cleared each UTC day.
    day: i64,
    in_use: HashSet<(String, String)>,
    /// Accounts whose history covers `min_history` (stays true as event time moves on).
    covered: HashSet<String>,
}

impl UnusedRegionActivity {
    pub fn new(spec: RuleSpec, p: &Params, _cfg: &Config, store: SharedStore) -> Self {
        UnusedRegionActivity {
            severity: spec.default_severity().unwrap_or(Severity::Medium),
            spec,
            configured: p
                .strings("regions")
                .iter()
                .map(|r| r.trim().to_lowercase())
                .filter(|r| !r.is_empty())
                .collect(),
            min_history: p.duration("min_history"),
            store,
            learned_silently: 0,
            days: BTreeMap::new(),
            day: i64::MIN,
            in_use: HashSet::default(),
            covered: HashSet::default(),
        }
    }

    /// Regions first seen while an account's history was shorter than `min_history`.
    pub fn learned_silently(&self) -> u64 {
        self.learned_silently
    }

    /// Whether the region is unused at `t` (recording is the caller's job).
    fn unused(&mut self, account: &str, region: &str, t: Timestamp) -> bool {
        if !self.configured.is_empty() {
            return !self.configured.contains(&region.to_lowercase());
        }
        let store_handle = std::sync::Arc::clone(&self.store);
        let store = lock(&store_handle);
        let seen = store.seen_between(ACCT_REGION, account, region, BEGINNING, t);
        if seen {
            return false;
        }
        let covered = self.covered.contains(account)
            || store
                .first_seen(ACCT_REGION, account)
                .is_some_and(|f| f <= t.sub(self.min_history));
        if !covered {
            self.learned_silently += 1;
            return false;
        }
        self.covered.insert(account.to_string());
        true
    }

    fn emit(
        &self,
        day: Timestamp,
        (account, region): (String, String),
        agg: DayAgg,
        out: &mut Vec<Alert>,
    ) {
        let mut g = Fields::default();
        g.push("account", account.as_str());
        g.push("region", region.as_str());
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
        out.push(Alert {
            schema: crate::event::alert::ALERT_SCHEMA,
            id: alert_id(&self.spec.id, &g, day, end, ""),
            rule: self.spec.id.clone(),
            title: self.spec.title.clone(),
            attack: self.spec.attack.clone(),
            severity: self.severity,
            risk_score: self.severity.risk_score(),
            provider: Provider::Aws,
            group: g,
            window_start: day,
            window_end: end,
            first_seen: agg.first,
            last_seen: agg.last,
            count: agg.calls,
            fields: f,
            evidence: agg.evidence,
            suppressed: false,
            reason: None,
            notes: Vec::new(),
        });
    }
}

impl Rule for UnusedRegionActivity {
    fn id(&self) -> &str {
        &self.spec.id
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

    fn observe(&mut self, e: &Event, _out: &mut Vec<Alert>) {
        let t = e.time;
        if t.day() != self.day {
            self.day = t.day();
            self.in_use.clear();
        }
        let key = (e.account.trim().to_string(), e.region.trim().to_string());
        let day = t.bin(DAY);
        if let Some(agg) = self.days.get_mut(&day).and_then(|d| d.get_mut(&key)) {
            agg.add(e);
        } else if !self.in_use.contains(&key) {
            if self.unused(&key.0, &key.1, t) {
                let mut agg = DayAgg {
                    calls: 0,
                    apis: Vec::new(),
                    identities: Vec::new(),
                    ips: Vec::new(),
                    first: t,
                    last: t,
                    evidence: Vec::new(),
                };
                agg.add(e);
                self.days.entry(day).or_default().insert(key.clone(), agg);
            } else {
                self.in_use.insert(key.clone());
            }
        }
        lock(&self.store).record(ACCT_REGION, &key.0, &key.1, t);
    }

    fn advance(&mut self, watermark: Timestamp, out: &mut Vec<Alert>) {
        while let Some(entry) = self.days.first_entry() {
            if entry.key().add(DAY) > watermark {
                break;
            }
            let (day, groups) = entry.remove_entry();
            for (k, agg) in groups {
                self.emit(day, k, agg, out);
            }
        }
    }

    fn summary_note(&self) -> Option<String> {
        (self.learned_silently > 0).then(|| format!("unused-region-activity: learned {} sources in silence (history shorter than min_history)", self.learned_silently))
    }

    fn finish(&mut self, out: &mut Vec<Alert>) {
        for (day, groups) in std::mem::take(&mut self.days) {
            for (k, agg) in groups {
                self.emit(day, k, agg, out);
            }
        }
    }
}
