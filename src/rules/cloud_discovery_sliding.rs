//! `cloud-discovery-sliding`: the seed's thresholds over a 15-minute sliding window on
//! normalized data. One alert per episode: it opens when a window first meets the
//! threshold and closes after a window's length without a discovery call; it carries the
//! peak counts. "Within w" follows SPEC §4: u − w < t ≤ u.

use super::catalogue::{Params, RuleSpec};
use super::discovery::{group, risk_score, seed_fields, severity_for, DiscoveryAgg};
use super::rule::{Interest, Rule};
use super::window::{self, Expiry};
use crate::collections::{HashMap, HashSet};
use crate::event::{alert_id, Alert, Duration, Event, LogFormat, Outcome, Provider, Timestamp};
use std::collections::VecDeque;

type Key = (Provider, String, String);

struct Call {
    time: Timestamp,
    api: String,
}

struct Episode {
    agg: DiscoveryAgg,
    start: Timestamp,
    peak_count: u64,
    peak_distinct: u64,
    peak_score: u8,
}

#[derive(Default)]
struct KeyState {
    window: VecDeque<(Call, Event)>,
    per_api: HashMap<String, u32>,
    episode: Option<Episode>,
    last: Timestamp,
}

pub struct CloudDiscoverySliding {
    spec: RuleSpec,
    window: Duration,
    min_count: u64,
    min_distinct: u64,
    max_apis: usize,
    max_ips: usize,
    aws: HashSet<String>,
    azure: HashSet<String>,
    gcp: HashSet<String>,
    keys: HashMap<Key, KeyState>,
    /// Expiry time → keys to look at then (lazily re-checked).
    schedule: Expiry<Key>,
}

/// `ListFunctions20150331` → `ListFunctions`: CloudTrail logs some APIs with their version.
pub fn strip_version(name: &str) -> &str {
    let digits = name.bytes().rev().take_while(u8::is_ascii_digit).count();
    if digits == 8 && name.len() > 8 {
        &name[..name.len() - 8]
    } else {
        name
    }
}

impl CloudDiscoverySliding {
    pub fn new(spec: RuleSpec, p: &Params, burst: &Params) -> CloudDiscoverySliding {
        CloudDiscoverySliding {
            spec,
            window: p.duration("window"),
            min_count: p.int("min_count") as u64,
            min_distinct: p.int("min_distinct") as u64,
            max_apis: p.int("max_api_list") as usize,
            max_ips: p.int("max_source_ips") as usize,
            aws: burst.strings("aws_apis").into_iter().collect(),
            azure: burst
                .strings("azure_operations")
                .into_iter()
                .map(|s| s.to_lowercase())
                .collect(),
            gcp: burst.strings("gcp_methods").into_iter().collect(),
            keys: HashMap::default(),
            schedule: Expiry::default(),
        }
    }

    fn api_of(&self, e: &Event) -> String {
        match e.provider() {
            Provider::Aws => strip_version(&e.action).to_string(),
            _ => e.action.to_lowercase(),
        }
    }

    fn close(&self, key: &Key, ep: Episode, out: &mut Vec<Alert>) {
        let (provider, identity, account) = key.clone();
        let g = group(&identity, &account);
        let mut fields = seed_fields(
            ep.start,
            provider,
            &identity,
            &account,
            ep.peak_count,
            ep.peak_distinct,
            &ep.agg,
            ep.peak_score,
        );
        fields.push("EpisodeCalls", ep.agg.count);
        fields.push("EpisodeDistinctAPIs", ep.agg.distinct_apis());
        out.push(Alert {
            schema: crate::event::alert::ALERT_SCHEMA,
            // The episode's start identifies it; its end depends on how much later data came.
            id: alert_id(&self.spec.id, &g, ep.start, ep.start, ""),
            rule: self.spec.id.clone(),
            title: self.spec.title.clone(),
            attack: self.spec.attack.clone(),
            severity: severity_for(ep.peak_score),
            risk_score: ep.peak_score,
            provider,
            group: g,
            window_start: ep.start,
            window_end: ep.agg.last,
            first_seen: ep.agg.first,
            last_seen: ep.agg.last,
            count: ep.agg.count,
            fields,
            evidence: ep.agg.evidence,
            suppressed: false,
            reason: None,
            notes: Vec::new(),
        });
    }
}

impl Rule for CloudDiscoverySliding {
    fn id(&self) -> &str {
        &self.spec.id
    }

    fn interest(&self) -> Interest {
        // The raw prefilter compares names after stripping version suffixes.
        Interest::CloudTrailNames(self.aws.clone())
    }

    fn wants(&self, e: &Event) -> bool {
        match (e.provider(), e.log()) {
            (Provider::Aws, LogFormat::CloudTrail) => {
                !e.identity.is_empty() && self.aws.contains(strip_version(&e.action))
            }
            (Provider::Azure, LogFormat::AzureActivity) => {
                e.outcome == Outcome::Success && self.azure.contains(&e.action.to_lowercase())
            }
            (Provider::Gcp, LogFormat::GcpAudit) => {
                !e.identity.is_empty() && self.gcp.contains(&e.action)
            }
            _ => false,
        }
    }

    fn observe(&mut self, e: &Event, out: &mut Vec<Alert>) {
        let key: Key = (e.provider(), e.identity.clone(), e.account.clone());
        // An episode that went quiet for a whole window before this call is over.
        let quiet = self
            .keys
            .get_mut(&key)
            .filter(|s| s.last.add(self.window) <= e.time)
            .and_then(|s| s.episode.take());
        if let Some(ep) = quiet {
            self.close(&key, ep, out);
        }
        let api = self.api_of(e);
        let (window, min_count, min_distinct, max_apis, max_ips) = (
            self.window,
            self.min_count,
            self.min_distinct,
            self.max_apis,
            self.max_ips,
        );
        let state = self.keys.entry(key.clone()).or_default();
        while let Some((c, _)) = state.window.front() {
            if c.time > e.time.sub(window) {
                break;
            }
            let (c, _) = state.window.pop_front().unwrap();
            if let Some(n) = state.per_api.get_mut(&c.api) {
                *n -= 1;
                if *n == 0 {
                    state.per_api.remove(&c.api);
                }
            }
        }
        *state.per_api.entry(api.clone()).or_default() += 1;
        state.window.push_back((
            Call {
                time: e.time,
                api: api.clone(),
            },
            e.clone(),
        ));
        state.last = e.time;
        let count = state.window.len() as u64;
        let distinct = state.per_api.len() as u64;
        let region = if e.provider() == Provider::Azure {
            e.resource_group.clone()
        } else {
            e.region.clone()
        };
        match &mut state.episode {
            Some(ep) => ep.agg.add(e, &api, &region),
            None if count >= min_count || distinct >= min_distinct => {
                let mut agg = DiscoveryAgg::new(max_apis, max_ips);
                for (c, ev) in &state.window {
                    let r = if ev.provider() == Provider::Azure {
                        &ev.resource_group
                    } else {
                        &ev.region
                    };
                    agg.add(ev, &c.api, r);
                }
                let start = state.window.front().map_or(e.time, |(c, _)| c.time);
                state.episode = Some(Episode {
                    agg,
                    start,
                    peak_count: 0,
                    peak_distinct: 0,
                    peak_score: 0,
                });
            }
            None => {}
        }
        if let Some(ep) = &mut state.episode {
            ep.peak_count = ep.peak_count.max(count);
            ep.peak_distinct = ep.peak_distinct.max(distinct);
            ep.peak_score = ep.peak_score.max(risk_score(distinct, count));
        }
        self.schedule.at(e.time.add(window), key);
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
    use super::strip_version;
    #[test]
    fn version_suffixes() {
        assert_eq!(strip_version("ListFunctions20150331"), "ListFunctions");
        assert_eq!(strip_version("ListFunctions"), "ListFunctions");
        assert_eq!(strip_version("GetBucketAcl"), "GetBucketAcl");
        assert_eq!(strip_version("DescribeInstances2"), "DescribeInstances2");
    }
}
