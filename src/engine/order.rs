//! Event-time order for `scan` (SPEC §7): results equal one pass over all input in
//! event-time order, whatever the order of files and records. Events are sorted by
//! (time, origin); beyond a memory budget, sorted runs spill to temporary files and are
//! merged back, so badly ordered input costs disk, never unbounded memory.
//!
//! Runs are merged in bounded fan-in: once `FAN_IN` runs of one size exist they are merged
//! into one run of the next size (a tiered merge), and the final merge reads at most
//! `FAN_IN` files. Open descriptors stay under `FAN_IN + 1` whatever the input size (one
//! file per run used to fail at ~66 M events under the default limit of 1,024), and each
//! event is rewritten once per tier: O(n log n) work in all.

use crate::event::codec;
use crate::event::Event;
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;

/// Events kept in memory before a sorted run is spilled.
pub const DEFAULT_RUN_EVENTS: usize = 65_536;

/// At most this many runs are merged at once (and open at once).
pub const FAN_IN: usize = 64;

/// Read buffers of one merge, all runs together. With a fixed 1 MiB per run the final merge
/// of a long scan held one MiB per run it read (22 MiB for 4 M realistic events, up to
/// `FAN_IN` MiB): memory that grew with the input. Runs are read sequentially, so a few
/// hundred KiB each lose nothing to the kernel's read-ahead.
const MERGE_READ_BUDGET: usize = 8 << 20;
const MIN_RUN_READ_BUFFER: usize = 64 << 10;
const MAX_RUN_READ_BUFFER: usize = 1 << 20;

/// Each run's read buffer when `runs` are merged at once.
fn run_read_buffer(runs: usize) -> usize {
    (MERGE_READ_BUDGET / runs.max(1)).clamp(MIN_RUN_READ_BUFFER, MAX_RUN_READ_BUFFER)
}

pub fn event_order(a: &Event, b: &Event) -> Ordering {
    a.time.cmp(&b.time).then_with(|| a.origin.cmp(&b.origin))
}

pub struct EventSorter {
    mem: Vec<Event>,
    run_events: usize,
    /// Spilled runs with their tier: a run of tier t holds about `FAN_IN^t` runs' events.
    runs: Vec<(PathBuf, u32)>,
    /// Names of the run files made so far (unique within the scratch directory).
    made: u64,
    spilled: u64,
    /// Set once the input is read: the final merge may fold runs of different tiers.
    draining: bool,
}

impl EventSorter {
    pub fn new(run_events: usize) -> EventSorter {
        EventSorter {
            mem: Vec::new(),
            run_events: run_events.max(1),
            runs: Vec::new(),
            made: 0,
            spilled: 0,
            draining: false,
        }
    }

    pub fn push(&mut self, e: Event) -> io::Result<()> {
        if self.mem.capacity() == 0 {
            self.mem.reserve_exact(self.run_events);
        }
        self.mem.push(e);
        if self.mem.len() >= self.run_events {
            self.spill()?;
        }
        Ok(())
    }

    /// Events written to disk so far (for the summary).
    pub fn spilled(&self) -> u64 {
        self.spilled
    }

    /// The in-memory events' positions in event order. Events are large; sorting their
    /// positions moves 4 bytes per swap instead of the whole event.
    fn order(&self) -> Vec<u32> {
        let mut idx: Vec<u32> = (0..self.mem.len() as u32).collect();
        idx.sort_by(|a, b| event_order(&self.mem[*a as usize], &self.mem[*b as usize]));
        idx
    }

    fn new_run_path(&mut self) -> io::Result<PathBuf> {
        self.made += 1;
        Ok(super::scratch::dir()?.join(format!(
            "run-{}-{}.bin",
            self as *const _ as usize, self.made
        )))
    }

    fn spill(&mut self) -> io::Result<()> {
        let order = self.order();
        let path = self.new_run_path()?;
        // Registered before it is written: a failed write still removes the file on drop.
        self.runs.push((path.clone(), 0));
        let mut w = BufWriter::with_capacity(1 << 20, File::create(&path)?);
        let mut buf = Vec::with_capacity(512);
        for i in order {
            buf.clear();
            codec::encode(&self.mem[i as usize], &mut buf);
            w.write_all(&(buf.len() as u32).to_le_bytes())?;
            w.write_all(&buf)?;
        }
        w.flush()?;
        self.spilled += self.mem.len() as u64;
        self.mem.clear();
        self.compact()
    }

    /// Merges `FAN_IN` runs of one tier into one of the next while a tier has that many;
    /// once draining, also folds the lowest runs until at most `FAN_IN` remain for the final
    /// merge.
    fn compact(&mut self) -> io::Result<()> {
        loop {
            self.runs.sort_by_key(|(_, tier)| *tier);
            let full_tier = self
                .runs
                .iter()
                .position(|(_, t)| self.runs.iter().filter(|(_, u)| u == t).count() >= FAN_IN);
            let (start, group) = match full_tier {
                Some(start) => (start, FAN_IN),
                None if self.draining && self.runs.len() > FAN_IN => {
                    (0, (self.runs.len() - FAN_IN + 1).min(FAN_IN))
                }
                None => return Ok(()),
            };
            let taken: Vec<(PathBuf, u32)> = self.runs.drain(start..start + group).collect();
            let tier = taken.iter().map(|(_, t)| *t).max().unwrap_or(0) + 1;
            let path = self.new_run_path()?;
            self.runs.push((path.clone(), tier));
            let mut w = BufWriter::with_capacity(1 << 20, File::create(&path)?);
            let mut buf = Vec::with_capacity(512);
            let paths: Vec<PathBuf> = taken.iter().map(|(p, _)| p.clone()).collect();
            let merged = merge_runs(&paths, None, &mut |e| {
                buf.clear();
                codec::encode(&e, &mut buf);
                w.write_all(&(buf.len() as u32).to_le_bytes())?;
                w.write_all(&buf)
            });
            for p in &paths {
                let _ = std::fs::remove_file(p);
            }
            merged?;
            w.flush()?;
        }
    }

    /// Every event in order, each passed to `f`.
    pub fn drain(self, f: &mut dyn FnMut(&Event)) -> io::Result<()> {
        self.drain_owned(&mut |e| {
            f(&e);
            Ok(())
        })
    }

    /// [`drain`](Self::drain), with `f` called on this thread while another thread sorts,
    /// reads, decodes and merges ahead of it (when `threads` allows two). The ordered pass
    /// is the one step of a scan that a single thread does, and the merge was about a
    /// quarter of it (300,000 realistic events: 0.7 of 2.5 billion instructions) while the
    /// other cores idled. Events cross in batches, which go back to the merging thread to
    /// be emptied there. The order is the same: one producer, one channel.
    pub fn drain_ahead(self, threads: usize, f: &mut dyn FnMut(&Event)) -> io::Result<()> {
        if threads < 2 {
            return self.drain(f);
        }
        const BATCH: usize = 256;
        let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<Vec<Event>>(8);
        let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Vec<Event>>();
        std::thread::scope(|scope| {
            let merger = scope.spawn(move || {
                let mut batch = Vec::with_capacity(BATCH);
                self.drain_owned(&mut |e| {
                    batch.push(e);
                    if batch.len() == BATCH {
                        let next = match empty_rx.try_recv() {
                            Ok(mut b) => {
                                b.clear();
                                b
                            }
                            Err(_) => Vec::with_capacity(BATCH),
                        };
                        // The receiver is gone only when `f` panicked: the panic is
                        // what the caller gets, so the error here says nothing new.
                        full_tx
                            .send(std::mem::replace(&mut batch, next))
                            .map_err(|_| io::Error::other("the ordered pass stopped"))?;
                    }
                    Ok(())
                })?;
                if !batch.is_empty() {
                    let _ = full_tx.send(batch);
                }
                Ok(())
            });
            for batch in full_rx {
                for e in &batch {
                    f(e);
                }
                let _ = empty_tx.send(batch);
            }
            merger
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p))
        })
    }

    /// Every event in order, moved to `f`; the first error `f` or the runs give stops it.
    fn drain_owned(mut self, f: &mut dyn FnMut(Event) -> io::Result<()>) -> io::Result<()> {
        let order = self.order();
        // Moved out in event order: each slot is taken once (`order` is a permutation).
        let mut slots: Vec<Option<Event>> = std::mem::take(&mut self.mem)
            .into_iter()
            .map(Some)
            .collect();
        let from_mem = order
            .into_iter()
            .filter_map(move |i| slots[i as usize].take());
        if self.runs.is_empty() {
            for e in from_mem {
                f(e)?;
            }
            return Ok(());
        }
        self.draining = true;
        self.compact()?;
        let paths: Vec<PathBuf> = self.runs.iter().map(|(p, _)| p.clone()).collect();
        merge_runs(&paths, Some(Box::new(from_mem)), f)
    }
}

/// Merges sorted run files (and, optionally, sorted events in memory) into one ordered
/// stream passed to `f`.
fn merge_runs(
    paths: &[PathBuf],
    mem: Option<Box<dyn Iterator<Item = Event> + '_>>,
    f: &mut dyn FnMut(Event) -> io::Result<()>,
) -> io::Result<()> {
    let mut sources: Vec<RunReader> = Vec::with_capacity(paths.len());
    let capacity = run_read_buffer(paths.len());
    for p in paths {
        sources.push(RunReader {
            r: BufReader::with_capacity(capacity, File::open(p)?),
            buf: Vec::new(),
        });
    }
    let mut names = codec::Names::default();
    let mut heap: BinaryHeap<HeapItem> = BinaryHeap::new();
    for (i, s) in sources.iter_mut().enumerate() {
        if let Some(e) = s.next(&mut names)? {
            heap.push(HeapItem(e, i));
        }
    }
    let mut from_mem = mem
        .unwrap_or_else(|| Box::new(std::iter::empty()))
        .peekable();
    loop {
        let take_mem = match (heap.peek(), from_mem.peek()) {
            (None, None) => break,
            (None, Some(_)) => true,
            (Some(_), None) => false,
            (Some(h), Some(m)) => event_order(m, &h.0) == Ordering::Less,
        };
        if take_mem {
            if let Some(e) = from_mem.next() {
                f(e)?;
            }
        } else if let Some(HeapItem(e, i)) = heap.pop() {
            if let Some(n) = sources[i].next(&mut names)? {
                heap.push(HeapItem(n, i));
            }
            f(*e)?;
        }
    }
    Ok(())
}

impl Drop for EventSorter {
    fn drop(&mut self) {
        for (p, _) in &self.runs {
            let _ = std::fs::remove_file(p);
        }
    }
}

struct RunReader {
    r: BufReader<File>,
    buf: Vec<u8>,
}

impl RunReader {
    fn next(&mut self, names: &mut codec::Names) -> io::Result<Option<Box<Event>>> {
        let mut len = [0u8; 4];
        match self.r.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(e),
        }
        self.buf.resize(u32::from_le_bytes(len) as usize, 0);
        self.r.read_exact(&mut self.buf)?;
        codec::decode(&self.buf, names)
            .map(|e| Some(Box::new(e)))
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "corrupt spill file"))
    }
}

/// Min-heap adapter: BinaryHeap is a max-heap. Boxed, so sifting moves pointers.
struct HeapItem(Box<Event>, usize);
impl PartialEq for HeapItem {
    fn eq(&self, o: &Self) -> bool {
        event_order(&self.0, &o.0) == Ordering::Equal && self.1 == o.1
    }
}
impl Eq for HeapItem {}
impl PartialOrd for HeapItem {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for HeapItem {
    fn cmp(&self, o: &Self) -> Ordering {
        event_order(&o.0, &self.0).then_with(|| o.1.cmp(&self.1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{LogFormat, Origin, Provider, Timestamp};
    use std::sync::Arc;

    #[test]
    fn a_merge_reads_within_its_budget() {
        assert_eq!(run_read_buffer(1), MAX_RUN_READ_BUFFER);
        assert_eq!(run_read_buffer(8), MAX_RUN_READ_BUFFER);
        assert!(run_read_buffer(22) * 22 <= MERGE_READ_BUDGET);
        assert_eq!(run_read_buffer(FAN_IN), 128 << 10);
        assert!(run_read_buffer(FAN_IN + 1) * (FAN_IN + 1) <= MERGE_READ_BUDGET);
    }

    #[test]
    fn spilled_and_in_memory_orders_agree() {
        let src: Arc<str> = Arc::from("f");
        let times: Vec<i64> = (0..1000).map(|i| (i * 7919) % 1000).collect();
        let mut sorter = EventSorter::new(64);
        for (line, t) in times.iter().enumerate() {
            let e = Event::new(
                Provider::Aws,
                LogFormat::CloudTrail,
                Timestamp(*t),
                Origin::line(&src, line as u64),
            );
            sorter.push(e).unwrap();
        }
        assert!(sorter.spilled() > 0);
        let mut out = Vec::new();
        sorter.drain(&mut |e| out.push(e.time.0)).unwrap();
        let mut want = times.clone();
        want.sort();
        assert_eq!(out, want);
    }

    /// An event whose every field differs from every other field, so a codec that swapped
    /// two fields on the way through a spilled run would be caught.
    fn distinct_event(i: u64, src: &Arc<str>) -> Event {
        let f = |name: &str| format!("{name}-{i}");
        Event {
            time: Timestamp(((i * 7919) % 5000) as i64),
            provider: crate::event::ProviderField(Provider::Gcp),
            log: crate::event::LogField(LogFormat::EntraAudit),
            identity: f("identity"),
            identity_type: f("identity_type"),
            account: f("account"),
            source_ip: f("source_ip"),
            user_agent: f("user_agent"),
            action: f("action"),
            service: f("service"),
            region: f("region"),
            resource: f("resource"),
            request: f("request"),
            outcome: crate::event::Outcome::Failure,
            error_code: f("error_code"),
            http_status: Some(400 + (i % 100) as u16),
            client_app: f("client_app"),
            country: f("country"),
            asn: Some(64_500 + i as u32),
            status: f("status"),
            resource_group: f("resource_group"),
            target: f("target"),
            key_id: f("key_id"),
            shape: crate::event::Shape::Sentinel,
            access: crate::event::Access::Write,
            kind: crate::event::LogKind::Unknown,
            mfa: Some(true),
            object: f("object"),
            origin: Origin::line(src, i),
            event_id: f("event_id"),
        }
    }

    #[test]
    fn spilled_events_come_back_whole_through_tiered_merges() {
        // Runs of 1 event: 5,000 runs, so tiers 1 (78 runs of 64) and 2 are merged and
        // the final merge folds the rest; every field must survive every rewrite.
        let src: Arc<str> = Arc::from("f");
        let events: Vec<Event> = (0..5000).map(|i| distinct_event(i, &src)).collect();
        let mut sorter = EventSorter::new(1);
        for e in events.iter().cloned() {
            sorter.push(e).unwrap();
            assert!(
                sorter.runs.len() < FAN_IN * 3,
                "bounded: {}",
                sorter.runs.len()
            );
        }
        assert!(sorter.runs.iter().any(|(_, tier)| *tier >= 2));
        let mut out = Vec::new();
        sorter.drain(&mut |e| out.push(e.clone())).unwrap();
        let mut want = events;
        want.sort_by(event_order);
        assert_eq!(out.len(), want.len());
        for (got, want) in out.iter().zip(&want) {
            assert_eq!(got, want);
        }
    }

    /// The merge on its own thread hands the ordered pass the same events in the same order
    /// as `drain`: in memory and spilled, in batches and in the last part batch, whole.
    #[test]
    fn drain_ahead_gives_what_drain_gives() {
        let src: Arc<str> = Arc::from("f");
        for (events, run_events) in [(0, 64), (1, 64), (1000, 5000), (1000, 64), (257, 1)] {
            let all: Vec<Event> = (0..events).map(|i| distinct_event(i, &src)).collect();
            let sorter = |all: &[Event]| {
                let mut s = EventSorter::new(run_events);
                for e in all.iter().cloned() {
                    s.push(e).unwrap();
                }
                s
            };
            let mut want = Vec::new();
            sorter(&all).drain(&mut |e| want.push(e.clone())).unwrap();
            for threads in [1, 2] {
                let mut got = Vec::new();
                sorter(&all)
                    .drain_ahead(threads, &mut |e| got.push(e.clone()))
                    .unwrap();
                assert_eq!(got.len(), all.len(), "{events} events, {threads} threads");
                assert!(
                    got == want,
                    "{events} events, runs of {run_events}, {threads} threads"
                );
            }
        }
    }

    /// A run that cannot be read is the scan's error, not a hang or a short pass.
    #[test]
    fn drain_ahead_reports_a_broken_run() {
        let src: Arc<str> = Arc::from("f");
        let mut s = EventSorter::new(8);
        for i in 0..100 {
            s.push(distinct_event(i, &src)).unwrap();
        }
        let (path, _) = &s.runs[0];
        std::fs::write(path, [9, 0, 0, 0, 1]).unwrap();
        let mut seen = 0;
        assert!(s.drain_ahead(2, &mut |_| seen += 1).is_err());
        assert!(seen < 100);
    }
}
