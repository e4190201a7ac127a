//! `scan`: source → normalize (in parallel, prefiltered) → event-time order → dedupe →
//! rules → alerts. One pass over all input in event-time order, whatever the order of files
//! and records; every window is closed at the end of the input (SPEC §7).

use super::activity_read::TimeRange;
use super::ahead::{Ahead, AheadSink};
use super::deferred::Spill;
use super::driver::Driver;
use super::kept::{KeptEvents, KeptPool};
use super::order::{EventSorter, DEFAULT_RUN_EVENTS};
use super::pipeline::{run, PipelineOptions};
use super::summary::Summary;
use crate::collections::HashSet;
use crate::event::{Alert, Duration, Event, Timestamp};
use crate::input::InputPath;
use crate::normalize::prefilter::Prefilter;
use crate::rules::cloud_discovery_burst::seed_order;
use crate::rules::{DynRule, Interest};
use crate::state::{lock, SharedStore};
use std::sync::Arc;

/// `--since` / `--until`: a time, or a duration back from the newest event of the input.
#[derive(Clone, Copy, Debug)]
pub enum TimeBound {
    At(Timestamp),
    Back(Duration),
}

impl TimeBound {
    pub fn parse(s: &str) -> Result<TimeBound, String> {
        if let Some(t) = Timestamp::parse(s) {
            return Ok(TimeBound::At(t));
        }
        Duration::parse(s).map(TimeBound::Back).map_err(|_| {
            format!("{s:?} is neither an RFC 3339 time nor a duration such as 2h or 7d")
        })
    }
    fn resolve(self, newest: Timestamp) -> Timestamp {
        match self {
            TimeBound::At(t) => t,
            TimeBound::Back(d) => newest.sub(d),
        }
    }
}

#[derive(Clone, Debug)]
pub struct ScanOptions {
    pub pipeline: PipelineOptions,
    pub since: Option<TimeBound>,
    pub until: Option<TimeBound>,
    /// Validate every record (no prefilter): `--strict`.
    pub full_validation: bool,
    /// Events kept in memory before sorted runs spill to disk.
    pub run_events: usize,
    /// Country / ASN from MaxMind databases, applied on the worker threads.
    pub enricher: Option<Arc<crate::enrich::Enricher>>,
    /// Leave nothing to the rules' work ahead (`WorkAhead`, history on the workers): every
    /// wanted event goes through the ordered pass.
    pub ordered_only: bool,
    /// The baseline store the history rules read and write: committed as the scan goes
    /// (its writes are idempotent, so a run killed midway and re-run counts nothing twice)
    /// and at the end. `None`: an in-memory store for this scan only.
    pub store: Option<SharedStore>,
    /// Which events to keep for activity ([`ScanResult::kept`], SPEC §8).
    pub keep: Keep,
}

/// The events a scan keeps for the alerts' activity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Keep {
    #[default]
    Nothing,
    /// Those of standard input that reach the ordered pass: activity cannot read standard
    /// input a second time.
    Stdin,
    /// Every event, encoded on the workers, when the scan parses every record anyway (no
    /// prefilter); else as `Stdin`. Activity then needs no second read.
    Everything,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            pipeline: PipelineOptions::default(),
            since: None,
            until: None,
            full_validation: false,
            run_events: DEFAULT_RUN_EVENTS,
            enricher: None,
            store: None,
            ordered_only: false,
            keep: Keep::Nothing,
        }
    }
}

pub struct ScanResult {
    pub alerts: Vec<Alert>,
    pub summary: Summary,
    /// The events kept for activity (see [`Keep`]; `complete` when every event is there).
    pub kept: Option<KeptEvents>,
    /// `--since` / `--until` as resolved against the input's newest event.
    pub range: TimeRange,
}

/// How often (in events) the scan looks at the store's buffer, and how many buffered rows
/// trigger a commit: bounds the buffer's memory on long scans.
const STORE_CHECK_EVERY: u64 = 10_000;
const STORE_COMMIT_ROWS: usize = 100_000;

pub fn prefilter_for(rules: &[Box<dyn DynRule>]) -> Option<Prefilter> {
    let mut names = HashSet::default();
    for r in rules {
        match r.interest() {
            Interest::All => return None,
            Interest::CloudTrailNames(n) => names.extend(n),
        }
    }
    Some(Prefilter::new(names))
}

pub fn scan(
    inputs: Vec<InputPath>,
    mut rules: Vec<Box<dyn DynRule>>,
    opts: &ScanOptions,
) -> std::io::Result<ScanResult> {
    let mut pipeline = opts.pipeline.clone();
    // A duration bound counts back from the newest event of the whole input, whatever the
    // rules read: records skipped unparsed would hide their times and move the anchor with
    // `--rules`, so such a scan parses everything.
    let anchored = [opts.since, opts.until]
        .iter()
        .any(|b| matches!(b, Some(TimeBound::Back(_))));
    if !opts.full_validation && !anchored {
        pipeline.normalize.prefilter = prefilter_for(&rules).map(Arc::new);
    }
    // The engine owns the store: the workers' history goes into it, the rules read it.
    let store: SharedStore = match &opts.store {
        Some(st) => Arc::clone(st),
        None => Arc::new(std::sync::Mutex::new(
            crate::state::Store::open(":memory:")
                .map_err(|e| std::io::Error::other(format!("baseline store: {e}")))?,
        )),
    };
    let commit_if_large = |store: &SharedStore, error: &mut Option<String>| {
        let mut st = lock(store);
        if st.pending_rows() >= STORE_COMMIT_ROWS {
            if let Err(err) = st.commit() {
                error.get_or_insert(err.to_string());
            }
        }
    };
    let mut sorter = EventSorter::new(opts.run_events);
    let mut newest = Timestamp(i64::MIN);
    let mut oldest = Timestamp(i64::MAX);
    let mut io_error: Option<std::io::Error> = None;
    let mut store_error: Option<String> = None;
    // With --since/--until the bounds are known only once the input is read, and history
    // must not include the events they leave out: everything then waits for the ordered pass.
    let ahead_enabled =
        Ahead::useful(&rules) && opts.since.is_none() && opts.until.is_none() && !opts.ordered_only;
    let mut ahead_sink = AheadSink::default();
    // Every record is parsed when there is no prefilter: keeping each event's activity
    // fields then costs an encoding on the workers, where a second read would parse again.
    let keep_all = opts.keep == Keep::Everything && pipeline.normalize.prefilter.is_none();
    // Split as the replay will be: a share for each of its threads.
    let pool = keep_all.then(|| KeptPool::new(crate::cores::threads()));
    let keep_stdin = opts.keep != Keep::Nothing && !keep_all;
    let mut kept = keep_stdin.then(KeptEvents::default);
    let mut summary = {
        let ahead = Ahead::new(&rules, ahead_enabled);
        let ahead = &ahead;
        let enricher = opts.enricher.as_deref();
        let ahead_sink = &mut ahead_sink;
        let summary = run(
            inputs,
            &pipeline,
            |mut events: Vec<Event>| {
                let mut max = Timestamp(i64::MIN);
                let mut min = Timestamp(i64::MAX);
                for e in events.iter_mut() {
                    if let Some(en) = enricher {
                        en.enrich(e);
                    }
                    max = max.max(e.time);
                    min = min.min(e.time);
                }
                if let Some(pool) = &pool {
                    pool.keep(&events);
                }
                (ahead.batch(events), min, max)
            },
            |(batch, min, max)| {
                newest = newest.max(max);
                oldest = oldest.min(min);
                let absorbed = ahead_sink.absorb(batch, &store, &mut |e| {
                    if let Some(k) = kept.as_mut().filter(|_| &*e.origin.source == "-") {
                        if let Err(err) = k.push(&e) {
                            io_error.get_or_insert(err);
                        }
                    }
                    if io_error.is_none() {
                        if let Err(err) = sorter.push(e) {
                            io_error = Some(err);
                        }
                    }
                });
                match absorbed {
                    Ok(buf) => ahead.recycle_deferred(buf),
                    Err(err) => {
                        io_error.get_or_insert(err);
                    }
                }
                if opts.store.is_some() {
                    commit_if_large(&store, &mut store_error);
                }
            },
        );
        ahead_sink.absorb_accumulated(ahead);
        summary
    };
    if let Some(e) = io_error {
        return Err(e);
    }
    if let Some(pool) = pool {
        kept = Some(pool.finish()?);
    }
    ahead_sink.finish_history(&store);
    ahead_sink.finish_summaries(&mut rules);
    let since = opts.since.map(|b| b.resolve(newest));
    let until = opts.until.map(|b| b.resolve(newest));
    let spilled = sorter.spilled();
    let mut driver = Driver::new(rules, Arc::clone(&store), ahead_enabled);
    let mut out_of_range = 0u64;
    let mut since_commit = 0u64;
    sorter.drain_ahead(crate::cores::threads(), &mut |e: &Event| {
        since_commit += 1;
        if since_commit >= STORE_CHECK_EVERY {
            since_commit = 0;
            if opts.store.is_some() {
                commit_if_large(&store, &mut store_error);
            }
        }
        if since.is_some_and(|s| e.time < s) || until.is_some_and(|u| e.time >= u) {
            out_of_range += 1;
            return;
        }
        driver.push(e);
    })?;
    // Every pass removes duplicates among the events it sees; a deferring rule's pass may
    // see more of the input than the main one, so the note gives the most any pass met.
    let mut duplicates = driver.duplicates();
    let mut spilled = spilled;
    if ahead_enabled {
        for i in 0..driver.rules().len() {
            let (dropped, sorted_on_disk) =
                replay_deferred(i, &mut driver, &mut ahead_sink.deferred, opts.run_events)?;
            duplicates = duplicates.max(dropped);
            spilled = spilled.max(sorted_on_disk);
        }
    }
    let (mut alerts, notes) = driver.finish();
    summary.notes.extend(notes);
    if opts.store.is_some() {
        if let Err(err) = lock(&store).commit() {
            store_error.get_or_insert(err.to_string());
        }
    }
    if let Some(err) = store_error {
        return Err(std::io::Error::other(format!("baseline store: {err}")));
    }
    order_alerts(&mut alerts);
    if duplicates > 0 {
        summary.notes.push(format!(
            "{duplicates} duplicate deliveries (same event id and content) counted once"
        ));
    }
    if spilled > 0 {
        summary.notes.push(format!(
            "{spilled} events sorted on disk (input far from time order)"
        ));
    }
    if out_of_range > 0 {
        summary.notes.push(format!(
            "{out_of_range} rule events outside --since/--until"
        ));
    }
    let parsed_or_bad = summary.events + summary.bad_total();
    if pipeline.normalize.prefilter.is_some() && summary.records > parsed_or_bad {
        summary.notes.push(format!(
            "{} records not needed by the enabled rules were skipped unparsed",
            summary.records - parsed_or_bad
        ));
    }
    if newest.0 != i64::MIN {
        summary
            .notes
            .push(format!("event time {oldest} .. {newest}"));
        summary.time_range = Some((oldest, newest));
    }
    Ok(ScanResult {
        alerts,
        summary,
        kept,
        range: TimeRange { since, until },
    })
}

/// One rule's ordered pass over the events it set aside (`Needs::Deferred`), restricted to
/// the keys it still needs, with the same duplicate handling as the main pass. Returns the
/// duplicates it removed and the events it sorted on disk.
fn replay_deferred(
    index: usize,
    driver: &mut Driver,
    spill: &mut Spill,
    run_events: usize,
) -> std::io::Result<(u64, u64)> {
    if !spill.has(index) {
        return Ok((0, 0));
    }
    let keys = driver.deferred_keys(index);
    if keys.as_ref().is_some_and(|k| k.is_empty()) {
        return Ok((0, 0));
    }
    let mut sorter = EventSorter::new(run_events);
    spill.replay(index, keys.as_ref(), &mut |e| sorter.push(e))?;
    let sorted_on_disk = sorter.spilled();
    let mut pass = driver.deferred_pass(index);
    sorter.drain_ahead(crate::cores::threads(), &mut |e: &Event| pass.push(e))?;
    Ok((pass.duplicates(), sorted_on_disk))
}

/// SPEC §5: the seed rule's rows in its order, then every other alert by time.
pub fn order_alerts(alerts: &mut [Alert]) {
    alerts.sort_by(|a, b| {
        let seed_a = a.rule == "cloud-discovery-burst";
        let seed_b = b.rule == "cloud-discovery-burst";
        match (seed_a, seed_b) {
            (true, true) => seed_order(a, b),
            (true, false) => std::cmp::Ordering::Less,
            (false, true) => std::cmp::Ordering::Greater,
            (false, false) => a
                .window_start
                .cmp(&b.window_start)
                .then_with(|| a.rule.cmp(&b.rule))
                .then_with(|| a.id.cmp(&b.id)),
        }
    });
}
