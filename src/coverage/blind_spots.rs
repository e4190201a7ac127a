//! The blind spots of an input (the seed guide's "what to instrument"), each with the rules
//! it silences. Which rules read which log comes from the catalogue (`sources`), never
//! from a list here.

use super::tally::Tally;
use crate::event::{LogFormat, LogKind, Provider};
use crate::rules::catalogue::RuleSpec;
use crate::rules::source::Source;
use serde::Serialize;

/// What is missing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "gap", rename_all = "kebab-case")]
pub enum Gap {
    /// No record of a log a rule reads (a format, or a kind within a present format:
    /// CloudTrail data events).
    MissingLog { source: Source },
    /// An AWS account has CloudTrail in other regions but not in this expected one.
    #[serde(rename = "region-without-cloudtrail")]
    RegionWithoutCloudTrail { account: String, region: String },
    /// A GCP project's audit logs hold no `storage.objects.*` entry: Data Access logs are
    /// off for Cloud Storage there.
    GcpStorageDataAccessOff { project: String },
}

/// A rule a gap silences: `entirely` when none of the logs it reads is left (in that
/// region, for a region gap), else only its part that reads the missing log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Silenced {
    pub rule: String,
    pub entirely: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BlindSpot {
    #[serde(flatten)]
    pub gap: Gap,
    /// Why it matters, after the seed guide.
    pub why: &'static str,
    pub silences: Vec<Silenced>,
}

/// Why a missing log matters (the seed guide's words where it has them).
fn why_missing(s: &Source) -> &'static str {
    match (s.log, s.kind) {
        (LogFormat::CloudTrail, Some(LogKind::Data)) => "S3 object reads and bucket listings are CloudTrail data events, which a trail records only when configured to",
        (LogFormat::CloudTrail, _) => "CloudTrail logs every AWS API call: the primary source for detection in AWS",
        (LogFormat::S3Access, _) => "S3 server access logs record requests to your buckets, denied and anonymous ones included: bucket enumeration shows there as 403/404 responses",
        (LogFormat::HttpAccess, _) => "GetCredentialType tenant enumeration produces no sign-in log; only perimeter logs (proxy, Front Door, WAF) that see traffic to the Microsoft authentication endpoints show it",
        (LogFormat::EntraSignin, _) => "Entra ID sign-in logs are the primary source for spraying, sign-ins from new sources, legacy protocols and anonymisers",
        (LogFormat::EntraAudit, _) => "Entra audit logs record credentials added to applications and service principals",
        (LogFormat::AzureActivity, _) => "the Azure Activity Log records control-plane operations on subscriptions",
        (LogFormat::GcpAudit, _) => "GCP Cloud Audit Logs record calls to GCP APIs",
    }
}

const WHY_REGION: &str =
    "attackers enumerate unused regions specifically because CloudTrail is often not enabled there";
const WHY_GCP_STORAGE: &str = "Data Access logs are off unless enabled per service: without them for Cloud Storage, object reads are not logged and bucket enumeration by an attacker with valid credentials is invisible";

/// The rules reading any of `gone`, and whether that leaves them nothing (`left` says
/// whether a source of the rule is still there).
fn silenced(
    rules: &[RuleSpec],
    gone: impl Fn(&Source) -> bool,
    left: impl Fn(&Source) -> bool,
) -> Vec<Silenced> {
    rules
        .iter()
        .filter(|r| r.sources.iter().any(&gone))
        .map(|r| Silenced {
            rule: r.id.clone(),
            entirely: !r.sources.iter().any(|s| !gone(s) && left(s)),
        })
        .collect()
}

pub fn find(tally: &Tally, expected_regions: &[String], rules: &[RuleSpec]) -> Vec<BlindSpot> {
    let mut spots = Vec::new();
    let mut declared: Vec<Source> = rules.iter().flat_map(|r| r.sources.clone()).collect();
    declared.sort();
    declared.dedup();
    let whole = |log: LogFormat| Source { log, kind: None };

    // Missing logs: a whole format first; a kind only where its format is present. GCP
    // Data Access is judged per project below, as the seed guide puts it.
    let mut formats: Vec<LogFormat> = declared.iter().map(|s| s.log).collect();
    formats.dedup();
    for log in formats {
        let source = whole(log);
        if !tally.has(&source) {
            spots.push(BlindSpot {
                why: why_missing(&source),
                silences: silenced(rules, |s| s.log == log, |s| tally.has(s)),
                gap: Gap::MissingLog { source },
            });
        }
    }
    for source in declared.iter().filter(|s| s.kind.is_some()) {
        if source.kind == Some(LogKind::DataAccess) && source.log == LogFormat::GcpAudit {
            continue;
        }
        if tally.has(&whole(source.log)) && !tally.has(source) {
            spots.push(BlindSpot {
                why: why_missing(source),
                silences: silenced(rules, |s| s == source, |s| tally.has(s)),
                gap: Gap::MissingLog { source: *source },
            });
        }
    }

    // Regions without CloudTrail, per account that has CloudTrail somewhere. Records that
    // name no account (neither caller nor recipient) say nothing about any account's trail.
    let mut accounts: Vec<&String> = tally
        .cloudtrail
        .keys()
        .map(|(a, _)| a)
        .filter(|a| !a.is_empty())
        .collect();
    accounts.dedup();
    for account in accounts {
        for region in expected_regions {
            let key = (account.clone(), region.clone());
            if tally.cloudtrail.get(&key).is_none_or(|v| v.events == 0) {
                spots.push(BlindSpot {
                    why: WHY_REGION,
                    // In that region only CloudTrail could have shown the account's calls.
                    silences: silenced(rules, |s| s.log == LogFormat::CloudTrail, |_| false),
                    gap: Gap::RegionWithoutCloudTrail {
                        account: account.clone(),
                        region: region.clone(),
                    },
                });
            }
        }
    }

    // GCP projects with admin logs but no Cloud Storage Data Access entry.
    let data_access = Source {
        log: LogFormat::GcpAudit,
        kind: Some(LogKind::DataAccess),
    };
    for (project, p) in &tally.gcp_projects {
        if p.admin > 0 && p.storage_objects == 0 {
            spots.push(BlindSpot {
                why: WHY_GCP_STORAGE,
                silences: silenced(rules, |s| *s == data_access, |s| tally.has(s)),
                gap: Gap::GcpStorageDataAccessOff {
                    project: project.clone(),
                },
            });
        }
    }
    spots
}

/// The provider a gap is about, for grouping in the table.
pub fn provider_of(g: &Gap) -> Provider {
    match g {
        Gap::MissingLog { source } => match source.log {
            LogFormat::CloudTrail | LogFormat::S3Access => Provider::Aws,
            LogFormat::AzureActivity | LogFormat::EntraSignin | LogFormat::EntraAudit => {
                Provider::Azure
            }
            LogFormat::GcpAudit => Provider::Gcp,
            LogFormat::HttpAccess => Provider::Other,
        },
        Gap::RegionWithoutCloudTrail { .. } => Provider::Aws,
        Gap::GcpStorageDataAccessOff { .. } => Provider::Gcp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Event, Origin, Timestamp};
    use crate::rules::catalogue::catalogue;

    fn ct(account: &str, region: &str) -> Event {
        let mut e = Event::new(
            Provider::Aws,
            LogFormat::CloudTrail,
            Timestamp::from_secs(1_700_000_000),
            Origin::default(),
        );
        e.account = account.into();
        e.region = region.into();
        e.kind = LogKind::Management;
        e
    }

    fn regions(spots: &[BlindSpot]) -> Vec<(String, String)> {
        spots
            .iter()
            .filter_map(|s| match &s.gap {
                Gap::RegionWithoutCloudTrail { account, region } => {
                    Some((account.clone(), region.clone()))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn an_expected_region_without_cloudtrail_is_a_blind_spot_per_account() {
        let mut t = Tally::default();
        t.add(&ct("111", "eu-west-1"));
        t.add(&ct("222", "eu-west-1"));
        t.add(&ct("222", "us-east-1"));
        let expected = ["eu-west-1".to_string(), "us-east-1".to_string()];
        let spots = find(&t, &expected, &catalogue());
        assert_eq!(regions(&spots), [("111".into(), "us-east-1".into())]);
        let spot = spots
            .iter()
            .find(|s| matches!(s.gap, Gap::RegionWithoutCloudTrail { .. }))
            .unwrap();
        let unused = spot
            .silences
            .iter()
            .find(|s| s.rule == "unused-region-activity")
            .expect("unused-region-activity reads CloudTrail");
        assert!(unused.entirely);
    }

    #[test]
    fn every_expected_region_with_cloudtrail_is_no_region_blind_spot() {
        let mut t = Tally::default();
        t.add(&ct("111", "eu-west-1"));
        t.add(&ct("111", "us-east-1"));
        let expected = ["eu-west-1".to_string(), "us-east-1".to_string()];
        assert!(regions(&find(&t, &expected, &catalogue())).is_empty());
    }

    #[test]
    fn records_that_name_no_account_make_no_region_blind_spot() {
        let mut t = Tally::default();
        t.add(&ct("111", "eu-west-1"));
        t.add(&ct("111", "us-east-1"));
        t.add(&ct("", "us-east-1"));
        let expected = ["eu-west-1".to_string(), "us-east-1".to_string()];
        assert!(regions(&find(&t, &expected, &catalogue())).is_empty());
    }

    #[test]
    fn a_missing_log_silences_the_rules_whose_catalogue_entry_reads_it() {
        let mut t = Tally::default();
        t.add(&ct("111", "eu-west-1"));
        let spots = find(&t, &[], &catalogue());
        let s3 = spots
            .iter()
            .find(|s| {
                s.gap
                    == Gap::MissingLog {
                        source: Source::parse("s3-access").unwrap(),
                    }
            })
            .expect("no s3-access logs is a blind spot");
        let rules: Vec<&str> = s3.silences.iter().map(|s| s.rule.as_str()).collect();
        assert!(rules.contains(&"bucket-enumeration"), "{rules:?}");
        assert!(!rules.contains(&"password-spray"), "{rules:?}");
        // CloudTrail data events are missing too (only management events here).
        let bucket = s3
            .silences
            .iter()
            .find(|s| s.rule == "bucket-enumeration")
            .unwrap();
        assert!(bucket.entirely);
    }
}
