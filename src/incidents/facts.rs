//! What incidents read from one alert (SPEC §4): its actor, the access keys it used or
//! created, its real public source addresses, its user agents and its stage. The only place
//! that knows which alert fields say so; the rest of `incidents` works on [`AlertFacts`].

use std::net::IpAddr;

use crate::config::Cidr;
use crate::enrich::ip::{is_public, parse_source_ip};
use crate::event::Alert;
use crate::rules::history::{actor_of, baseline_identity};
use crate::rules::stage::Stage;

/// The rule whose actor is a field, not the group: the group is the key's owner, the actor
/// the identity that created it.
const ACCESS_KEY_CREATED: &str = "access-key-created";

#[derive(Clone, Debug, Default, PartialEq)]
pub struct AlertFacts {
    /// The actor (`history::actor_of`); `None` for alerts keyed by a source address only
    /// (password spray, bucket and tenant enumeration).
    pub actor: Option<String>,
    /// The identity as the baseline knows it (`history::baseline_identity`), for "never seen
    /// before"; empty without an identity.
    pub baseline_identity: String,
    /// Access key ids the alert's events used or created.
    pub key_ids: Vec<String>,
    /// Real public source addresses (not a service name, outside `internal_cidrs`), first
    /// appearance first.
    pub addresses: Vec<IpAddr>,
    /// The source address an identity-less alert is keyed by, as logged (its `group`).
    pub keyed_source: Option<String>,
    pub user_agents: Vec<String>,
    pub stage: Option<Stage>,
}

/// A field by any of its names: another branch renames `actor` → `Actor` and `key_id` →
/// `KeyId` (SPEC §4, PascalCase), and both spellings may meet in one store of old alerts.
fn field_str<'a>(a: &'a Alert, names: &[&str]) -> Option<&'a str> {
    names
        .iter()
        .find_map(|n| a.fields.get(n).and_then(|v| v.as_str()))
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Every string of a field that is a string or a list of strings.
fn field_strings<'a>(a: &'a Alert, name: &str) -> Vec<&'a str> {
    match a.fields.get(name) {
        Some(serde_json::Value::String(s)) => vec![s.as_str()],
        Some(serde_json::Value::Array(items)) => items.iter().filter_map(|v| v.as_str()).collect(),
        _ => Vec::new(),
    }
}

fn group_str<'a>(a: &'a Alert, key: &str) -> Option<&'a str> {
    a.group
        .get(key)
        .and_then(|v| v.as_str())
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn push_distinct<T: PartialEq>(list: &mut Vec<T>, v: T) {
    if !list.contains(&v) {
        list.push(v);
    }
}

/// The facts of one alert. `stage_of` maps a rule id to its catalogue stage.
pub fn facts_of(
    a: &Alert,
    stage_of: &dyn Fn(&str) -> Option<Stage>,
    internal: &[Cidr],
) -> AlertFacts {
    let identity = if a.rule == ACCESS_KEY_CREATED {
        field_str(a, &["Actor", "actor"]).or_else(|| group_str(a, "identity"))
    } else {
        group_str(a, "identity")
    };
    let mut f = AlertFacts {
        actor: identity.map(actor_of),
        baseline_identity: identity.map(baseline_identity).unwrap_or_default(),
        stage: stage_of(&a.rule),
        ..AlertFacts::default()
    };
    if identity.is_none() {
        f.keyed_source = group_str(a, "source_ip").map(String::from);
    }
    for k in a
        .signals
        .key_ids
        .iter()
        .map(String::as_str)
        .chain(field_str(a, &["KeyId", "key_id"]))
    {
        push_distinct(&mut f.key_ids, k.to_string());
    }
    // The signals hold every contributing event's address once every rule fills them; the
    // printed source fields and the group say the same of the alerts made before that.
    let sources = a
        .signals
        .source_ips
        .iter()
        .map(String::as_str)
        .chain(f.keyed_source.as_deref())
        .chain(field_strings(a, "SourceIP"))
        .chain(field_strings(a, "SourceIPs"));
    for s in sources {
        if let Some(ip) = parse_source_ip(s) {
            if is_public(ip) && !internal.iter().any(|c| c.contains(&ip)) {
                push_distinct(&mut f.addresses, ip);
            }
        }
    }
    let agents = a
        .signals
        .user_agents
        .iter()
        .map(String::as_str)
        .chain(field_strings(a, "UserAgent"))
        .chain(field_strings(a, "UserAgents"));
    for ua in agents.filter(|u| !u.trim().is_empty()) {
        push_distinct(&mut f.user_agents, ua.to_string());
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::sink::tests::sample_alert;

    fn no_stage(_: &str) -> Option<Stage> {
        None
    }

    #[test]
    fn access_key_created_actor_is_the_creator_under_either_field_spelling() {
        for (actor_key, key_key) in [("actor", "key_id"), ("Actor", "KeyId")] {
            let mut a = sample_alert();
            a.rule = "access-key-created".into();
            a.group.0 = vec![("identity".into(), "backdoor-user".into())];
            a.fields.0.clear();
            a.fields
                .push(actor_key, "arn:aws:iam::111122223333:user/Mallory");
            a.fields.push(key_key, "AKIAEXAMPLEKEY000001");
            let f = facts_of(&a, &no_stage, &[]);
            assert_eq!(
                f.actor.as_deref(),
                Some("arn:aws:iam::111122223333:user/Mallory")
            );
            assert_eq!(f.key_ids, vec!["AKIAEXAMPLEKEY000001".to_string()]);
        }
    }

    #[test]
    fn only_real_public_addresses_outside_internal_cidrs_count() {
        let mut a = sample_alert();
        a.fields.0.retain(|(k, _)| k != "SourceIPs");
        a.fields.push(
            "SourceIPs",
            serde_json::json!([
                "198.51.100.7",
                "AWS Internal",
                "config.amazonaws.com",
                "10.1.2.3",
                "192.168.0.4",
                "203.0.113.9"
            ]),
        );
        let internal = [Cidr::parse("203.0.113.0/24").unwrap()];
        let f = facts_of(&a, &no_stage, &internal);
        assert_eq!(f.addresses, vec!["198.51.100.7".parse::<IpAddr>().unwrap()]);
    }

    #[test]
    fn an_identity_less_alert_is_keyed_by_its_source() {
        let mut a = sample_alert();
        a.rule = "password-spray".into();
        a.group.0 = vec![("source_ip".into(), "198.51.100.23".into())];
        let f = facts_of(&a, &no_stage, &[]);
        assert_eq!(f.actor, None);
        assert_eq!(f.keyed_source.as_deref(), Some("198.51.100.23"));
        assert!(f.addresses.contains(&"198.51.100.23".parse().unwrap()));
    }
}
