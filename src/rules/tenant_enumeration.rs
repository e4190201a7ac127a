//! `tenant-enumeration`: bursts of perimeter requests to the Entra `GetCredentialType`
//! endpoint from one source IP: at least `min_requests` within `window` (sliding;
//! u − w < t ≤ u). One alert per episode, as for `password-spray`.
//!
//! The endpoint is matched by the last segment of the `path` parameter, case-insensitively,
//! so `/common/GetCredentialType`, `/organizations/GetCredentialType` and
//! `/<tenant>/GetCredentialType` all count: the tenant segment is the attacker's choice.
//! Invalid accounts leave no sign-in record, so perimeter logs are the only trace (SPEC).

use super::catalogue::{Params, RuleSpec};
use super::discovery::MAX_EVIDENCE;
use super::rule::{Interest, Rule};
use super::window::{self, Expiry};
use crate::collections::HashMap;
use crate::config::Config;
use crate::event::{
    alert_id, Alert, Duration, Event, Fields, LogFormat, Provider, Severity, Timestamp,
};
use std::collections::VecDeque;

const MAX_USER_AGENTS: usize = 10;
const MAX_HOSTS: usize = 10;

struct Request {
    time: Timestamp,
    user_agent: String,
    host: String,
    provider: Provider,
    origin: String,
}

struct Episode {
    start: Timestamp,
    first: Timestamp,
    last: Timestamp,
    requests: u64,
    user_agents: Vec<String>,
    hosts: Vec<String>,
    provider: Provider,
    evidence: Vec<String>,
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
    }
}

#[derive(Default)]
struct IpState {
    window: VecDeque<Request>,
    episode: Option<Episode>,
    last: Timestamp,
}

pub struct TenantEnumeration {
    spec: RuleSpec,
    severity: Severity,
    window: Duration,
    min_requests: u64,
    /// `/getcredentialtype`: the path's last segment, lower-cased, with its slash.
    endpoint: String,
    ips: HashMap<String, IpState>,
    schedule: Expiry<String>,
}

impl TenantEnumeration {
    pub fn new(spec: RuleSpec, p: &Params, _cfg: &Config) -> Self {
        let path = p.string("path");
        let segment = path
            .trim()
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_lowercase();
        TenantEnumeration {
            severity: spec.default_severity().unwrap_or(Severity::Medium),
            spec,
            window: p.duration("window"),
            min_requests: p.int("min_requests") as u64,
            endpoint: format!("/{segment}"),
            ips: HashMap::default(),
            schedule: Expiry::default(),
        }
    }

    fn close(&self, ip: &str, ep: Episode, out: &mut Vec<Alert>) {
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
        out.push(Alert {
            schema: crate::event::alert::ALERT_SCHEMA,
            // The episode's start identifies it; its end depends on how much later data came.
            id: alert_id(&self.spec.id, &g, ep.start, ep.start, ""),
            rule: self.spec.id.clone(),
            title: self.spec.title.clone(),
            attack: self.spec.attack.clone(),
            severity: self.severity,
            risk_score: self.severity.risk_score(),
            provider: ep.provider,
            group: g,
            window_start: ep.start,
            window_end: ep.last,
            first_seen: ep.first,
            last_seen: ep.last,
            count: ep.requests,
            fields: f,
            evidence: ep.evidence,
            suppressed: false,
            reason: None,
            notes: Vec::new(),
        });
    }
}

impl Rule for TenantEnumeration {
    fn id(&self) -> &str {
        &self.spec.id
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

    fn observe(&mut self, e: &Event, out: &mut Vec<Alert>) {
        let ip = e.source_ip.clone();
        // An episode that went quiet for a whole window before this request is over.
        let quiet = self
            .ips
            .get_mut(&ip)
            .filter(|s| s.last.add(self.window) <= e.time)
            .and_then(|s| s.episode.take());
        if let Some(ep) = quiet {
            self.close(&ip, ep, out);
        }
        let (window, min_requests) = (self.window, self.min_requests);
        let state = self.ips.entry(ip.clone()).or_default();
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
            peak: 0,
        };
        let qualifies = requests >= min_requests;
        if let Some(ep) = window::extend_or_open(&mut state.episode, &state.window, qualifies, open)
        {
            ep.peak = ep.peak.max(requests);
        }
        self.schedule.at(e.time.add(window), ip);
    }

    fn advance(&mut self, watermark: Timestamp, out: &mut Vec<Alert>) {
        let quiet = window::take_quiet(
            &mut self.schedule,
            &mut self.ips,
            |s| s.last,
            self.window,
            watermark,
        );
        for (ip, state) in quiet {
            if let Some(ep) = state.episode {
                self.close(&ip, ep, out);
            }
        }
    }
    fn finish(&mut self, out: &mut Vec<Alert>) {
        for (ip, state) in window::take_all(&mut self.schedule, &mut self.ips) {
            if let Some(ep) = state.episode {
                self.close(&ip, ep, out);
            }
        }
    }
}
