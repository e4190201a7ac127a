//! `tenant-enumeration`: bursts of perimeter requests to the Entra `GetCredentialType`
//! endpoint from one source IP: at least `min_requests` within `window` (sliding;
//! u − w < t ≤ u). One alert per episode, as for `password-spray`.
//!
//! The endpoint is matched by the last segment of the `path` parameter, case-insensitively,
//! so `/common/GetCredentialType`, `/organizations/GetCredentialType` and
//! `/<tenant>/GetCredentialType` all count: the tenant segment is the attacker's choice.
//! Invalid accounts leave no sign-in record, so perimeter logs are the only trace (SPEC).

use super::catalogue::RuleSpec;
use super::context::{Context, Setup};
use super::discovery::MAX_EVIDENCE;
use super::keyed::Keyed;
use super::rule::{Interest, Rule};
use super::window;
use crate::event::alert::Signals;
use crate::event::{Duration, Event, Fields, LogFormat, Provider, Severity, Timestamp};
use serde::Deserialize;
use std::collections::VecDeque;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub min_requests: u64,
    pub window: Duration,
    /// The endpoint, matched by its last segment.
    pub path: String,
}

const MAX_USER_AGENTS: usize = 10;
const MAX_HOSTS: usize = 10;

#[derive(serde::Serialize, serde::Deserialize)]
struct Request {
    time: Timestamp,
    user_agent: String,
    host: String,
    provider: Provider,
    origin: String,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Episode {
    start: Timestamp,
    first: Timestamp,
    last: Timestamp,
    requests: u64,
    user_agents: Vec<String>,
    hosts: Vec<String>,
    provider: Provider,
    evidence: Vec<String>,
    /// The requests' user agents; the source address (the key) is added when it closes.
    signals: Signals,
    peak: u64,
}

/// Adds `v` to a first-appearance list of at most `max` distinct non-empty values.
fn push_distinct(list: &mut Vec<String>, v: &str, max: usize) {
    if !v.is_empty() && list.len() < max && !list.iter().any(|x| x == v) {
        list.push(v.to_string());
    }
}

impl window::Episode<Request> for Episode {
    fn add(&mut self, r: &Request) {
        if self.requests == 0 {
            self.first = r.time;
            self.provider = r.provider;
        }
        self.requests += 1;
        self.last = self.last.max(r.time);
        push_distinct(&mut self.user_agents, &r.user_agent, MAX_USER_AGENTS);
        push_distinct(&mut self.hosts, &r.host, MAX_HOSTS);
        if self.evidence.len() < MAX_EVIDENCE {
            self.evidence.push(r.origin.clone());
        }
        self.signals.add(&r.user_agent, "", "");
    }
}

#[derive(Default, serde::Serialize, serde::Deserialize)]
pub struct IpState {
    window: VecDeque<Request>,
    episode: Option<Episode>,
    last: Timestamp,
}

pub type State = Keyed<String, IpState>;

pub struct TenantEnumeration {
    spec: RuleSpec,
    severity: Severity,
    p: Params,
    /// `/getcredentialtype`: the path's last segment, lower-cased, with its slash.
    endpoint: String,
}

impl TenantEnumeration {
    fn close(&self, ip: &str, ep: Episode, cx: &mut Context<'_>) {
        let signals = ep.signals.clone().keyed_by_source(ip);
        let mut g = Fields::default();
        g.push("source_ip", ip);
        let mut f = Fields::default();
        f.push("SourceIP", ip);
        f.push("Requests", ep.requests);
        f.push("UserAgents", ep.user_agents.clone());
        f.push("Hosts", ep.hosts.clone());
        f.push("PeakWindowRequests", ep.peak);
        f.push("FirstSeen", ep.first.to_string());
        f.push("LastSeen", ep.last.to_string());
        let alert = self
            .spec
            .alert(g, ep.start, ep.last)
            // The episode's start identifies it; its end depends on how much later data came.
            .id_from(ep.start, ep.start, "")
            .provider(ep.provider)
            .severity(self.severity)
            .seen(ep.first, ep.last, ep.requests)
            .fields(f)
            .evidence(ep.evidence)
            .signals(signals)
            .build();
        cx.emit(alert);
    }
}

impl Rule for TenantEnumeration {
    type Params = Params;
    type State = State;
    const CATALOGUE: &'static str = include_str!("catalogue/tenant-enumeration.toml");

    fn build(spec: RuleSpec, p: Params, _: &Setup<'_>) -> Result<Self, String> {
        let segment = p
            .path
            .trim()
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_lowercase();
        Ok(TenantEnumeration {
            severity: spec.default_severity().unwrap_or(Severity::Medium),
            spec,
            endpoint: format!("/{segment}"),
            p,
        })
    }

    fn spec(&self) -> &RuleSpec {
        &self.spec
    }

    fn interest(&self) -> Interest {
        Interest::All
    }

    fn wants(&self, e: &Event) -> bool {
        let (path, end) = (e.action.as_bytes(), self.endpoint.as_bytes());
        e.log() == LogFormat::HttpAccess
            && !e.source_ip.is_empty()
            && end.len() > 1
            && path.len() >= end.len()
            && path[path.len() - end.len()..].eq_ignore_ascii_case(end)
    }

    fn observe(&self, st: &mut State, e: &Event, cx: &mut Context<'_>) {
        let ip = e.source_ip.clone();
        // An episode that went quiet for a whole window before this request is over.
        let quiet = st
            .get_mut(&ip)
            .filter(|s| s.last.add(self.p.window) <= e.time)
            .and_then(|s| s.episode.take());
        if let Some(ep) = quiet {
            self.close(&ip, ep, cx);
        }
        let (window, min_requests) = (self.p.window, self.p.min_requests);
        let state = st.entry(ip.clone());
        while state
            .window
            .front()
            .is_some_and(|r| r.time <= e.time.sub(window))
        {
            state.window.pop_front();
        }
        state.window.push_back(Request {
            time: e.time,
            user_agent: e.user_agent.clone(),
            host: e.service.clone(),
            provider: e.provider(),
            origin: e.origin.to_string(),
        });
        state.last = e.time;
        let requests = state.window.len() as u64;
        let open = |first: &Request| Episode {
            start: first.time,
            first: first.time,
            last: first.time,
            requests: 0,
            user_agents: Vec::new(),
            hosts: Vec::new(),
            provider: e.provider(),
            evidence: Vec::new(),
            signals: Signals::default(),
            peak: 0,
        };
        let qualifies = requests >= min_requests;
        if let Some(ep) = window::extend_or_open(&mut state.episode, &state.window, qualifies, open)
        {
            ep.peak = ep.peak.max(requests);
        }
        st.expire_at(e.time.add(window), ip);
    }

    fn advance(&self, st: &mut State, watermark: Timestamp, cx: &mut Context<'_>) {
        for (ip, state) in st.take_quiet(watermark, self.p.window, |s| s.last) {
            if let Some(ep) = state.episode {
                self.close(&ip, ep, cx);
            }
        }
    }
}
