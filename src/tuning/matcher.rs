//! What an alert offers to a suppression pattern (SPEC §6): its identities and accounts (from
//! its group or fields), the source addresses and user agents of its contributing events
//! (from its signals). Every answer fails closed: a value that is absent, or a list the rule
//! had to cut short, matches nothing, so a pattern never suppresses what it could not see.

use super::catalogue::BenignTool;
use crate::collections::HashMap;
use crate::config::{glob_match, Cidr};
use crate::event::Alert;
use std::net::IpAddr;

/// The alert's identities: the group's `identity` / `actor` and the fields `Identity`,
/// `Actor`, `Identities` (names compared case-insensitively, so field renames keep working).
/// Empty when the alert has none (source-keyed alerts such as a password spray).
pub fn identities(a: &Alert) -> Vec<String> {
    values(a, &["identity", "actor", "identities"])
}

/// The alert's accounts: the group's `account` and the fields `AccountId` / `Account`.
pub fn accounts(a: &Alert) -> Vec<String> {
    values(a, &["account", "accountid"])
}

fn values(a: &Alert, keys: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |v: &str| {
        let v = v.trim();
        if !v.is_empty() && !out.iter().any(|o| o == v) {
            out.push(v.to_string());
        }
    };
    for (k, v) in a.group.0.iter().chain(a.fields.0.iter()) {
        if !keys.iter().any(|want| k.eq_ignore_ascii_case(want)) {
            continue;
        }
        match v {
            serde_json::Value::String(s) => push(s),
            serde_json::Value::Array(items) => {
                items.iter().filter_map(|i| i.as_str()).for_each(&mut push)
            }
            _ => {}
        }
    }
    out
}

/// Every real source address of the contributing events (service names such as
/// `AWS Internal` or `ec2.amazonaws.com` left out), or `None` when there is none or the list
/// was cut short.
pub fn source_addresses(a: &Alert) -> Option<Vec<IpAddr>> {
    if a.signals.source_ips_truncated {
        return None;
    }
    let mut addrs: Vec<IpAddr> = a
        .signals
        .source_ips
        .iter()
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    // Source-keyed rules name their address in the group too.
    for (k, v) in &a.group.0 {
        if k.eq_ignore_ascii_case("source_ip") {
            if let Some(ip) = v.as_str().and_then(|s| s.trim().parse().ok()) {
                if !addrs.contains(&ip) {
                    addrs.push(ip);
                }
            }
        }
    }
    (!addrs.is_empty()).then_some(addrs)
}

/// The user agents of every contributing event (events made on the identity's behalf aside),
/// or `None` when there is none or more than the signals keep.
pub fn user_agents(a: &Alert) -> Option<&[String]> {
    let s = &a.signals;
    (!s.user_agents_truncated && !s.user_agents.is_empty()).then_some(&s.user_agents[..])
}

/// Whether every source address of the alert is inside one of `cidrs`.
pub fn all_sources_inside(a: &Alert, cidrs: &[Cidr]) -> bool {
    !cidrs.is_empty()
        && source_addresses(a)
            .is_some_and(|addrs| addrs.iter().all(|ip| cidrs.iter().any(|c| c.contains(ip))))
}

/// Whether every value is matched by `pattern` (case-sensitive, SPEC §6); false for none.
pub fn all_match(values: &[String], pattern: &str) -> bool {
    !values.is_empty() && values.iter().all(|v| glob_match(pattern, v, false))
}

/// The names an identity goes by: itself, and its principal name — the role of an
/// assumed-role session, the last part of an IAM user or role, a service account's name.
/// `arn:aws:sts::1:assumed-role/terraform-ci/run-7` → `terraform-ci`.
pub fn principal_names(identity: &str) -> Vec<&str> {
    let mut names = vec![identity];
    let short = if let Some((_, rest)) = identity.split_once(":assumed-role/") {
        rest.split('/').next()
    } else if let Some((_, rest)) = identity
        .split_once(":role/")
        .or_else(|| identity.split_once(":user/"))
    {
        rest.rsplit('/').next()
    } else if let Some((name, domain)) = identity.split_once('@') {
        domain.ends_with(".gserviceaccount.com").then_some(name)
    } else {
        None
    };
    if let Some(s) = short.filter(|s| !s.is_empty() && *s != identity) {
        names.push(s);
    }
    names
}

/// The catalogue's answers for the values alerts show, remembered: alerts repeat a few user
/// agents and identities, and each is matched against every tool's patterns once. Bit `i`
/// of an answer stands for tool `i`.
pub struct CatalogueMatches<'t> {
    tools: &'t [BenignTool],
    agents: HashMap<String, u64>,
    names: HashMap<String, u64>,
}

impl<'t> CatalogueMatches<'t> {
    pub fn new(tools: &'t [BenignTool]) -> CatalogueMatches<'t> {
        assert!(tools.len() <= 64, "one bit per tool");
        CatalogueMatches {
            tools,
            agents: HashMap::default(),
            names: HashMap::default(),
        }
    }

    fn bits(
        memo: &mut HashMap<String, u64>,
        tools: &[BenignTool],
        patterns: fn(&BenignTool) -> &[String],
        value: &str,
    ) -> u64 {
        if let Some(bits) = memo.get(value) {
            return *bits;
        }
        let bits = tools
            .iter()
            .enumerate()
            .filter(|(_, t)| patterns(t).iter().any(|p| glob_match(p, value, true)))
            .fold(0, |bits, (i, _)| bits | 1 << i);
        memo.insert(value.to_string(), bits);
        bits
    }

    /// The tools by whose identity patterns every identity of the alert goes, through any of
    /// its [`principal_names`] (case-insensitive: AWS IAM does not tell role or user names
    /// apart by case); none without an identity.
    pub fn named(&mut self, identities: &[String]) -> u64 {
        if identities.is_empty() {
            return 0;
        }
        identities.iter().fold(u64::MAX, |all, id| {
            let any = principal_names(id).into_iter().fold(0, |any, n| {
                any | Self::bits(&mut self.names, self.tools, |t| &t.identities, n)
            });
            all & any
        })
    }

    /// The tools whose user-agent patterns every user agent of the alert matches; none when
    /// the alert shows none or had to cut its list short.
    pub fn agents(&mut self, a: &Alert) -> u64 {
        let Some(uas) = user_agents(a) else {
            return 0;
        };
        uas.iter().fold(u64::MAX, |all, ua| {
            all & Self::bits(&mut self.agents, self.tools, |t| &t.user_agents, ua)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn principal_names_of_real_identity_shapes() {
        assert_eq!(
            principal_names("arn:aws:sts::123456789012:assumed-role/terraform-ci/run-7"),
            [
                "arn:aws:sts::123456789012:assumed-role/terraform-ci/run-7",
                "terraform-ci"
            ]
        );
        assert_eq!(
            principal_names("arn:aws:iam::123456789012:role/deploy/WizAccess-Role")[1],
            "WizAccess-Role"
        );
        assert_eq!(
            principal_names("arn:aws:iam::123837392027:user/bert-jan")[1],
            "bert-jan"
        );
        assert_eq!(
            principal_names("terraform@acme-prod.iam.gserviceaccount.com")[1],
            "terraform"
        );
        assert_eq!(principal_names("alice@contoso.com"), ["alice@contoso.com"]);
        assert_eq!(
            principal_names("arn:aws:iam::1:root"),
            ["arn:aws:iam::1:root"]
        );
    }

    fn all_identities_named(identities: &[String], patterns: &[String]) -> bool {
        let tools = [BenignTool {
            name: "t".into(),
            identities: patterns.to_vec(),
            user_agents: vec![],
            sources: vec![],
        }];
        CatalogueMatches::new(&tools).named(identities) & 1 != 0
    }

    #[test]
    fn identity_patterns_need_every_identity() {
        let pats = vec!["*terraform*".to_string()];
        let one = vec!["arn:aws:sts::1:assumed-role/Terraform-Plan/s".to_string()];
        assert!(
            all_identities_named(&one, &pats),
            "role names compare case-blind"
        );
        let two = vec![one[0].clone(), "arn:aws:iam::1:user/bert-jan".to_string()];
        assert!(
            !all_identities_named(&two, &pats),
            "one other identity keeps the alert"
        );
        assert!(!all_identities_named(&[], &pats), "no identity: no match");
    }
}
