//! The scan's coverage warning: enabled rules that could not have fired because no record
//! of any log they read was in the input. Computed from the scan's per-format counts (no
//! second read), so it speaks of formats only; `tripline coverage` goes finer (kinds,
//! regions, projects).

use crate::event::LogFormat;
use crate::rules::catalogue::RuleSpec;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// Rules that read only `missing` logs, none of which the input held.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CoverageWarning {
    pub missing: Vec<LogFormat>,
    pub rules: Vec<String>,
}

impl fmt::Display for CoverageWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.missing.iter().map(|l| l.as_str()).collect();
        let logs = match names.split_last() {
            Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
            _ => names.join(""),
        };
        write!(
            f,
            "no {logs} logs in the input: {} cannot fire",
            self.rules.join(", ")
        )
    }
}

/// The one summary line: every warning, then where to look.
pub fn line(warnings: &[CoverageWarning]) -> Option<String> {
    if warnings.is_empty() {
        return None;
    }
    let parts: Vec<String> = warnings.iter().map(|w| w.to_string()).collect();
    Some(format!(
        "coverage: {} (tripline coverage for details)",
        parts.join("; ")
    ))
}

/// `events`: the events read per format; `unparsed`: CloudTrail records the prefilter
/// skipped without parsing (so CloudTrail was there even when it counts no event);
/// `rules`: the enabled rules' catalogue entries. Rules with the same logs share a warning.
pub fn warnings(
    events: &BTreeMap<LogFormat, u64>,
    unparsed: u64,
    rules: &[&RuleSpec],
) -> Vec<CoverageWarning> {
    let present = |l: LogFormat| {
        events.get(&l).is_some_and(|n| *n > 0) || (l == LogFormat::CloudTrail && unparsed > 0)
    };
    let mut by_logs: BTreeMap<Vec<LogFormat>, Vec<String>> = BTreeMap::new();
    for r in rules {
        let mut logs: Vec<LogFormat> = r.sources.iter().map(|s| s.log).collect();
        logs.sort();
        logs.dedup();
        if !logs.is_empty() && !logs.iter().any(|l| present(*l)) {
            by_logs.entry(logs).or_default().push(r.id.clone());
        }
    }
    by_logs
        .into_iter()
        .map(|(missing, mut rules)| {
            rules.sort();
            CoverageWarning { missing, rules }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::catalogue::spec;

    #[test]
    fn a_rule_whose_logs_are_all_absent_is_warned_about() {
        let bucket = spec("bucket-enumeration").unwrap();
        let tenant = spec("tenant-enumeration").unwrap();
        let mut events = BTreeMap::new();
        events.insert(LogFormat::EntraSignin, 3);
        let w = warnings(&events, 0, &[&bucket, &tenant]);
        assert_eq!(
            line(&w).unwrap(),
            "coverage: no cloudtrail or s3-access logs in the input: bucket-enumeration cannot fire; \
no http-access logs in the input: tenant-enumeration cannot fire (tripline coverage for details)"
        );
    }

    #[test]
    fn one_present_log_of_a_rule_is_no_warning() {
        let bucket = spec("bucket-enumeration").unwrap();
        let mut events = BTreeMap::new();
        events.insert(LogFormat::S3Access, 1);
        assert!(warnings(&events, 0, &[&bucket]).is_empty());
        // CloudTrail skipped unparsed by the prefilter was still there.
        assert!(warnings(&BTreeMap::new(), 1, &[&bucket]).is_empty());
        assert_eq!(warnings(&BTreeMap::new(), 0, &[&bucket]).len(), 1);
    }
}
