//! What framing produces: raw records of one file in one buffer (`Batch`), and the file and
//! record errors met on the way. The framers (`json_framer`, `lines`, `csv`) fill batches;
//! `frame` picks the framer. Separate from both so that neither imports the other's side.

use crate::event::{BadReason, BadRecord, Origin};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordKind {
    Json,
    Text,
    Csv,
}

/// One raw record inside a batch's buffer.
#[derive(Clone, Debug)]
pub struct RecordMeta {
    pub start: usize,
    pub end: usize,
    pub origin: Origin,
}

/// Records of one file, contiguous in one buffer: one allocation per batch, not per record.
#[derive(Debug)]
pub struct Batch {
    pub source: Arc<str>,
    pub kind: RecordKind,
    pub data: Vec<u8>,
    pub records: Vec<RecordMeta>,
    pub bad: Vec<BadRecord>,
    /// For CSV: the header row's column names.
    pub header: Option<Arc<Vec<String>>>,
    /// Raw bytes read for this batch, for MB/s reporting.
    pub bytes: u64,
    /// `data` is a block of whole lines not yet split into records (see `split`).
    pub unsplit: bool,
    /// Line number of the block's first line.
    pub first_line: u64,
    pub max_record: usize,
    /// Where the block's first line starts in `data` (a range read keeps the bytes before
    /// it, rather than moving the block).
    pub split_from: usize,
    /// Records `split` left out because the caller's filter said no rule needs them.
    pub skipped: u64,
    /// The records were already put through that filter (`split_skipping`).
    pub filtered: bool,
    /// For CSV: the day/month order of zone-less slash dates, decided for the whole file
    /// from its first rows (`csv::DateGate`).
    pub date_order: Option<crate::event::time::DateOrder>,
}

impl Batch {
    pub fn new(source: Arc<str>, kind: RecordKind, header: Option<Arc<Vec<String>>>) -> Batch {
        Batch {
            source,
            kind,
            data: Vec::new(),
            records: Vec::new(),
            bad: Vec::new(),
            header,
            bytes: 0,
            unsplit: false,
            first_line: 0,
            max_record: usize::MAX,
            split_from: 0,
            skipped: 0,
            filtered: false,
            date_order: None,
        }
    }

    /// Splits a block of lines into records, on the worker thread; returns the number of
    /// lines.
    pub fn split(&mut self) -> u64 {
        let lines = self.split_skipping(&|_| false);
        self.filtered = false;
        lines
    }

    /// `split`, leaving out the JSON records `skip` says no rule needs, while their bytes are
    /// still in the cache and before any per-record bookkeeping (counted in `skipped`).
    pub fn split_skipping(&mut self, skip: &dyn Fn(&[u8]) -> bool) -> u64 {
        if !self.unsplit {
            return 0;
        }
        self.unsplit = false;
        self.filtered = self.kind == RecordKind::Json;
        let mut line = self.first_line;
        let mut start = self.split_from;
        let data = &self.data;
        let n = data.len();
        while start < n {
            let end = memchr::memchr(b'\n', &data[start..]).map_or(n, |i| start + i);
            let mut rec_end = end;
            if rec_end > start && data[rec_end - 1] == b'\r' {
                rec_end -= 1;
            }
            let rec = &data[start..rec_end];
            if !rec.iter().all(u8::is_ascii_whitespace) {
                if rec.len() > self.max_record {
                    let origin = Origin::line(&self.source, line);
                    self.bad.push(too_large(origin, rec.len(), self.max_record));
                } else if self.kind == RecordKind::Json && skip(rec) {
                    self.skipped += 1;
                } else {
                    self.records.push(RecordMeta {
                        start,
                        end: rec_end,
                        origin: Origin::line(&self.source, line),
                    });
                }
            }
            line += 1;
            start = end + 1;
        }
        line - self.first_line
    }
    pub fn push(&mut self, bytes: &[u8], origin: Origin) {
        let start = self.data.len();
        self.data.extend_from_slice(bytes);
        self.records.push(RecordMeta {
            start,
            end: self.data.len(),
            origin,
        });
    }
    pub fn record(&self, i: usize) -> &[u8] {
        let m = &self.records[i];
        &self.data[m.start..m.end]
    }
    pub fn is_full(&self) -> bool {
        self.data.len() >= BATCH_BYTES
            || self.records.len() >= BATCH_RECORDS
            || self.bad.len() >= BATCH_RECORDS
    }
    pub fn is_empty(&self) -> bool {
        self.records.is_empty() && self.bad.is_empty() && self.data.is_empty()
    }
}

const BATCH_BYTES: usize = 1 << 20;
const BATCH_RECORDS: usize = 4096;

/// A file that could not be read, or stopped being readable (truncated gzip, I/O error).
#[derive(Clone, Debug)]
pub struct FileError {
    pub source: Arc<str>,
    pub detail: String,
}

impl FileError {
    pub fn new(source: &str, detail: String) -> FileError {
        FileError {
            source: Arc::from(source),
            detail,
        }
    }
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.source, self.detail)
    }
}

pub fn bad(origin: Origin, reason: BadReason, detail: impl Into<String>) -> BadRecord {
    BadRecord {
        origin,
        reason,
        detail: detail.into(),
    }
}

/// A record over the size cap, measured as it streamed past and never held.
pub fn too_large(origin: Origin, size: usize, max: usize) -> crate::event::BadRecord {
    bad(
        origin,
        BadReason::TooLarge,
        format!("{size} bytes, more than the {max}-byte record cap (--max-record-size)"),
    )
}
