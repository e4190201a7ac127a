//! `access-key-created`: every new access key or service-account key: AWS `CreateAccessKey`,
//! GCP `google.iam.admin.v1.CreateServiceAccountKey`, and Entra service principal or
//! application credentials added (audit activities naming "credentials" or "Certificates and
//! secrets"). Failed attempts created no key and are skipped.
//!
//! `group` is the identity whose key was created, as a full identity: the event's target
//! (`normalize` builds it: an IAM user's ARN, a service account's e-mail, an Entra object as
//! its audit record names it), else the actor itself (a key for oneself; root's is
//! `arn:aws:iam::ACCOUNT:root`). The key id is part of the alert id, so two keys for one
//! identity are two alerts. Each escalation raises the medium base severity one level and is
//! named in `Escalations`:
//! - `high-privilege target`: an `[organisation] high_privilege` glob matches that full
//!   identity, so `arn:aws:iam::*:root` catches a root key and `*admin*` an admin's key;
//! - `outside working hours`: the creation time, on the organisation's wall clock
//!   ([`super::local_time`]), is not on a working day within [start, end);
//! - `after new-source sign-in`: the actor had a `new-source-signin` alert within
//!   `after_new_source` (60 minutes) before the creation, as the baseline store recorded it.
//!
//! The alert is emitted once the watermark passes the creation plus `after_new_source` (at
//! the end of input in `scan`), so that a sign-in read after the key creation still counts.

use super::catalogue::RuleSpec;
use super::context::{Context, Setup};
use super::history::{baseline_identity, new_source_within};
use super::rule::{HistoryUse, Interest, Rule};
use crate::config::{glob_match, WorkingHours};
use crate::event::alert::Signals;
use crate::event::local_time::Zone;
use crate::event::{Duration, Event, Fields, LogFormat, Outcome, Provider, Severity, Timestamp};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub after_new_source: Duration,
}

pub const HIGH_PRIVILEGE: &str = "high-privilege target";
pub const OUTSIDE_WORKING_HOURS: &str = "outside working hours";
pub const AFTER_NEW_SOURCE: &str = "after new-source sign-in";

/// A key creation waiting for its escalation window to pass.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Pending {
    created: Timestamp,
    provider: Provider,
    actor: String,
    target: String,
    key_id: String,
    /// What tells this creation apart in the alert id: the key id, else the event id.
    discriminator: String,
    action: String,
    source_ip: String,
    account: String,
    origin: String,
    high_privilege: bool,
    /// The wall clock at creation and whether it is outside working hours, when configured.
    local: Option<(String, bool)>,
    /// The creating call's user agent, source and key ids.
    signals: Signals,
}

pub struct AccessKeyCreated {
    spec: RuleSpec,
    severity: Severity,
    after_new_source: Duration,
    /// `[organisation] high_privilege` globs (case-sensitive, SPEC §6).
    high_privilege: Vec<String>,
    /// Working hours with their zone, or the reason the zone cannot be used.
    working_hours: Option<(WorkingHours, Result<Zone, String>)>,
}

#[derive(Default, serde::Serialize, serde::Deserialize)]
pub struct State {
    /// (creation + `after_new_source`, arrival) → the creation waiting for its window.
    pending: BTreeMap<(Timestamp, u64), Pending>,
    arrivals: u64,
}

/// Entra audit activities that add a credential to an application or service principal.
fn is_entra_credential(action: &str) -> bool {
    let a = action.to_lowercase();
    (a.contains("credentials") || a.contains("certificates and secrets"))
        && !a.starts_with("remove")
        && !a.starts_with("delete")
}

/// Whether `(hour, minute)` on `weekday` of `zone`'s wall clock at `t` is outside working hours;
/// the wall clock is returned as RFC 3339 with its offset.
pub fn outside_working_hours(wh: &WorkingHours, zone: &Zone, t: Timestamp) -> (String, bool) {
    let local = zone.local(t);
    (
        format!("{local} {}", zone.name()),
        !wh.contains(local.weekday, local.hour, local.minute),
    )
}

impl AccessKeyCreated {
    fn emit(&self, p: Pending, cx: &mut Context<'_>) {
        let mut escalations = Vec::new();
        if p.high_privilege {
            escalations.push(HIGH_PRIVILEGE);
        }
        if p.local.as_ref().is_some_and(|(_, outside)| *outside) {
            escalations.push(OUTSIDE_WORKING_HOURS);
        }
        let after_new_source = !p.actor.is_empty()
            && new_source_within(
                cx.history(),
                &baseline_identity(&p.actor),
                p.created,
                self.after_new_source,
            );
        if after_new_source {
            escalations.push(AFTER_NEW_SOURCE);
        }
        let severity = self.severity.escalate(escalations.len());
        let mut g = Fields::default();
        g.push("identity", p.target.as_str());
        let mut f = Fields::default();
        f.push("Actor", p.actor.as_str());
        f.push("Target", p.target.as_str());
        f.push("KeyId", p.key_id.as_str());
        f.push("Escalations", escalations);
        f.push("Action", p.action.as_str());
        f.push("AccountId", p.account.as_str());
        f.push("SourceIP", p.source_ip.as_str());
        let mut notes = Vec::new();
        match &self.working_hours {
            Some((_, Ok(_))) => f.push("LocalTime", p.local.map(|(l, _)| l).unwrap_or_default()),
            Some((wh, Err(_))) => notes.push(format!(
                "working-hours escalation not evaluated: time zone {:?} is not in the built-in zone table",
                wh.timezone
            )),
            None => {}
        }
        let alert = self
            .spec
            .alert(g, p.created, p.created)
            // The key id tells two keys created at one instant apart.
            .id_from(p.created, p.created, &p.discriminator)
            .provider(p.provider)
            .severity(severity)
            .seen(p.created, p.created, 1)
            .fields(f)
            .evidence(vec![p.origin])
            .notes(notes)
            .signals(p.signals)
            .build();
        cx.emit(alert);
    }
}

impl Rule for AccessKeyCreated {
    type Params = Params;
    type State = State;
    const CATALOGUE: &'static str = include_str!("catalogue/access-key-created.toml");
    /// Reads the new-source sign-ins that `new-source-signin` records.
    const HISTORY: HistoryUse = HistoryUse::Reads;

    fn build(spec: RuleSpec, p: Params, setup: &Setup<'_>) -> Result<Self, String> {
        let cfg = setup.config;
        Ok(AccessKeyCreated {
            severity: spec.default_severity().unwrap_or(Severity::Medium),
            spec,
            after_new_source: p.after_new_source,
            working_hours: cfg.working_hours.clone().map(|wh| {
                let zone = Zone::named(&wh.timezone);
                (wh, zone)
            }),
            high_privilege: cfg.organisation.high_privilege.clone(),
        })
    }

    fn spec(&self) -> &RuleSpec {
        &self.spec
    }

    fn interest(&self) -> Interest {
        Interest::All
    }

    fn wants(&self, e: &Event) -> bool {
        e.outcome != Outcome::Failure
            && match (e.provider(), e.log()) {
                (Provider::Aws, LogFormat::CloudTrail) => e.action == "CreateAccessKey",
                (Provider::Gcp, LogFormat::GcpAudit) => {
                    e.action.ends_with("CreateServiceAccountKey")
                }
                (Provider::Azure, LogFormat::EntraAudit) => is_entra_credential(&e.action),
                _ => false,
            }
    }

    fn observe(&self, st: &mut State, e: &Event, _: &mut Context<'_>) {
        let actor = e.identity.trim().to_string();
        let target = match e.target.trim() {
            "" => actor.clone(),
            t => t.to_string(),
        };
        let high_privilege = self
            .high_privilege
            .iter()
            .any(|p| glob_match(p, &target, false));
        let local = match &self.working_hours {
            Some((wh, Ok(zone))) => Some(outside_working_hours(wh, zone, e.time)),
            _ => None,
        };
        let discriminator = if e.key_id.is_empty() {
            e.event_id.clone()
        } else {
            e.key_id.clone()
        };
        st.arrivals += 1;
        st.pending.insert(
            (e.time.add(self.after_new_source), st.arrivals),
            Pending {
                created: e.time,
                provider: e.provider(),
                actor,
                target,
                key_id: e.key_id.clone(),
                discriminator,
                action: e.action.clone(),
                source_ip: e.source_ip.clone(),
                account: e.account.clone(),
                origin: e.origin.to_string(),
                high_privilege,
                local,
                signals: Signals::of(e),
            },
        );
    }

    fn advance(&self, st: &mut State, watermark: Timestamp, cx: &mut Context<'_>) {
        while let Some(entry) = st.pending.first_entry() {
            if entry.key().0 > watermark {
                break;
            }
            let p = entry.remove();
            self.emit(p, cx);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entra_credential_activities() {
        assert!(is_entra_credential("Add service principal credentials"));
        assert!(is_entra_credential(
            "Update application – Certificates and secrets management "
        ));
        assert!(!is_entra_credential("Remove service principal credentials"));
        assert!(!is_entra_credential("Add member to role"));
    }
}
