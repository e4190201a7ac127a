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

use super::catalogue::RuleSpec;
use super::cloud_discovery_sliding::strip_version;
use super::context::{Context, Facts, Setup};
use super::discovery::MAX_EVIDENCE;
use super::history::baseline_identity;
use super::keyed::Keyed;
use super::rule::{HistoryUse, Interest, Needs, Rule, WorkAhead};
use crate::collections::{HashMap, HashSet};
use crate::event::alert::Signals;
use crate::event::codec::KeepFields;
use crate::event::{Duration, Event, Fields, LogFormat, Origin, Provider, Severity, Timestamp};
use crate::state::Store;
use serde::Deserialize;
use std::collections::{BTreeSet, VecDeque};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub min_distinct: usize,
    pub window: Duration,
    pub quiet_period: Duration,
}

/// Store kind: enumeration calls of an identity.
pub const ID_ENUM: &str = "id-enum";

const MAX_APIS: usize = 50;
const MAX_SOURCE_IPS: usize = 10;

/// (provider, identity as baselines compare it).
type Key = (Provider, String);

#[derive(serde::Serialize, serde::Deserialize)]
struct Call {
    time: Timestamp,
    api: String,
    /// What an episode reports of the call; the whole event would be copied for every
    /// enumeration call, most of which never join an episode.
    identity: String,
    account: String,
    source_ip: String,
    user_agent: String,
    key_id: String,
    origin: Origin,
}

#[derive(serde::Serialize, serde::Deserialize)]
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
    signals: Signals,
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
        self.signals.add(&c.user_agent, &c.source_ip, &c.key_id);
    }
}

#[derive(Default, serde::Serialize, serde::Deserialize)]
pub struct KeyState {
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
}

#[derive(Default, serde::Serialize, serde::Deserialize)]
pub struct State {
    keys: Keyed<Key, KeyState>,
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
    let action = crate::text::trim(&e.action);
    is_enumeration(e).then(|| match e.provider() {
        Provider::Aws => strip_version(action).to_string(),
        _ => action.to_lowercase(),
    })
}

/// Whether `enumeration_api` has an answer, without building it.
fn is_enumeration(e: &Event) -> bool {
    let action = crate::text::trim(&e.action);
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
    /// The identity's latest enumeration call before `s`, and whether it leaves `s` quiet:
    /// no call in the quiet period before it (start − quiet < p is not quiet).
    fn previous_call(
        &self,
        store: &Store,
        identity: &str,
        s: Timestamp,
    ) -> (Option<Timestamp>, bool) {
        let previous = store.last_seen_before(ID_ENUM, identity, s);
        let quiet = previous.is_none_or(|p| p <= s.sub(self.quiet_period));
        (previous, quiet)
    }

    fn close(&self, key: &Key, ep: Episode, cx: &mut Context<'_>) {
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
        let alert = self
            .spec
            .alert(g, ep.start, ep.last)
            // The episode's start identifies it; its end depends on how much later data came.
            .id_from(ep.start, ep.start, "")
            .provider(key.0)
            .severity(self.severity)
            .seen(ep.first, ep.last, ep.calls)
            .fields(f)
            .evidence(ep.evidence)
            .signals(ep.signals)
            .build();
        cx.emit(alert);
    }
}

impl Rule for PostAuthEnumeration {
    type Params = Params;
    type State = State;
    const CATALOGUE: &'static str = include_str!("catalogue/post-auth-enumeration.toml");
    const HISTORY: HistoryUse = HistoryUse::ReadsAndWrites;

    fn build(spec: RuleSpec, p: Params, _: &Setup<'_>) -> Result<Self, String> {
        Ok(PostAuthEnumeration {
            severity: spec.default_severity().unwrap_or(Severity::High),
            spec,
            min_distinct: p.min_distinct.max(1),
            window: p.window,
            quiet_period: p.quiet_period,
        })
    }

    fn spec(&self) -> &RuleSpec {
        &self.spec
    }

    fn interest(&self) -> Interest {
        Interest::All
    }

    fn wants(&self, e: &Event) -> bool {
        !crate::text::trim(&e.identity).is_empty() && is_enumeration(e)
    }

    /// Every enumeration call of the identity, per API: the quiet test reads them.
    fn history(&self, e: &Event, facts: &mut dyn Facts) {
        if let Some(api) = enumeration_api(e) {
            facts.record(ID_ENUM, &baseline_identity(&e.identity), &api, e.time);
        }
    }

    fn observe(&self, st: &mut State, e: &Event, cx: &mut Context<'_>) {
        let Some(api) = enumeration_api(e) else {
            return;
        };
        let key: Key = (e.provider(), baseline_identity(&e.identity));
        let t = e.time;
        let (window, min_distinct) = (self.window, self.min_distinct);
        let quiet = st
            .keys
            .get_mut(&key)
            .filter(|s| s.last.add(window) <= t)
            .and_then(|s| s.episode.take());
        if let Some(ep) = quiet {
            self.close(&key, ep, cx);
        }
        let store = cx.history();
        let state = st.keys.entry(key.clone());
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
            user_agent: e.user_agent.clone(),
            key_id: e.key_id.clone(),
            origin: e.origin.clone(),
        });
        state.last = t;
        let distinct = state.per_api.len();
        if let Some(ep) = &mut state.episode {
            ep.add(state.window.back().expect("just pushed"));
        } else if distinct >= min_distinct {
            let start = state.window.front().map_or(t, |c| c.time);
            if start >= state.busy_until {
                let (previous, is_quiet) = self.previous_call(store, &key.1, start);
                match previous {
                    Some(p) if !is_quiet => state.busy_until = p.add(self.quiet_period),
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
                            signals: Signals::default(),
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
        st.keys.expire_at(t.add(window), key);
    }

    fn advance(&self, st: &mut State, watermark: Timestamp, cx: &mut Context<'_>) {
        for (k, state) in st.keys.take_quiet(watermark, self.window, |s| s.last) {
            if let Some(ep) = state.episode {
                self.close(&k, ep, cx);
            }
        }
    }
}

/// Most identities enumerate every day and can never be quiet; which ones can is known from
/// history once the input is read (`deferred_keys`), so the calls are set aside.
impl WorkAhead for PostAuthEnumeration {
    type Summary = ScanDays;
    const DEFERS: bool = true;

    fn plan(&self, e: &Event, days: &mut ScanDays) -> Needs {
        let identity = baseline_identity(&e.identity);
        let day = e.time.day();
        match days.get_mut(identity.as_str()) {
            Some(seen) => {
                seen.insert(day);
            }
            None => {
                days.insert(identity.clone(), BTreeSet::from([day]));
            }
        }
        Needs::Deferred(identity)
    }

    /// What `wants`, `observe` and the duplicate test read, and the alert's signals (user
    /// agent and key id: tuning decides on them).
    fn deferred_fields(&self) -> KeepFields {
        KeepFields::IDENTITY
            .and(KeepFields::ACCOUNT)
            .and(KeepFields::SOURCE_IP)
            .and(KeepFields::USER_AGENT)
            .and(KeepFields::KEY_ID)
            .and(KeepFields::ACTION)
            .and(KeepFields::EVENT_ID)
            .and(KeepFields::ORIGIN)
    }

    fn merge(&self, into: &mut ScanDays, from: ScanDays) {
        for (identity, days) in from {
            into.entry(identity).or_default().extend(days);
        }
    }

    fn accept(&self, st: &mut State, days: ScanDays) {
        st.scan_days = Some(days);
    }

    /// The identities that can open an episode. An episode opens only on a window whose
    /// first call had no call in the quiet period before it: with a quiet period of a day or
    /// more, that is the first call s of its UTC day, and the window [s, s + window) must hold
    /// `min_distinct` APIs. Both are read from the complete history (per API and day, the
    /// first call), with the same quiet test as `observe`.
    fn deferred_keys(&self, st: &mut State, store: &Store) -> Option<HashSet<String>> {
        if self.quiet_period < Duration::secs(86_400) {
            return None;
        }
        let days = st.scan_days.as_ref()?;
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
            if !self.previous_call(store, identity, s).1 {
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
