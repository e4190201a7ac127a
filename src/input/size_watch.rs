//! A regular file that shrinks while it is read (log rotation with `copytruncate`, a sync
//! tool rewriting the object) would otherwise be scanned short without a word: the records
//! past the cut are simply never seen. `SizeWatch` remembers the size stat'ed at open and
//! counts what the reader got, so the run can report the file as "changed while read".
//! A file that grows while read is fine: what was there at open is read.

use std::fs::File;
use std::io::{self, Read};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

#[derive(Default)]
struct Progress {
    read: AtomicU64,
    eof: AtomicBool,
}

/// Passes reads through, counting the bytes and noting when the end of the file is reached.
pub(super) struct Counted<R> {
    inner: R,
    progress: Arc<Progress>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() {
            self.progress.eof.store(true, Ordering::Relaxed);
        } else {
            self.progress.read.fetch_add(n as u64, Ordering::Relaxed);
        }
        Ok(n)
    }
}

/// The size of a regular file when it was opened, and how far its reader got.
pub struct SizeWatch {
    file: File,
    at_open: u64,
    progress: Arc<Progress>,
}

impl SizeWatch {
    /// Watches `file` (a regular file, just opened) and wraps its reader.
    pub(super) fn new<R: Read>(file: File, at_open: u64, inner: R) -> (SizeWatch, Counted<R>) {
        let progress = Arc::new(Progress::default());
        let watch = SizeWatch {
            file,
            at_open,
            progress: progress.clone(),
        };
        (watch, Counted { inner, progress })
    }

    /// The file's size when it was opened.
    pub fn size_at_open(&self) -> u64 {
        self.at_open
    }

    /// Called once everything of the file has been read (by its reader and by any ranges):
    /// why the file must be reported as changed while read, if it must.
    pub fn changed(&self) -> Option<String> {
        let read = self.progress.read.load(Ordering::Relaxed);
        if self.progress.eof.load(Ordering::Relaxed) && read < self.at_open {
            return Some(format!(
                "changed while read: ended after {read} of the {} bytes it had when opened",
                self.at_open
            ));
        }
        match self.file.metadata() {
            Ok(m) if m.len() < self.at_open => Some(format!(
                "changed while read: {} bytes when opened, {} at the end",
                self.at_open,
                m.len()
            )),
            _ => None,
        }
    }
}
