//! The read → normalize pipeline: one reader thread frames records into batches, worker
//! threads normalize them (and run the caller's per-batch work), and the caller's sink gets
//! the results back in input order. Channels are bounded, so memory stays flat however
//! large the input is.

use super::normalize_batch::normalize_batch;
use super::progress::ScanProgress;
use super::summary::Summary;
use crate::event::{BadRecord, Event};
use crate::input::ranges::{self, LineRange};
use crate::input::{self, Batch, FileError, InputPath};
use crate::normalize::NormalizeOptions;
use std::collections::BTreeMap;
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::{Arc, Mutex};
use std::time::Instant;

#[derive(Clone, Debug)]
pub struct PipelineOptions {
    pub max_record: usize,
    /// Worker threads; 0 = one per core.
    pub threads: usize,
    pub normalize: NormalizeOptions,
    /// Bytes per range when a large uncompressed JSON-lines file is read by the workers in
    /// parallel (`input::ranges`); 0 reads every file on the reader thread.
    pub range_block: u64,
    /// `--progress`: counters bumped per batch and per finished file, read by the display.
    pub progress: Option<Arc<ScanProgress>>,
}

/// Files at least this many ranges long are read in ranges.
const MIN_RANGES: u64 = 2;

impl Default for PipelineOptions {
    fn default() -> Self {
        PipelineOptions {
            max_record: input::DEFAULT_MAX_RECORD,
            threads: 0,
            normalize: NormalizeOptions::default(),
            range_block: 1 << 20,
            progress: None,
        }
    }
}

/// What a worker hands back for one batch.
pub struct BatchResult<T> {
    pub records: u64,
    pub bytes: u64,
    pub events_by_format: Vec<(crate::event::LogFormat, u64)>,
    /// Records the prefilter skipped unparsed.
    pub unparsed: u64,
    pub bad: Vec<BadRecord>,
    pub output: T,
}

enum ReaderMsg {
    Batch(Batch),
    Range(LineRange),
    FileDone(FileDone),
    FileError(FileError),
}

enum WorkerMsg {
    Batch(Batch, Option<FileError>),
    FileDone(FileDone),
    FileError(FileError),
}

/// The end of one input. Its size is checked on the calling thread, in input order: only
/// there is every range of the file known to have been read.
struct FileDone {
    source: Arc<str>,
    watch: Option<input::SizeWatch>,
}

/// Runs the pipeline. `work` runs on worker threads with each batch's events (in record
/// order); `sink` runs on the calling thread with the results in input order.
pub fn run<T, W, S>(inputs: Vec<InputPath>, opts: &PipelineOptions, work: W, mut sink: S) -> Summary
where
    T: Send,
    W: Fn(Vec<Event>) -> T + Sync,
    S: FnMut(T),
{
    let started = Instant::now();
    let threads = if opts.threads == 0 {
        crate::cores::threads()
    } else {
        opts.threads
    };
    let mut summary = Summary::default();
    let (batch_tx, batch_rx) = sync_channel::<ReaderMsg>(threads * 4);
    let batch_rx = Arc::new(Mutex::new(batch_rx));
    let (result_tx, result_rx) = sync_channel::<(
        u64,
        Option<BatchResult<T>>,
        Option<FileError>,
        Option<FileDone>,
    )>(threads * 4);
    let max_record = opts.max_record;

    std::thread::scope(|scope| {
        let reader_inputs = inputs;
        let range_block = opts.range_block;
        scope.spawn(move || {
            for inp in reader_inputs {
                let name = inp.name();
                let opened = match input::open_input(&inp) {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = batch_tx.send(ReaderMsg::FileError(FileError {
                            source: name,
                            detail: format!("cannot open: {e}"),
                        }));
                        continue;
                    }
                };
                let mut reader = opened.reader;
                let watch = opened.watch;
                let file_len = |f: &std::fs::File| f.metadata().map_or(0, |m| m.len());
                let splittable = opened
                    .splittable
                    .filter(|f| range_block > 0 && file_len(f) >= MIN_RANGES * range_block);
                let mut emit = |b: Batch| {
                    let _ = batch_tx.send(ReaderMsg::Batch(b));
                };
                match input::frame::frame_input_until_lines(
                    &mut *reader,
                    name.clone(),
                    max_record,
                    splittable.is_some(),
                    &mut emit,
                ) {
                    Err(e) => {
                        let _ = batch_tx.send(ReaderMsg::FileError(e));
                    }
                    Ok(input::frame::Rest::Done) => {}
                    Ok(input::frame::Rest::LinesFrom { offset, line }) => {
                        if let Some(file) = &splittable {
                            let cut = ranges::cut(
                                file,
                                &name,
                                offset,
                                line,
                                file_len(file),
                                range_block,
                                max_record,
                            );
                            for r in cut {
                                let _ = batch_tx.send(ReaderMsg::Range(r));
                            }
                        }
                    }
                }
                drop(reader);
                let _ = batch_tx.send(ReaderMsg::FileDone(FileDone {
                    source: name,
                    watch,
                }));
            }
        });

        // Non-batch messages travel in sequence too, so the sink can count them in order.
        let seq_counter = Arc::new(Mutex::new(0u64));
        for _ in 0..threads {
            let rx: Arc<Mutex<Receiver<ReaderMsg>>> = batch_rx.clone();
            let tx = result_tx.clone();
            let work = &work;
            let norm = &opts.normalize;
            let seq_counter = seq_counter.clone();
            scope.spawn(move || loop {
                // Take the message and its output sequence number under one lock, so results
                // can be put back in input order.
                let (msg, out_seq) = {
                    let guard = rx.lock().unwrap();
                    let Ok(msg) = guard.recv() else { break };
                    let mut c = seq_counter.lock().unwrap();
                    let s = *c;
                    *c += 1;
                    (msg, s)
                };
                // A range is read here, on the worker; what it could not read is reported
                // with what it could.
                let skip = |rec: &[u8]| norm.prefilter.as_ref().is_some_and(|p| p.skip(rec));
                let msg = match msg {
                    ReaderMsg::Range(r) => {
                        let (batch, error) = ranges::read_range(&r, &skip);
                        WorkerMsg::Batch(batch, error)
                    }
                    ReaderMsg::Batch(batch) => WorkerMsg::Batch(batch, None),
                    ReaderMsg::FileError(e) => WorkerMsg::FileError(e),
                    ReaderMsg::FileDone(d) => WorkerMsg::FileDone(d),
                };
                let sent = match msg {
                    WorkerMsg::Batch(mut batch, read_error) => {
                        batch.split_skipping(&skip);
                        let mut events = Vec::with_capacity(batch.records.len());
                        let mut bad = Vec::new();
                        let skipped_here = normalize_batch(&batch, norm, &mut events, &mut bad);
                        let mut by_format: Vec<(crate::event::LogFormat, u64)> = Vec::new();
                        for e in &events {
                            match by_format.iter_mut().find(|(f, _)| *f == e.log()) {
                                Some((_, n)) => *n += 1,
                                None => by_format.push((e.log(), 1)),
                            }
                        }
                        let records =
                            batch.records.len() as u64 + batch.bad.len() as u64 + batch.skipped;
                        let bytes = batch.bytes;
                        let unparsed = batch.skipped + skipped_here;
                        crate::input::lines::recycle(std::mem::take(&mut batch.data));
                        let output = work(events);
                        tx.send((
                            out_seq,
                            Some(BatchResult {
                                records,
                                bytes,
                                events_by_format: by_format,
                                unparsed,
                                bad,
                                output,
                            }),
                            read_error,
                            None,
                        ))
                    }
                    WorkerMsg::FileError(e) => tx.send((out_seq, None, Some(e), None)),
                    WorkerMsg::FileDone(d) => tx.send((out_seq, None, None, Some(d))),
                };
                if sent.is_err() {
                    break;
                }
            });
        }
        drop(result_tx);

        let mut next = 0u64;
        type Pending<T> = (Option<BatchResult<T>>, Option<FileError>, Option<FileDone>);
        let mut pending: BTreeMap<u64, Pending<T>> = BTreeMap::new();
        for (seq, res, err, done) in result_rx.iter() {
            pending.insert(seq, (res, err, done));
            while let Some((res, err, done)) = pending.remove(&next) {
                next += 1;
                if let Some(r) = res {
                    if let Some(p) = &opts.progress {
                        let events = r.events_by_format.iter().map(|(_, n)| n).sum();
                        p.batch(r.bytes, events);
                    }
                    summary.records += r.records;
                    summary.unparsed += r.unparsed;
                    summary.bytes += r.bytes;
                    for (f, n) in r.events_by_format {
                        *summary.events_by_format.entry(f).or_default() += n;
                        summary.events += n;
                    }
                    for b in &r.bad {
                        summary.add_bad(b);
                    }
                    sink(r.output);
                }
                if let Some(e) = err {
                    summary.file_errors.push(e);
                }
                if let Some(d) = done {
                    summary.files += 1;
                    if let Some(p) = &opts.progress {
                        p.file_done(d.watch.as_ref().map_or(0, input::SizeWatch::size_at_open));
                    }
                    if let Some(why) = d.watch.as_ref().and_then(input::SizeWatch::changed) {
                        summary.file_errors.push(FileError {
                            source: d.source,
                            detail: why,
                        });
                    }
                }
            }
        }
    });
    summary.seconds = started.elapsed().as_secs_f64();
    summary
}

/// Reads and normalizes everything into memory: for tests, tools and small inputs.
pub fn collect(paths: &[String], opts: &PipelineOptions) -> (Vec<Event>, Summary) {
    let (inputs, errors) = input::expand(paths);
    let mut all = Vec::new();
    let mut summary = run(inputs, opts, |events| events, |events| all.extend(events));
    summary.files += errors.len() as u64;
    summary.file_errors.splice(0..0, errors);
    (all, summary)
}
