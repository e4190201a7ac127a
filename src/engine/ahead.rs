//! Work done ahead of the ordered pass, on the worker threads: the history facts each rule
//! declares for its events are recorded, rules with a work-ahead plan fold events into their
//! order-free summaries and say which events their ordered pass still needs (rules/rule.rs
//! explains why answers do not change). Only those events are sorted, so a rule that watches every CloudTrail event for
//! history (new regions, new key sources) costs the sorter only its first sightings.
//!
//! `Needs::FirstOf` is reduced twice: within a batch (only the batch's earliest event of a
//! key and day survives) and in the sink (only an event no later than the earliest seen so
//! far for its key and day). The earliest time only moves earlier, so an event dropped by
//! either test is never the first.

use super::deferred;
use crate::collections::HashMap;
use crate::event::{Event, Timestamp};
use crate::rules::erased::{DynRule, ErasedSummary};
use crate::rules::rule::{HistoryUse, Needs};
use crate::state::PendingHistory;
use crate::state::{lock, SharedStore};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The rules' ahead-of-order plan, shared by the workers.
pub struct Ahead<'a> {
    rules: &'a [Box<dyn DynRule>],
    /// False when the ordered pass must see every wanted event: `--since`/`--until` leave
    /// events out only after the input is read.
    enabled: bool,
    /// Each worker folds history and summaries into its own `Accumulated` across batches
    /// (both are order-free), instead of sending every batch's to the one sink thread to
    /// merge: merging there was a fifth of the all-rules scan's serial time.
    accumulated: Mutex<Vec<Accumulated>>,
    /// The most set-aside bytes per input event a batch has taken.
    deferred_bytes_per_event: AtomicUsize,
    /// Deferred buffers the sink has written out, for the next batches: each is hundreds of
    /// kilobytes, and a fresh one per batch was fresh memory for the kernel to zero.
    spare_deferred: Mutex<Vec<Vec<u8>>>,
}

/// Spare deferred buffers kept at most: about the batches in flight.
const SPARE_DEFERRED: usize = 16;

/// History and summaries by rule, folded over any number of batches.
struct Accumulated {
    history: PendingHistory,
    summaries: Vec<Option<ErasedSummary>>,
}

/// One batch's share of the work, sent from a worker to the sink.
pub struct BatchAhead {
    /// Events the ordered pass needs.
    pub in_order: Vec<Event>,
    /// Events needed only if they are the first of one of their keys.
    firsts: Vec<(Event, Vec<FirstKey>)>,
    /// Deferred events, encoded on the worker: (rule, key, event bytes) records.
    deferred: Vec<u8>,
    /// The rules that wrote them.
    deferred_rules: Vec<u16>,
    /// History a worker handed over because its accumulator grew past
    /// `FLUSH_HISTORY_ROWS`: it goes into the store now (and to disk at the store's next
    /// commit) instead of being held until the input ends.
    flushed: Option<PendingHistory>,
}

/// (rule index, key, UTC day).
type FirstKey = (usize, String, i64);

/// A worker's accumulated history beyond this many rows is handed to the store: with a fresh
/// identity, key or address per event, history is as large as the input, and holding it on
/// the workers until the end grew memory with the input (9.5 GB at 2 M such events). Every
/// store question is "seen before t", so history that reaches the store early changes no
/// answer: the ordered pass starts only after the input is read.
const FLUSH_HISTORY_ROWS: usize = 50_000;

/// About what one set-aside event takes encoded (`engine::deferred`), to size the first
/// batch's buffer; later batches reserve what earlier ones took.
const DEFERRED_BYTES_PER_EVENT: usize = 192;

impl<'a> Ahead<'a> {
    pub fn new(rules: &'a [Box<dyn DynRule>], enabled: bool) -> Ahead<'a> {
        Ahead {
            rules,
            enabled,
            accumulated: Mutex::new(Vec::new()),
            deferred_bytes_per_event: AtomicUsize::new(DEFERRED_BYTES_PER_EVENT),
            spare_deferred: Mutex::new(Vec::new()),
        }
    }

    /// Takes back a batch's deferred buffer once the sink has written it out.
    pub fn recycle_deferred(&self, mut buf: Vec<u8>) {
        buf.clear();
        let mut spare = self
            .spare_deferred
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if spare.len() < SPARE_DEFERRED && buf.capacity() > 0 {
            spare.push(buf);
        }
    }

    /// Whether any rule records history or works ahead: otherwise the scan skips this
    /// machinery altogether.
    pub fn useful(rules: &[Box<dyn DynRule>]) -> bool {
        rules
            .iter()
            .any(|r| r.works_ahead() || r.history_use() == HistoryUse::ReadsAndWrites)
    }

    /// A worker's accumulator: one nobody is using, or a new one. With as many workers as
    /// accumulators, each keeps its own.
    fn take_accumulated(&self) -> Accumulated {
        let spare = self
            .accumulated
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .pop();
        spare.unwrap_or_else(|| Accumulated {
            history: PendingHistory::default(),
            summaries: self.rules.iter().map(|r| r.new_summary()).collect(),
        })
    }

    fn put_back(&self, acc: Accumulated) {
        self.accumulated
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(acc);
    }

    /// Worker side: splits a batch's events (already enriched) by what the rules need.
    pub fn batch(&self, events: Vec<Event>) -> BatchAhead {
        let mut out = BatchAhead {
            in_order: Vec::new(),
            firsts: Vec::new(),
            deferred: Vec::new(),
            deferred_rules: Vec::new(),
            flushed: None,
        };
        if !self.enabled {
            out.in_order = events
                .into_iter()
                .filter(|e| self.rules.iter().any(|r| r.wants(e)))
                .collect();
            return out;
        }
        let events_len = events.len();
        let mut acc = self.take_accumulated();
        let mut batch_first: HashMap<FirstKey, Timestamp> = HashMap::default();
        if self.rules.iter().any(|r| r.defers()) {
            let per_event = self.deferred_bytes_per_event.load(Ordering::Relaxed);
            if let Some(spare) = self
                .spare_deferred
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .pop()
            {
                out.deferred = spare;
            }
            out.deferred.reserve(events.len() * per_event);
        }
        // First what each event needs, then the events move once, straight to where they go:
        // moving every event through a list of candidates cost a tenth of the workers' time.
        let mut plans: Vec<(bool, Vec<FirstKey>)> = Vec::with_capacity(events.len());
        // One event's deferring rules, its buffers reused from event to event.
        let mut tags = deferred::Tags::default();
        for e in &events {
            let mut in_order = false;
            tags.clear();
            let mut keys: Vec<FirstKey> = Vec::new();
            for (i, r) in self.rules.iter().enumerate() {
                if !r.wants(e) {
                    continue;
                }
                r.history(e, &mut acc.history);
                if !r.works_ahead() {
                    in_order = true;
                    continue;
                }
                match r.plan(e, acc.summaries[i].as_mut()) {
                    Needs::InOrder => in_order = true,
                    Needs::FirstOf(k) => keys.push((i, k, e.time.day())),
                    Needs::Nothing => {}
                    Needs::Deferred(k) => tags.add(i, k, r.deferred_fields()),
                }
            }
            if !tags.is_empty() {
                deferred::write(&mut out.deferred, &tags, e);
                for rule in tags.rules() {
                    if !out.deferred_rules.contains(&rule) {
                        out.deferred_rules.push(rule);
                    }
                }
            }
            if !in_order {
                for k in &keys {
                    match batch_first.get_mut(k) {
                        Some(t) => *t = (*t).min(e.time),
                        None => {
                            batch_first.insert(k.clone(), e.time);
                        }
                    }
                }
            }
            plans.push((in_order, keys));
        }
        // Where each event goes is known before any moves, so each list gets its room once:
        // an event is hundreds of bytes, and growing the lists by doubling moved the batch's
        // events over and over.
        let goes_first: Vec<bool> = events
            .iter()
            .zip(&plans)
            .map(|(e, (in_order, keys))| {
                !in_order
                    && keys
                        .iter()
                        .any(|k| batch_first.get(k).is_some_and(|t| e.time <= *t))
            })
            .collect();
        let wanted = plans.iter().filter(|(in_order, _)| *in_order).count();
        out.in_order.reserve_exact(wanted);
        out.firsts
            .reserve_exact(goes_first.iter().filter(|f| **f).count());
        for ((e, (in_order, keys)), first) in events.into_iter().zip(plans).zip(goes_first) {
            if in_order {
                out.in_order.push(e);
            } else if first {
                out.firsts.push((e, keys));
            }
        }
        if events_len > 0 && !out.deferred.is_empty() {
            // Reserve what the batches really take: growing a buffer of megabytes by
            // doubling copied it over and over.
            self.deferred_bytes_per_event
                .fetch_max(out.deferred.len().div_ceil(events_len), Ordering::Relaxed);
        }
        if acc.history.len() >= FLUSH_HISTORY_ROWS {
            out.flushed = Some(std::mem::take(&mut acc.history));
        }
        self.put_back(acc);
        out
    }
}

/// Sink side: merges the batches' history and summaries, and passes on the events the
/// ordered pass needs.
#[derive(Default)]
pub struct AheadSink {
    earliest: HashMap<FirstKey, Timestamp>,
    summaries: Vec<Option<ErasedSummary>>,
    pub deferred: deferred::Spill,
    /// History, put into the store once the input is read (`finish_history`). A second
    /// delivery of an event records the same facts again, which the store's idempotent
    /// writes absorb, so nothing here needs to know about duplicates.
    history: PendingHistory,
}

impl AheadSink {
    /// Takes a batch's work: its deferred events to the file, its history to the store, its
    /// events on to `push`. Gives back the batch's deferred buffer, written out, for
    /// [`Ahead::recycle_deferred`].
    pub fn absorb(
        &mut self,
        b: BatchAhead,
        store: &SharedStore,
        push: &mut dyn FnMut(Event),
    ) -> std::io::Result<Vec<u8>> {
        self.deferred.append(&b.deferred, &b.deferred_rules)?;
        if let Some(h) = b.flushed {
            lock(store).absorb(h);
        }
        for e in b.in_order {
            push(e);
        }
        for (e, keys) in b.firsts {
            let mut first = false;
            for k in keys {
                let t = self.earliest.entry(k).or_insert(e.time);
                if e.time <= *t {
                    *t = e.time;
                    first = true;
                }
            }
            if first {
                push(e);
            }
        }
        Ok(b.deferred)
    }

    /// Merges what the workers accumulated, once the input is read.
    pub fn absorb_accumulated(&mut self, ahead: &Ahead<'_>) {
        let accumulated =
            std::mem::take(&mut *ahead.accumulated.lock().unwrap_or_else(|p| p.into_inner()));
        let mut accumulated = accumulated.into_iter();
        if let Some(first) = accumulated.next() {
            self.history = first.history;
            self.summaries = first.summaries;
        }
        for acc in accumulated {
            self.history.merge(acc.history);
            for (i, s) in acc.summaries.into_iter().enumerate() {
                match (&mut self.summaries[i], s) {
                    (Some(into), Some(from)) => ahead.rules[i].merge(into, from),
                    (slot @ None, s) => *slot = s,
                    (Some(_), None) => {}
                }
            }
        }
    }

    /// Puts the history recorded ahead into the store.
    pub fn finish_history(&mut self, store: &SharedStore) {
        let h = std::mem::take(&mut self.history);
        if !h.is_empty() {
            lock(store).absorb(h);
        }
    }

    /// Hands each rule its merged summary before the ordered pass.
    pub fn finish_summaries(&mut self, rules: &mut [Box<dyn DynRule>]) {
        for (r, s) in rules.iter_mut().zip(std::mem::take(&mut self.summaries)) {
            if let Some(s) = s {
                r.accept(s);
            }
        }
    }
}
