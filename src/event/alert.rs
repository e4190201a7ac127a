//! The alert model (SPEC §4). Rules build alerts; sinks print them. No I/O here.

use super::{Provider, Timestamp};
use serde::ser::{SerializeMap, SerializeStruct, Serializer};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The alert schema (SPEC §4). Version 2: every rule's `fields` in the seed's PascalCase
/// (`Actor`, `Target`, `KeyId`, `Technique`, `DistinctAccounts` replaced the snake-case and
/// bare names of version 1), `Country` a string and `ASN` a number, each absent when unknown
/// (version 1 wrote `"unknown"`), and `access-key-created`'s group a full identity. It is also
/// the schema that adds `incident`, `activity` and `next_steps`.
pub const ALERT_SCHEMA: &str = "tripline.alert/2";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
    /// One level up per escalation, capped at critical (SPEC §4).
    pub fn escalate(self, levels: usize) -> Severity {
        let all = [
            Severity::Low,
            Severity::Medium,
            Severity::High,
            Severity::Critical,
        ];
        let i = all.iter().position(|s| *s == self).unwrap_or(0);
        all[(i + levels).min(3)]
    }
    /// `risk_score` of rules that have no score of their own.
    pub fn risk_score(self) -> u8 {
        match self {
            Severity::Low => 25,
            Severity::Medium => 50,
            Severity::High => 75,
            Severity::Critical => 95,
        }
    }
}

/// Ordered key/value pairs, printed as a JSON object in insertion order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fields(pub Vec<(String, serde_json::Value)>);

impl Fields {
    pub fn push(&mut self, k: &str, v: impl Into<serde_json::Value>) {
        self.0.push((k.to_string(), v.into()));
    }
    pub fn get(&self, k: &str) -> Option<&serde_json::Value> {
        self.0.iter().find(|(n, _)| n == k).map(|(_, v)| v)
    }
}

impl Serialize for Fields {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// Printed in SPEC §4's order ([`Alert::serialize_head`], then `activity` and `next_steps`).
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    pub schema: &'static str,
    pub id: String,
    pub rule: String,
    pub title: String,
    pub attack: Vec<String>,
    pub severity: Severity,
    pub risk_score: u8,
    pub provider: Provider,
    pub group: Fields,
    pub window_start: Timestamp,
    pub window_end: Timestamp,
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    pub count: u64,
    pub fields: Fields,
    pub evidence: Vec<String>,
    pub suppressed: bool,
    pub reason: Option<String>,
    /// Notes that do not suppress, such as a benign-looking user agent alone.
    pub notes: Vec<String>,
    /// The id of the incident the alert belongs to (SPEC §4), set by `incidents::assign`
    /// after the rules and tuning; absent where incidents were not built (rule tests).
    pub incident: Option<String>,
    /// What the alert's actor read and changed before and after the detection (SPEC §8);
    /// filled after the scan (`engine::activity_read`), `None` until then.
    pub activity: Option<super::Activity>,
    /// The response guidance filled in with this alert's values (`activity::next_steps`).
    pub next_steps: Vec<String>,
    /// What tuning and incidents read about the events behind the alert; never printed.
    pub signals: Signals,
}

impl Alert {
    /// Every printed field but the last two (`activity`, `next_steps`), in order, with the
    /// optional ones left out when absent or empty: the JSON-lines sink writes those two by
    /// hand after it (`output::activity_json`).
    pub fn serialize_head<S: SerializeStruct>(&self, m: &mut S) -> Result<(), S::Error> {
        m.serialize_field("schema", self.schema)?;
        m.serialize_field("id", &self.id)?;
        m.serialize_field("rule", &self.rule)?;
        m.serialize_field("title", &self.title)?;
        m.serialize_field("attack", &self.attack)?;
        m.serialize_field("severity", &self.severity)?;
        m.serialize_field("risk_score", &self.risk_score)?;
        m.serialize_field("provider", &self.provider)?;
        m.serialize_field("group", &self.group)?;
        m.serialize_field("window_start", &self.window_start)?;
        m.serialize_field("window_end", &self.window_end)?;
        m.serialize_field("first_seen", &self.first_seen)?;
        m.serialize_field("last_seen", &self.last_seen)?;
        m.serialize_field("count", &self.count)?;
        m.serialize_field("fields", &self.fields)?;
        m.serialize_field("evidence", &self.evidence)?;
        m.serialize_field("suppressed", &self.suppressed)?;
        if let Some(reason) = &self.reason {
            m.serialize_field("reason", reason)?;
        }
        if !self.notes.is_empty() {
            m.serialize_field("notes", &self.notes)?;
        }
        if let Some(incident) = &self.incident {
            m.serialize_field("incident", incident)?;
        }
        Ok(())
    }
}

impl Serialize for Alert {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_struct("Alert", 22)?;
        self.serialize_head(&mut m)?;
        if let Some(activity) = &self.activity {
            m.serialize_field("activity", activity)?;
        }
        if !self.next_steps.is_empty() {
            m.serialize_field("next_steps", &self.next_steps)?;
        }
        m.end()
    }
}

/// An alert's [`head`](Alert::serialize_head) alone, as an object.
pub struct AlertHead<'a>(pub &'a Alert);

impl Serialize for AlertHead<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_struct("Alert", 20)?;
        self.0.serialize_head(&mut m)?;
        m.end()
    }
}

/// How many distinct values [`Signals`] keeps of one kind; past it the list is marked
/// incomplete, so "every contributing event" tests fail closed.
pub const MAX_SIGNAL_VALUES: usize = 32;

/// Facts about the contributing events that the printed fields need not show: what
/// suppression (SPEC §6) and incidents (SPEC §4) decide on. Rules fill it through the alert
/// builder; values keep first appearance in event order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct Signals {
    /// Distinct user agents of the contributing events, leaving out events an AWS service
    /// made on the identity's behalf (source address a service name such as
    /// `ec2.amazonaws.com` or `AWS Internal`).
    pub user_agents: Vec<String>,
    /// More than [`MAX_SIGNAL_VALUES`] distinct user agents: `user_agents` is not all of them.
    pub user_agents_truncated: bool,
    /// Distinct source addresses of the contributing events, as logged.
    pub source_ips: Vec<String>,
    pub source_ips_truncated: bool,
    /// Access key ids the contributing events used or created.
    pub key_ids: Vec<String>,
}

/// How many user agents the printed `UserAgents` field shows (the signals keep more).
pub const PRINTED_USER_AGENTS: usize = 5;

impl Signals {
    /// Adds one contributing event's values (empty strings ignored).
    pub fn add(&mut self, user_agent: &str, source_ip: &str, key_id: &str) {
        if !on_behalf(source_ip) && user_agent != AWS_INTERNAL {
            push_distinct(
                &mut self.user_agents,
                &mut self.user_agents_truncated,
                user_agent,
            );
        }
        push_distinct(
            &mut self.source_ips,
            &mut self.source_ips_truncated,
            source_ip,
        );
        let mut keys_truncated = false;
        push_distinct(&mut self.key_ids, &mut keys_truncated, key_id);
    }
    /// The signals of an alert keyed by one source address (spray, bucket or tenant
    /// enumeration), whose windows keep only the user agents: the address is added, and when
    /// it is a service name the user agents are an AWS service's, so they are left out.
    pub fn keyed_by_source(mut self, source_ip: &str) -> Signals {
        if on_behalf(source_ip) {
            self.user_agents.clear();
            self.user_agents_truncated = false;
        }
        self.add("", source_ip, "");
        self
    }
    /// The signals of an alert raised by one event.
    pub fn of(e: &super::Event) -> Signals {
        let mut s = Signals::default();
        s.add_event(e);
        s
    }
    /// One event's values: what a rule folds into its group's signals.
    pub fn add_event(&mut self, e: &super::Event) {
        self.add(&e.user_agent, &e.source_ip, &e.key_id);
    }
    /// The printed `UserAgents` field: the first [`PRINTED_USER_AGENTS`] distinct ones.
    pub fn printed_user_agents(&self) -> Vec<String> {
        self.user_agents
            .iter()
            .take(PRINTED_USER_AGENTS)
            .cloned()
            .collect()
    }
    /// Adds every value of `other` after this one's (a later part of the same alert).
    pub fn merge(&mut self, other: &Signals) {
        for ua in &other.user_agents {
            push_distinct(&mut self.user_agents, &mut self.user_agents_truncated, ua);
        }
        self.user_agents_truncated |= other.user_agents_truncated;
        for ip in &other.source_ips {
            push_distinct(&mut self.source_ips, &mut self.source_ips_truncated, ip);
        }
        self.source_ips_truncated |= other.source_ips_truncated;
        let mut keys_truncated = false;
        for k in &other.key_ids {
            push_distinct(&mut self.key_ids, &mut keys_truncated, k);
        }
    }
}

/// The user agent CloudTrail logs for calls AWS makes internally on an identity's behalf.
pub const AWS_INTERNAL: &str = "AWS Internal";

/// Whether an event was made by an AWS service on the identity's behalf: its source is a
/// service name (`ec2.amazonaws.com`, `AWS Internal`), not an address (SPEC §6).
pub fn on_behalf(source_ip: &str) -> bool {
    // A private address with user agent `AWS Internal` is the other shape of the same thing
    // (CloudTrail logs both); `Signals::add` checks that user agent too.
    !source_ip.is_empty() && source_ip.parse::<std::net::IpAddr>().is_err()
}

fn push_distinct(list: &mut Vec<String>, truncated: &mut bool, value: &str) {
    if value.is_empty() || list.iter().any(|v| v == value) {
        return;
    }
    if list.len() >= MAX_SIGNAL_VALUES {
        *truncated = true;
        return;
    }
    list.push(value.to_string());
}

/// The deterministic id: a hash of rule, group and window (and, where a rule says so, a
/// discriminator such as the created key id). Never of evidence or anything order-dependent.
pub fn alert_id(
    rule: &str,
    group: &Fields,
    window_start: Timestamp,
    window_end: Timestamp,
    extra: &str,
) -> String {
    let mut h = Sha256::new();
    h.update(rule.as_bytes());
    for (k, v) in &group.0 {
        h.update([0u8]);
        h.update(k.as_bytes());
        h.update([1u8]);
        h.update(v.to_string().as_bytes());
    }
    h.update([2u8]);
    h.update(window_start.0.to_le_bytes());
    h.update(window_end.0.to_le_bytes());
    h.update(extra.as_bytes());
    let digest = h.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}
