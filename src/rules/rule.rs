//! The rule interface. Time is passed in: `observe` sees events in event-time order, and
//! `advance(watermark)` says no event older than the watermark will come, so windows that
//! end at or before it can close. Rules never read the wall clock.

use crate::collections::HashSet;
use crate::event::{Alert, Event, Timestamp};

/// What raw records a rule needs, so the reader can skip the others before parsing them.
#[derive(Clone, Debug)]
pub enum Interest {
    /// Every record (the rule looks at more than CloudTrail event names).
    All,
    /// CloudTrail records whose `eventName` is one of these, plus every non-CloudTrail record.
    CloudTrailNames(HashSet<String>),
}

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
}
