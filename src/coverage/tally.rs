//! The order-free count of what an input holds: per provider, log and kind; per account,
//! per region; CloudTrail per (account, region); GCP per project. Folded per batch on the
//! pipeline's workers and merged, so its cost is one map update per key per event and its
//! memory the distinct keys, whatever the input's size.

use crate::event::{Event, LogFormat, LogKind, Provider, Timestamp};
use serde::{Serialize, Serializer};
use std::collections::{BTreeMap, BTreeSet};

/// How many events, and the first and last event time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Volume {
    pub events: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last: Option<Timestamp>,
}

impl Volume {
    pub fn add(&mut self, t: Timestamp) {
        self.events += 1;
        self.first = Some(self.first.map_or(t, |f| f.min(t)));
        self.last = Some(self.last.map_or(t, |l| l.max(t)));
    }
    pub fn merge(&mut self, o: &Volume) {
        self.events += o.events;
        self.first = match (self.first, o.first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last = match (self.last, o.last) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
    }
}

/// One GCP project's audit logs, as the Cloud Storage blind spot needs them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GcpProject {
    /// Admin Activity entries (and entries whose log the record does not name).
    pub admin: u64,
    /// `storage.objects.*` entries: Cloud Storage logs these only in Data Access logs.
    pub storage_objects: u64,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Per provider, log format and kind of log.
    #[serde(serialize_with = "logs_as_list")]
    pub logs: BTreeMap<(Provider, LogFormat, LogKind), Volume>,
    /// Accounts, subscriptions, tenants, projects (the event's `account`) per provider.
    #[serde(serialize_with = "named_as_list")]
    pub accounts: BTreeMap<(Provider, String), Volume>,
    /// Regions (locations for GCP) per provider.
    #[serde(serialize_with = "named_as_list")]
    pub regions: BTreeMap<(Provider, String), Volume>,
    /// CloudTrail events per (account, region): where CloudTrail is on.
    #[serde(serialize_with = "pairs_as_list")]
    pub cloudtrail: BTreeMap<(String, String), Volume>,
    /// GCP audit entries per project.
    pub gcp_projects: BTreeMap<String, GcpProject>,
}

impl Tally {
    pub fn add(&mut self, e: &Event) {
        let t = e.time;
        let p = e.provider();
        self.logs.entry((p, e.log(), e.kind)).or_default().add(t);
        if !e.account.is_empty() {
            self.accounts
                .entry((p, e.account.clone()))
                .or_default()
                .add(t);
        }
        if !e.region.is_empty() {
            self.regions
                .entry((p, e.region.clone()))
                .or_default()
                .add(t);
        }
        match e.log() {
            LogFormat::CloudTrail if !e.region.is_empty() => {
                self.cloudtrail
                    .entry((e.account.clone(), e.region.clone()))
                    .or_default()
                    .add(t);
            }
            LogFormat::GcpAudit => {
                let project = self.gcp_projects.entry(e.account.clone()).or_default();
                if e.action.starts_with("storage.objects.") {
                    project.storage_objects += 1;
                } else if matches!(e.kind, LogKind::AdminActivity | LogKind::Unknown) {
                    project.admin += 1;
                }
            }
            _ => {}
        }
    }

    pub fn merge(&mut self, o: Tally) {
        for (k, v) in o.logs {
            self.logs.entry(k).or_default().merge(&v);
        }
        for (k, v) in o.accounts {
            self.accounts.entry(k).or_default().merge(&v);
        }
        for (k, v) in o.regions {
            self.regions.entry(k).or_default().merge(&v);
        }
        for (k, v) in o.cloudtrail {
            self.cloudtrail.entry(k).or_default().merge(&v);
        }
        for (k, v) in o.gcp_projects {
            let p = self.gcp_projects.entry(k).or_default();
            p.admin += v.admin;
            p.storage_objects += v.storage_objects;
        }
    }

    /// Whether any event is a record of `source` (a kind matches records that do not say
    /// theirs: see `Source::matches`).
    pub fn has(&self, source: &crate::rules::source::Source) -> bool {
        self.logs.iter().any(|((_, log, kind), v)| {
            v.events > 0
                && *log == source.log
                && source
                    .kind
                    .is_none_or(|k| *kind == k || *kind == LogKind::Unknown)
        })
    }

    /// Every AWS region any AWS log names (CloudTrail, S3 access log host names).
    pub fn aws_regions_seen(&self) -> BTreeSet<String> {
        self.regions
            .keys()
            .filter(|(p, _)| *p == Provider::Aws)
            .map(|(_, r)| r.clone())
            .collect()
    }

    pub fn providers(&self) -> BTreeSet<Provider> {
        self.logs.keys().map(|(p, _, _)| *p).collect()
    }
}

fn logs_as_list<S: Serializer>(
    m: &BTreeMap<(Provider, LogFormat, LogKind), Volume>,
    s: S,
) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Row<'a> {
        provider: Provider,
        log: LogFormat,
        kind: LogKind,
        #[serde(flatten)]
        volume: &'a Volume,
    }
    s.collect_seq(m.iter().map(|((provider, log, kind), volume)| Row {
        provider: *provider,
        log: *log,
        kind: *kind,
        volume,
    }))
}

fn named_as_list<S: Serializer>(
    m: &BTreeMap<(Provider, String), Volume>,
    s: S,
) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Row<'a> {
        provider: Provider,
        name: &'a str,
        #[serde(flatten)]
        volume: &'a Volume,
    }
    s.collect_seq(m.iter().map(|((provider, name), volume)| Row {
        provider: *provider,
        name,
        volume,
    }))
}

fn pairs_as_list<S: Serializer>(
    m: &BTreeMap<(String, String), Volume>,
    s: S,
) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Row<'a> {
        account: &'a str,
        region: &'a str,
        #[serde(flatten)]
        volume: &'a Volume,
    }
    s.collect_seq(m.iter().map(|((account, region), volume)| Row {
        account,
        region,
        volume,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Origin;

    fn ev(log: LogFormat, p: Provider, secs: i64, account: &str, region: &str) -> Event {
        let mut e = Event::new(p, log, Timestamp::from_secs(secs), Origin::default());
        e.account = account.into();
        e.region = region.into();
        e
    }

    #[test]
    fn merging_two_halves_equals_one_tally_of_all() {
        let events = [
            ev(LogFormat::CloudTrail, Provider::Aws, 30, "111", "eu-west-1"),
            ev(LogFormat::CloudTrail, Provider::Aws, 10, "111", "us-east-1"),
            ev(LogFormat::S3Access, Provider::Aws, 20, "", "eu-west-1"),
            ev(
                LogFormat::GcpAudit,
                Provider::Gcp,
                5,
                "proj",
                "europe-west1",
            ),
        ];
        let mut whole = Tally::default();
        events.iter().for_each(|e| whole.add(e));
        let (mut a, mut b) = (Tally::default(), Tally::default());
        events[..2].iter().for_each(|e| a.add(e));
        events[2..].iter().for_each(|e| b.add(e));
        b.merge(a);
        assert_eq!(b, whole);
        let ct = &whole.logs[&(Provider::Aws, LogFormat::CloudTrail, LogKind::Unknown)];
        assert_eq!(
            (ct.events, ct.first, ct.last),
            (
                2,
                Some(Timestamp::from_secs(10)),
                Some(Timestamp::from_secs(30))
            )
        );
        assert_eq!(
            whole.aws_regions_seen().into_iter().collect::<Vec<_>>(),
            ["eu-west-1", "us-east-1"]
        );
    }
}
