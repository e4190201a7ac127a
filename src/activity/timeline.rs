//! `investigate`: the timeline of one actor — an identity (role-level identities gather their
//! sessions, UPNs case-folded, as [`actor_of`] says), an access key id, or a source address.
//! Which events belong to it, the byte strings that find them cheaply, and how they group
//! by source and session. Printing is the CLI's.

use super::collect::needle_of;
use crate::event::{Access, Event, Outcome, Timestamp};
use crate::rules::history::actor_of;

/// Whose timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// An identity, compared as its actor.
    Identity(String),
    /// An access key id: the events it signed, and the one that created it.
    Key(String),
    SourceIp(String),
}

impl Target {
    pub fn identity(id: &str) -> Target {
        Target::Identity(actor_of(id))
    }

    pub fn matches(&self, e: &Event) -> bool {
        match self {
            Target::Identity(actor) => !e.identity.is_empty() && actor_of(&e.identity) == *actor,
            Target::Key(k) => e.key_id.trim() == k,
            Target::SourceIp(ip) => e.source_ip.trim() == ip,
        }
    }

    /// (exact, case-folded) byte strings one of which every matching record contains.
    pub fn needles(&self) -> (Vec<String>, Vec<String>) {
        match self {
            Target::Identity(actor) => needle_of(actor),
            Target::Key(s) | Target::SourceIp(s) => (vec![s.clone()], vec![]),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Target::Identity(a) => format!("identity {a}"),
            Target::Key(k) => format!("access key {k}"),
            Target::SourceIp(ip) => format!("source address {ip}"),
        }
    }
}

/// The session an event belongs to: an assumed-role session's name, else the access key
/// that signed it, else the identity as logged.
pub fn session_of(e: &Event) -> String {
    if let Some((_, rest)) = e.identity.split_once(":assumed-role/") {
        if let Some((role, session)) = rest.split_once('/') {
            return format!("{role}/{session}");
        }
    }
    if !e.key_id.is_empty() && e.access != Access::SignIn && e.action != "CreateAccessKey" {
        return format!("key {}", e.key_id);
    }
    e.identity.clone()
}

/// One (source, session) of a timeline with its counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Group {
    pub source: String,
    pub session: String,
    pub first: Timestamp,
    pub last: Timestamp,
    pub events: u64,
    pub reads: u64,
    pub writes: u64,
    pub failures: u64,
}

/// Sorts the events into their timeline (time, then origin) and gives the groups, earliest
/// first.
pub fn build(events: &mut [Event]) -> Vec<Group> {
    events.sort_by(|a, b| a.time.cmp(&b.time).then_with(|| a.origin.cmp(&b.origin)));
    let mut groups: Vec<Group> = Vec::new();
    let mut index: crate::collections::HashMap<(String, String), usize> = Default::default();
    for e in events.iter() {
        let key = (e.source_ip.clone(), session_of(e));
        let i = *index.entry(key.clone()).or_insert_with(|| {
            groups.push(Group {
                source: key.0.clone(),
                session: key.1.clone(),
                first: e.time,
                last: e.time,
                ..Group::default()
            });
            groups.len() - 1
        });
        let g = &mut groups[i];
        g.last = e.time;
        g.events += 1;
        g.reads += u64::from(e.access == Access::Read);
        g.writes += u64::from(e.access == Access::Write);
        g.failures += u64::from(e.outcome == Outcome::Failure);
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{LogFormat, Origin, Provider};
    use std::sync::Arc;

    fn ev(identity: &str, key: &str, ip: &str) -> Event {
        let src: Arc<str> = Arc::from("f");
        let mut e = Event::new(
            Provider::Aws,
            LogFormat::CloudTrail,
            Timestamp(0),
            Origin::line(&src, 1),
        );
        e.identity = identity.into();
        e.key_id = key.into();
        e.source_ip = ip.into();
        e
    }

    #[test]
    fn a_role_gathers_its_sessions_and_a_upn_is_case_folded() {
        let role = Target::identity("arn:aws:iam::1:role/deploy");
        assert!(role.matches(&ev("arn:aws:sts::1:assumed-role/deploy/run-1", "", "")));
        assert!(role.matches(&ev("arn:aws:sts::1:assumed-role/deploy/run-2", "", "")));
        assert!(!role.matches(&ev("arn:aws:sts::1:assumed-role/deployer/run-2", "", "")));
        let upn = Target::identity("Alice@Contoso.com");
        assert!(upn.matches(&ev("ALICE@contoso.COM", "", "")));
        assert!(!upn.matches(&ev("alice@contoso.co", "", "")));
        let key = Target::Key("AKIAEXAMPLE".into());
        assert!(key.matches(&ev("x", "AKIAEXAMPLE", "")));
        assert!(!key.matches(&ev("x", "AKIAEXAMPLE2", "")));
        let ip = Target::SourceIp("203.0.113.7".into());
        assert!(ip.matches(&ev("", "", "203.0.113.7")));
        assert!(!ip.matches(&ev("", "", "203.0.113.70")));
    }

    #[test]
    fn sessions_are_role_sessions_then_keys_then_identities() {
        assert_eq!(
            session_of(&ev("arn:aws:sts::1:assumed-role/deploy/run-1", "ASIA1", "")),
            "deploy/run-1"
        );
        assert_eq!(
            session_of(&ev("arn:aws:iam::1:user/u", "AKIA1", "")),
            "key AKIA1"
        );
        assert_eq!(session_of(&ev("bob@x.com", "", "")), "bob@x.com");
    }
}
