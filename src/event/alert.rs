//! The alert model (SPEC §4). Rules build alerts; sinks print them. No I/O here.

use super::{Provider, Timestamp};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use sha2::{Digest, Sha256};

pub const ALERT_SCHEMA: &str = "tripline.alert/1";

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

#[derive(Clone, Debug, Serialize, PartialEq)]
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Notes that do not suppress, such as a benign-looking user agent alone.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
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
