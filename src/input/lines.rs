//! Line framing with a size cap: a line longer than the cap is skipped as it streams past,
//! never buffered whole.

use super::frame::{bad, Batch, RecordKind};
use crate::event::{BadReason, Origin};
use std::io::{self, BufRead};
use std::sync::Arc;

pub struct LineFramer {
    source: Arc<str>,
    max: usize,
    kind: RecordKind,
    line: u64,
}

impl LineFramer {
    pub fn new(source: Arc<str>, max: usize, kind: RecordKind) -> LineFramer {
        LineFramer { source, max, kind, line: 0 }
    }

    /// Continue framing lines after `line` lines were already consumed by another framer.
    pub fn starting_at(mut self, line: u64) -> LineFramer {
        self.line = line;
        self
    }

    pub fn run(&mut self, reader: &mut dyn BufRead, emit: &mut dyn FnMut(Batch)) -> io::Result<()> {
        let mut batch = Batch::new(self.source.clone(), self.kind, None);
        let mut pending: Vec<u8> = Vec::new();
        let mut oversize: Option<usize> = None;
        loop {
            let chunk = match reader.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    if !batch.is_empty() {
                        emit(batch);
                    }
                    return Err(e);
                }
            };
            if chunk.is_empty() {
                break;
            }
            let len = chunk.len();
            batch.bytes += len as u64;
            let mut pos = 0;
            while pos < len {
                match memchr::memchr(b'\n', &chunk[pos..]) {
                    Some(nl) => {
                        let piece = &chunk[pos..pos + nl];
                        self.line += 1;
                        let origin = Origin::line(&self.source, self.line);
                        if let Some(n) = oversize.take() {
                            batch.bad.push(too_large(origin, n + piece.len(), self.max));
                        } else if pending.len() + piece.len() > self.max {
                            batch.bad.push(too_large(origin, pending.len() + piece.len(), self.max));
                            pending.clear();
                        } else if pending.is_empty() {
                            push_line(&mut batch, piece, origin);
                        } else {
                            pending.extend_from_slice(piece);
                            push_line(&mut batch, &pending, origin);
                            pending.clear();
                        }
                        pos += nl + 1;
                        if batch.is_full() {
                            emit(std::mem::replace(&mut batch, Batch::new(self.source.clone(), self.kind, None)));
                        }
                    }
                    None => {
                        let piece = &chunk[pos..];
                        if let Some(n) = oversize.as_mut() {
                            *n += piece.len();
                        } else if pending.len() + piece.len() > self.max {
                            oversize = Some(pending.len() + piece.len());
                            pending = Vec::new();
                        } else {
                            pending.extend_from_slice(piece);
                        }
                        pos = len;
                    }
                }
            }
            reader.consume(len);
        }
        if oversize.is_some() || !pending.is_empty() {
            self.line += 1;
            let origin = Origin::line(&self.source, self.line);
            match oversize {
                Some(n) => batch.bad.push(too_large(origin, n, self.max)),
                None => push_line(&mut batch, &pending, origin),
            }
        }
        if !batch.is_empty() {
            emit(batch);
        }
        Ok(())
    }
}

fn push_line(batch: &mut Batch, line: &[u8], origin: Origin) {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        return;
    }
    batch.push(line, origin);
}

pub fn too_large(origin: Origin, size: usize, max: usize) -> crate::event::BadRecord {
    bad(origin, BadReason::TooLarge, format!("{size} bytes, more than the {max}-byte record cap (--max-record-size)"))
}
