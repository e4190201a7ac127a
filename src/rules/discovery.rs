//! What both discovery rules aggregate per identity: the seed's columns (count, distinct
//! APIs, first-appearance API list, distinct regions, first source IPs, first/last seen)
//! and the evidence. Exact distinct counts; capped first-appearance lists.

use crate::collections::HashSet;
use crate::event::alert::Signals;
use crate::event::{Event, Fields, Provider, Severity, Timestamp};

pub const MAX_EVIDENCE: usize = 20;

#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct DiscoveryAgg {
    pub count: u64,
    pub apis: Vec<String>,
    api_set: HashSet<String>,
    regions: HashSet<String>,
    pub ips: Vec<String>,
    pub first: Timestamp,
    pub last: Timestamp,
    pub evidence: Vec<String>,
    /// The calls' user agents, sources and keys, for tuning (never a seed column).
    pub signals: Signals,
    max_apis: usize,
    max_ips: usize,
}

impl DiscoveryAgg {
    pub fn new(max_apis: usize, max_ips: usize) -> DiscoveryAgg {
        DiscoveryAgg {
            max_apis,
            max_ips,
            ..DiscoveryAgg::default()
        }
    }

    /// Adds one call; `api` and `region` are the values to count (as logged for the seed,
    /// normalized for the sliding rule).
    pub fn add(&mut self, e: &Event, api: &str, region: &str) {
        if self.count == 0 {
            self.first = e.time;
        }
        self.count += 1;
        self.last = self.last.max(e.time);
        if !self.api_set.contains(api) {
            self.api_set.insert(api.to_string());
            if self.apis.len() < self.max_apis {
                self.apis.push(api.to_string());
            }
        }
        // KQL dcount and make_set ignore empty values.
        if !region.is_empty() && !self.regions.contains(region) {
            self.regions.insert(region.to_string());
        }
        if !e.source_ip.is_empty()
            && self.ips.len() < self.max_ips
            && !self.ips.contains(&e.source_ip)
        {
            self.ips.push(e.source_ip.clone());
        }
        if self.evidence.len() < MAX_EVIDENCE {
            self.evidence.push(e.origin.to_string());
        }
        self.signals.add_event(e);
    }

    pub fn distinct_apis(&self) -> u64 {
        self.api_set.len() as u64
    }
    pub fn distinct_regions(&self) -> u64 {
        self.regions.len() as u64
    }
}

/// The seed's `case()` scoring.
pub fn risk_score(distinct: u64, count: u64) -> u8 {
    if distinct >= 10 && count >= 50 {
        90
    } else if distinct >= 7 && count >= 20 {
        70
    } else if distinct >= 5 || count >= 10 {
        50
    } else {
        30
    }
}

/// SPEC §4: 90 → high, 70 → medium, 50 (and below) → low.
pub fn severity_for(score: u8) -> Severity {
    match score {
        90.. => Severity::High,
        70.. => Severity::Medium,
        _ => Severity::Low,
    }
}

pub fn provider_label(p: Provider) -> &'static str {
    match p {
        Provider::Aws => "AWS",
        Provider::Azure => "Azure",
        Provider::Gcp => "GCP",
        Provider::Other => "Other",
    }
}

/// The seed's projected columns, in its order.
#[allow(clippy::too_many_arguments)]
pub fn seed_fields(
    time_generated: Timestamp,
    provider: Provider,
    identity: &str,
    account: &str,
    count: u64,
    distinct: u64,
    agg: &DiscoveryAgg,
    score: u8,
) -> Fields {
    let mut f = Fields::default();
    f.push("TimeGenerated", time_generated.to_string());
    f.push("CloudProvider", provider_label(provider));
    f.push("Identity", identity);
    f.push("AccountId", account);
    f.push("DiscoveryCount", count);
    f.push("DistinctAPIs", distinct);
    f.push("APIList", agg.apis.clone());
    f.push("DistinctRegions", agg.distinct_regions());
    f.push("SourceIPs", agg.ips.clone());
    f.push("FirstSeen", agg.first.to_string());
    f.push("LastSeen", agg.last.to_string());
    f.push("RiskScore", score);
    f
}

pub fn group(identity: &str, account: &str) -> Fields {
    let mut g = Fields::default();
    g.push("identity", identity);
    g.push("account", account);
    g
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn score_boundaries_of_the_seed() {
        assert_eq!(risk_score(10, 50), 90);
        assert_eq!(risk_score(10, 49), 70);
        assert_eq!(risk_score(7, 20), 70);
        assert_eq!(risk_score(7, 19), 50);
        assert_eq!(risk_score(4, 9), 30);
        assert_eq!(risk_score(5, 1), 50);
        assert_eq!(risk_score(1, 10), 50);
        assert_eq!(severity_for(90), Severity::High);
        assert_eq!(severity_for(70), Severity::Medium);
        assert_eq!(severity_for(50), Severity::Low);
    }
}
