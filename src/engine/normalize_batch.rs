//! One framed batch through `normalize`, on a worker thread: each record by its kind (JSON,
//! text line, CSV row, table row), with the checks that apply to every format (the time
//! range of SPEC §9, `--format`), and a parser panic costing one record. It sits in the
//! engine because it joins the two layers: `input` frames records, `normalize` reads them,
//! and neither imports the other's side.

use crate::event::{BadReason, BadRecord, Event};
use crate::input::{Batch, RecordKind};
use crate::normalize::{
    normalize_csv_in_order, normalize_json, normalize_table_row, normalize_text, NormalizeOptions,
    RecordError,
};

/// Normalizes every record of a batch into `events`; bad records go to `bad`.
/// Returns how many records the prefilter skipped unparsed here (lines split on the
/// workers count theirs in `Batch::skipped`).
pub fn normalize_batch(
    batch: &Batch,
    opts: &NormalizeOptions,
    events: &mut Vec<Event>,
    bad: &mut Vec<BadRecord>,
) -> u64 {
    bad.extend(batch.bad.iter().cloned());
    let mut skipped = 0;
    // Lines split on the workers were filtered as they were split.
    let prefilter = opts.prefilter.as_ref().filter(|_| !batch.filtered);
    if prefilter.is_none() {
        events.reserve(batch.records.len());
    }
    for (i, meta) in batch.records.iter().enumerate() {
        let bytes = batch.record(i);
        // Table rows (a JSON batch with a header) have no `eventName` key to filter on.
        if batch.kind == RecordKind::Json
            && batch.header.is_none()
            && prefilter.is_some_and(|p| p.skip(bytes))
        {
            skipped += 1;
            continue;
        }
        let before = events.len();
        let before_bad = bad.len();
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match batch.kind {
            RecordKind::Json => match &batch.header {
                None => normalize_json(bytes, &meta.origin, events, bad),
                Some(columns) => normalize_table_row(bytes, columns, &meta.origin, events, bad),
            },
            RecordKind::Text => normalize_text(bytes, &meta.origin, events, bad),
            RecordKind::Csv => normalize_csv_in_order(
                bytes,
                batch.header.as_deref().map_or(&[][..], |h| &h[..]),
                opts.csv_date_order.or(batch.date_order),
                &meta.origin,
                events,
                bad,
            ),
        }));
        let result = result.unwrap_or_else(|_| {
            // Defence in depth: a parser bug must cost one record, never the scan.
            Err(RecordError::new(
                BadReason::InvalidRecord,
                "internal parser error (please report this record)",
            ))
        });
        if let Err(e) = result {
            // The record as a whole is bad: what its elements gave counts for nothing.
            events.truncate(before);
            bad.truncate(before_bad);
            bad.push(BadRecord {
                origin: meta.origin.clone(),
                reason: e.reason,
                detail: e.detail,
            });
            continue;
        }
        if events[before..]
            .iter()
            .any(|e| !opts.valid_times.contains(e.time))
        {
            // Each event out of range is set aside alone, in one linear pass.
            let valid = opts.valid_times;
            for ev in events.drain(before..).collect::<Vec<_>>() {
                if valid.contains(ev.time) {
                    events.push(ev);
                    continue;
                }
                let when = if ev.time.0 == i64::MIN || ev.time.0 == i64::MAX {
                    "a year outside 1677..2262".to_string()
                } else {
                    ev.time.to_string()
                };
                bad.push(BadRecord {
                    detail: format!(
                        "{when} is before {} or more than a day after the start of the run",
                        valid.from
                    ),
                    origin: ev.origin,
                    reason: BadReason::TimeOutOfRange,
                });
            }
        }
        if let Some(f) = opts.format {
            let mut j = before;
            while j < events.len() {
                if events[j].log() != f {
                    let ev = events.remove(j);
                    let detail = format!(
                        "a {} record, but --format {} was given",
                        ev.log().as_str(),
                        f.as_str()
                    );
                    bad.push(BadRecord {
                        origin: ev.origin,
                        reason: BadReason::Unrecognised,
                        detail,
                    });
                } else {
                    j += 1;
                }
            }
        }
    }
    skipped
}
