//! `post-auth-enumeration`: more than 5 distinct enumeration calls (AWS `List*`, `Describe*`,
//! `Get*`; Azure `*/read`; GCP `*.list`, `*.get`) by one identity within 2 minutes (sliding,
//! u − w < t ≤ u), when that identity made no such call in the 30 days before the window's
//! start: the seed's "has not made similar calls in the past thirty days", read literally.
//!
//! The 30 days are judged "in what the store and the scan have seen" (SPEC §4): every
//! enumeration call is recorded in the baseline store (kind `id-enum`, scope the identity as
//! baselines compare it, value the API) as it is observed, and the quiet test asks the store
//! for the identity's last call before the window's start. A call exactly 30 days earlier is
//! not within the 30 days. The window's start is the time of its earliest call.
//!
//! One alert per episode, as for `cloud-discovery-sliding`: it opens when a window first
//! qualifies (and the identity was quiet), takes every later call, and closes after a
//! window's length without an enumeration call. Assumed-role sessions count as their role,
//! so a fresh session name does not make a busy role look quiet.

use super::catalogue::{Params, RuleSpec};
use super::cloud_discovery_sliding::strip_version;
use super::discovery::MAX_EVIDENCE;
use super::history::{baseline_identity, lock, SharedStore};
use super::rule::{Interest, Needs, Rule, Summary};
use super::window::{self, Expiry};
use crate::collections::{HashMap, HashSet};
use crate::config::Config;
use crate::event::codec::KeepFields;
use crate::event::{
    alert_id, Alert, Duration, Event, Fields, LogFormat, Origin, Provider, Severity, Timestamp,
};
use crate::state::PendingHistory;
use std::collections::{BTreeSet, VecDeque};

/// Store kind: enumeration calls of an identity.
pub const ID_ENUM: &str = "id-enum";

const MAX_APIS: usize = 50;
const MAX_SOURCE_IPS: usize = 10;

/// (provider, identity as baselines compare it).
type Key = (Provider, String);

struct Call {
    time: Timestamp,
    api: String,
    /// What an episode reports of the call; the whole event would be copied for every
    /// enumeration call, most of which never join an episode.
    identity: String,
    account: String,
    source_ip: String,
    origin: Origin,
}

struct Episode {
    start: Timestamp,
    identity: String,
    account: String,
    previous: Option<Timestamp>,
    calls: u64,
    apis: Vec<String>,
    api_set: HashSet<String>,
    ips: Vec<String>,
    first: Timestamp,
    last: Timestamp,
    peak_distinct: u64,
    evidence: Vec<String>,
}

impl Episode {
    fn add(&mut self, c: &Call) {
        self.calls += 1;
        if self.api_set.insert(c.api.clone()) && self.apis.len() < MAX_APIS {
            self.apis.push(c.api.clone());
        }
        let ip = &c.source_ip;
        if !ip.is_empty() && self.ips.len() < MAX_SOURCE_IPS && !self.ips.contains(ip) {
            self.ips.push(ip.clone());
        }
        self.first = self.first.min(c.time);
        self.last = self.last.max(c.time);
        if self.evidence.len() < MAX_EVIDENCE {
            self.evidence.push(c.origin.to_string());
        }
    }
}

#[derive(Default)]
struct KeyState {
    window: VecDeque<Call>,
    per_api: HashMap<String, u32>,
    episode: Option<Episode>,
    last: Timestamp,
    /// Windows starting before this are known not to be quiet (a call within the quiet
    /// period before them was seen), so the store need not be asked again.
    busy_until: Timestamp,
}

pub struct PostAuthEnumeration {
    spec: RuleSpec,
    severity: Severity,
    min_distinct: usize,
    window: Duration,
    quiet_period: Duration,
    store: SharedStore,
    keys: HashMap<Key, KeyState>,
    /// Expiry time → keys to look at then (lazily re-checked).
    schedule: Expiry<Key>,
    /// (identity, UTC day) with enumeration calls in this scan, when the scan set the calls
    /// aside (`Needs::Deferred`) and summarised them.
    scan_days: Option<ScanDays>,
}

/// The UTC days each identity called on in this scan.
type ScanDays = HashMap<String, BTreeSet<i64>>;

/// Whether `name` starts with `prefix`, ASCII case ignored.
fn starts_with_ignore_case(name: &str, prefix: &str) -> bool {
    name.len() >= prefix.len()
        && name.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

fn ends_with_ignore_case(name: &str, suffix: &str) -> bool {
    name.len() >= suffix.len()
        && name.as_bytes()[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// The API an enumeration call names, as distinct calls are counted, or `None` when the event
/// is not an enumeration call. AWS names keep their case (version suffixes removed); Azure
/// operations and GCP methods are compared lower-cased.
pub fn enumeration_api(e: &Event) -> Option<String> {
    let action = e.action.trim();
    is_enumeration(e).then(|| match e.provider() {
        Provider::Aws => strip_version(action).to_string(),
        _ => action.to_lowercase(),
    })
}

/// Whether `enumeration_api` has an answer, without building it.
fn is_enumeration(e: &Event) -> bool {
    let action = e.action.trim();
    match (e.provider(), e.log()) {
        (Provider::Aws, LogFormat::CloudTrail) => ["List", "Describe", "Get"]
            .iter()
            .any(|p| starts_with_ignore_case(action, p)),
        (Provider::Azure, LogFormat::AzureActivity) => ends_with_ignore_case(action, "/read"),
        (Provider::Gcp, LogFormat::GcpAudit) => {
            ends_with_ignore_case(action, ".list") || ends_with_ignore_case(action, ".get")
        }
        _ => false,
    }
}

impl PostAuthEnumeration {
    pub fn new(spec: RuleSpec, p: &Params, _cfg: &Config, store: SharedStore) -> Self {
        PostAuthEnumeration {
            severity: spec.default_severity().unwrap_or(Severity::High),
            spec,
            min_distinct: p.int("min_distinct").max(1) as usize,
            window: p.duration("window"),
            quiet_period: p.duration("quiet_period"),
            store,
            keys: HashMap::default(),
            scan_days: None,
            schedule: Expiry::default(),
        }
    }

    fn close(&self, key: &Key, ep: Episode, out: &mut Vec<Alert>) {
        let mut g = Fields::default();
        g.push("identity", key.1.as_str());
        let mut f = Fields::default();
        f.push("Identity", ep.identity.as_str());
        f.push("AccountId", ep.account.as_str());
        f.push("Calls", ep.calls);
        f.push("DistinctAPIs", ep.api_set.len() as u64);
        f.push("PeakDistinctAPIs", ep.peak_distinct);
        f.push("APIList", ep.apis);
        f.push("SourceIPs", ep.ips);
        f.push("FirstSeen", ep.first.to_string());
        f.push("LastSeen", ep.last.to_string());
        f.push(
            "PreviousEnumeration",
            ep.previous
                .map_or(serde_json::Value::Null, |p| p.to_string().into()),
        );
        out.push(Alert {
            schema: crate::event::alert::ALERT_SCHEMA,
            // The episode's start identifies it; its end depends on how much later data came.
            id: alert_id(&self.spec.id, &g, ep.start, ep.start, ""),
            rule: self.spec.id.clone(),
            title: self.spec.title.clone(),
            attack: self.spec.attack.clone(),
            severity: self.severity,
            risk_score: self.severity.risk_score(),
            provider: key.0,
            group: g,
            window_start: ep.start,
            window_end: ep.last,
            first_seen: ep.first,
            last_seen: ep.last,
            count: ep.calls,
            fields: f,
            evidence: ep.evidence,
            suppressed: false,
            reason: None,
            notes: Vec::new(),
        });
    }
}

impl Rule for PostAuthEnumeration {
    fn id(&self) -> &str {
        &self.spec.id
    }

    fn interest(&self) -> Interest {
        Interest::All
    }

    fn wants(&self, e: &Event) -> bool {
        !e.identity.trim().is_empty() && is_enumeration(e)
    }

    fn observe(&mut self, e: &Event, out: &mut Vec<Alert>) {
        let Some(api) = enumeration_api(e) else {
            return;
        };
        let key: Key = (e.provider(), baseline_identity(&e.identity));
        let t = e.time;
        let quiet = self
            .keys
            .get_mut(&key)
            .filter(|s| s.last.add(self.window) <= t)
            .and_then(|s| s.episode.take());
        if let Some(ep) = quiet {
            self.close(&key, ep, out);
        }
        let (window, quiet, min_distinct) = (self.window, self.quiet_period, self.min_distinct);
        let mut store = lock(&self.store);
        store.record(ID_ENUM, &key.1, &api, t);
        let state = self.keys.entry(key.clone()).or_default();
        while state
            .window
            .front()
            .is_some_and(|c| c.time <= t.sub(window))
        {
            let c = state.window.pop_front().expect("front exists");
            if let Some(n) = state.per_api.get_mut(&c.api) {
                *n -= 1;
                if *n == 0 {
                    state.per_api.remove(&c.api);
                }
            }
        }
        *state.per_api.entry(api.clone()).or_default() += 1;
        state.window.push_back(Call {
            time: t,
            api,
            identity: e.identity.clone(),
            account: e.account.clone(),
            source_ip: e.source_ip.clone(),
            origin: e.origin.clone(),
        });
        state.last = t;
        let distinct = state.per_api.len();
        if let Some(ep) = &mut state.episode {
            ep.add(state.window.back().expect("just pushed"));
        } else if distinct >= min_distinct {
            let start = state.window.front().map_or(t, |c| c.time);
            if start >= state.busy_until {
                let previous = store.last_seen_before(ID_ENUM, &key.1, start);
                match previous {
                    // Within the quiet period: start − quiet < p.
                    Some(p) if p > start.sub(quiet) => state.busy_until = p.add(quiet),
                    _ => {
                        let first = state.window.front().expect("window holds this call");
                        let mut ep = Episode {
                            start,
                            identity: first.identity.clone(),
                            account: first.account.clone(),
                            previous,
                            calls: 0,
                            apis: Vec::new(),
                            api_set: HashSet::default(),
                            ips: Vec::new(),
                            first: start,
                            last: start,
                            peak_distinct: 0,
                            evidence: Vec::new(),
                        };
                        for c in &state.window {
                            ep.add(c);
                        }
                        state.episode = Some(ep);
                    }
                }
            }
        }
        if let Some(ep) = &mut state.episode {
            ep.peak_distinct = ep.peak_distinct.max(distinct as u64);
        }
        drop(store);
        self.schedule.at(t.add(window), key);
    }

    fn store(&self) -> Option<SharedStore> {
        Some(std::sync::Arc::clone(&self.store))
    }

    /// Most identities enumerate every day and can never be quiet; which ones can is known
    /// from history once the input is read (`deferred_keys`), so the calls are set aside.
    fn ahead(&self, e: &Event, h: &mut PendingHistory, summary: Option<&mut Summary>) -> Needs {
        let identity = baseline_identity(&e.identity);
        if let Some(api) = enumeration_api(e) {
            h.record_at(ID_ENUM, &identity, &api, e.time);
        }
        if let Some(days) = summary.and_then(|s| s.downcast_mut::<ScanDays>()) {
            let day = e.time.day();
            match days.get_mut(identity.as_str()) {
                Some(seen) => {
                    seen.insert(day);
                }
                None => {
                    days.insert(identity.clone(), BTreeSet::from([day]));
                }
            }
        }
        Needs::Deferred(identity)
    }

    fn defers(&self) -> bool {
        true
    }

    /// What `wants`, `observe` and the duplicate test read.
    fn deferred_fields(&self) -> KeepFields {
        KeepFields::IDENTITY
            .and(KeepFields::ACCOUNT)
            .and(KeepFields::SOURCE_IP)
            .and(KeepFields::ACTION)
            .and(KeepFields::EVENT_ID)
    }

    fn new_summary(&self) -> Option<Summary> {
        Some(Box::new(ScanDays::default()))
    }

    fn merge_summaries(&self, into: &mut Summary, from: Summary) {
        if let (Some(into), Ok(from)) =
            (into.downcast_mut::<ScanDays>(), from.downcast::<ScanDays>())
        {
            for (identity, days) in *from {
                into.entry(identity).or_default().extend(days);
            }
        }
    }

    fn accept_summary(&mut self, summary: Summary) {
        if let Ok(days) = summary.downcast::<ScanDays>() {
            self.scan_days = Some(*days);
        }
    }

    /// The identities that can open an episode. An episode opens only on a window whose
    /// first call had no call in the quiet period before it: with a quiet period of a day or
    /// more, that is the first call s of its UTC day, and the window [s, s + window) must hold
    /// `min_distinct` APIs. Both are read from the complete history (per API and day, the
    /// first call), with the same quiet test as `observe`.
    fn deferred_keys(&self) -> Option<HashSet<String>> {
        if self.quiet_period < Duration::secs(86_400) {
            return None;
        }
        let days = self.scan_days.as_ref()?;
        let store = lock(&self.store);
        let mut keys: HashSet<String> = HashSet::default();
        for (identity, day) in days
            .iter()
            .flat_map(|(identity, days)| days.iter().map(move |d| (identity, d)))
        {
            if keys.contains(identity) {
                continue;
            }
            let firsts = store.firsts_on_day(ID_ENUM, identity, *day);
            let Some(s) = firsts.iter().map(|(_, t)| *t).min() else {
                continue;
            };
            if store
                .last_seen_before(ID_ENUM, identity, s)
                .is_some_and(|p| p > s.sub(self.quiet_period))
            {
                continue;
            }
            let end = s.add(self.window);
            let mut apis: HashSet<String> = firsts
                .into_iter()
                .filter(|(_, t)| *t < end)
                .map(|(a, _)| a)
                .collect();
            let mut next = *day + 1;
            while Timestamp(end.0 - 1).day() >= next {
                apis.extend(
                    store
                        .firsts_on_day(ID_ENUM, identity, next)
                        .into_iter()
                        .filter(|(_, t)| *t < end)
                        .map(|(a, _)| a),
                );
                next += 1;
            }
            if apis.len() >= self.min_distinct {
                keys.insert(identity.clone());
            }
        }
        Some(keys)
    }

    fn advance(&mut self, watermark: Timestamp, out: &mut Vec<Alert>) {
        let quiet = window::take_quiet(
            &mut self.schedule,
            &mut self.keys,
            |s| s.last,
            self.window,
            watermark,
        );
        for (k, state) in quiet {
            if let Some(ep) = state.episode {
                self.close(&k, ep, out);
            }
        }
    }
    fn finish(&mut self, out: &mut Vec<Alert>) {
        for (k, state) in window::take_all(&mut self.schedule, &mut self.keys) {
            if let Some(ep) = state.episode {
                self.close(&k, ep, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Origin;

    fn ev(provider: Provider, log: LogFormat, action: &str) -> Event {
        let mut e = Event::new(provider, log, Timestamp(0), Origin::default());
        e.action = action.into();
        e
    }

    #[test]
    fn enumeration_calls() {
        let aws = |a| enumeration_api(&ev(Provider::Aws, LogFormat::CloudTrail, a));
        assert_eq!(aws("ListBuckets").as_deref(), Some("ListBuckets"));
        assert_eq!(
            aws("DescribeInstances").as_deref(),
            Some("DescribeInstances")
        );
        assert_eq!(
            aws("GetCallerIdentity").as_deref(),
            Some("GetCallerIdentity")
        );
        assert_eq!(
            aws("ListFunctions20150331").as_deref(),
            Some("ListFunctions")
        );
        assert_eq!(aws("CreateAccessKey"), None);
        assert_eq!(aws("ConsoleLogin"), None);
        let azure = |a| enumeration_api(&ev(Provider::Azure, LogFormat::AzureActivity, a));
        assert_eq!(
            azure("Microsoft.Compute/virtualMachines/READ").as_deref(),
            Some("microsoft.compute/virtualmachines/read")
        );
        assert_eq!(azure("Microsoft.Compute/virtualMachines/write"), None);
        let gcp = |a| enumeration_api(&ev(Provider::Gcp, LogFormat::GcpAudit, a));
        assert_eq!(
            gcp("storage.buckets.list").as_deref(),
            Some("storage.buckets.list")
        );
        assert_eq!(
            gcp("v1.compute.instances.get").as_deref(),
            Some("v1.compute.instances.get")
        );
        assert_eq!(gcp("storage.objects.create"), None);
        assert_eq!(
            enumeration_api(&ev(Provider::Aws, LogFormat::S3Access, "REST.GET.BUCKET")),
            None
        );
    }
}
