//! Event-time order for `scan` (SPEC §7): results equal one pass over all input in
//! event-time order, whatever the order of files and records. Events are sorted by
//! (time, origin); beyond a memory budget, sorted runs spill to temporary files and are
//! merged back, so badly ordered input costs disk, never unbounded memory.

use crate::event::codec;
use crate::event::Event;
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

/// Events kept in memory before a sorted run is spilled.
pub const DEFAULT_RUN_EVENTS: usize = 65_536;

pub fn event_order(a: &Event, b: &Event) -> Ordering {
    a.time.cmp(&b.time).then_with(|| a.origin.cmp(&b.origin))
}

pub struct EventSorter {
    mem: Vec<Event>,
    run_events: usize,
    runs: Vec<PathBuf>,
    dir: PathBuf,
    spilled: u64,
}

impl EventSorter {
    pub fn new(run_events: usize) -> EventSorter {
        EventSorter {
            mem: Vec::new(),
            run_events: run_events.max(1),
            runs: Vec::new(),
            dir: std::env::temp_dir(),
            spilled: 0,
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

    fn spill(&mut self) -> io::Result<()> {
        let order = self.order();
        let path = self.dir.join(format!(
            "tripline-run-{}-{}-{}.bin",
            std::process::id(),
            self as *const _ as usize,
            self.runs.len()
        ));
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
        self.runs.push(path);
        Ok(())
    }

    /// Every event in order, each passed to `f`.
    pub fn drain(mut self, f: &mut dyn FnMut(&Event)) -> io::Result<()> {
        let order = self.order();
        let mem = std::mem::take(&mut self.mem);
        if self.runs.is_empty() {
            for i in order {
                f(&mem[i as usize]);
            }
            return Ok(());
        }
        let mut sources: Vec<RunReader> = Vec::new();
        for p in &self.runs {
            sources.push(RunReader {
                r: BufReader::with_capacity(1 << 20, File::open(p)?),
                buf: Vec::new(),
            });
        }
        let mut interner = codec::Interner::default();
        let mut intern = |s: String| interner.intern(s);
        let mut heap: BinaryHeap<HeapItem> = BinaryHeap::new();
        for (i, s) in sources.iter_mut().enumerate() {
            if let Some(e) = s.next(&mut intern)? {
                heap.push(HeapItem(e, i));
            }
        }
        let mut from_mem = order.into_iter().map(|i| &mem[i as usize]).peekable();
        loop {
            let take_mem = match (heap.peek(), from_mem.peek()) {
                (None, None) => break,
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (Some(h), Some(m)) => event_order(m, &h.0) == Ordering::Less,
            };
            if take_mem {
                if let Some(e) = from_mem.next() {
                    f(e);
                }
            } else if let Some(HeapItem(e, i)) = heap.pop() {
                if let Some(n) = sources[i].next(&mut intern)? {
                    heap.push(HeapItem(n, i));
                }
                f(&e);
            }
        }
        Ok(())
    }
}

impl Drop for EventSorter {
    fn drop(&mut self) {
        for p in &self.runs {
            let _ = std::fs::remove_file(p);
        }
    }
}

struct RunReader {
    r: BufReader<File>,
    buf: Vec<u8>,
}

impl RunReader {
    fn next(
        &mut self,
        intern: &mut dyn FnMut(String) -> Arc<str>,
    ) -> io::Result<Option<Box<Event>>> {
        let mut len = [0u8; 4];
        match self.r.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(e),
        }
        self.buf.resize(u32::from_le_bytes(len) as usize, 0);
        self.r.read_exact(&mut self.buf)?;
        codec::decode(&self.buf, intern)
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
}
