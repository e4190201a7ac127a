//! Parallel reading of a large uncompressed JSON-lines file. The reader thread only cuts the
//! file into byte ranges; each worker reads its own range with a positional read, so the
//! kernel's copy into user memory (a third of a prefiltered scan's CPU time) runs on every
//! core instead of on the one reader thread, and nobody counts lines in a separate pass.
//!
//! A range owns the lines that start inside it: it skips the partial line it begins in
//! (that line belongs to the range before) and reads past its end to finish its last line.
//! Line numbers need the number of newlines before a range, which only the ranges before it
//! know: each worker publishes its range's count in a `LineLedger` as soon as it has split
//! its block, then waits for the counts before its own. Ranges are taken in order, and
//! publishing never waits, so the wait is short and cannot deadlock.

use super::batch::{Batch, FileError, RecordKind};
use super::lines::{take_buffer, Skipped};
use crate::event::Origin;
use std::fs::File;
use std::io;
use std::sync::{Arc, Condvar, Mutex};

/// Newline counts of a file's ranges, in order.
pub struct LineLedger {
    state: Mutex<LedgerState>,
    ready: Condvar,
}

struct LedgerState {
    counts: Vec<Option<u64>>,
    /// Ranges [0, known) have published; `before_known` is the newlines before range `known`.
    known: usize,
    before_known: u64,
    /// The first range that could not be read: the file ends there, as it does for the
    /// streaming reader at its first error.
    failed: Option<usize>,
}

impl LineLedger {
    /// `newlines_before`: newlines before the first range's first byte.
    pub fn new(ranges: usize, newlines_before: u64) -> Arc<LineLedger> {
        Arc::new(LineLedger {
            state: Mutex::new(LedgerState {
                counts: vec![None; ranges],
                known: 0,
                before_known: newlines_before,
                failed: None,
            }),
            ready: Condvar::new(),
        })
    }

    /// `None`: the range failed.
    fn publish(&self, range: usize, newlines: Option<u64>) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let Some(newlines) = newlines else {
            s.failed = Some(s.failed.map_or(range, |f| f.min(range)));
            self.ready.notify_all();
            return;
        };
        s.counts[range] = Some(newlines);
        while let Some(Some(n)) = s.counts.get(s.known).copied() {
            s.before_known += n;
            s.known += 1;
        }
        self.ready.notify_all();
    }

    /// Newlines before `range`, once every range before it has published; `None` when one
    /// of them failed.
    fn newlines_before(&self, range: usize) -> Option<u64> {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if s.failed.is_some_and(|f| f < range) {
                return None;
            }
            if s.known >= range {
                break;
            }
            s = self.ready.wait(s).unwrap_or_else(|p| p.into_inner());
        }
        let mut before = s.before_known;
        for k in range..s.known {
            before -= s.counts[k].unwrap_or(0);
        }
        Some(before)
    }

    fn failed_before(&self, range: usize) -> bool {
        let s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.failed.is_some_and(|f| f < range)
    }
}

/// Publishes a range's count exactly once; a range that ends without publishing (an error,
/// or a panic unwinding through it) is published as failed, so later ranges never wait in
/// vain.
struct Publisher<'a> {
    ledger: &'a LineLedger,
    range: usize,
    done: bool,
}

impl Publisher<'_> {
    fn publish(&mut self, newlines: u64) {
        self.ledger.publish(self.range, Some(newlines));
        self.done = true;
    }
}

impl Drop for Publisher<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.ledger.publish(self.range, None);
        }
    }
}

/// One range of a file for one worker.
pub struct LineRange {
    pub file: Arc<File>,
    pub source: Arc<str>,
    /// Position among the file's ranges.
    pub index: usize,
    pub start: u64,
    pub end: u64,
    /// The file's length when the ranges were cut.
    pub file_end: u64,
    pub max_record: usize,
    pub ledger: Arc<LineLedger>,
}

/// Cuts `[offset, file_end)` into ranges of about `block` bytes.
pub fn cut(
    file: &Arc<File>,
    source: &Arc<str>,
    offset: u64,
    newlines_before: u64,
    file_end: u64,
    block: u64,
    max_record: usize,
) -> impl Iterator<Item = LineRange> {
    let block = block.max(1);
    let n = file_end.saturating_sub(offset).div_ceil(block) as usize;
    let ledger = LineLedger::new(n, newlines_before);
    let (file, source) = (file.clone(), source.clone());
    // Made as they are sent: a channel of a few ranges, not a list of the whole file's.
    (0..n).map(move |index| {
        let start = offset + index as u64 * block;
        LineRange {
            file: file.clone(),
            source: source.clone(),
            index,
            start,
            end: (start + block).min(file_end),
            file_end,
            max_record,
            ledger: ledger.clone(),
        }
    })
}

/// Reads and splits one range (`skip` as in `Batch::split_skipping`). Always publishes the
/// range's newline count, or its failure, so that later ranges never wait in vain. After a
/// failed range the file's later ranges give nothing: the file ends at its first error,
/// as it does for the streaming reader (the failed range's own lines are not kept).
pub fn read_range(r: &LineRange, skip: &dyn Fn(&[u8]) -> bool) -> (Batch, Option<FileError>) {
    let mut publisher = Publisher {
        ledger: &r.ledger,
        range: r.index,
        done: false,
    };
    let mut batch = Batch::new(r.source.clone(), RecordKind::Json, None);
    if r.ledger.failed_before(r.index) {
        return (batch, None);
    }
    match read_and_split(r, &mut batch, skip, &mut publisher) {
        Ok(true) => (batch, None),
        Ok(false) => (Batch::new(r.source.clone(), RecordKind::Json, None), None),
        Err(e) => (
            Batch::new(r.source.clone(), RecordKind::Json, None),
            Some(FileError::new(&r.source, format!("read error: {e}"))),
        ),
    }
}

/// Ok(false): an earlier range failed, and this one gives nothing.
fn read_and_split(
    r: &LineRange,
    batch: &mut Batch,
    skip: &dyn Fn(&[u8]) -> bool,
    publisher: &mut Publisher<'_>,
) -> io::Result<bool> {
    batch.max_record = r.max_record;
    // The byte before the range says whether the range begins at a line start.
    let from = if r.index == 0 { r.start } else { r.start - 1 };
    let at_start = (r.start - from) as usize;
    let mut buf = take_buffer();
    let mut len = read_at(&r.file, &mut buf, 0, from, r.end)?;
    let end = (r.end - from) as usize;
    // A file that shrank since it was measured ends here.
    let truncated = len < end;
    let end = end.min(len);
    batch.bytes = end.saturating_sub(at_start) as u64;
    let (first, prefix_newline) = if r.index == 0 || buf.first() == Some(&b'\n') {
        (at_start, 0)
    } else {
        match memchr::memchr(b'\n', &buf[..end]) {
            Some(i) => (i + 1, 1),
            None => {
                // Inside a line that began in an earlier range: nothing starts here.
                publisher.publish(0);
                batch.data = buf;
                return Ok(true);
            }
        }
    };
    if first >= end {
        publisher.publish(prefix_newline);
        batch.data = buf;
        return Ok(true);
    }
    // Finish the last line, unless the range ends with a newline.
    let last_start = memchr::memrchr(b'\n', &buf[first..end]).map_or(first, |i| first + i + 1);
    let mut oversize = None;
    if !truncated && buf[end - 1] != b'\n' && r.end < r.file_end {
        let mut searched = end;
        loop {
            if let Some(i) = memchr::memchr(b'\n', &buf[searched..len]) {
                len = searched + i + 1;
                break;
            }
            searched = len;
            // One byte of slack: a line of exactly the cap may still end in `\r\n`.
            if len - last_start > r.max_record + 1 {
                // Too long to keep: measure it as it streams past.
                let mut skipped = Skipped::default();
                skipped.add(&buf[last_start..len]);
                oversize = Some(line_length_from(&r.file, from + len as u64, skipped)?);
                len = last_start;
                break;
            }
            let at = from + len as u64;
            match read_at(&r.file, &mut buf, len, at, at + 64 * 1024)? {
                0 => break,
                n => len += n,
            }
        }
    }
    buf.truncate(len);
    batch.data = buf;
    batch.split_from = first;
    batch.unsplit = true;
    batch.first_line = 0;
    let lines = batch.split_skipping(skip);
    // Every line but the last ends with a newline inside the range. The last one's lies past
    // the range unless the range ends right after it, and a last line at the end of the
    // file may have none. A line too long to keep always began the extension past the end.
    let newlines = if oversize.is_some() {
        prefix_newline + lines
    } else {
        let last_in_range = len <= end && batch.data.last() == Some(&b'\n');
        prefix_newline + lines - u64::from(!last_in_range && lines > 0)
    };
    publisher.publish(newlines);
    let Some(before) = r.ledger.newlines_before(r.index) else {
        return Ok(false);
    };
    let first_line = before + prefix_newline + 1;
    for m in &mut batch.records {
        m.origin.line += first_line;
    }
    for b in &mut batch.bad {
        b.origin.line += first_line;
    }
    if let Some(skipped) = oversize {
        batch
            .bad
            .extend(skipped.bad(Origin::line(&r.source, first_line + lines), r.max_record));
    }
    Ok(true)
}

/// Reads `[from, to)` of the file into `buf[at..]`; returns the bytes read (fewer at the
/// end of the file).
pub(crate) fn read_at(
    file: &File,
    buf: &mut Vec<u8>,
    at: usize,
    from: u64,
    to: u64,
) -> io::Result<usize> {
    let want = (to - from) as usize;
    if buf.len() < at + want {
        buf.resize(at + want, 0);
    }
    let mut done = 0;
    while done < want {
        match positional_read(file, &mut buf[at + done..at + want], from + done as u64) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// Measures the rest of a line too long to keep, reading on from `at` to its newline (or the
/// end of the file) without keeping it.
fn line_length_from(file: &File, mut at: u64, mut skipped: Skipped) -> io::Result<Skipped> {
    let mut chunk = vec![0u8; 1 << 20];
    loop {
        let n = match positional_read(file, &mut chunk, at) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            return Ok(skipped);
        }
        if let Some(i) = memchr::memchr(b'\n', &chunk[..n]) {
            skipped.add(&chunk[..i]);
            return Ok(skipped);
        }
        skipped.add(&chunk[..n]);
        at += n as u64;
    }
}

#[cfg(unix)]
fn positional_read(file: &File, buf: &mut [u8], at: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, at)
}

#[cfg(windows)]
fn positional_read(file: &File, buf: &mut [u8], at: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, at)
}
