//! The DETAILS cell of an alert in the table: the facts that decide triage first — why it is
//! suppressed or noted, its escalations, where it came from, the bucket, the user agent —
//! then the rule's other scalars, then its other lists. Every value is escaped for the
//! terminal here, before anyone measures or cuts it.

use serde_json::Value;

use super::escape;
use crate::event::Alert;

/// Fields of the seed rule that repeat a column (time, provider, count, risk) or the group.
const REPEATS_A_COLUMN: [&str; 6] = [
    "TimeGenerated",
    "CloudProvider",
    "FirstSeen",
    "LastSeen",
    "RiskScore",
    "DiscoveryCount",
];

/// Shorter labels for the seed's column names, so more of the API list fits.
const SHORT_LABELS: [(&str, &str); 2] = [("DistinctRegions", "Regions"), ("APIList", "APIs")];

/// Decisive fields, in the order they are shown; names compared case-insensitively so a
/// rename to PascalCase (`actor` → `Actor`) keeps them in place.
const DECISIVE: [&str; 8] = [
    "Escalations",
    "SourceIP",
    "SourceIPs",
    "Bucket",
    "Buckets",
    "UserAgent",
    "UserAgents",
    "Objects",
];

/// Other lists show this many items outside `--wide`, then how many more there are.
pub const LIST_ITEMS: usize = 5;

/// A value as a person reads it: strings without quotes, anything else as compact JSON.
pub fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => escape::terminal(s),
        other => escape::terminal(&other.to_string()),
    }
}

fn label(key: &str) -> String {
    let short = SHORT_LABELS
        .iter()
        .find(|(long, _)| *long == key)
        .map_or(key, |(_, short)| short);
    escape::terminal(short)
}

fn show(key: &str, value: &Value, cap: Option<usize>) -> Option<String> {
    match value {
        Value::Null => None,
        Value::Array(items) if items.is_empty() => None,
        Value::Array(items) => {
            let n = cap.unwrap_or(items.len()).min(items.len());
            let mut text: Vec<String> = items[..n].iter().map(plain).collect();
            if n < items.len() {
                text.push(format!("(+{} more)", items.len() - n));
            }
            Some(format!("{}: {}", label(key), text.join(", ")))
        }
        Value::String(s) if s.is_empty() => None,
        v => Some(format!("{}={}", label(key), plain(v))),
    }
}

/// The DETAILS text. `wide`: every list in full.
pub fn details(a: &Alert, wide: bool) -> String {
    let mut parts = Vec::new();
    if a.suppressed {
        parts.push(match &a.reason {
            Some(r) => format!("(suppressed: {})", escape::terminal(r)),
            None => "(suppressed)".to_string(),
        });
    }
    parts.extend(a.notes.iter().map(|n| format!("({})", escape::terminal(n))));
    let skip = |key: &str, value: &Value| {
        let in_group = value.is_string() && a.group.0.iter().any(|(_, g)| g == value);
        in_group || REPEATS_A_COLUMN.contains(&key)
    };
    let decisive = |key: &str| DECISIVE.iter().position(|d| d.eq_ignore_ascii_case(key));
    let mut first: Vec<(usize, String)> = a
        .fields
        .0
        .iter()
        .filter(|(k, v)| !skip(k, v))
        .filter_map(|(k, v)| Some((decisive(k)?, show(k, v, None)?)))
        .collect();
    first.sort_by_key(|(rank, _)| *rank);
    parts.extend(first.into_iter().map(|(_, text)| text));
    let cap = (!wide).then_some(LIST_ITEMS);
    let others = a
        .fields
        .0
        .iter()
        .filter(|(k, v)| !skip(k, v) && decisive(k).is_none());
    let (lists, scalars): (Vec<_>, Vec<_>) = others.partition(|(_, v)| v.is_array());
    parts.extend(scalars.iter().filter_map(|(k, v)| show(k, v, cap)));
    let lists: Vec<String> = lists.iter().filter_map(|(k, v)| show(k, v, cap)).collect();
    if !lists.is_empty() {
        parts.push(lists.join("; "));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::sink::tests::sample_alert;

    #[test]
    fn details_skip_repeated_columns_and_shorten_labels() {
        let d = details(&sample_alert(), false);
        assert!(
            d.starts_with("SourceIPs: 198.51.100.7 DistinctAPIs=6 Regions=2 APIs: DescribeInstances, ListBuckets, ListUsers, ListRoles, GetCallerIdentity, (+1 more)"),
            "{d}"
        );
        assert!(details(&sample_alert(), true).contains("GetCallerIdentity, DescribeVpcs"));
        for gone in [
            "RiskScore",
            "TimeGenerated",
            "Identity",
            "AccountId",
            "DiscoveryCount",
            "FirstSeen",
        ] {
            assert!(!d.contains(&format!("{gone}=")), "{gone} in {d}");
        }
    }

    #[test]
    fn decisive_facts_come_first_and_are_never_capped() {
        let mut a = sample_alert();
        a.fields.0.clear();
        a.fields.push("Action", "CreateAccessKey");
        a.fields.push(
            "UserAgents",
            serde_json::json!(["ua1", "ua2", "ua3", "ua4", "ua5", "ua6"]),
        );
        a.fields.push("Bucket", "acme-backups");
        a.fields.push("SourceIP", "203.0.113.66");
        a.fields
            .push("Escalations", serde_json::json!(["high-privilege target"]));
        a.notes = vec!["likely_benign: Terraform".into()];
        let d = details(&a, false);
        assert_eq!(
            d,
            "(likely_benign: Terraform) Escalations: high-privilege target SourceIP=203.0.113.66 Bucket=acme-backups UserAgents: ua1, ua2, ua3, ua4, ua5, ua6 Action=CreateAccessKey"
        );
    }

    #[test]
    fn suppressed_alerts_say_why_first() {
        let mut a = sample_alert();
        a.suppressed = true;
        a.reason = Some("nightly terraform plan".into());
        assert!(details(&a, false).starts_with("(suppressed: nightly terraform plan) SourceIPs:"));
        a.reason = None;
        assert!(details(&a, false).starts_with("(suppressed) "));
    }
}
