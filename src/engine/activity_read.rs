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

use super::pipeline::{run, PipelineOptions};
use crate::activity::{next_steps, Collector};
use crate::event::codec::{self, KeepFields};
use crate::event::AddressRun;
use crate::event::{Alert, Event, Timestamp};
use crate::input::InputPath;
use crate::normalize::prefilter::Prefilter;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;
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
    let mut report = ActivityReport::default();
    let mut collector = Collector::for_alerts(alerts);
    let (complete, kept) = match kept {
        Some(k) if k.complete => (Some(k), None),
        other => (None, other),
    };
    if let Some(kept) = complete {
        if !collector.is_empty() {
            let wanted = collector.wanted();
            kept.replay(&mut |e| {
                if range.contains(e.time) && wanted.wants(&e) {
                    report.events_kept += 1;
                    collector.observe(&e);
                }
            })?;
            report.address_runs = collector.finish(alerts, false);
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
            kept.replay(&mut |e| {
                if range.contains(e.time) && wanted.wants(&e) {
                    report.events_kept += 1;
                    collector.observe(&e);
                }
            })?;
        }
        report.address_runs = collector.finish(alerts, report.partial);
    }
    for a in alerts.iter_mut() {
        a.next_steps = next_steps(a);
    }
    Ok(report)
}

/// What activity reads of an event (`Tally::add`, `Wanted::wants`, `AddressRun`s): the
/// rest is never written, so a kept event costs its identity, addresses and action, not the
/// whole record.
pub const ACTIVITY_FIELDS: KeepFields = KeepFields::IDENTITY
    .and(KeepFields::SOURCE_IP)
    .and(KeepFields::USER_AGENT)
    .and(KeepFields::ACTION)
    .and(KeepFields::REGION)
    .and(KeepFields::RESOURCE)
    .and(KeepFields::REQUEST)
    .and(KeepFields::ERROR_CODE)
    .and(KeepFields::STATUS)
    .and(KeepFields::SCALARS);

/// Events the scan kept for activity, encoded (activity's fields only) to a temporary file
/// in arrival order: memory stays flat, and the scratch folder goes at exit.
#[derive(Default)]
pub struct KeptEvents {
    file: Option<(PathBuf, BufWriter<File>)>,
    buf: Vec<u8>,
    /// Every event of every input is here (the scan parsed every record and kept each on
    /// its worker): activity needs no second read.
    pub complete: bool,
}

/// Appends one event's activity fields, length-prefixed, to `out`: the workers encode their
/// batches in parallel and the scan appends the bytes with [`KeptEvents::push_encoded`].
pub fn encode_for_activity(e: &Event, out: &mut Vec<u8>) {
    let at = out.len();
    out.extend_from_slice(&[0; 4]);
    codec::encode_fields(e, ACTIVITY_FIELDS, out);
    let len = (out.len() - at - 4) as u32;
    out[at..at + 4].copy_from_slice(&len.to_le_bytes());
}

impl KeptEvents {
    /// Every event of every input, as the workers encode them (see [`encode_for_activity`]).
    pub fn complete() -> KeptEvents {
        KeptEvents {
            file: None,
            buf: Vec::new(),
            complete: true,
        }
    }

    fn writer(&mut self) -> io::Result<&mut BufWriter<File>> {
        if self.file.is_none() {
            let path = super::scratch::dir()?
                .join(format!("kept-events-{}.bin", self as *const _ as usize));
            let w = BufWriter::with_capacity(1 << 20, File::create(&path)?);
            self.file = Some((path, w));
        }
        Ok(&mut self.file.as_mut().expect("just created").1)
    }

    pub fn push(&mut self, e: &Event) -> io::Result<()> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        encode_for_activity(e, &mut buf);
        let written = self.writer().and_then(|w| w.write_all(&buf));
        self.buf = buf;
        written
    }

    /// Appends events encoded by [`encode_for_activity`].
    pub fn push_encoded(&mut self, bytes: &[u8]) -> io::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        self.writer()?.write_all(bytes)
    }

    /// Every kept event, in the order kept.
    pub fn replay(&mut self, f: &mut dyn FnMut(Event)) -> io::Result<()> {
        let Some((path, w)) = &mut self.file else {
            return Ok(());
        };
        w.flush()?;
        let mut r = BufReader::with_capacity(1 << 20, File::open(&*path)?);
        let mut interner = codec::Interner::default();
        let mut intern = |s: String| interner.intern(s);
        let mut ev = Vec::new();
        loop {
            let mut len = [0u8; 4];
            match r.read_exact(&mut len) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
                Err(e) => return Err(e),
            }
            ev.resize(u32::from_le_bytes(len) as usize, 0);
            r.read_exact(&mut ev)?;
            let e = codec::decode(&ev, &mut intern).ok_or_else(|| {
                io::Error::new(io::ErrorKind::InvalidData, "corrupt kept-events file")
            })?;
            f(e);
        }
    }
}

impl Drop for KeptEvents {
    fn drop(&mut self) {
        if let Some((path, _)) = self.file.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}
