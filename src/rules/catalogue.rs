//! The rule catalogue: each rule's id, title, ATT&CK ids, default severity, thresholds and
//! lists live in `catalogue/<id>.toml`, compiled in. The config's `[rules.<id>]` tables
//! override `params` key by key; a key the rule does not have is an error. Each entry also
//! carries its own `[[examples]]` (see `rules::examples`).

use super::examples::Example;
use crate::event::{Duration, Severity};
use serde::Deserialize;
use std::collections::BTreeMap;

const FILES: &[(&str, &str)] = &[
    (
        "cloud-discovery-burst",
        include_str!("catalogue/cloud-discovery-burst.toml"),
    ),
    (
        "cloud-discovery-sliding",
        include_str!("catalogue/cloud-discovery-sliding.toml"),
    ),
    (
        "password-spray",
        include_str!("catalogue/password-spray.toml"),
    ),
    (
        "bucket-enumeration",
        include_str!("catalogue/bucket-enumeration.toml"),
    ),
    (
        "tenant-enumeration",
        include_str!("catalogue/tenant-enumeration.toml"),
    ),
    (
        "new-source-signin",
        include_str!("catalogue/new-source-signin.toml"),
    ),
    (
        "post-auth-enumeration",
        include_str!("catalogue/post-auth-enumeration.toml"),
    ),
    (
        "access-key-created",
        include_str!("catalogue/access-key-created.toml"),
    ),
    (
        "legacy-auth-signin",
        include_str!("catalogue/legacy-auth-signin.toml"),
    ),
    (
        "anonymizer-signin",
        include_str!("catalogue/anonymizer-signin.toml"),
    ),
    (
        "unused-region-activity",
        include_str!("catalogue/unused-region-activity.toml"),
    ),
    (
        "first-seen-api",
        include_str!("catalogue/first-seen-api.toml"),
    ),
    (
        "external-object-read",
        include_str!("catalogue/external-object-read.toml"),
    ),
];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: String,
    pub title: String,
    pub attack: Vec<String>,
    /// A severity name, or `by-risk-score`.
    pub severity: String,
    /// False while the rule's evaluation code has not landed: its keys are known to the
    /// config loader, and `--rules` naming it says so.
    pub implemented: bool,
    pub summary: String,
    #[serde(default)]
    pub false_positives: Vec<String>,
    pub params: toml::Table,
    /// True-positive and true-negative examples that `tripline rules test` runs (schema in
    /// `rules::examples`).
    #[serde(default)]
    pub examples: Vec<Example>,
}

impl RuleSpec {
    pub fn default_severity(&self) -> Option<Severity> {
        Severity::parse(&self.severity)
    }
}

/// The whole catalogue, in a stable order.
pub fn catalogue() -> Vec<RuleSpec> {
    FILES
        .iter()
        .map(|(id, text)| {
            let spec: RuleSpec = toml::from_str(text)
                .unwrap_or_else(|e| panic!("built-in catalogue entry {id} is invalid: {e}"));
            assert_eq!(&spec.id, id, "catalogue file name and id differ");
            spec
        })
        .collect()
}

pub fn spec(id: &str) -> Option<RuleSpec> {
    catalogue().into_iter().find(|r| r.id == id)
}

/// A rule's parameters: catalogue defaults with the config's overrides applied.
#[derive(Debug, Clone)]
pub struct Params {
    pub rule: String,
    pub values: toml::Table,
}

impl Params {
    pub fn new(spec: &RuleSpec, overrides: Option<&toml::Table>) -> Params {
        let mut values = spec.params.clone();
        if let Some(o) = overrides {
            for (k, v) in o {
                values.insert(k.clone(), v.clone());
            }
        }
        Params {
            rule: spec.id.clone(),
            values,
        }
    }
    pub fn int(&self, key: &str) -> i64 {
        self.values
            .get(key)
            .and_then(|v| v.as_integer())
            .unwrap_or_else(|| {
                panic!(
                    "{}: parameter {key} is not an integer (config validation missed it)",
                    self.rule
                )
            })
    }
    pub fn duration(&self, key: &str) -> Duration {
        let s = self
            .values
            .get(key)
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        Duration::parse(s)
            .unwrap_or_else(|e| panic!("{}: {e} (config validation missed it)", self.rule))
    }
    pub fn strings(&self, key: &str) -> Vec<String> {
        self.values
            .get(key)
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }
    pub fn string(&self, key: &str) -> String {
        self.values
            .get(key)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    }
}

/// Checks one `[rules.<id>]` table against the catalogue: unknown keys, wrong types, bad
/// durations. Returns (key, problem) pairs so the config loader can add line numbers.
/// Durations that are windows the rule counts within: zero would never hold an event, so
/// the rule would never fire while `config check` said all was well.
const MUST_BE_POSITIVE: &[&str] = &["window", "after_new_source"];

pub fn validate_overrides(spec: &RuleSpec, table: &toml::Table) -> Vec<(String, String)> {
    let mut problems = Vec::new();
    for (k, v) in table {
        let Some(default) = spec.params.get(k) else {
            let known: Vec<&str> = spec.params.keys().map(String::as_str).collect();
            problems.push((
                k.clone(),
                format!(
                    "unknown key `{k}` for rule {}; known keys: {}",
                    spec.id,
                    known.join(", ")
                ),
            ));
            continue;
        };
        let ok = match default {
            toml::Value::Integer(_) => match v.as_integer() {
                Some(i) if i < 1 && k.starts_with("min_") => {
                    problems.push((k.clone(), format!("`{k}` of rule {} is {i}: a minimum count must be at least 1 (to turn the rule off, use `--disable {}`)", spec.id, spec.id)));
                    continue;
                }
                Some(i) => i >= 0,
                None => false,
            },
            toml::Value::String(s) if Duration::parse(s).is_ok() => match v.as_str() {
                Some(x) => match Duration::parse(x) {
                    Ok(d) if d.0 <= 0 && MUST_BE_POSITIVE.contains(&k.as_str()) => {
                        problems.push((k.clone(), format!("`{k}` of rule {} is {x:?}: a zero window never holds an event and silently turns the rule off (to turn it off, use `--disable {}`)", spec.id, spec.id)));
                        continue;
                    }
                    Ok(_) => true,
                    Err(e) => {
                        problems.push((k.clone(), e));
                        continue;
                    }
                },
                None => false,
            },
            toml::Value::String(_) => v.is_str(),
            toml::Value::Array(_) => v.as_array().is_some_and(|a| a.iter().all(|x| x.is_str())),
            toml::Value::Boolean(_) => v.is_bool(),
            _ => true,
        };
        if !ok {
            let expected = match default {
                toml::Value::Integer(_) => "a non-negative integer".to_string(),
                toml::Value::String(s) if Duration::parse(s).is_ok() => {
                    "a duration such as \"10m\"".to_string()
                }
                toml::Value::String(_) => "a string".to_string(),
                toml::Value::Array(_) => "a list of strings".to_string(),
                toml::Value::Boolean(_) => "true or false".to_string(),
                other => other.type_str().to_string(),
            };
            problems.push((
                k.clone(),
                format!("`{k}` of rule {} must be {expected}", spec.id),
            ));
        }
    }
    problems
}

pub fn by_id() -> BTreeMap<String, RuleSpec> {
    catalogue().into_iter().map(|r| (r.id.clone(), r)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn catalogue_loads_and_the_seed_list_is_exact() {
        let all = catalogue();
        assert_eq!(all.len(), 13);
        let burst = spec("cloud-discovery-burst").unwrap();
        let p = Params::new(&burst, None);
        let apis = p.strings("aws_apis");
        assert_eq!(apis.len(), 28, "the seed lists 28 names");
        let distinct: std::collections::BTreeSet<_> = apis.iter().collect();
        assert_eq!(distinct.len(), 27, "ListBuckets appears twice");
        assert_eq!(p.strings("azure_operations").len(), 7);
        assert_eq!(p.duration("window"), Duration::minutes(15));
    }
    #[test]
    fn overrides_are_validated() {
        let s = spec("password-spray").unwrap();
        let t: toml::Table =
            toml::from_str("min_failures = 6\nwindow = \"10x\"\nnope = 1\nmin_accounts = \"4\"")
                .unwrap();
        let problems = validate_overrides(&s, &t);
        let keys: Vec<&str> = problems.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, vec!["min_accounts", "nope", "window"]);
    }
}
