//! Incidents: alerts grouped by actor, in time (SPEC §4). After the rules and tuning, before
//! the printers: `scan` hands the final alerts here, every alert gets its `incident` id, and
//! the printers show incidents first.
//!
//! - [`facts`] reads what counts from each alert (actor, keys, addresses, user agents, stage);
//! - [`address`] links alerts without an identity to the actor who used their address;
//! - [`link`] groups linked alerts (one actor, a shared key) and chains them in time;
//! - [`score`] combines the risk, [`story`] tells it, [`tooling`] names offensive tools,
//!   [`baseline`] asks the store whether an identity is new.
//!
//! Everything is decided from sorted alerts, so ids and membership never depend on the order
//! alerts arrive in (tested by property). Cost: O(n log n) in alerts and address uses.

pub mod address;
pub mod baseline;
pub mod facts;
pub mod link;
pub mod score;
pub mod story;
pub mod tooling;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::Cidr;
use crate::event::{Alert, Severity, Timestamp};
use crate::rules::stage::Stage;
pub use address::{AddressIndex, AddressUse};
pub use baseline::IdentityBaseline;
pub use facts::AlertFacts;
pub use score::Reason;

pub const INCIDENT_SCHEMA: &str = "tripline.incident/1";

/// Who an incident is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActorType {
    /// An identity (`history::actor_of`).
    Identity,
    /// Alerts keyed by a source address that no identity was seen using.
    SourceIp,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Incident {
    pub schema: &'static str,
    pub id: String,
    pub actor: String,
    pub actor_type: ActorType,
    /// Further actors joined by a shared access key (an actor who created a key another
    /// then used).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_actors: Vec<String>,
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    pub risk_score: u8,
    pub severity: Severity,
    pub stages: Vec<Stage>,
    pub reasons: Vec<Reason>,
    pub story: String,
    /// Member alert ids in (first_seen, id) order.
    pub alerts: Vec<String>,
    /// Distinct rules of the members, first appearance first.
    pub rules: Vec<String>,
    /// Every member alert is suppressed.
    pub suppressed: bool,
}

/// Each alert's facts, in the order of `alerts`.
pub fn facts(alerts: &[Alert], internal_cidrs: &[Cidr]) -> Vec<AlertFacts> {
    let stages: std::collections::HashMap<String, Stage> = crate::rules::catalogue::catalogue()
        .into_iter()
        .map(|r| (r.id, r.stage))
        .collect();
    let stage_of = |rule: &str| stages.get(rule).copied();
    alerts
        .iter()
        .map(|a| facts::facts_of(a, &stage_of, internal_cidrs))
        .collect()
}

/// An incident id: a hash of the id of its member with the smallest (first_seen, id).
fn incident_id(first_member: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"tripline.incident\0");
    h.update(first_member.as_bytes());
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Who an alert is linked by: its actor, the actor who used its address, or (for an alert
/// keyed by an address nobody was seen using) that address; `None`: linked to nothing.
fn link_key(a: &Alert, f: &AlertFacts, index: &AddressIndex) -> (String, ActorType) {
    if let Some(actor) = &f.actor {
        return (actor.clone(), ActorType::Identity);
    }
    if let Some(actor) = index.actor_for(&f.addresses, a.first_seen, a.last_seen) {
        return (actor.to_string(), ActorType::Identity);
    }
    match &f.keyed_source {
        Some(src) => (src.clone(), ActorType::SourceIp),
        // Neither identity nor address: an incident of its own, keyed by its id.
        None => (a.id.clone(), ActorType::SourceIp),
    }
}

/// Groups `alerts` into incidents, writes each alert's `incident`, and returns the incidents,
/// highest risk first (then earliest, then id). `facts` are [`facts`]`(alerts)`; `uses` the
/// actors' address runs; `baseline` answers "identity never seen before" when there is one.
pub fn assign(
    alerts: &mut [Alert],
    facts: &[AlertFacts],
    uses: Vec<AddressUse>,
    baseline: Option<&dyn IdentityBaseline>,
) -> Vec<Incident> {
    assert_eq!(alerts.len(), facts.len(), "one AlertFacts per alert");
    let cached = baseline.map(baseline::ReachOnce::new);
    let baseline = cached.as_ref().map(|c| c as &dyn IdentityBaseline);
    let index = AddressIndex::new(uses);
    let mut order: Vec<usize> = (0..alerts.len()).collect();
    order.sort_by(|&i, &j| {
        (alerts[i].first_seen, &alerts[i].id).cmp(&(alerts[j].first_seen, &alerts[j].id))
    });
    // Keys with the type in front, so an address never equals an identity's name.
    let keys: Vec<(String, ActorType)> = order
        .iter()
        .map(|&i| link_key(&alerts[i], &facts[i], &index))
        .collect();
    let tagged: Vec<String> = keys
        .iter()
        .map(|(k, t)| format!("{}\0{k}", *t as u8))
        .collect();
    let tagged_refs: Vec<&str> = tagged.iter().map(String::as_str).collect();
    let key_ids: Vec<&[String]> = order.iter().map(|&i| facts[i].key_ids.as_slice()).collect();
    let groups = link::linked_groups(&tagged_refs, &key_ids);

    // Members of each group, in (first_seen, id) order (positions in `order`).
    let mut by_group: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for (pos, g) in groups.iter().enumerate() {
        by_group.entry(*g).or_default().push(pos);
    }
    let mut incidents = Vec::new();
    for positions in by_group.values() {
        let spans: Vec<(Timestamp, Timestamp)> = positions
            .iter()
            .map(|&p| (alerts[order[p]].first_seen, alerts[order[p]].last_seen))
            .collect();
        let chain_of = link::chains(&spans);
        let mut start = 0;
        while start < positions.len() {
            let end = (start..positions.len())
                .find(|&k| chain_of[k] != chain_of[start])
                .unwrap_or(positions.len());
            let members = &positions[start..end];
            incidents.push(build(alerts, facts, &order, &keys, members, baseline));
            start = end;
        }
    }
    let incident_of: std::collections::HashMap<&str, &str> = incidents
        .iter()
        .flat_map(|inc| inc.alerts.iter().map(|a| (a.as_str(), inc.id.as_str())))
        .collect();
    let incident_of: Vec<Option<String>> = alerts
        .iter()
        .map(|a| incident_of.get(a.id.as_str()).map(|s| s.to_string()))
        .collect();
    for (a, inc) in alerts.iter_mut().zip(incident_of) {
        a.incident = inc;
    }
    incidents.sort_by(|a, b| {
        b.risk_score
            .cmp(&a.risk_score)
            .then(a.first_seen.cmp(&b.first_seen))
            .then(a.id.cmp(&b.id))
    });
    incidents
}

fn build(
    alerts: &[Alert],
    facts: &[AlertFacts],
    order: &[usize],
    keys: &[(String, ActorType)],
    members: &[usize],
    baseline: Option<&dyn IdentityBaseline>,
) -> Incident {
    let pairs: Vec<(&Alert, &AlertFacts)> = members
        .iter()
        .map(|&p| (&alerts[order[p]], &facts[order[p]]))
        .collect();
    // The actor: the first member's that is an identity, else the first member's.
    let lead = members
        .iter()
        .find(|&&p| keys[p].1 == ActorType::Identity)
        .unwrap_or(&members[0]);
    let (actor, actor_type) = keys[*lead].clone();
    let mut other_actors: Vec<String> = Vec::new();
    for &p in members {
        let (k, t) = &keys[p];
        if *t == ActorType::Identity && *k != actor && !other_actors.contains(k) {
            other_actors.push(k.clone());
        }
    }
    let first_seen = pairs[0].0.first_seen;
    let last_seen = pairs
        .iter()
        .map(|(a, _)| a.last_seen)
        .max()
        .unwrap_or(first_seen);
    let identities: Vec<&str> = pairs
        .iter()
        .filter(|(_, f)| f.actor.as_deref() == Some(actor.as_str()))
        .map(|(_, f)| f.baseline_identity.as_str())
        .filter(|s| !s.is_empty())
        .collect();
    let identity_new = actor_type == ActorType::Identity
        && baseline.is_some_and(|b| baseline::identities_new(b, &identities, first_seen));
    let s = score::score(&pairs, identity_new);
    let mut rules: Vec<String> = Vec::new();
    for (a, _) in &pairs {
        if !rules.contains(&a.rule) {
            rules.push(a.rule.clone());
        }
    }
    Incident {
        schema: INCIDENT_SCHEMA,
        id: incident_id(&pairs[0].0.id),
        actor,
        actor_type,
        other_actors,
        first_seen,
        last_seen,
        risk_score: s.risk_score,
        severity: s.severity,
        stages: s.stages,
        reasons: s.reasons,
        story: story::story(&pairs),
        alerts: pairs.iter().map(|(a, _)| a.id.clone()).collect(),
        rules,
        suppressed: pairs.iter().all(|(a, _)| a.suppressed),
    }
}

#[cfg(test)]
mod tests;
