//! An incident's risk (SPEC §4): the highest risk of its counted alerts plus points for what
//! the alerts together say, each reason listed with its points.

use serde::Serialize;

use super::facts::AlertFacts;
use super::tooling::tool_in;
use crate::event::{Alert, Severity};
use crate::rules::stage::Stage;

pub const FURTHER_STAGE: i32 = 10;
pub const NEW_COUNTRY_OR_ASN: i32 = 15;
pub const ANONYMISER: i32 = 15;
pub const OFFENSIVE_TOOLING: i32 = 15;
pub const NEW_IDENTITY: i32 = 10;
pub const ALL_BENIGN: i32 = -20;

/// The note tuning adds when one benign signal alone matched (SPEC §6).
const LIKELY_BENIGN: &str = "likely_benign";

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub points: i32,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Score {
    pub risk_score: u8,
    pub severity: Severity,
    pub reasons: Vec<Reason>,
    /// Distinct stages of the counted alerts, in event order.
    pub stages: Vec<Stage>,
}

/// SPEC §4's bands: ≥ 90 critical, ≥ 70 high, ≥ 40 medium, else low.
pub fn severity_of(risk: u8) -> Severity {
    match risk {
        90.. => Severity::Critical,
        70..=89 => Severity::High,
        40..=69 => Severity::Medium,
        _ => Severity::Low,
    }
}

fn likely_benign(a: &Alert) -> bool {
    a.notes.iter().any(|n| n.starts_with(LIKELY_BENIGN))
}

fn str_field<'a>(a: &'a Alert, name: &str) -> Option<&'a str> {
    a.fields
        .get(name)
        .and_then(|v| v.as_str())
        .filter(|s| !s.is_empty())
}

/// Scores one incident. `members` are in (first_seen, id) order; `identity_new` says the
/// baseline knew none of the actor's identities before the incident.
pub fn score(members: &[(&Alert, &AlertFacts)], identity_new: bool) -> Score {
    // Suppressed alerts do not raise an incident, unless every alert is suppressed.
    let mut counted: Vec<&(&Alert, &AlertFacts)> =
        members.iter().filter(|(a, _)| !a.suppressed).collect();
    if counted.is_empty() {
        counted = members.iter().collect();
    }
    let mut reasons = Vec::new();
    // The highest risk; among equals the earliest, so the reason names a stable alert.
    let top = counted.iter().copied().max_by(|(a, _), (b, _)| {
        a.risk_score
            .cmp(&b.risk_score)
            .then(b.first_seen.cmp(&a.first_seen))
            .then(b.id.cmp(&a.id))
    });
    if let Some((a, _)) = top {
        reasons.push(Reason {
            points: i32::from(a.risk_score),
            reason: format!("highest alert risk: {} ({})", a.rule, a.severity.as_str()),
        });
    }
    let mut stages: Vec<Stage> = Vec::new();
    for (_, f) in &counted {
        if let Some(s) = f.stage {
            if !stages.contains(&s) {
                stages.push(s);
            }
        }
    }
    let first_stage = top.and_then(|(_, f)| f.stage).or(stages.first().copied());
    for s in stages.iter().filter(|s| Some(**s) != first_stage) {
        reasons.push(Reason {
            points: FURTHER_STAGE,
            reason: format!("further stage: {}", s.label()),
        });
    }
    let new_place = counted.iter().find_map(|(a, _)| {
        let new = a.fields.get("NewForEnvironment")?.as_array()?;
        let which: Vec<&str> = new
            .iter()
            .filter_map(|v| v.as_str())
            .filter(|v| matches!(*v, "country" | "asn"))
            .collect();
        (!which.is_empty()).then(|| {
            let from = str_field(a, "SourceIP")
                .map(|ip| format!(" ({ip})"))
                .unwrap_or_default();
            format!("sign-in from a new {}{from}", which.join(" and "))
        })
    });
    if let Some(reason) = new_place {
        reasons.push(Reason {
            points: NEW_COUNTRY_OR_ASN,
            reason,
        });
    }
    if let Some((a, _)) = counted.iter().find(|(a, _)| a.rule == "anonymizer-signin") {
        let from = str_field(a, "SourceIP")
            .map(|ip| format!(" ({ip})"))
            .unwrap_or_default();
        reasons.push(Reason {
            points: ANONYMISER,
            reason: format!("sign-in from anonymisation infrastructure{from}"),
        });
    }
    // The members of an incident mostly share their user agents: each is tried once.
    let mut agents: Vec<&str> = Vec::new();
    for ua in counted.iter().flat_map(|(_, f)| f.user_agents.iter()) {
        if !agents.contains(&ua.as_str()) {
            agents.push(ua);
        }
    }
    let tool = agents.into_iter().find_map(tool_in);
    if let Some(tool) = tool {
        reasons.push(Reason {
            points: OFFENSIVE_TOOLING,
            reason: format!("offensive tooling in a user agent: {tool}"),
        });
    }
    if identity_new {
        reasons.push(Reason {
            points: NEW_IDENTITY,
            reason: "identity never seen before in the baseline".into(),
        });
    }
    if !members.is_empty()
        && members
            .iter()
            .all(|(a, _)| a.suppressed || likely_benign(a))
    {
        reasons.push(Reason {
            points: ALL_BENIGN,
            reason: "every alert suppressed or likely benign".into(),
        });
    }
    let total: i32 = reasons.iter().map(|r| r.points).sum();
    let risk_score = total.clamp(0, 100) as u8;
    Score {
        risk_score,
        severity: severity_of(risk_score),
        reasons,
        stages,
    }
}
