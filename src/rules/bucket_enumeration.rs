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

use super::catalogue::{Params, RuleSpec};
use super::discovery::MAX_EVIDENCE;
use super::rule::{Interest, Rule};
use super::window::{self, Expiry};
use crate::collections::{HashMap, HashSet};
use crate::config::Config;
use crate::event::{
    alert_id, Alert, Duration, Event, Fields, LogFormat, Provider, Severity, Timestamp,
};
use std::collections::{BTreeMap, VecDeque};

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

struct Response {
    time: Timestamp,
    bucket: String,
    status: u16,
    provider: Provider,
    origin: String,
}

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
    }
}

#[derive(Default)]
struct IpState {
    window: VecDeque<Response>,
    episode: Option<Episode>,
    last: Timestamp,
}

pub struct BucketEnumeration {
    spec: RuleSpec,
    severity: Severity,
    window: Duration,
    min_responses: u64,
    /// Lower-cased: S3 bucket names are lower case, and a prefix written `Acme` means `acme`.
    prefixes: Vec<String>,
    ips: HashMap<String, IpState>,
    schedule: Expiry<String>,
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
    pub fn new(spec: RuleSpec, p: &Params, cfg: &Config) -> Self {
        BucketEnumeration {
            severity: spec.default_severity().unwrap_or(Severity::Medium),
            spec,
            window: p.duration("window"),
            min_responses: p.int("min_responses") as u64,
            prefixes: cfg
                .organisation
                .bucket_prefixes
                .iter()
                .map(|p| p.trim().to_lowercase())
                .filter(|p| !p.is_empty())
                .collect(),
            ips: HashMap::default(),
            schedule: Expiry::default(),
        }
    }

    fn is_organisation_bucket(&self, bucket: &str) -> bool {
        let b = bucket.to_lowercase();
        self.prefixes.iter().any(|p| b.starts_with(p.as_str()))
    }

    fn close(&self, ip: &str, ep: Episode, out: &mut Vec<Alert>) {
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
            count: ep.responses,
            fields: f,
            evidence: ep.evidence,
            suppressed: false,
            reason: None,
            notes: Vec::new(),
        });
    }
}

impl Rule for BucketEnumeration {
    fn id(&self) -> &str {
        &self.spec.id
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

    fn observe(&mut self, e: &Event, out: &mut Vec<Alert>) {
        let Some(status) = enumeration_status(e) else {
            return;
        };
        let ip = e.source_ip.clone();
        // An episode that went quiet for a whole window before this response is over.
        let quiet = self
            .ips
            .get_mut(&ip)
            .filter(|s| s.last.add(self.window) <= e.time)
            .and_then(|s| s.episode.take());
        if let Some(ep) = quiet {
            self.close(&ip, ep, out);
        }
        let (window, min_responses) = (self.window, self.min_responses);
        let state = self.ips.entry(ip.clone()).or_default();
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
            peak: 0,
        };
        let qualifies = responses >= min_responses;
        if let Some(ep) = window::extend_or_open(&mut state.episode, &state.window, qualifies, open)
        {
            ep.peak = ep.peak.max(responses);
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
