//! Line framing with a size cap. The reader thread only cuts the stream into blocks that
//! end at a newline and counts lines; workers split blocks into records (`Batch::split`),
//! so the reader never copies a record twice. A line longer than the cap is skipped as it
//! streams past, never buffered whole.

use super::batch::{too_large, Batch, RecordKind};
use crate::event::Origin;
use std::io::{self, BufRead};
use std::sync::Arc;

/// Bytes per block handed to a worker.
const BLOCK: usize = 1 << 20;

/// Blocks come back from the workers (`recycle`) and are reused, so the reader neither
/// zeroes nor page-faults fresh memory for every megabyte (measured: a third of the reader
/// thread's time). A process-wide free list, like an allocator's cache; capped.
static POOL: std::sync::Mutex<Vec<Vec<u8>>> = std::sync::Mutex::new(Vec::new());
const POOL_MAX: usize = 32;

pub(crate) fn take_buffer() -> Vec<u8> {
    POOL.lock()
        .ok()
        .and_then(|mut p| p.pop())
        .unwrap_or_default()
}

/// Returns a block's memory for reuse (called by workers when a batch is done).
pub fn recycle(mut buf: Vec<u8>) {
    if buf.capacity() < BLOCK || buf.capacity() > 4 * BLOCK {
        return;
    }
    if let Ok(mut p) = POOL.lock() {
        if p.len() < POOL_MAX {
            // Keep the initialised length: the next `resize` then zeroes only the tail.
            buf.truncate(BLOCK.min(buf.len()));
            p.push(buf);
        }
    }
}

/// A line too long to keep, measured as it streams past. Measured as `Batch::split` would:
/// without a final `\r`; and a blank line is no record, however long.
#[derive(Clone, Copy, Debug)]
pub struct Skipped {
    len: usize,
    blank: bool,
    ends_with_cr: bool,
}

impl Default for Skipped {
    fn default() -> Skipped {
        Skipped {
            len: 0,
            blank: true,
            ends_with_cr: false,
        }
    }
}

impl Skipped {
    pub fn add(&mut self, bytes: &[u8]) {
        if let Some(last) = bytes.last() {
            self.len += bytes.len();
            self.blank = self.blank && bytes.iter().all(u8::is_ascii_whitespace);
            self.ends_with_cr = *last == b'\r';
        }
    }

    /// The bad record for the line, unless it is blank.
    pub fn bad(&self, origin: Origin, max: usize) -> Option<crate::event::BadRecord> {
        (!self.blank).then(|| too_large(origin, self.len - usize::from(self.ends_with_cr), max))
    }
}

pub struct LineFramer {
    source: Arc<str>,
    max: usize,
    kind: RecordKind,
    line: u64,
}

impl LineFramer {
    pub fn new(source: Arc<str>, max: usize, kind: RecordKind) -> LineFramer {
        LineFramer {
            source,
            max,
            kind,
            line: 0,
        }
    }

    /// Continue framing lines after `line` lines were already consumed by another framer.
    pub fn starting_at(mut self, line: u64) -> LineFramer {
        self.line = line;
        self
    }

    pub fn run(&mut self, reader: &mut dyn BufRead, emit: &mut dyn FnMut(Batch)) -> io::Result<()> {
        let mut carry: Vec<u8> = Vec::new();
        // Bytes of an over-long line seen so far, while skipping it.
        let mut oversize: Option<Skipped> = None;
        let mut eof = false;
        while !eof {
            let mut buf = take_buffer();
            let carried = carry.len();
            if buf.len() < carried {
                buf.resize(carried, 0);
            }
            buf[..carried].copy_from_slice(&carry);
            carry.clear();
            // `buf` may hold stale bytes past `filled`: only [..filled] is data.
            let mut filled = carried;
            let mut read_bytes = 0u64;
            // Always read fresh bytes beyond the carried tail: a tail as long as a block (an
            // unfinished line under a cap of a block or more) would otherwise be flushed and
            // carried again forever without reading (issue 10, class 1). A quarter block of
            // fresh bytes at least keeps a long line's copies linear in its length.
            let target = BLOCK.max(carried + BLOCK / 4);
            while filled < target {
                let want = filled + (target - filled).max(64 * 1024);
                if buf.len() < want {
                    buf.resize(want, 0);
                }
                let n = match reader.read(&mut buf[filled..want]) {
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        buf.truncate(filled);
                        self.flush_block(buf, &mut oversize, true, read_bytes, emit);
                        return Err(e);
                    }
                };
                filled += n;
                read_bytes += n as u64;
                if n == 0 {
                    eof = true;
                    break;
                }
            }
            buf.truncate(filled);
            carry = self.flush_block(buf, &mut oversize, eof, read_bytes, emit);
        }
        Ok(())
    }

    /// Emits the complete lines of `buf` as one batch; returns the unfinished tail.
    fn flush_block(
        &mut self,
        mut buf: Vec<u8>,
        oversize: &mut Option<Skipped>,
        eof: bool,
        bytes: u64,
        emit: &mut dyn FnMut(Batch),
    ) -> Vec<u8> {
        let mut batch = Batch::new(self.source.clone(), self.kind, None);
        batch.bytes = bytes;
        // Finish skipping an over-long line first.
        if let Some(mut skipped) = *oversize {
            match memchr::memchr(b'\n', &buf) {
                Some(i) => {
                    self.line += 1;
                    skipped.add(&buf[..i]);
                    batch
                        .bad
                        .extend(skipped.bad(Origin::line(&self.source, self.line), self.max));
                    *oversize = None;
                    buf.drain(..=i);
                }
                None => {
                    skipped.add(&buf);
                    *oversize = Some(skipped);
                    if eof {
                        self.line += 1;
                        batch
                            .bad
                            .extend(skipped.bad(Origin::line(&self.source, self.line), self.max));
                        *oversize = None;
                    }
                    if !batch.is_empty() || batch.bytes > 0 {
                        emit(batch);
                    }
                    return Vec::new();
                }
            }
        }
        let cut = if eof {
            buf.len()
        } else {
            memchr::memrchr(b'\n', &buf).map_or(0, |i| i + 1)
        };
        let tail = buf.split_off(cut);
        // One byte of slack: a line of exactly the cap may still end in `\r\n`.
        let tail = if !eof && cut == 0 && tail.len() > self.max + 1 {
            // No newline in a whole block and already over the cap: skip it as it streams.
            let mut skipped = Skipped::default();
            skipped.add(&tail);
            *oversize = Some(skipped);
            Vec::new()
        } else {
            tail
        };
        let lines = memchr::memchr_iter(b'\n', &buf).count() as u64
            + u64::from(eof && !buf.is_empty() && !buf.ends_with(b"\n"));
        batch.first_line = self.line + 1;
        batch.unsplit = true;
        batch.max_record = self.max;
        self.line += lines;
        batch.data = buf;
        if !batch.data.is_empty() || !batch.bad.is_empty() || batch.bytes > 0 {
            emit(batch);
        }
        tail
    }
}
