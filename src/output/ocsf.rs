//! `--output ocsf`: each alert as an OCSF Detection Finding (class_uid 2004), one JSON object a
//! line, for SIEMs and data lakes that speak OCSF (Security Lake, Sentinel, Splunk).
//!
//! The target is OCSF 1.1.0 with the `cloud`, `datetime` and `host` profiles, listed in
//! `metadata.profiles`: in 1.1.0 `cloud` (the account) belongs to the cloud profile, `actor`
//! (the identity) to the host profile and the RFC 3339 `*_dt` times to the datetime profile.
//! 1.1.0 is what the SIEMs' OCSF mappings read today; `tests/ocsf_output.rs` validates every
//! object against that version's schema, vendored in `tests/fixtures/ocsf/`.
//!
//! What maps where:
//! - the alert id is `finding_info.uid` (and `metadata.uid`), the rule `finding_info.analytic`,
//!   the ATT&CK ids `finding_info.attacks[]`: one entry per (technique, tactic), with the
//!   sub-technique when the id is one (`output::attack` has the names);
//! - severity → `severity_id` (low 2, medium 3, high 4, critical 5) and `risk_level_id`;
//!   `risk_score` as is; `first_seen` / `last_seen` → `start_time` / `end_time` (ms) and their
//!   `_dt` twins (RFC 3339, the source's precision); `time` is `last_seen`;
//! - suppressed → `status_id` 3 (Suppressed) with the reason in `status_detail`, else 1 (New);
//! - the identity → `actor.user`, the source addresses → `evidences[].src_endpoint` (OCSF
//!   1.1.0 has no top-level source endpoint in this class), each evidence origin →
//!   `evidences[].data.origin`, the provider, account and region → `cloud`;
//! - everything else of the alert (group, window, fields, notes, and whatever later fields an
//!   alert gains, such as `incident`, `activity` or `next_steps`) → `unmapped`, as the JSON
//!   outputs print it, so nothing is lost and new fields flow through without a change here.
//!
//! Strings from the logs are clipped to the schema's 65,535 characters where OCSF maps them
//! (an identity of 64 KB stays whole in `unmapped`), and the line is written with the
//! terminal-safe JSON formatter, like `--output jsonl`.

use std::io::{self, Write};

use serde_json::{json, Map, Value};

use super::attack::{self, ATTACK_VERSION};
use super::sink::AlertSink;
use crate::event::alert::Fields;
use crate::event::{Alert, Provider, Severity, Timestamp};

/// The OCSF version the objects claim, and the profiles whose attributes they use.
pub const OCSF_VERSION: &str = "1.1.0";
pub const OCSF_PROFILES: [&str; 3] = ["cloud", "datetime", "host"];

/// OCSF's `string_t` limit (`maxLength` in the schema), in characters.
const MAX_STRING: usize = 65_535;

const CLASS_UID: u32 = 2004;
const CATEGORY_UID: u32 = 2;
/// Activity 1, Create: a finding is created once per alert (an alert found again has the
/// same id, so consumers can upsert on `finding_info.uid`).
const ACTIVITY_CREATE: u32 = 1;

pub struct OcsfSink<W: Write> {
    out: W,
    line: Vec<u8>,
}

impl<W: Write> OcsfSink<W> {
    pub fn new(out: W) -> Self {
        OcsfSink {
            out,
            line: Vec::new(),
        }
    }
}

impl<W: Write> AlertSink for OcsfSink<W> {
    fn alert(&mut self, a: &Alert) -> io::Result<()> {
        super::jsonl::write_json_line(&mut self.out, &mut self.line, &finding(a))
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// The Detection Finding of one alert.
pub fn finding(a: &Alert) -> Value {
    let identity = lookup(&a.group, &["actor", "identity"])
        .or_else(|| lookup(&a.fields, &["actor", "identity"]));
    let account = lookup(&a.group, &["account", "account_id"])
        .or_else(|| lookup(&a.fields, &["account_id", "account"]));
    let region = lookup(&a.group, &["region"]).or_else(|| lookup(&a.fields, &["region"]));

    let mut f = Map::new();
    f.insert("activity_id".into(), json!(ACTIVITY_CREATE));
    f.insert("activity_name".into(), json!("Create"));
    f.insert("category_uid".into(), json!(CATEGORY_UID));
    f.insert("category_name".into(), json!("Findings"));
    f.insert("class_uid".into(), json!(CLASS_UID));
    f.insert("class_name".into(), json!("Detection Finding"));
    f.insert("type_uid".into(), json!(CLASS_UID * 100 + ACTIVITY_CREATE));
    f.insert("type_name".into(), json!("Detection Finding: Create"));
    f.insert("severity_id".into(), json!(severity_id(a.severity)));
    f.insert("severity".into(), json!(caption(a.severity)));
    f.insert("risk_score".into(), json!(a.risk_score));
    f.insert("risk_level_id".into(), json!(risk_level_id(a.severity)));
    f.insert("risk_level".into(), json!(caption(a.severity)));
    let (status_id, status) = if a.suppressed {
        (3, "Suppressed")
    } else {
        (1, "New")
    };
    f.insert("status_id".into(), json!(status_id));
    f.insert("status".into(), json!(status));
    if let Some(reason) = &a.reason {
        f.insert("status_detail".into(), json!(clip(reason)));
    }
    f.insert("message".into(), json!(clip(&a.title)));
    f.insert("count".into(), json!(a.count));
    f.insert("time".into(), json!(millis(a.last_seen)));
    f.insert("time_dt".into(), json!(a.last_seen.to_string()));
    f.insert("start_time".into(), json!(millis(a.first_seen)));
    f.insert("start_time_dt".into(), json!(a.first_seen.to_string()));
    f.insert("end_time".into(), json!(millis(a.last_seen)));
    f.insert("end_time_dt".into(), json!(a.last_seen.to_string()));
    f.insert("timezone_offset".into(), json!(0));
    f.insert("finding_info".into(), finding_info(a));

    let mut metadata = json!({
        "version": OCSF_VERSION,
        "profiles": OCSF_PROFILES,
        "uid": a.id,
        "log_name": a.schema,
        "product": {
            "name": "tripline",
            "vendor_name": "tripline",
            "version": env!("CARGO_PKG_VERSION"),
        },
    });
    // Serialized once: the unmapped part and the incident id both read it.
    let printed = match serde_json::to_value(a) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    if let Some(incident) = incident_id(&printed) {
        metadata["correlation_uid"] = json!(clip(&incident));
    }
    f.insert("metadata".into(), metadata);

    let mut cloud = json!({ "provider": provider_name(a.provider) });
    if let Some(account) = &account {
        cloud["account"] = json!({ "uid": clip(account) });
    }
    if let Some(region) = &region {
        cloud["region"] = json!(clip(region));
    }
    f.insert("cloud".into(), cloud);
    if let Some(identity) = &identity {
        f.insert(
            "actor".into(),
            json!({ "user": { "name": clip(identity), "uid": clip(identity) } }),
        );
    }
    f.insert("evidences".into(), Value::Array(evidences(a)));
    f.insert("unmapped".into(), unmapped(printed));
    Value::Object(f)
}

fn finding_info(a: &Alert) -> Value {
    json!({
        "uid": a.id,
        "title": clip(&a.title),
        "analytic": {
            "uid": clip(&a.rule),
            "name": clip(&a.rule),
            "type_id": 1,
            "type": "Rule",
        },
        "attacks": attacks(&a.attack),
        "first_seen_time": millis(a.first_seen),
        "first_seen_time_dt": a.first_seen.to_string(),
        "last_seen_time": millis(a.last_seen),
        "last_seen_time_dt": a.last_seen.to_string(),
    })
}

/// One OCSF `attack` per (technique, tactic); a technique without a known tactic still gets
/// one entry (technique alone satisfies the schema's "at least one of").
fn attacks(ids: &[String]) -> Vec<Value> {
    let mut out = Vec::new();
    for id in ids {
        let t = attack::technique(id);
        let mut base = Map::new();
        base.insert("version".into(), json!(ATTACK_VERSION));
        base.insert(
            "technique".into(),
            named(
                &t.technique_id,
                t.technique_name,
                Some(attack::url(&t.technique_id)),
            ),
        );
        if let Some((sub, name)) = &t.sub_technique {
            base.insert(
                "sub_technique".into(),
                named(sub, *name, Some(attack::url(sub))),
            );
        }
        if t.tactics.is_empty() {
            out.push(Value::Object(base));
            continue;
        }
        for tactic in t.tactics {
            let mut entry = base.clone();
            let url = format!("https://attack.mitre.org/tactics/{}/", tactic.id);
            entry.insert(
                "tactic".into(),
                named(tactic.id, Some(tactic.name), Some(url)),
            );
            out.push(Value::Object(entry));
        }
    }
    out
}

fn named(uid: &str, name: Option<&str>, url: Option<String>) -> Value {
    let mut v = json!({ "uid": clip(uid) });
    if let Some(name) = name {
        v["name"] = json!(name);
    }
    if let Some(url) = url {
        v["src_url"] = json!(url);
    }
    v
}

/// Source endpoints first (from the group when the rule counted by address, else the
/// contributing events' addresses), then one evidence per origin.
fn evidences(a: &Alert) -> Vec<Value> {
    let mut sources: Vec<String> = Vec::new();
    let mut add = |ip: &str| {
        if !ip.is_empty() && !sources.iter().any(|s| s == ip) {
            sources.push(ip.to_string());
        }
    };
    if let Some(ip) = lookup(&a.group, &["source_ip"]) {
        add(&ip);
    }
    if let Some(ip) = lookup(&a.fields, &["source_ip"]) {
        add(&ip);
    }
    // The seed's `SourceIPs` (and any rule's list of addresses), then what the builder
    // gathered from the contributing events.
    if let Some(list) = lookup_value(&a.fields, "source_ips").and_then(Value::as_array) {
        for ip in list.iter().filter_map(Value::as_str) {
            add(ip);
        }
    }
    for ip in &a.signals.source_ips {
        add(ip);
    }
    let mut out: Vec<Value> = sources
        .iter()
        .map(|s| json!({ "src_endpoint": endpoint(s) }))
        .collect();
    out.extend(
        a.evidence
            .iter()
            .map(|origin| json!({ "data": { "origin": origin } })),
    );
    out
}

/// A real address is `ip` (in its canonical form, as the schema's pattern wants); a service
/// name logged in its place (`config.amazonaws.com`, `AWS Internal`) is `svc_name`.
fn endpoint(source: &str) -> Value {
    match source.parse::<std::net::IpAddr>() {
        Ok(ip) => json!({ "ip": ip.to_string() }),
        Err(_) => json!({ "svc_name": clip(source) }),
    }
}

/// The alert as the JSON outputs print it, less what OCSF attributes already carry.
fn unmapped(mut v: Map<String, Value>) -> Value {
    for mapped in [
        "id",
        "title",
        "attack",
        "severity",
        "risk_score",
        "first_seen",
        "last_seen",
        "count",
        "evidence",
        "suppressed",
        "reason",
    ] {
        v.remove(mapped);
    }
    Value::Object(v)
}

/// The alert's incident id, once alerts carry one (`incident` as a string or an object with
/// an `id`): OCSF's `metadata.correlation_uid` groups findings of one incident.
fn incident_id(printed: &Map<String, Value>) -> Option<String> {
    match printed.get("incident")? {
        Value::String(s) => Some(s.clone()),
        Value::Object(m) => m.get("id")?.as_str().map(str::to_string),
        _ => None,
    }
}

/// The first of `names` present with a non-empty string value. Keys are compared without
/// case and underscores, so `source_ip`, `SourceIp` and `SourceIP` are one key: rules name
/// group keys in snake case and fields in PascalCase.
fn lookup(fields: &Fields, names: &[&str]) -> Option<String> {
    names.iter().find_map(|name| {
        lookup_value(fields, name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    })
}

/// The value of the key that folds (no case, no underscores) to `name`'s folding.
fn lookup_value<'a>(fields: &'a Fields, name: &str) -> Option<&'a Value> {
    let fold = |k: &str| -> String {
        k.chars()
            .filter(|c| *c != '_')
            .flat_map(char::to_lowercase)
            .collect()
    };
    let want = fold(name);
    fields
        .0
        .iter()
        .find(|(k, _)| fold(k) == want)
        .map(|(_, v)| v)
}

fn clip(s: &str) -> String {
    match s.char_indices().nth(MAX_STRING) {
        Some((end, _)) => s[..end].to_string(),
        None => s.to_string(),
    }
}

fn millis(t: Timestamp) -> i64 {
    t.0.div_euclid(1_000_000)
}

fn severity_id(s: Severity) -> u8 {
    match s {
        Severity::Low => 2,
        Severity::Medium => 3,
        Severity::High => 4,
        Severity::Critical => 5,
    }
}

fn risk_level_id(s: Severity) -> u8 {
    match s {
        Severity::Low => 1,
        Severity::Medium => 2,
        Severity::High => 3,
        Severity::Critical => 4,
    }
}

fn caption(s: Severity) -> &'static str {
    match s {
        Severity::Low => "Low",
        Severity::Medium => "Medium",
        Severity::High => "High",
        Severity::Critical => "Critical",
    }
}

fn provider_name(p: Provider) -> &'static str {
    match p {
        Provider::Aws => "AWS",
        Provider::Azure => "Azure",
        Provider::Gcp => "GCP",
        Provider::Other => "Other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::sink::tests::{sample_alert, Shared};

    #[test]
    fn the_seed_alert_maps_to_a_detection_finding() {
        let mut a = sample_alert();
        a.signals.add("aws-cli/2.15.0", "198.51.100.7", "");
        a.signals.add("", "config.amazonaws.com", "");
        let f = finding(&a);
        assert_eq!(f["class_uid"], 2004);
        assert_eq!(f["type_uid"], 200401);
        assert_eq!(f["finding_info"]["uid"], a.id);
        assert_eq!(
            f["finding_info"]["analytic"]["uid"],
            "cloud-discovery-burst"
        );
        let attacks = f["finding_info"]["attacks"].as_array().unwrap();
        assert_eq!(attacks.len(), 1);
        assert_eq!(attacks[0]["technique"]["uid"], "T1580");
        assert_eq!(attacks[0]["tactic"]["name"], "Discovery");
        assert_eq!(f["severity_id"], 2);
        assert_eq!(f["risk_score"], 50);
        assert_eq!(f["status_id"], 1);
        assert_eq!(f["start_time"], 1_714_989_662_000i64);
        assert_eq!(f["start_time_dt"], "2024-05-06T10:01:02Z");
        assert_eq!(f["end_time_dt"], "2024-05-06T10:09:40Z");
        assert_eq!(
            f["actor"]["user"]["uid"],
            "arn:aws:iam::123456789012:user/alice"
        );
        assert_eq!(f["cloud"]["provider"], "AWS");
        assert_eq!(f["cloud"]["account"]["uid"], "123456789012");
        let ev = f["evidences"].as_array().unwrap();
        assert_eq!(ev[0]["src_endpoint"]["ip"], "198.51.100.7");
        assert_eq!(ev[1]["src_endpoint"]["svc_name"], "config.amazonaws.com");
        assert_eq!(ev[2]["data"]["origin"], a.evidence[0]);
        assert_eq!(f["unmapped"]["fields"]["DiscoveryCount"], 12);
        assert_eq!(f["unmapped"]["group"]["account"], "123456789012");
        assert!(f["unmapped"].get("id").is_none(), "mapped once, not twice");
    }

    #[test]
    fn the_seeds_source_list_is_a_source_endpoint_without_signals() {
        let a = sample_alert();
        assert!(a.signals.source_ips.is_empty());
        let f = finding(&a);
        assert_eq!(f["evidences"][0]["src_endpoint"]["ip"], "198.51.100.7");
        assert!(f["evidences"][1].get("src_endpoint").is_none());
    }

    #[test]
    fn a_suppressed_alert_is_a_suppressed_finding_with_its_reason() {
        let mut a = sample_alert();
        a.suppressed = true;
        a.reason = Some("nightly terraform plan".into());
        let f = finding(&a);
        assert_eq!(f["status_id"], 3);
        assert_eq!(f["status"], "Suppressed");
        assert_eq!(f["status_detail"], "nightly terraform plan");
        a.suppressed = false;
        a.reason = None;
        assert!(finding(&a).get("status_detail").is_none());
    }

    #[test]
    fn a_sub_technique_names_its_parent_and_every_tactic() {
        let mut a = sample_alert();
        a.attack = vec!["T1078.004".into()];
        let f = finding(&a);
        let attacks = f["finding_info"]["attacks"].as_array().unwrap();
        let tactics: Vec<&str> = attacks
            .iter()
            .map(|x| x["tactic"]["uid"].as_str().unwrap())
            .collect();
        assert_eq!(tactics, ["TA0001", "TA0003", "TA0004", "TA0005"]);
        for x in attacks {
            assert_eq!(x["technique"]["uid"], "T1078");
            assert_eq!(x["sub_technique"]["uid"], "T1078.004");
            assert_eq!(x["sub_technique"]["name"], "Cloud Accounts");
        }
    }

    #[test]
    fn an_alert_without_identity_has_no_actor_and_keeps_its_source() {
        let mut a = sample_alert();
        a.group = Fields::default();
        a.group.push("source_ip", "203.0.113.9");
        a.fields = Fields::default();
        let f = finding(&a);
        assert!(f.get("actor").is_none());
        assert!(f["cloud"].get("account").is_none());
        assert_eq!(f["evidences"][0]["src_endpoint"]["ip"], "203.0.113.9");
    }

    #[test]
    fn long_log_strings_are_clipped_where_mapped_and_whole_in_unmapped() {
        let mut a = sample_alert();
        let big = format!("arn:aws:iam::1:user/{}", "é".repeat(70_000));
        a.group.0[0].1 = big.clone().into();
        let f = finding(&a);
        assert_eq!(
            f["actor"]["user"]["name"].as_str().unwrap().chars().count(),
            MAX_STRING
        );
        assert_eq!(f["unmapped"]["group"]["identity"], big);
    }

    #[test]
    fn pascal_case_field_names_are_found_too() {
        let mut a = sample_alert();
        a.group = Fields::default();
        a.fields = Fields::default();
        a.fields.push("Identity", "alice@contoso.com");
        a.fields.push("AccountId", "tenant-1");
        a.fields.push("Region", "westeurope");
        let f = finding(&a);
        assert_eq!(f["actor"]["user"]["name"], "alice@contoso.com");
        assert_eq!(f["cloud"]["account"]["uid"], "tenant-1");
        assert_eq!(f["cloud"]["region"], "westeurope");
    }

    #[test]
    fn one_line_per_finding_and_hidden_characters_escaped() {
        let buf = Shared::default();
        let mut sink = OcsfSink::new(buf.clone());
        let mut a = sample_alert();
        a.group.0[0].1 = "evil\u{1b}[2J\u{202e}\u{2028}x".into();
        sink.alert(&a).unwrap();
        sink.alert(&sample_alert()).unwrap();
        sink.finish().unwrap();
        let text = buf.text();
        assert_eq!(text.lines().count(), 2);
        assert!(!text.contains(['\u{1b}', '\u{202e}', '\u{2028}']), "{text}");
        let v: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(v["actor"]["user"]["name"], "evil\u{1b}[2J\u{202e}\u{2028}x");
    }
}
