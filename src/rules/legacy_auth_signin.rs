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

use super::catalogue::RuleSpec;
use super::context::{Context, Setup};
use super::discovery::MAX_EVIDENCE;
use super::keyed::Binned;
use super::rule::{Interest, Rule};
use crate::collections::HashMap;
use crate::event::alert::Signals;
use crate::event::{Duration, Event, Fields, LogFormat, Outcome, Provider, Severity, Timestamp};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub protocols: Vec<String>,
}

const DAY: Duration = Duration::secs(86_400);
const MAX_SOURCE_IPS: usize = 10;

#[derive(serde::Serialize, serde::Deserialize)]
pub struct DayAgg {
    identity: String,
    provider: Provider,
    sign_ins: u64,
    ips: Vec<String>,
    first: Timestamp,
    last: Timestamp,
    evidence: Vec<String>,
    signals: Signals,
}

pub struct LegacyAuthSignin {
    spec: RuleSpec,
    severity: Severity,
    /// Lower-cased protocol → the catalogue's spelling.
    protocols: HashMap<String, String>,
}

/// Sign-ins per UTC day and (folded identity, protocol).
pub type State = Binned<(String, String), DayAgg>;

impl LegacyAuthSignin {
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
        cx: &mut Context<'_>,
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
        let alert = self
            .spec
            .alert(g, day, end)
            .provider(agg.provider)
            .severity(self.severity)
            .seen(agg.first, agg.last, agg.sign_ins)
            .fields(f)
            .evidence(agg.evidence)
            .signals(agg.signals)
            .build();
        cx.emit(alert);
    }
}

impl Rule for LegacyAuthSignin {
    type Params = Params;
    type State = State;
    const CATALOGUE: &'static str = include_str!("catalogue/legacy-auth-signin.toml");

    fn build(spec: RuleSpec, p: Params, _: &Setup<'_>) -> Result<Self, String> {
        let protocols = p
            .protocols
            .iter()
            .map(|s| (s.trim().to_lowercase(), s.trim().to_string()))
            .filter(|(k, _)| !k.is_empty())
            .collect();
        Ok(LegacyAuthSignin {
            severity: spec.default_severity().unwrap_or(Severity::Medium),
            spec,
            protocols,
        })
    }

    fn spec(&self) -> &RuleSpec {
        &self.spec
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

    fn observe(&self, st: &mut State, e: &Event, _: &mut Context<'_>) {
        let Some(protocol) = self.protocol_of(e).cloned() else {
            return;
        };
        let key = (e.identity.trim().to_lowercase(), protocol);
        let agg = st.get_or_insert_with(e.time.bin(DAY), key, || DayAgg {
            identity: e.identity.trim().to_string(),
            provider: e.provider(),
            sign_ins: 0,
            ips: Vec::new(),
            first: e.time,
            last: e.time,
            evidence: Vec::new(),
            signals: Signals::default(),
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
        agg.signals.add_event(e);
    }

    fn advance(&self, st: &mut State, watermark: Timestamp, cx: &mut Context<'_>) {
        for (day, k, agg) in st.take_closed(watermark, DAY) {
            self.emit(day, k, agg, cx);
        }
    }
}
