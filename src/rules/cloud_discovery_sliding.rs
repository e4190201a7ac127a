//! `cloud-discovery-sliding`: the seed's thresholds over a 15-minute sliding window on
//! normalized data. One alert per episode: it opens when a window first meets the
//! threshold and closes after a window's length without a discovery call; it carries the
//! peak counts. "Within w" follows SPEC §4: u − w < t ≤ u.

use super::catalogue::RuleSpec;
use super::cloud_discovery_burst::{CloudDiscoveryBurst, DiscoveryApis};
use super::context::{Context, Setup};
use super::discovery::{group, risk_score, seed_fields, severity_for, DiscoveryAgg};
use super::keyed::Keyed;
use super::params::params_of;
use super::rule::{Interest, Rule};
use crate::collections::HashMap;
use crate::event::{Duration, Event, LogFormat, Outcome, Provider, Timestamp};
use serde::Deserialize;
use std::collections::VecDeque;

type Key = (Provider, String, String);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub window: Duration,
    pub min_count: u64,
    pub min_distinct: u64,
    pub max_api_list: usize,
    pub max_source_ips: usize,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Call {
    time: Timestamp,
    api: String,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Episode {
    agg: DiscoveryAgg,
    start: Timestamp,
    peak_count: u64,
    peak_distinct: u64,
    peak_score: u8,
}

#[derive(Default, serde::Serialize, serde::Deserialize)]
pub struct KeyState {
    window: VecDeque<(Call, Event)>,
    per_api: HashMap<String, u32>,
    episode: Option<Episode>,
    last: Timestamp,
}

pub type State = Keyed<Key, KeyState>;

pub struct CloudDiscoverySliding {
    spec: RuleSpec,
    p: Params,
    /// The seed rule's lists (`[rules.cloud-discovery-burst]` sets them for both).
    apis: DiscoveryApis,
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
    fn api_of(&self, e: &Event) -> String {
        match e.provider() {
            Provider::Aws => strip_version(&e.action).to_string(),
            _ => e.action.to_lowercase(),
        }
    }

    fn close(&self, key: &Key, ep: Episode, cx: &mut Context<'_>) {
        let (provider, identity, account) = key.clone();
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
        let alert = self
            .spec
            .alert(group(&identity, &account), ep.start, ep.agg.last)
            // The episode's start identifies it; its end depends on how much later data came.
            .id_from(ep.start, ep.start, "")
            .provider(provider)
            .risk(ep.peak_score, severity_for(ep.peak_score))
            .seen(ep.agg.first, ep.agg.last, ep.agg.count)
            .fields(fields)
            .evidence(ep.agg.evidence)
            .signals(ep.agg.signals)
            .build();
        cx.emit(alert);
    }
}

impl Rule for CloudDiscoverySliding {
    type Params = Params;
    type State = State;
    const CATALOGUE: &'static str = include_str!("catalogue/cloud-discovery-sliding.toml");

    fn build(spec: RuleSpec, p: Params, setup: &Setup<'_>) -> Result<Self, String> {
        let burst = params_of::<CloudDiscoveryBurst>(setup)?;
        Ok(CloudDiscoverySliding {
            spec,
            p,
            apis: DiscoveryApis::new(&burst),
        })
    }

    fn spec(&self) -> &RuleSpec {
        &self.spec
    }

    fn interest(&self) -> Interest {
        // The raw prefilter compares names after stripping version suffixes.
        Interest::CloudTrailNames(self.apis.aws.clone())
    }

    fn wants(&self, e: &Event) -> bool {
        match (e.provider(), e.log()) {
            (Provider::Aws, LogFormat::CloudTrail) => {
                !e.identity.is_empty() && self.apis.aws.contains(strip_version(&e.action))
            }
            (Provider::Azure, LogFormat::AzureActivity) => {
                e.outcome == Outcome::Success && self.apis.azure.contains(&e.action.to_lowercase())
            }
            (Provider::Gcp, LogFormat::GcpAudit) => {
                !e.identity.is_empty() && self.apis.gcp.contains(&e.action)
            }
            _ => false,
        }
    }

    fn observe(&self, st: &mut State, e: &Event, cx: &mut Context<'_>) {
        let key: Key = (e.provider(), e.identity.clone(), e.account.clone());
        let window = self.p.window;
        // An episode that went quiet for a whole window before this call is over.
        let quiet = st
            .get_mut(&key)
            .filter(|s| s.last.add(window) <= e.time)
            .and_then(|s| s.episode.take());
        if let Some(ep) = quiet {
            self.close(&key, ep, cx);
        }
        let api = self.api_of(e);
        let state = st.entry(key.clone());
        while let Some((c, _)) = state.window.front() {
            if c.time > e.time.sub(window) {
                break;
            }
            let (c, _) = state.window.pop_front().expect("front exists");
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
            None if count >= self.p.min_count || distinct >= self.p.min_distinct => {
                let mut agg = DiscoveryAgg::new(self.p.max_api_list, self.p.max_source_ips);
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
        st.expire_at(e.time.add(window), key);
    }

    fn advance(&self, st: &mut State, watermark: Timestamp, cx: &mut Context<'_>) {
        for (k, state) in st.take_quiet(watermark, self.p.window, |s| s.last) {
            if let Some(ep) = state.episode {
                self.close(&k, ep, cx);
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
