//! `bucket-enumeration`: from one source IP, at least `min_responses` S3 403/404 responses
//! to bucket enumeration requests for buckets named with an organisation prefix, within
//! `window` (sliding; u − w < t ≤ u). One alert per episode, as for `password-spray`.
//!
//! An enumeration request is a bucket-level read: in S3 server access logs the
//! `REST.GET.BUCKET` operation, or a request for the bucket root (`GET /`, `GET /?…`) or a
//! listing (`list-type=2`); in CloudTrail data events a bucket-level call (ListObjects,
//! HeadBucket, GetBucketAcl…) that failed with `AccessDenied` (403) or `NoSuchBucket` (404).
//! With no `[organisation] bucket_prefixes` configured the rule cannot tell the
//! organisation's names from anyone else's, and never fires.

use super::catalogue::RuleSpec;
use super::context::{Context, Setup};
use super::discovery::MAX_EVIDENCE;
use super::keyed::Keyed;
use super::rule::{Interest, Rule};
use super::window;
use crate::collections::HashSet;
use crate::event::alert::Signals;
use crate::event::{Duration, Event, Fields, LogFormat, Provider, Severity, Timestamp};
use serde::Deserialize;
use std::collections::{BTreeMap, VecDeque};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub min_responses: u64,
    pub window: Duration,
}

const MAX_BUCKETS: usize = 50;

/// CloudTrail names of bucket-level calls a bucket finder makes.
const CLOUDTRAIL_ENUMERATION: &[&str] = &[
    "ListObjects",
    "ListObjectsV2",
    "ListObjectVersions",
    "HeadBucket",
    "GetBucketAcl",
    "GetBucketLocation",
    "GetBucketPolicy",
    "GetBucketWebsite",
];

#[derive(serde::Serialize, serde::Deserialize)]
struct Response {
    time: Timestamp,
    bucket: String,
    status: u16,
    provider: Provider,
    origin: String,
    user_agent: String,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Episode {
    start: Timestamp,
    first: Timestamp,
    last: Timestamp,
    responses: u64,
    bucket_set: HashSet<String>,
    buckets: Vec<String>,
    statuses: BTreeMap<u16, u64>,
    provider: Provider,
    evidence: Vec<String>,
    /// The responses' user agents; the source address (the key) is added when it closes.
    signals: Signals,
    peak: u64,
}

impl window::Episode<Response> for Episode {
    fn add(&mut self, r: &Response) {
        if self.responses == 0 {
            self.first = r.time;
            self.provider = r.provider;
        }
        self.responses += 1;
        self.last = self.last.max(r.time);
        if self.bucket_set.insert(r.bucket.clone()) && self.buckets.len() < MAX_BUCKETS {
            self.buckets.push(r.bucket.clone());
        }
        *self.statuses.entry(r.status).or_default() += 1;
        if self.evidence.len() < MAX_EVIDENCE {
            self.evidence.push(r.origin.clone());
        }
        self.signals.add(&r.user_agent, "", "");
    }
}

#[derive(Default, serde::Serialize, serde::Deserialize)]
pub struct IpState {
    window: VecDeque<Response>,
    episode: Option<Episode>,
    last: Timestamp,
}

pub type State = Keyed<String, IpState>;

pub struct BucketEnumeration {
    spec: RuleSpec,
    severity: Severity,
    p: Params,
    /// Lower-cased: S3 bucket names are lower case, and a prefix written `Acme` means `acme`.
    prefixes: Vec<String>,
}

/// `GET / HTTP/1.1`, `GET /?list-type=2&prefix= HTTP/1.1`, and path-style `GET /acme-x/?…`.
fn is_enumeration_request(request: &str, bucket: &str) -> bool {
    let mut parts = request.split(' ');
    let (method, uri) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if uri.contains("list-type=2") {
        return true;
    }
    if !method.eq_ignore_ascii_case("GET") {
        return false;
    }
    let path = uri.split('?').next().unwrap_or("");
    let path = path.strip_prefix('/').unwrap_or(path);
    let path = path.strip_suffix('/').unwrap_or(path);
    path.is_empty() || path == bucket
}

/// The HTTP status of a qualifying response, or `None`.
fn enumeration_status(e: &Event) -> Option<u16> {
    match e.log() {
        LogFormat::S3Access => {
            let status = e.http_status.filter(|s| *s == 403 || *s == 404)?;
            (e.action == "REST.GET.BUCKET" || is_enumeration_request(&e.request, &e.resource))
                .then_some(status)
        }
        LogFormat::CloudTrail
            if e.service == "s3.amazonaws.com"
                && CLOUDTRAIL_ENUMERATION.contains(&e.action.as_str()) =>
        {
            match e.error_code.as_str() {
                "AccessDenied" => Some(403),
                "NoSuchBucket" => Some(404),
                _ => None,
            }
        }
        _ => None,
    }
}

impl BucketEnumeration {
    fn is_organisation_bucket(&self, bucket: &str) -> bool {
        let b = bucket.to_lowercase();
        self.prefixes.iter().any(|p| b.starts_with(p.as_str()))
    }

    fn close(&self, ip: &str, ep: Episode, cx: &mut Context<'_>) {
        let signals = ep.signals.clone().keyed_by_source(ip);
        let mut g = Fields::default();
        g.push("source_ip", ip);
        let statuses: serde_json::Map<String, serde_json::Value> = ep
            .statuses
            .iter()
            .map(|(s, n)| (s.to_string(), (*n).into()))
            .collect();
        let mut f = Fields::default();
        f.push("SourceIP", ip);
        f.push("Responses", ep.responses);
        f.push("DistinctBuckets", ep.bucket_set.len() as u64);
        f.push("Buckets", ep.buckets.clone());
        f.push("StatusCodes", serde_json::Value::Object(statuses));
        f.push("PeakWindowResponses", ep.peak);
        f.push("FirstSeen", ep.first.to_string());
        f.push("LastSeen", ep.last.to_string());
        let alert = self
            .spec
            .alert(g, ep.start, ep.last)
            // The episode's start identifies it; its end depends on how much later data came.
            .id_from(ep.start, ep.start, "")
            .provider(ep.provider)
            .severity(self.severity)
            .seen(ep.first, ep.last, ep.responses)
            .fields(f)
            .evidence(ep.evidence)
            .signals(signals)
            .build();
        cx.emit(alert);
    }
}

impl Rule for BucketEnumeration {
    type Params = Params;
    type State = State;
    const CATALOGUE: &'static str = include_str!("catalogue/bucket-enumeration.toml");

    fn build(spec: RuleSpec, p: Params, setup: &Setup<'_>) -> Result<Self, String> {
        Ok(BucketEnumeration {
            severity: spec.default_severity().unwrap_or(Severity::Medium),
            spec,
            p,
            prefixes: setup
                .config
                .organisation
                .bucket_prefixes
                .iter()
                .map(|p| p.trim().to_lowercase())
                .filter(|p| !p.is_empty())
                .collect(),
        })
    }

    fn spec(&self) -> &RuleSpec {
        &self.spec
    }

    fn interest(&self) -> Interest {
        Interest::All
    }

    fn wants(&self, e: &Event) -> bool {
        !self.prefixes.is_empty()
            && !e.source_ip.is_empty()
            && enumeration_status(e).is_some()
            && self.is_organisation_bucket(&e.resource)
    }

    fn observe(&self, st: &mut State, e: &Event, cx: &mut Context<'_>) {
        let Some(status) = enumeration_status(e) else {
            return;
        };
        let ip = e.source_ip.clone();
        // An episode that went quiet for a whole window before this response is over.
        let quiet = st
            .get_mut(&ip)
            .filter(|s| s.last.add(self.p.window) <= e.time)
            .and_then(|s| s.episode.take());
        if let Some(ep) = quiet {
            self.close(&ip, ep, cx);
        }
        let (window, min_responses) = (self.p.window, self.p.min_responses);
        let state = st.entry(ip.clone());
        while state
            .window
            .front()
            .is_some_and(|r| r.time <= e.time.sub(window))
        {
            state.window.pop_front();
        }
        state.window.push_back(Response {
            time: e.time,
            bucket: e.resource.clone(),
            status,
            provider: e.provider(),
            origin: e.origin.to_string(),
            user_agent: e.user_agent.clone(),
        });
        state.last = e.time;
        let responses = state.window.len() as u64;
        let open = |first: &Response| Episode {
            start: first.time,
            first: first.time,
            last: first.time,
            responses: 0,
            bucket_set: HashSet::default(),
            buckets: Vec::new(),
            statuses: BTreeMap::new(),
            provider: e.provider(),
            evidence: Vec::new(),
            signals: Signals::default(),
            peak: 0,
        };
        let qualifies = responses >= min_responses;
        if let Some(ep) = window::extend_or_open(&mut state.episode, &state.window, qualifies, open)
        {
            ep.peak = ep.peak.max(responses);
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

#[cfg(test)]
mod tests {
    use super::is_enumeration_request;
    #[test]
    fn enumeration_requests() {
        assert!(is_enumeration_request("GET / HTTP/1.1", "acme-logs"));
        assert!(is_enumeration_request(
            "GET /?list-type=2&prefix= HTTP/1.1",
            "acme-logs"
        ));
        assert!(is_enumeration_request(
            "GET /acme-logs?list-type=2 HTTP/1.1",
            "acme-logs"
        ));
        assert!(is_enumeration_request(
            "GET /acme-logs/ HTTP/1.1",
            "acme-logs"
        ));
        assert!(!is_enumeration_request(
            "GET /reports/q1.pdf HTTP/1.1",
            "acme-logs"
        ));
        assert!(!is_enumeration_request("PUT / HTTP/1.1", "acme-logs"));
        assert!(!is_enumeration_request("", "acme-logs"));
    }
}
