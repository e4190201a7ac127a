//! `cloud-discovery-burst`: the seed's T1580 Sentinel query, literally (SPEC §5). Groups by
//! the identity and account as logged and a 15-minute epoch-aligned bin (KQL `bin()`).

use super::catalogue::RuleSpec;
use super::context::{Context, Setup};
use super::discovery::{group, risk_score, seed_fields, severity_for, DiscoveryAgg};
use super::rule::{Interest, Rule};
use crate::collections::{HashMap, HashSet};
use crate::event::{Alert, Duration, Event, LogFormat, Provider, Timestamp};
use serde::Deserialize;
use std::collections::BTreeMap;

type Key = (Provider, String, String);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub window: Duration,
    pub min_count: u64,
    pub min_distinct: u64,
    pub max_api_list: usize,
    pub max_source_ips: usize,
    pub aws_apis: Vec<String>,
    pub azure_operations: Vec<String>,
    pub gcp_methods: Vec<String>,
}

/// The seed's three API lists, as both discovery rules match them.
pub struct DiscoveryApis {
    pub aws: HashSet<String>,
    /// Lower-cased: Azure operations are compared case-insensitively.
    pub azure: HashSet<String>,
    pub gcp: HashSet<String>,
}

impl DiscoveryApis {
    pub fn new(p: &Params) -> DiscoveryApis {
        DiscoveryApis {
            aws: p.aws_apis.iter().cloned().collect(),
            azure: p
                .azure_operations
                .iter()
                .map(|s| s.to_lowercase())
                .collect(),
            gcp: p.gcp_methods.iter().cloned().collect(),
        }
    }
}

pub struct CloudDiscoveryBurst {
    spec: RuleSpec,
    p: Params,
    apis: DiscoveryApis,
}

#[derive(Default, serde::Serialize, serde::Deserialize)]
pub struct State {
    bins: HashMap<Key, (Timestamp, DiscoveryAgg)>,
    /// Bin start → keys with a bin open there, so closing is O(closed bins).
    schedule: BTreeMap<Timestamp, Vec<Key>>,
}

impl CloudDiscoveryBurst {
    fn close(&self, st: &mut State, key: Key, cx: &mut Context<'_>) {
        let Some((start, agg)) = st.bins.remove(&key) else {
            return;
        };
        let distinct = agg.distinct_apis();
        if agg.count < self.p.min_count && distinct < self.p.min_distinct {
            return;
        }
        let (provider, identity, account) = key;
        let score = risk_score(distinct, agg.count);
        let fields = seed_fields(
            start, provider, &identity, &account, agg.count, distinct, &agg, score,
        );
        let alert = self
            .spec
            .alert(group(&identity, &account), start, start.add(self.p.window))
            .provider(provider)
            .risk(score, severity_for(score))
            .seen(agg.first, agg.last, agg.count)
            .fields(fields)
            .evidence(agg.evidence)
            .signals(agg.signals)
            .seed_columns_only()
            .build();
        cx.emit(alert);
    }
}

impl Rule for CloudDiscoveryBurst {
    type Params = Params;
    type State = State;
    const CATALOGUE: &'static str = include_str!("catalogue/cloud-discovery-burst.toml");

    fn build(spec: RuleSpec, p: Params, _: &Setup<'_>) -> Result<Self, String> {
        Ok(CloudDiscoveryBurst {
            spec,
            apis: DiscoveryApis::new(&p),
            p,
        })
    }

    fn spec(&self) -> &RuleSpec {
        &self.spec
    }

    fn interest(&self) -> Interest {
        Interest::CloudTrailNames(self.apis.aws.clone())
    }

    fn wants(&self, e: &Event) -> bool {
        match (e.provider(), e.log()) {
            // `isnotempty(UserIdentityArn)`: a failed sign-in carries a user name, not an ARN.
            (Provider::Aws, LogFormat::CloudTrail) => {
                e.identity.starts_with("arn:") && self.apis.aws.contains(&e.action)
            }
            (Provider::Azure, LogFormat::AzureActivity) => {
                e.status.eq_ignore_ascii_case("success")
                    && self.apis.azure.contains(&e.action.to_lowercase())
            }
            (Provider::Gcp, LogFormat::GcpAudit) => {
                !e.identity.is_empty() && self.apis.gcp.contains(&e.action)
            }
            _ => false,
        }
    }

    fn observe(&self, st: &mut State, e: &Event, cx: &mut Context<'_>) {
        let bin = e.time.bin(self.p.window);
        let key: Key = (e.provider(), e.identity.clone(), e.account.clone());
        let open = match st.bins.get(&key) {
            Some((start, _)) => *start != bin,
            None => true,
        };
        if open {
            // Input is in time order, so an older bin of this key is complete.
            self.close(st, key.clone(), cx);
            st.bins.insert(
                key.clone(),
                (
                    bin,
                    DiscoveryAgg::new(self.p.max_api_list, self.p.max_source_ips),
                ),
            );
            st.schedule.entry(bin).or_default().push(key.clone());
        }
        // Azure counts resource groups as its "regions" (DistinctResourceGroups).
        let region = if e.provider() == Provider::Azure {
            &e.resource_group
        } else {
            &e.region
        };
        if let Some((_, agg)) = st.bins.get_mut(&key) {
            agg.add(e, &e.action, region);
        }
    }

    fn advance(&self, st: &mut State, watermark: Timestamp, cx: &mut Context<'_>) {
        while let Some((&start, _)) = st.schedule.first_key_value() {
            if start.add(self.p.window) > watermark {
                break;
            }
            let (_, keys) = st.schedule.pop_first().expect("just looked");
            for k in keys {
                if st.bins.get(&k).is_some_and(|(s, _)| *s == start) {
                    self.close(st, k, cx);
                }
            }
        }
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
