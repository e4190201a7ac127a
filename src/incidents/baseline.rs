//! "An identity never seen before in the baseline" (SPEC §4: +10). The store keeps, per
//! identity, the sources it signed in from (`new-source-signin`) and the enumeration calls it
//! made (`post-auth-enumeration`); an identity is new to the baseline when neither reaches
//! back before the incident, while the baseline itself does. Without those rules' history the
//! baseline cannot say, and no points are given.

use crate::event::{Duration, Timestamp};
use crate::rules::new_source_signin::ID_SOURCE;
use crate::rules::post_auth_enumeration::ID_ENUM;
use crate::state::Store;

/// The identity's own first events may come a little before its first alert (a sign-in, then
/// the burst it starts): sightings this close before the incident are part of it, the same
/// slack that chains alerts.
pub const OWN_EVENTS_SLACK: Duration = Duration::minutes(60);

/// What incidents ask a baseline. Implemented by the store; tests use a map.
pub trait IdentityBaseline {
    /// The earliest time the baseline saw `identity` (as `history::baseline_identity` gives it).
    fn first_sighting(&self, identity: &str) -> Option<Timestamp>;
    /// The earliest time the baseline saw any identity: how far back it reaches.
    fn reaches_back_to(&self) -> Option<Timestamp>;
}

const KINDS: [&str; 2] = [ID_SOURCE, ID_ENUM];

impl IdentityBaseline for Store {
    fn first_sighting(&self, identity: &str) -> Option<Timestamp> {
        KINDS
            .iter()
            .filter_map(|k| self.first_seen(k, identity))
            .min()
    }
    fn reaches_back_to(&self) -> Option<Timestamp> {
        KINDS.iter().filter_map(|k| self.earliest(k)).min()
    }
}

/// A baseline whose reach is asked once: the store answers it by scanning every stored scope
/// of its kinds, and incidents ask it for each incident (a scan of thousands of incidents
/// over a large store spent most of its incident time there).
pub struct ReachOnce<'a> {
    inner: &'a dyn IdentityBaseline,
    reach: std::cell::OnceCell<Option<Timestamp>>,
}

impl<'a> ReachOnce<'a> {
    pub fn new(inner: &'a dyn IdentityBaseline) -> ReachOnce<'a> {
        ReachOnce {
            inner,
            reach: std::cell::OnceCell::new(),
        }
    }
}

impl IdentityBaseline for ReachOnce<'_> {
    fn first_sighting(&self, identity: &str) -> Option<Timestamp> {
        self.inner.first_sighting(identity)
    }
    fn reaches_back_to(&self) -> Option<Timestamp> {
        *self.reach.get_or_init(|| self.inner.reaches_back_to())
    }
}

/// Whether every one of `identities` is new to a baseline that reached back before
/// `incident_first` (less [`OWN_EVENTS_SLACK`]). False when it cannot tell.
pub fn identities_new(
    baseline: &dyn IdentityBaseline,
    identities: &[&str],
    incident_first: Timestamp,
) -> bool {
    let cutoff = incident_first.sub(OWN_EVENTS_SLACK);
    if identities.is_empty() || baseline.reaches_back_to().is_none_or(|t| t >= cutoff) {
        return false;
    }
    identities
        .iter()
        .all(|id| baseline.first_sighting(id).is_none_or(|t| t >= cutoff))
}
