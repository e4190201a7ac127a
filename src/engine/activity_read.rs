//! Activity's second read (SPEC §8). Detection skips records no rule needs (the prefilter),
//! so what an alert's actor did is gathered after the scan, by reading the files again for
//! the actors that have alerts only: a raw-byte search for their identities, role names and
//! addresses (`Prefilter::mentions`) skips every other record unparsed, the workers keep
//! only the actors' events, and `activity::Collector` tallies them in any order.
//!
//! When the scan parsed every record anyway (no prefilter: every rule enabled, `--strict`,
//! or a duration bound), a second read would only repeat it: the workers then keep every
//! event's activity fields on disk as they go ([`KeptEvents::complete`], `ScanOptions::keep`),
//! and activity replays that file instead of reading the input again, standard input
//! included. Otherwise standard input cannot be read twice: its events are those the scan
//! kept (the events that reached the ordered pass), and the alerts' activity is then marked
//! `partial`.

use super::kept::KeptEvents;
use super::pipeline::{run, PipelineOptions};
use crate::activity::{next_steps, Collector};
use crate::event::AddressRun;
use crate::event::{Alert, Event, Timestamp};
use crate::input::InputPath;
use crate::normalize::prefilter::Prefilter;
use std::io;
use std::sync::Arc;

/// Beyond this many search strings, a byte search per string and record would cost more
/// than parsing (and grow with the number of actors): the second read then parses every
/// record, which keeps its cost linear in the input whatever the number of actors.
pub const MAX_NEEDLES: usize = 64;

/// What the second read gives besides the alerts' activity.
#[derive(Debug, Default)]
pub struct ActivityReport {
    /// Each identity actor's public source-address runs (SPEC §4 links by them).
    pub address_runs: Vec<AddressRun>,
    /// Records the second read parsed (after the byte search) and events it kept.
    pub records_parsed: u64,
    pub events_kept: u64,
    /// Standard input was part of the input: its activity came from what the scan kept.
    pub partial: bool,
}

/// The scan's time bounds (`--since`, `--until`, resolved): activity covers the events the
/// scan saw, so the same bounds apply to it.
#[derive(Clone, Copy, Debug, Default)]
pub struct TimeRange {
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
}

impl TimeRange {
    fn contains(&self, t: Timestamp) -> bool {
        self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t < u)
    }
}

/// Fills `activity` and `next_steps` of every alert: from `kept` alone when it is
/// [`complete`](KeptEvents::complete), else from a second read of `inputs` (standard input
/// among them is not read again: its events come from `kept`; a FIFO or device is not read
/// again either, and the activity is then `partial`).
pub fn gather(
    inputs: &[InputPath],
    kept: Option<&mut KeptEvents>,
    alerts: &mut [Alert],
    pipeline: &PipelineOptions,
    range: TimeRange,
) -> io::Result<ActivityReport> {
    gather_with(inputs, kept, alerts, pipeline, range, |_, _| {})
}

/// [`gather`], and `meanwhile` with the alerts and the address runs as soon as the runs are
/// known, on this thread while other threads work out the activity parts: work that needs
/// the runs but no activity (tuning and incidents) then costs the scan no time of its own.
/// `meanwhile` must leave the alerts in their order and number (it may set anything but
/// `activity` and `next_steps`).
pub fn gather_with(
    inputs: &[InputPath],
    kept: Option<&mut KeptEvents>,
    alerts: &mut [Alert],
    pipeline: &PipelineOptions,
    range: TimeRange,
    meanwhile: impl FnOnce(&mut [Alert], &[AddressRun]),
) -> io::Result<ActivityReport> {
    let mut report = ActivityReport::default();
    let mut collector = Collector::for_alerts(alerts);
    let (complete, kept) = match kept {
        Some(k) if k.complete => (Some(k), None),
        other => (None, other),
    };
    if let Some(kept) = complete {
        if !collector.is_empty() {
            // The actors shared out among threads as the kept files split the events, each
            // thread reading its own share's files: the shares' merge moves each identity
            // actor's log, where per-file collectors had to add every tally up, on one
            // thread, and no record is read or tested twice.
            let shares = collector
                .split(kept.shares())
                .into_iter()
                .map(|c| (c, 0u64))
                .collect();
            let shares = kept.replay_shared(
                shares,
                &|(c, _), p| range.contains(p.time) && c.wants(p.identity, p.source_ip),
                &|(c, n), e| {
                    if c.observe(e) {
                        *n += 1;
                    }
                },
            )?;
            for (c, n) in shares {
                collector.merge(c);
                report.events_kept += n;
            }
        }
    } else if !collector.is_empty() {
        // Only regular files can be read a second time: a FIFO or a device named on the
        // command line would block or give other bytes, like standard input.
        let files: Vec<InputPath> = inputs
            .iter()
            .filter(|i| match i {
                InputPath::File(p) => std::fs::metadata(p).is_ok_and(|m| m.is_file()),
                InputPath::Stdin => false,
            })
            .cloned()
            .collect();
        report.partial = files.len() < inputs.len();
        let needles = collector.needles();
        let wanted = collector.wanted();
        let mut opts = pipeline.clone();
        // ARN actors are found by one search for `"arn:` per record, whatever their number;
        // the others (UPNs, addresses) by one search each, up to MAX_NEEDLES.
        let arn_test = {
            let wanted = wanted.clone();
            Arc::new(move |arn: &str| wanted.wants_identity(arn))
        };
        opts.normalize.prefilter = (needles.exact.len() + needles.folded.len() <= MAX_NEEDLES)
            .then(|| {
                Arc::new(Prefilter::mentions_with_arns(
                    needles.exact,
                    needles.folded,
                    arn_test,
                ))
            });
        if !files.is_empty() {
            let summary = run(
                files,
                &opts,
                |events: Vec<Event>| {
                    events
                        .into_iter()
                        .filter(|e| range.contains(e.time) && wanted.wants(e))
                        .collect::<Vec<_>>()
                },
                |events| {
                    report.events_kept += events.len() as u64;
                    for e in &events {
                        collector.observe(e);
                    }
                },
            );
            report.records_parsed = summary.events + summary.bad_total();
        }
        if let Some(kept) = kept {
            kept.replay(
                &mut |p| range.contains(p.time) && wanted.wants_parts(p.identity, p.source_ip),
                &mut |e| {
                    report.events_kept += 1;
                    collector.observe(e);
                },
            )?;
        }
    }
    let (runs, pending) = collector.into_runs(alerts);
    let parts = std::thread::scope(|scope| {
        let parts = scope.spawn(move || pending.work_out());
        meanwhile(alerts, &runs);
        parts
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))
    });
    parts.fill(alerts, report.partial);
    report.address_runs = runs;
    // Each alert's steps are its own: shared out among threads, as the parts were.
    let threads = crate::cores::threads();
    let share = alerts.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        for part in alerts.chunks_mut(share) {
            scope.spawn(move || {
                for a in part {
                    a.next_steps = next_steps(a);
                }
            });
        }
    });
    Ok(report)
}
