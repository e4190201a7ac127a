//! `cloud-discovery-burst`: the seed's T1580 Sentinel query, literally (SPEC §5). Groups by
//! the identity and account as logged and a 15-minute epoch-aligned bin (KQL `bin()`).

use super::catalogue::{Params, RuleSpec};
use super::discovery::{group, risk_score, seed_fields, severity_for, DiscoveryAgg};
use super::rule::{Interest, Rule};
use crate::collections::{HashMap, HashSet};
use crate::event::{alert_id, Alert, Duration, Event, LogFormat, Provider, Timestamp};
use std::collections::BTreeMap;

type Key = (Provider, String, String);

pub struct CloudDiscoveryBurst {
    spec: RuleSpec,
    window: Duration,
    min_count: u64,
    min_distinct: u64,
    max_apis: usize,
    max_ips: usize,
    aws: HashSet<String>,
    azure: HashSet<String>,
    gcp: HashSet<String>,
    bins: HashMap<Key, (Timestamp, DiscoveryAgg)>,
    /// Bin start → keys with a bin open there, so closing is O(closed bins).
    schedule: BTreeMap<Timestamp, Vec<Key>>,
}

impl CloudDiscoveryBurst {
    pub fn new(spec: RuleSpec, p: &Params) -> CloudDiscoveryBurst {
        CloudDiscoveryBurst {
            spec,
            window: p.duration("window"),
            min_count: p.int("min_count") as u64,
            min_distinct: p.int("min_distinct") as u64,
            max_apis: p.int("max_api_list") as usize,
            max_ips: p.int("max_source_ips") as usize,
            aws: p.strings("aws_apis").into_iter().collect(),
            azure: p
                .strings("azure_operations")
                .into_iter()
                .map(|s| s.to_lowercase())
                .collect(),
            gcp: p.strings("gcp_methods").into_iter().collect(),
            bins: HashMap::default(),
            schedule: BTreeMap::new(),
        }
    }

    fn close(&mut self, key: Key, out: &mut Vec<Alert>) {
        let Some((start, agg)) = self.bins.remove(&key) else {
            return;
        };
        let distinct = agg.distinct_apis();
        if agg.count < self.min_count && distinct < self.min_distinct {
            return;
        }
        let (provider, identity, account) = key;
        let score = risk_score(distinct, agg.count);
        let g = group(&identity, &account);
        let end = start.add(self.window);
        out.push(Alert {
            schema: crate::event::alert::ALERT_SCHEMA,
            id: alert_id(&self.spec.id, &g, start, end, ""),
            rule: self.spec.id.clone(),
            title: self.spec.title.clone(),
            attack: self.spec.attack.clone(),
            severity: severity_for(score),
            risk_score: score,
            provider,
            group: g,
            window_start: start,
            window_end: end,
            first_seen: agg.first,
            last_seen: agg.last,
            count: agg.count,
            fields: seed_fields(
                start, provider, &identity, &account, agg.count, distinct, &agg, score,
            ),
            evidence: agg.evidence,
            suppressed: false,
            reason: None,
            notes: Vec::new(),
        });
    }
}

impl Rule for CloudDiscoveryBurst {
    fn id(&self) -> &str {
        &self.spec.id
    }

    fn interest(&self) -> Interest {
        Interest::CloudTrailNames(self.aws.clone())
    }

    fn wants(&self, e: &Event) -> bool {
        match (e.provider(), e.log()) {
            // `isnotempty(UserIdentityArn)`: a failed sign-in carries a user name, not an ARN.
            (Provider::Aws, LogFormat::CloudTrail) => {
                e.identity.starts_with("arn:") && self.aws.contains(&e.action)
            }
            (Provider::Azure, LogFormat::AzureActivity) => {
                e.status.eq_ignore_ascii_case("success")
                    && self.azure.contains(&e.action.to_lowercase())
            }
            (Provider::Gcp, LogFormat::GcpAudit) => {
                !e.identity.is_empty() && self.gcp.contains(&e.action)
            }
            _ => false,
        }
    }

    fn observe(&mut self, e: &Event, out: &mut Vec<Alert>) {
        let bin = e.time.bin(self.window);
        let key: Key = (e.provider(), e.identity.clone(), e.account.clone());
        match self.bins.get(&key) {
            Some((start, _)) if *start == bin => {}
            Some(_) => {
                // Input is in time order, so an older bin of this key is complete.
                self.close(key.clone(), out);
                self.bins.insert(
                    key.clone(),
                    (bin, DiscoveryAgg::new(self.max_apis, self.max_ips)),
                );
                self.schedule.entry(bin).or_default().push(key.clone());
            }
            None => {
                self.bins.insert(
                    key.clone(),
                    (bin, DiscoveryAgg::new(self.max_apis, self.max_ips)),
                );
                self.schedule.entry(bin).or_default().push(key.clone());
            }
        }
        // Azure counts resource groups as its "regions" (DistinctResourceGroups).
        let region = if e.provider() == Provider::Azure {
            &e.resource_group
        } else {
            &e.region
        };
        if let Some((_, agg)) = self.bins.get_mut(&key) {
            agg.add(e, &e.action, region);
        }
    }

    fn advance(&mut self, watermark: Timestamp, out: &mut Vec<Alert>) {
        while let Some((&start, _)) = self.schedule.first_key_value() {
            if start.add(self.window) > watermark {
                break;
            }
            let (_, keys) = self.schedule.pop_first().unwrap();
            for k in keys {
                if self.bins.get(&k).is_some_and(|(s, _)| *s == start) {
                    self.close(k, out);
                }
            }
        }
    }

    fn finish(&mut self, out: &mut Vec<Alert>) {
        self.advance(Timestamp(i64::MAX), out);
    }
}

/// The seed's `sort by RiskScore desc, DiscoveryCount desc`, then a stable tie-break.
pub fn seed_order(a: &Alert, b: &Alert) -> std::cmp::Ordering {
    b.risk_score
        .cmp(&a.risk_score)
        .then(b.count.cmp(&a.count))
        .then(a.window_start.cmp(&b.window_start))
        .then_with(|| a.id.cmp(&b.id))
}
