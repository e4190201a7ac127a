//! The ordered pass, the same for every mode: events in event-time order go through
//! duplicate removal, the rules' declared history (when it was not recorded ahead on the
//! workers), the watermark, and `observe`. `scan` pushes its sorted input and then moves the
//! watermark to the end; `watch` and `serve` move it to the newest event time minus their
//! lateness as they go, and take alerts as windows close.

use crate::collections::HashSet;
use crate::event::{Alert, DeliveryKey, Event, Timestamp};
use crate::rules::context::Context;
use crate::rules::erased::{CheckpointError, DynRule};
use crate::rules::END;
use crate::state::{lock, SharedStore};

/// CloudTrail and other services may deliver an event twice: records with the same provider
/// and event id whose normalized content is the same (every field but `origin`) count once
/// (SPEC §3); records that share an id but differ are different events and all count.
/// Identical content means an identical time, so in event-time order the deliveries of one
/// event are neighbours: only the keys of the current timestamp are kept, and memory follows
/// the events of one instant, never the events read.
pub struct Dedupe {
    at: Timestamp,
    seen: HashSet<DeliveryKey>,
    pub dropped: u64,
}

impl Default for Dedupe {
    fn default() -> Dedupe {
        Dedupe {
            at: Timestamp(i64::MIN),
            seen: HashSet::default(),
            dropped: 0,
        }
    }
}

impl Dedupe {
    /// `e` must come in event-time order.
    pub fn is_duplicate(&mut self, e: &Event) -> bool {
        let Some(key) = e.delivery_key() else {
            return false;
        };
        if e.time != self.at {
            self.at = e.time;
            self.seen.clear();
        }
        if self.seen.insert(key) {
            false
        } else {
            self.dropped += 1;
            true
        }
    }
}

/// Drives the enabled rules through one ordered pass.
pub struct Driver {
    rules: Vec<Box<dyn DynRule>>,
    store: SharedStore,
    /// History facts were recorded on the workers; deferring rules see their events in
    /// passes of their own.
    worked_ahead: bool,
    dedupe: Dedupe,
    /// The watermark so far: it only moves forward.
    watermark: Timestamp,
    alerts: Vec<Alert>,
}

impl Driver {
    pub fn new(rules: Vec<Box<dyn DynRule>>, store: SharedStore, worked_ahead: bool) -> Driver {
        Driver {
            rules,
            store,
            worked_ahead,
            dedupe: Dedupe::default(),
            watermark: Timestamp(i64::MIN),
            alerts: Vec::new(),
        }
    }

    pub fn rules(&self) -> &[Box<dyn DynRule>] {
        &self.rules
    }

    /// One event, no older than the events before it.
    pub fn push(&mut self, e: &Event) {
        if self.dedupe.is_duplicate(e) {
            return;
        }
        let mut store = lock(&self.store);
        // Many events share a timestamp; the watermark only moves when time does.
        let moved = e.time > self.watermark;
        self.watermark = self.watermark.max(e.time);
        for r in self.rules.iter_mut() {
            if moved {
                r.advance(e.time, &mut Context::new(&mut store, &mut self.alerts));
            }
            // A rule that set its events aside sees them in its own pass.
            if !r.wants(e) || (self.worked_ahead && r.defers()) {
                continue;
            }
            if !self.worked_ahead {
                r.history(e, &mut *store);
            }
            r.observe(e, &mut Context::new(&mut store, &mut self.alerts));
        }
    }

    /// No event older than `watermark` will come ([`END`] closes every window).
    pub fn advance(&mut self, watermark: Timestamp) {
        if watermark <= self.watermark && watermark != END {
            return;
        }
        self.watermark = self.watermark.max(watermark);
        let mut store = lock(&self.store);
        for r in self.rules.iter_mut() {
            r.advance(watermark, &mut Context::new(&mut store, &mut self.alerts));
        }
    }

    /// A pass of one deferring rule over the events it set aside, in event-time order, with
    /// its own duplicate removal and watermark (the main pass never showed it these).
    pub fn deferred_pass(&mut self, index: usize) -> DeferredPass<'_> {
        DeferredPass {
            rule: self.rules[index].as_mut(),
            store: &self.store,
            alerts: &mut self.alerts,
            dedupe: Dedupe::default(),
            watermark: Timestamp(i64::MIN),
        }
    }

    /// The deferred keys a rule still needs once the whole input's history is known.
    pub fn deferred_keys(&mut self, index: usize) -> Option<HashSet<String>> {
        self.rules[index].deferred_keys(&lock(&self.store))
    }

    /// The rules' window state and the watermark, as plain data a worker can store: a new
    /// driver with the same rules, restored from it, goes on as this one would. History is
    /// not in it (it lives in the store, which commits on its own), and neither are the
    /// duplicate-removal keys of the current instant (a delivery repeated across a restart
    /// at that very instant counts twice).
    pub fn checkpoint(&self) -> Result<Checkpoint, CheckpointError> {
        let rules = self
            .rules
            .iter()
            .map(|r| Ok((r.id().to_string(), r.save()?)))
            .collect::<Result<_, CheckpointError>>()?;
        Ok(Checkpoint {
            watermark: self.watermark,
            rules,
        })
    }

    /// Takes up where the checkpoint's driver stopped. Every enabled rule must be in it.
    pub fn restore(&mut self, c: &Checkpoint) -> Result<(), CheckpointError> {
        for r in self.rules.iter_mut() {
            let Some((_, bytes)) = c.rules.iter().find(|(id, _)| id == r.id()) else {
                return Err(CheckpointError {
                    rule: r.id().to_string(),
                    message: "not in the checkpoint".into(),
                });
            };
            r.restore(bytes)?;
        }
        self.watermark = c.watermark;
        Ok(())
    }

    /// Alerts emitted so far (streaming modes print them as windows close).
    pub fn take_alerts(&mut self) -> Vec<Alert> {
        std::mem::take(&mut self.alerts)
    }

    /// Duplicate deliveries dropped so far.
    pub fn duplicates(&self) -> u64 {
        self.dedupe.dropped
    }

    /// End of input: every window closes; the alerts and the rules' notes.
    pub fn finish(mut self) -> (Vec<Alert>, Vec<String>) {
        self.advance(END);
        let notes = self.rules.iter().filter_map(|r| r.note()).collect();
        (self.alerts, notes)
    }
}

/// A driver's state between two runs (see [`Driver::checkpoint`]).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Checkpoint {
    pub watermark: Timestamp,
    /// Rule id → its state, encoded.
    pub rules: Vec<(String, Vec<u8>)>,
}

pub struct DeferredPass<'a> {
    rule: &'a mut dyn DynRule,
    store: &'a SharedStore,
    alerts: &'a mut Vec<Alert>,
    dedupe: Dedupe,
    watermark: Timestamp,
}

impl DeferredPass<'_> {
    /// Duplicate deliveries this pass dropped.
    pub fn duplicates(&self) -> u64 {
        self.dedupe.dropped
    }

    pub fn push(&mut self, e: &Event) {
        if self.dedupe.is_duplicate(e) {
            return;
        }
        let mut store = lock(self.store);
        if e.time > self.watermark {
            self.watermark = e.time;
            self.rule
                .advance(e.time, &mut Context::new(&mut store, self.alerts));
        }
        if self.rule.wants(e) {
            self.rule
                .observe(e, &mut Context::new(&mut store, self.alerts));
        }
    }
}
