//! What an alert's actor read and changed (SPEC §8): the `activity` of an alert, split at the
//! detection. Plain data, built by `crate::activity` and printed by the sinks. No I/O here.

use super::Timestamp;
use serde::Serialize;
use std::sync::Arc;

/// A value an activity lists: shared with the tally that counted it and with the other
/// parts that list it (an actor's alerts list many of the same values), never copied.
pub type Shared = Arc<str>;

/// How many distinct values of one kind a part lists (SPEC §8: the first 50 distinct actions
/// and 50 changed resources, earliest first); the totals stay exact.
pub const ACTIVITY_LIST_CAP: usize = 50;

/// The actor's activity around one alert.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Activity {
    /// The actor as incidents group alerts (`rules::history::actor_of`), or `source:ADDRESS`
    /// for an alert keyed by a source address alone.
    pub actor: String,
    /// Gathered from what the scan kept rather than a second read of the input (standard
    /// input cannot be read twice): records no rule needed are missing.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
    /// From the actor's first event in the input up to and including the alert's `last_seen`.
    pub before: ActivityPart,
    /// After the alert's `last_seen`, to the end of the input.
    pub after: ActivityPart,
}

/// One side of the detection.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ActivityPart {
    /// Events of the actor in this part.
    pub events: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last: Option<Timestamp>,
    /// Events the log marks read-only, mutating, sign-ins; the rest said neither.
    pub reads: u64,
    pub writes: u64,
    pub sign_ins: u64,
    pub unclassified: u64,
    /// Calls refused for lack of permission (AccessDenied, Unauthorized, 403, ...).
    pub denied: u64,
    /// Failed sign-ins (any reason).
    pub failed_sign_ins: u64,
    /// Sign-ins that used (CloudTrail `MFAUsed`) or had to pass (Entra
    /// `authenticationRequirement`) multi-factor authentication, and those with a single
    /// factor; sign-ins whose log does not say are in neither.
    pub mfa_sign_ins: u64,
    pub single_factor_sign_ins: u64,
    /// Distinct (action, access) pairs, earliest first, at most [`ACTIVITY_LIST_CAP`].
    pub actions: Vec<ActionCount>,
    /// How many distinct (action, access) pairs there were in all.
    pub actions_total: usize,
    /// Every action of the catalogue of notable actions (`activity::notable`: account and
    /// key creation, privilege grants, logging disabled...), earliest first, listed whether
    /// or not it is among the first 50: bounded by the catalogue.
    pub notable: Vec<ActionCount>,
    /// Resources that writes named, earliest first, at most [`ACTIVITY_LIST_CAP`].
    pub changed: Vec<ChangedResource>,
    pub changed_total: usize,
    /// Objects (or buckets, where the log names no object) that object reads named.
    pub objects_read: Bounded,
    pub source_ips: Bounded,
    pub regions: Bounded,
    pub user_agents: Bounded,
}

impl ActivityPart {
    /// The count of one action (all access kinds), 0 when absent from the listed and the
    /// notable ones.
    pub fn count_of(&self, action: &str) -> u64 {
        let listed: Vec<&ActionCount> = self
            .actions
            .iter()
            .filter(|a| &*a.action == action)
            .collect();
        let list = if listed.is_empty() {
            &self.notable
        } else {
            &self.actions
        };
        list.iter()
            .filter(|a| &*a.action == action)
            .map(|a| a.count)
            .sum()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ActionCount {
    pub action: Shared,
    pub access: super::Access,
    pub count: u64,
    /// Of `count`, how many failed (any error) and how many were denied.
    #[serde(skip_serializing_if = "is_zero")]
    pub failed: u64,
    #[serde(skip_serializing_if = "is_zero")]
    pub denied: u64,
    pub first: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChangedResource {
    pub resource: Shared,
    /// The first write that named it, and when.
    pub action: Shared,
    pub first: Timestamp,
    pub count: u64,
}

/// Distinct values, earliest first, at most [`ACTIVITY_LIST_CAP`], with the exact total.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Bounded {
    pub values: Vec<Shared>,
    pub total: usize,
}

/// One actor's uses of one public source address, consecutive uses at most
/// [`ADDRESS_RUN_GAP`] apart merged: what links an alert without identity (a spray keyed by
/// source address) to the actor who used that address (SPEC §4).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct AddressRun {
    pub actor: String,
    pub ip: String,
    pub first: Timestamp,
    pub last: Timestamp,
}

/// Two uses of one address by one actor at most this far apart are one run.
pub const ADDRESS_RUN_GAP: super::Duration = super::Duration::minutes(120);

fn is_zero(n: &u64) -> bool {
    *n == 0
}
