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

use super::frame::{Batch, FileError, RecordKind};
use super::lines::{take_buffer, too_large};
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
}

impl LineLedger {
    /// `newlines_before`: newlines before the first range's first byte.
    pub fn new(ranges: usize, newlines_before: u64) -> Arc<LineLedger> {
        Arc::new(LineLedger {
            state: Mutex::new(LedgerState {
                counts: vec![None; ranges],
                known: 0,
                before_known: newlines_before,
            }),
            ready: Condvar::new(),
        })
    }

    fn publish(&self, range: usize, newlines: u64) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        s.counts[range] = Some(newlines);
        while let Some(Some(n)) = s.counts.get(s.known).copied() {
            s.before_known += n;
            s.known += 1;
        }
        self.ready.notify_all();
    }

    /// Newlines before `range`, once every range before it has published.
    fn newlines_before(&self, range: usize) -> u64 {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        while s.known < range {
            s = self.ready.wait(s).unwrap_or_else(|p| p.into_inner());
        }
        let mut before = s.before_known;
        for k in range..s.known {
            before -= s.counts[k].unwrap_or(0);
        }
        before
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
) -> Vec<LineRange> {
    let block = block.max(1);
    let n = file_end.saturating_sub(offset).div_ceil(block) as usize;
    let ledger = LineLedger::new(n, newlines_before);
    (0..n)
        .map(|index| {
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
        .collect()
}

/// Reads and splits one range. Always publishes the range's newline count, also when the
/// read fails, so that later ranges never wait for it in vain.
/// `skip` as in `Batch::split_skipping`.
pub fn read_range(r: &LineRange, skip: &dyn Fn(&[u8]) -> bool) -> (Batch, Option<FileError>) {
    let mut published = false;
    let mut batch = Batch::new(r.source.clone(), RecordKind::Json, None);
    let result = read_and_split(r, &mut batch, skip, &mut published);
    if !published {
        r.ledger.publish(r.index, 0);
    }
    let error = result
        .err()
        .map(|e| FileError::new(&r.source, format!("read error: {e}")));
    (batch, error)
}

fn read_and_split(
    r: &LineRange,
    batch: &mut Batch,
    skip: &dyn Fn(&[u8]) -> bool,
    published: &mut bool,
) -> io::Result<()> {
    batch.bytes = r.end - r.start;
    batch.max_record = r.max_record;
    // The byte before the range says whether the range begins at a line start.
    let from = if r.index == 0 { r.start } else { r.start - 1 };
    let mut buf = take_buffer();
    let mut len = read_at(&r.file, &mut buf, 0, from, r.end)?;
    let end = (r.end - from) as usize;
    // A file that shrank since it was measured ends here.
    let truncated = len < end;
    let end = end.min(len);
    let (first, prefix_newline) = if r.index == 0 || buf.first() == Some(&b'\n') {
        (if r.index == 0 { 0 } else { 1 }, 0)
    } else {
        match memchr::memchr(b'\n', &buf[..end]) {
            Some(i) => (i + 1, 1),
            None => {
                // Inside a line that began in an earlier range: nothing starts here.
                batch.data = buf;
                return Ok(());
            }
        }
    };
    if first >= end {
        r.ledger.publish(r.index, prefix_newline);
        *published = true;
        batch.data = buf;
        return Ok(());
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
            if len - last_start > r.max_record {
                // Too long to keep: measure it as it streams past, like the line framer.
                oversize = Some(line_length_from(
                    &r.file,
                    from + len as u64,
                    len - last_start,
                )?);
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
    r.ledger.publish(r.index, newlines);
    *published = true;
    let first_line = r.ledger.newlines_before(r.index) + prefix_newline + 1;
    for m in &mut batch.records {
        m.origin.line += first_line;
    }
    for b in &mut batch.bad {
        b.origin.line += first_line;
    }
    if let Some(n) = oversize {
        batch.bad.push(too_large(
            Origin::line(&r.source, first_line + lines),
            n,
            r.max_record,
        ));
    }
    Ok(())
}

/// Reads `[from, to)` of the file into `buf[at..]`; returns the bytes read (fewer at the
/// end of the file).
fn read_at(file: &File, buf: &mut Vec<u8>, at: usize, from: u64, to: u64) -> io::Result<usize> {
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

/// The length of a line of which `seen` bytes were read, reading on from `at` to its
/// newline (or the end of the file) without keeping it.
fn line_length_from(file: &File, mut at: u64, mut seen: usize) -> io::Result<usize> {
    let mut chunk = vec![0u8; 1 << 20];
    loop {
        let n = match positional_read(file, &mut chunk, at) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            return Ok(seen);
        }
        if let Some(i) = memchr::memchr(b'\n', &chunk[..n]) {
            return Ok(seen + i);
        }
        seen += n;
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

