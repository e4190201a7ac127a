//! The rule interface. Time is passed in: `observe` sees events in event-time order, and
//! `advance(watermark)` says no event older than the watermark will come, so windows that
//! end at or before it can close. Rules never read the wall clock.
//!
//! Work that needs no order runs ahead, on the worker threads: `record` writes the history a
//! rule keeps in the baseline store, and `summarize` folds events into per-batch summaries
//! that the scan merges. Every store question is "seen before t", so history recorded ahead
//! of judging gives the answers that recording while judging gives (the same property makes
//! two scans equal one scan). What is left for the ordered pass is what `needs` says, which
//! for the history rules is a small share of their events.

use crate::collections::HashSet;
use crate::event::codec::KeepFields;
use crate::event::{Alert, Event, Timestamp};
use crate::state::PendingHistory;
use std::any::Any;

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
    /// `deferred_keys` names the keys that can still alert, and only their events are
    /// sorted and observed, in a pass of this rule's own.
    Deferred(String),
}

/// A rule's order-free summary of some events (its own type, behind `Any`).
pub type Summary = Box<dyn Any + Send>;

pub trait Rule: Send + Sync {
    fn id(&self) -> &str;
    fn interest(&self) -> Interest;
    /// A cheap test on a normalized event; `observe` is called only when it is true.
    fn wants(&self, e: &Event) -> bool;
    fn observe(&mut self, e: &Event, out: &mut Vec<Alert>);
    fn advance(&mut self, watermark: Timestamp, out: &mut Vec<Alert>);
    /// End of input (`scan` closes every window).
    fn finish(&mut self, out: &mut Vec<Alert>);
    /// What the run summary should say about this rule (e.g. sources learned in silence
    /// while history was shorter than `min_history`).
    fn summary_note(&self) -> Option<String> {
        None
    }

    /// The baseline store this rule reads and writes, if any: `record`ed history goes there.
    fn store(&self) -> Option<crate::rules::history::SharedStore> {
        None
    }
    /// Order-free work on a worker thread, for every wanted event, before the ordered pass:
    /// record the history the event adds to the baseline store, fold it into the batch's
    /// `summary` (when `new_summary` gave one), and say what the ordered pass still needs.
    /// `observe` must give the same alerts whether or not this ran (the scan skips it when
    /// `--since`/`--until` leave events out), and for any superset of the events asked for.
    fn ahead(
        &self,
        _e: &Event,
        _history: &mut PendingHistory,
        _summary: Option<&mut Summary>,
    ) -> Needs {
        Needs::InOrder
    }
    /// Whether `ahead` does anything for this rule; by default, rules that keep history do.
    /// When no enabled rule works ahead, the scan skips that machinery altogether.
    fn works_ahead(&self) -> bool {
        self.store().is_some()
    }
    /// Whether this rule answers `Needs::Deferred`: its events then reach `observe` only in
    /// its own pass, never from the main one.
    fn defers(&self) -> bool {
        false
    }
    /// What of a deferred event to keep (it is written to disk).
    fn deferred_fields(&self) -> KeepFields {
        KeepFields::ALL
    }
    /// An empty summary, for rules that aggregate events without order.
    fn new_summary(&self) -> Option<Summary> {
        None
    }
    /// Merges one batch's summary into another (any order: merging is commutative).
    fn merge_summaries(&self, _into: &mut Summary, _from: Summary) {}
    /// The merged summary of the whole input, before the ordered pass starts.
    fn accept_summary(&mut self, _summary: Summary) {}
    /// After the input is read: the `Deferred` keys whose events must be observed (`None`:
    /// all of them). Keys are independent, so observing only these gives the same alerts.
    fn deferred_keys(&self) -> Option<HashSet<String>> {
        None
    }
}
