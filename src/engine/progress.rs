//! How far a scan has got, for `--progress`: counters the pipeline's calling thread bumps
//! once per batch and once per finished file (never per event), and that a display reads
//! on its own clock. No drawing here: the bar is the CLI's (`cli::progress_bar`).
//!
//! Bytes are counted twice because gzip makes them differ: `disk_done` is the on-disk size
//! of the files finished, `read` the bytes the framers handed on (decompressed). Where the
//! scan is in its input is estimated from both (`ProgressSnapshot::position`).

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct ScanProgress {
    /// Bytes of every input found, as stat'ed before the scan (0 for stdin alone).
    pub disk_total: AtomicU64,
    pub files_found: AtomicU64,
    files_done: AtomicU64,
    disk_done: AtomicU64,
    /// Decompressed bytes of the finished files, to learn the compression ratio.
    read_at_done: AtomicU64,
    read: AtomicU64,
    events: AtomicU64,
}

/// One consistent-enough reading of the counters (each is read once).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProgressSnapshot {
    pub disk_total: u64,
    pub files_found: u64,
    pub files_done: u64,
    pub disk_done: u64,
    pub read_at_done: u64,
    pub read: u64,
    pub events: u64,
}

impl ScanProgress {
    /// A batch of `bytes` (as framed) holding `events` normalized events was consumed.
    pub fn batch(&self, bytes: u64, events: u64) {
        self.read.fetch_add(bytes, Ordering::Relaxed);
        self.events.fetch_add(events, Ordering::Relaxed);
    }

    /// A file of `disk_size` bytes on disk (0 when unknown, as for stdin) is finished.
    pub fn file_done(&self, disk_size: u64) {
        self.files_done.fetch_add(1, Ordering::Relaxed);
        self.disk_done.fetch_add(disk_size, Ordering::Relaxed);
        self.read_at_done
            .store(self.read.load(Ordering::Relaxed), Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> ProgressSnapshot {
        ProgressSnapshot {
            disk_total: self.disk_total.load(Ordering::Relaxed),
            files_found: self.files_found.load(Ordering::Relaxed),
            files_done: self.files_done.load(Ordering::Relaxed),
            disk_done: self.disk_done.load(Ordering::Relaxed),
            read_at_done: self.read_at_done.load(Ordering::Relaxed),
            read: self.read.load(Ordering::Relaxed),
            events: self.events.load(Ordering::Relaxed),
        }
    }
}

impl ProgressSnapshot {
    /// On-disk bytes behind us: the finished files, plus the part of the files in progress
    /// that the bytes read since then stand for, scaled by the compression seen so far (1
    /// before any file finished), and never past the total.
    pub fn position(&self) -> u64 {
        let in_progress = self.read.saturating_sub(self.read_at_done);
        let scaled = if self.read_at_done == 0 {
            in_progress
        } else {
            (in_progress as u128 * self.disk_done as u128 / self.read_at_done as u128) as u64
        };
        self.disk_done
            .saturating_add(scaled)
            .min(self.disk_total.max(self.disk_done))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_files_advance_byte_for_byte() {
        let p = ScanProgress::default();
        p.disk_total.store(300, Ordering::Relaxed);
        p.batch(100, 4);
        assert_eq!(p.snapshot().position(), 100);
        p.file_done(100);
        p.batch(50, 1);
        let s = p.snapshot();
        assert_eq!((s.position(), s.files_done, s.events), (150, 1, 5));
    }

    #[test]
    fn compressed_files_scale_by_the_ratio_seen_and_never_pass_the_total() {
        let p = ScanProgress::default();
        p.disk_total.store(200, Ordering::Relaxed);
        // The first gzip file: 1,000 bytes read from 100 on disk; unknown ratio until done,
        // so the estimate is capped at the total.
        p.batch(1_000, 10);
        assert_eq!(p.snapshot().position(), 200);
        p.file_done(100);
        assert_eq!(p.snapshot().position(), 100);
        // Half of the second one: 500 bytes read stand for 50 on disk.
        p.batch(500, 5);
        assert_eq!(p.snapshot().position(), 150);
        p.file_done(100);
        assert_eq!(p.snapshot().position(), 200);
    }
}
