//! The rules' own test cases: every catalogue entry carries true-positive and true-negative
//! example events, in the log shapes really exported, with the alert each must or must not
//! raise (tau-engine's `true_positives` / `true_negatives`, Panther's rule tests).
//! `tripline rules test` and `tests/rule_examples.rs` run them through the real engine
//! (`engine::rule_examples`); this module holds the schema, checks it, and compares what a
//! scan raised with what an example expects. No I/O here.
//!
//! # Schema
//!
//! Each `catalogue/<id>.toml` has an `[[examples]]` array; every rule has at least one
//! `expect = "alert"` and one `expect = "none"` example, placed at its thresholds (the alert
//! exactly at a threshold, the silence just below it).
//!
//! ```toml
//! [[examples]]
//! name = "6 failures over 4 accounts within 10 minutes"   # unique within the rule
//! expect = "alert"                 # or "none": the rule raises no alert at all
//! params = { window = "10m" }      # optional: `[rules.<id>]` overrides for this example
//! with_rules = []                  # optional: other rules run alongside (their alerts are
//!                                  # ignored), for rules that read what those record
//! records = [                      # raw log records, one per element, each written to its
//!   '''{"time":"2024-05-06T10:00:00Z", ...}''',   # own file, so formats can mix
//! ]
//! [examples.config.organisation]   # optional: any config-file table except `rules`
//! bucket_prefixes = ["acme"]
//! [examples.files]                 # optional: extra files next to the records, for config
//! "tor-exits.txt" = '''...'''      # paths such as `[lists] tor_exits = "tor-exits.txt"`
//! [examples.alert]                 # required with "alert", refused with "none"
//! count = 6                        # the alert's `count`
//! severity = "high"
//! group = { source_ip = "203.0.113.9" }   # the whole group, exactly
//! [examples.alert.fields]          # optional: a subset of the alert's fields
//! DistinctAccounts = 4
//! ```
//!
//! Optional keys of `[examples.alert]`, compared when given: `risk_score`, `provider`,
//! `window_start`, `window_end`, `first_seen`, `last_seen` (RFC 3339 as the alert prints it,
//! quoted or as a bare TOML date-time).
//! An `alert` example passes when the rule raises exactly one alert and it matches; numbers
//! compare by value (`2` equals `2.0`), arrays element by element, objects key by key.
//!
//! An example's `config` and `params` are validated as a user's configuration file is: the
//! runner writes them as one and loads it with `config::load`.

use crate::event::{Alert, Severity};
use serde::Deserialize;
use std::collections::BTreeMap;

/// What an example expects of its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    /// Exactly one alert, matching `[examples.alert]`.
    Alert,
    /// No alert.
    None,
}

impl Expect {
    pub fn as_str(self) -> &'static str {
        match self {
            Expect::Alert => "alert",
            Expect::None => "none",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub name: String,
    pub expect: Expect,
    /// `[rules.<id>]` overrides applied for this example only.
    #[serde(default)]
    pub params: toml::Table,
    /// Configuration-file tables (`organisation`, `working_hours`, `lists`...), not `rules`.
    #[serde(default)]
    pub config: toml::Table,
    /// Other catalogue rules run alongside, for what they record in the baseline store.
    #[serde(default)]
    pub with_rules: Vec<String>,
    /// File name → content, written next to the records (list files named by `config`).
    #[serde(default)]
    pub files: BTreeMap<String, String>,
    /// Raw log records, one per element.
    pub records: Vec<String>,
    pub alert: Option<ExpectedAlert>,
}

/// The alert an `alert` example must raise: `count`, `severity` and `group` always, a subset
/// of `fields`, and the other keys when given.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedAlert {
    pub count: u64,
    pub severity: String,
    pub group: toml::Table,
    #[serde(default)]
    pub fields: toml::Table,
    pub risk_score: Option<u64>,
    pub provider: Option<String>,
    #[serde(default, deserialize_with = "time")]
    pub window_start: Option<String>,
    #[serde(default, deserialize_with = "time")]
    pub window_end: Option<String>,
    #[serde(default, deserialize_with = "time")]
    pub first_seen: Option<String>,
    #[serde(default, deserialize_with = "time")]
    pub last_seen: Option<String>,
}

/// A time as RFC 3339 text: quoted, or a TOML date-time written bare.
fn time<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match toml::Value::deserialize(d)? {
        toml::Value::String(s) => Ok(Some(s)),
        toml::Value::Datetime(t) => Ok(Some(t.to_string())),
        other => Err(serde::de::Error::custom(format!(
            "expected a time, found {}",
            other.type_str()
        ))),
    }
}

/// Problems with a rule's examples themselves (not with what the rule raised): a rule
/// without both kinds, duplicate names, an expectation that cannot be met. `known` holds
/// the catalogue's rule ids.
pub fn check(rule: &str, examples: &[Example], known: &[&str]) -> Vec<String> {
    let mut problems = Vec::new();
    for kind in [Expect::Alert, Expect::None] {
        if !examples.iter().any(|e| e.expect == kind) {
            problems.push(format!(
                "{rule} has no example with expect = \"{}\"",
                kind.as_str()
            ));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    for ex in examples {
        let at = format!("{rule} example `{}`", ex.name);
        if ex.name.trim().is_empty() {
            problems.push(format!("{rule} has an example without a name"));
        }
        if !seen.insert(ex.name.as_str()) {
            problems.push(format!("{at}: the name is used twice"));
        }
        if ex.records.is_empty() {
            problems.push(format!("{at}: no records"));
        }
        match (ex.expect, &ex.alert) {
            (Expect::Alert, None) => {
                problems.push(format!("{at}: expect = \"alert\" needs [examples.alert]"))
            }
            (Expect::None, Some(_)) => problems.push(format!(
                "{at}: expect = \"none\" cannot have [examples.alert]"
            )),
            (Expect::Alert, Some(a)) if Severity::parse(&a.severity).is_none() => {
                problems.push(format!("{at}: unknown severity `{}`", a.severity))
            }
            _ => {}
        }
        if ex.config.contains_key("rules") {
            problems.push(format!(
                "{at}: put rule overrides in `params`, not in config.rules"
            ));
        }
        for other in &ex.with_rules {
            if other == rule || !known.contains(&other.as_str()) {
                problems.push(format!(
                    "{at}: with_rules names `{other}`, not another rule"
                ));
            }
        }
        for f in ex.files.keys() {
            let plain = !f.is_empty()
                && !f.starts_with('.')
                && !f.contains(['/', '\\'])
                && !f.starts_with("record-");
            if !plain {
                problems.push(format!(
                    "{at}: file name `{f}` must be a plain name (no folder, not record-*)"
                ));
            }
        }
    }
    problems
}

/// Compares what the rule raised (its alerts only) with what `ex` expects; each difference
/// is one line, empty when the example passes. Values come from records and may be hostile:
/// callers that print these lines escape them.
pub fn compare(ex: &Example, alerts: &[Alert]) -> Vec<String> {
    match (ex.expect, &ex.alert) {
        (Expect::None, _) => alerts
            .iter()
            .map(|a| format!("expected no alert, got {}", describe(a)))
            .collect(),
        (Expect::Alert, None) => vec!["expect = \"alert\" without [examples.alert]".into()],
        (Expect::Alert, Some(want)) => match alerts {
            [] => vec!["expected 1 alert, got none".into()],
            [got] => compare_alert(want, got),
            many => std::iter::once(format!("expected 1 alert, got {}", many.len()))
                .chain(many.iter().map(|a| format!("  got {}", describe(a))))
                .collect(),
        },
    }
}

/// One line that tells alerts apart: count, severity, group.
pub fn describe(a: &Alert) -> String {
    format!(
        "count {}, severity {}, group {}",
        a.count,
        a.severity.as_str(),
        serde_json::to_string(&a.group).unwrap_or_default()
    )
}

fn compare_alert(want: &ExpectedAlert, got: &Alert) -> Vec<String> {
    let json = serde_json::to_value(got).unwrap_or_default();
    let mut top: Vec<(&str, serde_json::Value)> = vec![
        ("count", want.count.into()),
        ("severity", want.severity.clone().into()),
        ("group", table_json(&want.group)),
    ];
    let optional = [
        ("risk_score", want.risk_score.map(serde_json::Value::from)),
        ("provider", want.provider.clone().map(Into::into)),
        ("window_start", want.window_start.clone().map(Into::into)),
        ("window_end", want.window_end.clone().map(Into::into)),
        ("first_seen", want.first_seen.clone().map(Into::into)),
        ("last_seen", want.last_seen.clone().map(Into::into)),
    ];
    top.extend(optional.into_iter().filter_map(|(k, v)| Some((k, v?))));
    let mut problems = Vec::new();
    for (key, expected) in top {
        let actual = json.get(key).cloned().unwrap_or_default();
        if !same(&expected, &actual) {
            problems.push(format!("{key}: expected {expected}, got {actual}"));
        }
    }
    for (key, value) in &want.fields {
        let expected = toml_json(value);
        match got.fields.get(key) {
            Some(actual) if same(&expected, actual) => {}
            Some(actual) => {
                problems.push(format!("fields.{key}: expected {expected}, got {actual}"))
            }
            None => {
                let names: Vec<&str> = got.fields.0.iter().map(|(k, _)| k.as_str()).collect();
                problems.push(format!(
                    "fields.{key}: missing (the alert has {})",
                    names.join(", ")
                ));
            }
        }
    }
    problems
}

/// Equality for expectations: numbers by value, objects key by key whatever their order.
fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i == j,
            _ => x.as_f64() == y.as_f64(),
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

fn table_json(t: &toml::Table) -> serde_json::Value {
    serde_json::Value::Object(t.iter().map(|(k, v)| (k.clone(), toml_json(v))).collect())
}

/// A TOML value as JSON; a TOML date-time becomes its RFC 3339 text, as alerts print times.
fn toml_json(v: &toml::Value) -> serde_json::Value {
    match v {
        toml::Value::String(s) => s.clone().into(),
        toml::Value::Integer(i) => (*i).into(),
        toml::Value::Float(f) => (*f).into(),
        toml::Value::Boolean(b) => (*b).into(),
        toml::Value::Datetime(d) => d.to_string().into(),
        toml::Value::Array(a) => a.iter().map(toml_json).collect(),
        toml::Value::Table(t) => table_json(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Fields, Provider, Timestamp};

    fn alert(count: u64, failures: serde_json::Value) -> Alert {
        let mut group = Fields::default();
        group.push("source_ip", "203.0.113.9");
        let mut fields = Fields::default();
        fields.push("Failures", failures);
        fields.push("AccountList", vec!["a", "b"]);
        let t = Timestamp::parse("2024-05-06T10:00:00Z").unwrap();
        Alert {
            schema: crate::event::alert::ALERT_SCHEMA,
            id: "x".into(),
            rule: "password-spray".into(),
            title: "t".into(),
            attack: vec![],
            severity: Severity::High,
            risk_score: 75,
            provider: Provider::Azure,
            group,
            window_start: t,
            window_end: t,
            first_seen: t,
            last_seen: t,
            count,
            fields,
            evidence: vec![],
            suppressed: false,
            reason: None,
            notes: vec![],
            activity: None,
            next_steps: vec![],
            signals: Default::default(),
            incident: None,
        }
    }

    fn example(text: &str) -> Example {
        toml::from_str(text).unwrap()
    }

    const TP: &str = r#"
name = "tp"
expect = "alert"
records = ["x"]
[alert]
count = 6
severity = "high"
group = { source_ip = "203.0.113.9" }
first_seen = 2024-05-06T10:00:00Z
fields = { Failures = 6, AccountList = ["a", "b"] }
"#;

    #[test]
    fn a_matching_alert_passes_and_numbers_compare_by_value() {
        assert!(compare(&example(TP), &[alert(6, 6.into())]).is_empty());
        assert!(compare(&example(TP), &[alert(6, 6.0.into())]).is_empty());
    }

    #[test]
    fn each_difference_is_named() {
        let p = compare(&example(TP), &[alert(5, 5.into())]);
        assert_eq!(
            p,
            vec![
                "count: expected 6, got 5".to_string(),
                "fields.Failures: expected 6, got 5".to_string()
            ]
        );
        assert_eq!(
            compare(&example(TP), &[]),
            vec!["expected 1 alert, got none"]
        );
        assert_eq!(
            compare(&example(TP), &[alert(6, 6.into()), alert(6, 6.into())]).len(),
            3
        );
        let none = example("name = \"tn\"\nexpect = \"none\"\nrecords = [\"x\"]");
        assert!(compare(&none, &[]).is_empty());
        assert_eq!(
            compare(&none, &[alert(5, 5.into())]),
            vec!["expected no alert, got count 5, severity high, group {\"source_ip\":\"203.0.113.9\"}"]
        );
    }

    #[test]
    fn malformed_examples_are_named() {
        let mut none = example("name = \"tp\"\nexpect = \"none\"\nrecords = []");
        none.with_rules = vec!["password-spray".into()];
        let p = check("password-spray", &[example(TP), none], &["password-spray"]);
        assert_eq!(
            p,
            vec![
                "password-spray example `tp`: the name is used twice".to_string(),
                "password-spray example `tp`: no records".to_string(),
                "password-spray example `tp`: with_rules names `password-spray`, not another rule"
                    .to_string(),
            ]
        );
        assert_eq!(
            check("password-spray", &[example(TP)], &[]),
            vec!["password-spray has no example with expect = \"none\""]
        );
    }
}
