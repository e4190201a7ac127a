//! `legacy-auth-signin`: an Entra sign-in whose `clientAppUsed` is a legacy protocol (the
//! `protocols` parameter, compared case-insensitively; an empty value is not legacy). One
//! alert per (identity case-folded, protocol) per UTC day, emitted when the watermark passes
//! the day's end so that it carries the day's count.
//!
//! Only successful sign-ins count. Legacy protocols cannot carry MFA or most Conditional
//! Access, so a success proves that a password alone works over a path around those
//! controls: that is the valid-account use (T1078.004) this rule reports. Failed legacy
//! attempts are almost always tenants that already block legacy auth, or guessing, which
//! `password-spray` covers; counting them would turn every blocked IMAP client into an alert.

use super::catalogue::{Params, RuleSpec};
use super::discovery::MAX_EVIDENCE;
use super::rule::{Interest, Rule};
use crate::collections::HashMap;
use crate::config::Config;
use crate::event::{
    alert_id, Alert, Duration, Event, Fields, LogFormat, Outcome, Provider, Severity, Timestamp,
};
use std::collections::BTreeMap;

const DAY: Duration = Duration::secs(86_400);
const MAX_SOURCE_IPS: usize = 10;

struct DayAgg {
    identity: String,
    provider: Provider,
    sign_ins: u64,
    ips: Vec<String>,
    first: Timestamp,
    last: Timestamp,
    evidence: Vec<String>,
}

pub struct LegacyAuthSignin {
    spec: RuleSpec,
    severity: Severity,
    /// Lower-cased protocol → the catalogue's spelling.
    protocols: HashMap<String, String>,
    /// Day start → (folded identity, protocol) → sign-ins.
    days: BTreeMap<Timestamp, BTreeMap<(String, String), DayAgg>>,
}

impl LegacyAuthSignin {
    pub fn new(spec: RuleSpec, p: &Params, _cfg: &Config) -> Self {
        let protocols = p
            .strings("protocols")
            .into_iter()
            .map(|s| (s.trim().to_lowercase(), s.trim().to_string()))
            .filter(|(k, _)| !k.is_empty())
            .collect();
        LegacyAuthSignin {
            severity: spec.default_severity().unwrap_or(Severity::Medium),
            spec,
            protocols,
            days: BTreeMap::new(),
        }
    }

    fn protocol_of(&self, e: &Event) -> Option<&String> {
        let app = e.client_app.trim();
        if app.is_empty() {
            return None;
        }
        self.protocols.get(&app.to_lowercase())
    }

    fn emit(
        &self,
        day: Timestamp,
        (identity, protocol): (String, String),
        agg: DayAgg,
        out: &mut Vec<Alert>,
    ) {
        let mut g = Fields::default();
        g.push("identity", identity.as_str());
        g.push("protocol", protocol.as_str());
        let end = day.add(DAY);
        let mut f = Fields::default();
        f.push("Identity", agg.identity);
        f.push("Protocol", protocol);
        f.push("SignIns", agg.sign_ins);
        f.push("SourceIPs", agg.ips);
        f.push("FirstSeen", agg.first.to_string());
        f.push("LastSeen", agg.last.to_string());
        out.push(Alert {
            schema: crate::event::alert::ALERT_SCHEMA,
            id: alert_id(&self.spec.id, &g, day, end, ""),
            rule: self.spec.id.clone(),
            title: self.spec.title.clone(),
            attack: self.spec.attack.clone(),
            severity: self.severity,
            risk_score: self.severity.risk_score(),
            provider: agg.provider,
            group: g,
            window_start: day,
            window_end: end,
            first_seen: agg.first,
            last_seen: agg.last,
            count: agg.sign_ins,
            fields: f,
            evidence: agg.evidence,
            suppressed: false,
            reason: None,
            notes: Vec::new(),
        });
    }
}

impl Rule for LegacyAuthSignin {
    fn id(&self) -> &str {
        &self.spec.id
    }

    fn interest(&self) -> Interest {
        Interest::All
    }

    fn wants(&self, e: &Event) -> bool {
        e.log() == LogFormat::EntraSignin
            && e.outcome == Outcome::Success
            && !e.identity.is_empty()
            && self.protocol_of(e).is_some()
    }

    fn observe(&mut self, e: &Event, _out: &mut Vec<Alert>) {
        let Some(protocol) = self.protocol_of(e).cloned() else {
            return;
        };
        let key = (e.identity.trim().to_lowercase(), protocol);
        let agg = self
            .days
            .entry(e.time.bin(DAY))
            .or_default()
            .entry(key)
            .or_insert_with(|| DayAgg {
                identity: e.identity.trim().to_string(),
                provider: e.provider(),
                sign_ins: 0,
                ips: Vec::new(),
                first: e.time,
                last: e.time,
                evidence: Vec::new(),
            });
        agg.sign_ins += 1;
        agg.last = agg.last.max(e.time);
        if !e.source_ip.is_empty()
            && agg.ips.len() < MAX_SOURCE_IPS
            && !agg.ips.contains(&e.source_ip)
        {
            agg.ips.push(e.source_ip.clone());
        }
        if agg.evidence.len() < MAX_EVIDENCE {
            agg.evidence.push(e.origin.to_string());
        }
    }

    fn advance(&mut self, watermark: Timestamp, out: &mut Vec<Alert>) {
        while let Some(entry) = self.days.first_entry() {
            if entry.key().add(DAY) > watermark {
                break;
            }
            let (day, groups) = entry.remove_entry();
            for (k, agg) in groups {
                self.emit(day, k, agg, out);
            }
        }
    }

    fn finish(&mut self, out: &mut Vec<Alert>) {
        for (day, groups) in std::mem::take(&mut self.days) {
            for (k, agg) in groups {
                self.emit(day, k, agg, out);
            }
        }
    }
}
