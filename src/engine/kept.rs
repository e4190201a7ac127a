//! Events kept for activity (SPEC §8), so that it need not read the input a second time:
//! each event's activity fields ([`ACTIVITY_FIELDS`]), encoded to scratch files in arrival
//! order. Memory stays flat; the scratch folder goes at exit.
//!
//! A scan that parses every record keeps every event on its workers ([`KeptPool`]: each batch
//! borrows one of a few writers, so no file has two writers and no batch allocates a buffer
//! of its own; the collector is order-free, so the files' order does not matter). Each writer
//! puts an event in the file of its actor's share (`activity::EventShares`), so that a
//! replay on as many threads reads each record once, on the thread that tallies its actor.
//! A scan that skips records keeps only standard input's events as they reach the ordered
//! pass.

use crate::activity::{EventShares, SLICES_PER_SHARE};
use crate::event::codec::{self, KeepFields, Peek};
use crate::event::Event;
use crate::input::ranges::read_at;
use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// What activity reads of an event (`Tally::add`, `Wanted::wants`, address runs): the rest
/// is never written, so a kept event costs its identity, addresses and action, not the whole
/// record.
pub const ACTIVITY_FIELDS: KeepFields = KeepFields::IDENTITY
    .and(KeepFields::SOURCE_IP)
    .and(KeepFields::USER_AGENT)
    .and(KeepFields::ACTION)
    .and(KeepFields::REGION)
    .and(KeepFields::RESOURCE)
    .and(KeepFields::OBJECT)
    .and(KeepFields::REQUEST)
    .and(KeepFields::ERROR_CODE)
    .and(KeepFields::STATUS)
    .and(KeepFields::SCALARS);

/// Events kept for activity, in one or more scratch files.
#[derive(Default)]
pub struct KeptEvents {
    files: Vec<KeptFile>,
    /// How many shares the files split the events into (`EventShares`); 0 means 1. Each
    /// file holds one slice of a share.
    shares: usize,
    /// Every event of every input is here (the scan parsed every record and its workers kept
    /// each one): activity needs no second read.
    pub complete: bool,
}

impl KeptEvents {
    /// Keeps one event (standard input's, from the ordered pass), in the one slice of one
    /// share.
    pub fn push(&mut self, e: &Event) -> io::Result<()> {
        if self.files.is_empty() {
            self.files.push(KeptFile::create(0)?);
        }
        self.files[0].push(e)
    }

    /// How many shares the events are split into: what [`replay_shared`](Self::replay_shared)
    /// needs a state for each of.
    pub fn shares(&self) -> usize {
        self.shares.max(1)
    }

    /// Every kept event that `wants` (asked before decoding it, see `codec::peek`), file by
    /// file, each file in the order kept.
    pub fn replay(
        &mut self,
        wants: &mut dyn FnMut(Peek) -> bool,
        f: &mut dyn FnMut(&Event),
    ) -> io::Result<()> {
        for file in &mut self.files {
            file.flush()?;
            file.read(wants, f)?;
        }
        Ok(())
    }

    /// The kept events of share k given to the k-th state (one state per
    /// [`share`](Self::shares)), each state on a thread of its own reading the files of its
    /// share alone: for consumers that split the work by actor as the events were split
    /// (`activity::Collector::split`). The states, or the first error.
    pub fn replay_shared<S: Send>(
        &mut self,
        states: Vec<S>,
        wants: &(dyn Fn(&mut S, Peek) -> bool + Sync),
        f: &(dyn Fn(&mut S, &Event) + Sync),
    ) -> io::Result<Vec<S>> {
        if states.len() != self.shares() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "kept events are split into {} shares, not {}",
                    self.shares(),
                    states.len()
                ),
            ));
        }
        for file in &mut self.files {
            file.flush()?;
        }
        let files = &self.files;
        let shares = self.shares();
        std::thread::scope(|scope| {
            let threads: Vec<_> = states
                .into_iter()
                .enumerate()
                .map(|(k, state)| {
                    scope.spawn(move || {
                        // Two closures, one state: it is borrowed by each call in turn.
                        let state = std::cell::RefCell::new(state);
                        // The share's slices one after another (`SLICES_PER_SHARE`).
                        let slices = (k..shares * SLICES_PER_SHARE).step_by(shares);
                        let mine = slices.flat_map(|s| files.iter().filter(move |f| f.slice == s));
                        for file in mine {
                            file.read(&mut |p| wants(&mut state.borrow_mut(), p), &mut |e| {
                                f(&mut state.borrow_mut(), e)
                            })?;
                        }
                        Ok(state.into_inner())
                    })
                })
                .collect();
            threads
                .into_iter()
                .map(|t| t.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        })
    }
}

/// The writers a scan's workers share while they keep every event.
pub struct KeptPool {
    free: Mutex<Vec<Writer>>,
    error: Mutex<Option<io::Error>>,
    shares: usize,
}

/// One writer: a file for each slice of each share, made when its first event comes.
struct Writer {
    files: Vec<Option<KeptFile>>,
    route: EventShares,
}

impl KeptPool {
    /// A pool whose files split the events into `shares` shares (the threads of the replay).
    pub fn new(shares: usize) -> KeptPool {
        KeptPool {
            free: Mutex::default(),
            error: Mutex::default(),
            shares: shares.max(1),
        }
    }

    /// Keeps a batch's events (called on a worker thread).
    pub fn keep(&self, events: &[Event]) {
        let spare = self.free.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut w = spare.unwrap_or_else(|| Writer {
            files: (0..self.shares * SLICES_PER_SHARE).map(|_| None).collect(),
            route: EventShares::new(self.shares),
        });
        for e in events {
            let k = w.route.of(&e.identity, &e.source_ip);
            let file = match &mut w.files[k] {
                Some(f) => f,
                empty => match KeptFile::create(k) {
                    Ok(f) => empty.insert(f),
                    Err(err) => {
                        self.fail(err);
                        break;
                    }
                },
            };
            if let Err(err) = file.push(e) {
                self.fail(err);
                break;
            }
        }
        self.free.lock().unwrap_or_else(|p| p.into_inner()).push(w);
    }

    fn fail(&self, e: io::Error) {
        self.error
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert(e);
    }

    /// The kept events, complete; or the first error a worker met.
    pub fn finish(self) -> io::Result<KeptEvents> {
        if let Some(e) = self.error.into_inner().unwrap_or_else(|p| p.into_inner()) {
            return Err(e);
        }
        let writers = self.free.into_inner().unwrap_or_else(|p| p.into_inner());
        Ok(KeptEvents {
            files: writers
                .into_iter()
                .flat_map(|w| w.files)
                .flatten()
                .collect(),
            shares: self.shares,
            complete: true,
        })
    }
}

/// One scratch file of length-prefixed encoded events.
struct KeptFile {
    /// The slice of the events it holds (`activity::EventShares`).
    slice: usize,
    path: PathBuf,
    file: File,
    /// Events encoded straight into it, written out [`WRITE_AT`] bytes at a time.
    buf: Vec<u8>,
}

/// How much a kept file holds in memory before writing it out: small enough that a
/// writer's files (one per slice of each share) stay in the core's cache while events are
/// encoded into them (with a megabyte each, the encoding's copies missed the cache three
/// times as often).
const WRITE_AT: usize = 1 << 16;

impl KeptFile {
    fn create(slice: usize) -> io::Result<KeptFile> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path = super::scratch::dir()?.join(format!("kept-events-{n}.bin"));
        Ok(KeptFile {
            slice,
            file: File::create(&path)?,
            path,
            buf: Vec::with_capacity(WRITE_AT + 4096),
        })
    }

    fn push(&mut self, e: &Event) -> io::Result<()> {
        let at = self.buf.len();
        self.buf.extend_from_slice(&[0; 4]);
        codec::encode_fields(e, ACTIVITY_FIELDS, &mut self.buf);
        let len = (self.buf.len() - at - 4) as u32;
        self.buf[at..at + 4].copy_from_slice(&len.to_le_bytes());
        if self.buf.len() >= WRITE_AT {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }

    /// Every event written and flushed, in the order written.
    fn read(
        &self,
        wants: &mut dyn FnMut(Peek) -> bool,
        f: &mut dyn FnMut(&Event),
    ) -> io::Result<()> {
        let file = File::open(&self.path)?;
        let mut names = codec::Names::default();
        // One event, its buffers reused for every record.
        let mut e = Event::default();
        let corrupt = || {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("corrupt kept-events file {}", self.path.display()),
            )
        };
        // Records are cut out of a megabyte read at a time (a read per record cost more
        // than the record); one cut by the buffer's end is moved to its front first. The
        // records not yet cut are `buf[at..filled]`; the file is read up to `offset`.
        let size = file.metadata()?.len();
        let mut buf = vec![0u8; READ_AT];
        let (mut at, mut filled, mut offset) = (0, 0, 0u64);
        loop {
            let have = filled - at;
            let need = match buf.get(at..at + 4).filter(|_| have >= 4) {
                Some(len) => 4 + u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize,
                None => 4,
            };
            if have < need {
                // A length beyond the file is corrupt, never a buffer that large.
                if need as u64 > size.max(4) {
                    return Err(corrupt());
                }
                buf.copy_within(at..filled, 0);
                (at, filled) = (0, have);
                let room = buf.len().max(need) - filled;
                let got = read_at(&file, &mut buf, filled, offset, offset + room as u64)?;
                if got == 0 {
                    // A clean end lies between records.
                    return if filled == 0 { Ok(()) } else { Err(corrupt()) };
                }
                (filled, offset) = (filled + got, offset + got as u64);
                continue;
            }
            let end = at + need;
            let bytes = &buf[at + 4..end];
            at = end;
            // Events of actors without alerts are skipped before their strings are copied
            // out (on a configured deployment, most of them).
            if !wants(codec::peek(bytes).ok_or_else(corrupt)?) {
                continue;
            }
            codec::decode_into(bytes, &mut names, &mut e).ok_or_else(corrupt)?;
            f(&e);
        }
    }
}

/// How much of a kept file is read at a time (the records are decoded while it is still in
/// the core's cache).
const READ_AT: usize = 1 << 18;

impl Drop for KeptFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Timestamp;

    fn event(i: usize, agent_len: usize) -> Event {
        let mut e = Event {
            time: Timestamp(1_714_989_600_000_000_000 + i as i64),
            ..Event::default()
        };
        e.identity = format!("arn:aws:iam::111122223333:user/u{i}");
        e.source_ip = "203.0.113.7".into();
        e.action = "GetObject".into();
        e.user_agent = "a".repeat(agent_len);
        e
    }

    fn replayed(kept: &mut KeptEvents) -> io::Result<Vec<(Timestamp, String, usize)>> {
        let mut seen = Vec::new();
        kept.replay(&mut |_| true, &mut |e| {
            seen.push((e.time, e.identity.clone(), e.user_agent.len()))
        })?;
        Ok(seen)
    }

    /// Records come back in the order kept, whole, also those cut by the end of a read and
    /// one larger than a read (guards the reader that cuts records out of large reads).
    #[test]
    fn records_across_and_beyond_a_read_come_back_in_order() {
        let mut kept = KeptEvents::default();
        let sizes: Vec<usize> = (0..3000)
            .map(|i| match i {
                1500 => READ_AT + READ_AT / 2,
                _ => i % 700,
            })
            .collect();
        for (i, &n) in sizes.iter().enumerate() {
            kept.push(&event(i, n)).unwrap();
        }
        let seen = replayed(&mut kept).unwrap();
        assert_eq!(seen.len(), sizes.len());
        for (i, (t, identity, agent)) in seen.into_iter().enumerate() {
            assert_eq!(t, event(i, 0).time);
            assert_eq!(identity, event(i, 0).identity);
            assert_eq!(agent, sizes[i], "record {i}");
        }
    }

    /// A pool of three shares gives each event once, to the state of its share
    /// (`EventShares`), from batches kept by any number of writers; a replay asked with
    /// another number of states is an error, never a share read by no one. (Guards the
    /// split that lets each replay thread read its own files alone.)
    #[test]
    fn each_kept_event_goes_to_its_share_once() {
        let pool = KeptPool::new(3);
        let mut all = Vec::new();
        for batch in 0..5 {
            let events: Vec<Event> = (0..200)
                .map(|i| {
                    let mut e = event(batch * 200 + i, 3);
                    // Sessions of a few roles, users, and events without identity.
                    e.identity = match i % 4 {
                        0 => format!("arn:aws:sts::111122223333:assumed-role/R{}/s{i}", i % 7),
                        1 => format!("arn:aws:iam::111122223333:user/u{}", i % 11),
                        2 => format!("User{}@Contoso.com", i % 5),
                        _ => String::new(),
                    };
                    e.source_ip = format!("203.0.113.{}", i % 13);
                    e
                })
                .collect();
            pool.keep(&events);
            all.extend(events);
        }
        let mut kept = pool.finish().unwrap();
        assert_eq!(kept.shares(), 3);
        let got = kept
            .replay_shared(
                vec![Vec::new(), Vec::new(), Vec::new()],
                &|_, _| true,
                &|seen: &mut Vec<Timestamp>, e| seen.push(e.time),
            )
            .unwrap();
        let mut route = EventShares::new(3);
        let mut want = vec![Vec::new(); 3];
        for e in &all {
            want[route.of(&e.identity, &e.source_ip) % 3].push(e.time);
        }
        for (k, (mut got, mut want)) in got.into_iter().zip(want).enumerate() {
            got.sort();
            want.sort();
            assert!(!want.is_empty(), "share {k} holds events");
            assert_eq!(got, want, "share {k}");
        }
        let wrong = kept.replay_shared(vec![(); 2], &|_, _| true, &|_, _| {});
        assert_eq!(wrong.unwrap_err().kind(), io::ErrorKind::InvalidInput);
    }

    /// A file cut inside a record, or a length beyond the file, is an error naming the
    /// file: never a panic, never a buffer as large as the length says.
    #[test]
    fn a_cut_or_lying_file_is_an_error() {
        let mut kept = KeptEvents::default();
        for i in 0..10 {
            kept.push(&event(i, 40)).unwrap();
        }
        kept.files[0].flush().unwrap();
        let path = kept.files[0].path.clone();
        let whole = std::fs::read(&path).unwrap();
        std::fs::write(&path, &whole[..whole.len() - 3]).unwrap();
        let err = replayed(&mut kept).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("kept-events"), "{err}");
        let mut lying = whole.clone();
        lying[..4].copy_from_slice(&u32::MAX.to_le_bytes());
        std::fs::write(&path, &lying).unwrap();
        assert_eq!(
            replayed(&mut kept).unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
        std::fs::write(&path, b"").unwrap();
        assert!(
            replayed(&mut kept).unwrap().is_empty(),
            "an empty file holds nothing"
        );
    }
}
