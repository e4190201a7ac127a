//! The rule SDK: what a rule is, in the terms of SPEC §4 and STYLE ("a rule is
//! `observe(&mut State, &Event)` plus `advance(&mut State, watermark)`, with time passed in").
//!
//! A rule is immutable configuration (its catalogue entry and typed parameters) plus a
//! `State` of plain data that the engine owns and hands back on every call, so the engine
//! can keep one state per partition, and a worker can save and restore it. Time is passed
//! in: `observe` sees events in event-time order, and `advance(watermark)` says no event
//! older than the watermark will come, so windows that end at or before it can close.
//! `scan` is the case where the watermark jumps to [`END`] once the input is read. Rules
//! never read the wall clock.
//!
//! History (the baseline store) is the engine's: a rule declares the facts an event adds
//! (`history`), and the engine records them exactly once, on a worker ahead of the ordered
//! pass or just before `observe`; rules read history through [`Context::history`]. Every
//! store question is "seen before t", so facts recorded ahead of judging give the answers
//! that recording while judging gives (the property that also makes two scans equal one).
//!
//! Work ahead of the ordered pass beyond recording history is opt-in and typed
//! ([`WorkAhead`]): an order-free summary folded on the workers, and what the ordered pass
//! still needs of each event ([`Needs`]). The erasure of those types lives in one adapter
//! (`rules::erased`); a rule never sees `Any`.
//!
//! A new rule is one catalogue file (`catalogue/<id>.toml`), one source file implementing
//! [`Rule`], and one line in `rules::registry`.

use super::catalogue::RuleSpec;
use super::context::{Context, Facts, Setup};
use crate::collections::HashSet;
use crate::event::codec::KeepFields;
use crate::event::{Event, Timestamp};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The watermark of the end of the input: every window closes.
pub const END: Timestamp = Timestamp(i64::MAX);

/// What raw records a rule needs, so the reader can skip the others before parsing them.
#[derive(Clone, Debug)]
pub enum Interest {
    /// Every record (the rule looks at more than CloudTrail event names).
    All,
    /// CloudTrail records whose `eventName` is one of these, plus every non-CloudTrail record.
    CloudTrailNames(HashSet<String>),
}

/// What the ordered pass must still do with a wanted event once its history is recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Needs {
    /// `observe` it in order.
    InOrder,
    /// Only the earliest events of this key on each UTC day can change the rule's answer
    /// (a first sighting); later ones are already history.
    FirstOf(String),
    /// Nothing: the event only extends history or a summary.
    Nothing,
    /// Set aside under this key (an identity): once the whole input's history is known,
    /// [`WorkAhead::deferred_keys`] names the keys that can still alert, and only their
    /// events are sorted and observed, in a pass of this rule's own.
    Deferred(String),
}

/// Whether a rule reads or writes the baseline store (the engine opens one only when an
/// enabled rule does).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistoryUse {
    None,
    /// Reads what other rules record (e.g. new-source sightings).
    Reads,
    /// Declares facts in [`Rule::history`] and reads them.
    ReadsAndWrites,
}

pub trait Rule: Sized + Send + Sync + 'static {
    /// The rule's thresholds and lists: its catalogue entry's `params` merged with the
    /// config's `[rules.<id>]`, deserialised (unknown keys and wrong types are config errors).
    type Params: DeserializeOwned;
    /// Window state: plain data the engine owns (one per rule, or per partition), saved and
    /// restored whole at a checkpoint (`serve` workers, `watch` restarts).
    type State: Default + Send + Sync + Serialize + DeserializeOwned;
    /// The catalogue entry, compiled in: `include_str!("catalogue/<id>.toml")`.
    const CATALOGUE: &'static str;
    const HISTORY: HistoryUse = HistoryUse::None;

    fn build(spec: RuleSpec, params: Self::Params, setup: &Setup<'_>) -> Result<Self, String>;
    fn spec(&self) -> &RuleSpec;
    fn interest(&self) -> Interest {
        Interest::All
    }
    /// A cheap test on a normalized event; nothing else is called unless it is true.
    fn wants(&self, e: &Event) -> bool;
    /// The history facts a wanted event adds, recorded once by the engine.
    fn history(&self, _e: &Event, _facts: &mut dyn Facts) {}
    fn observe(&self, state: &mut Self::State, e: &Event, cx: &mut Context<'_>);
    /// No event older than `watermark` will come: close what can no longer change
    /// ([`END`] closes everything).
    fn advance(&self, state: &mut Self::State, watermark: Timestamp, cx: &mut Context<'_>);
    /// What the run summary should say about this rule (e.g. sources learned in silence
    /// while history was shorter than `min_history`).
    fn note(&self, _state: &Self::State) -> Option<String> {
        None
    }
}

/// Opt-in work on the worker threads before the ordered pass. `observe` must give the same
/// alerts whether or not this ran (the scan skips it when `--since`/`--until` leave events
/// out), and for any superset of the events the plan asked for.
pub trait WorkAhead: Rule {
    /// An order-free summary of some events; merging is commutative.
    type Summary: Default + Send + 'static;
    /// Whether [`Needs::Deferred`] is ever answered: such a rule's events then reach
    /// `observe` only in its own pass, never from the main one.
    const DEFERS: bool = false;

    /// Folds a wanted event into a worker's summary and says what the ordered pass needs.
    fn plan(&self, e: &Event, summary: &mut Self::Summary) -> Needs;
    fn merge(&self, into: &mut Self::Summary, from: Self::Summary);
    /// The merged summary of the whole input, before the ordered pass starts.
    fn accept(&self, state: &mut Self::State, summary: Self::Summary);
    /// What of a deferred event to keep (it is written to disk).
    fn deferred_fields(&self) -> KeepFields {
        KeepFields::ALL
    }
    /// After the input is read: the deferred keys whose events must be observed (`None`:
    /// all of them). Keys are independent, so observing only these gives the same alerts;
    /// the state may note what the keys left out would have told the summary.
    fn deferred_keys(
        &self,
        _state: &mut Self::State,
        _history: &crate::state::Store,
    ) -> Option<HashSet<String>> {
        None
    }
}
