//! Arbitrary bytes through the whole read path: open (gzip / UTF-16 by magic bytes), sniff,
//! frame, split, normalize. The first byte picks a small record cap so the over-size paths
//! are reached too. SPEC §9: events or counted bad records, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::Arc;
use tripline::event::{BadRecord, Event};
use tripline::input::{self, frame::frame_input, Batch};
use tripline::engine::normalize_batch::normalize_batch;
use tripline::normalize::NormalizeOptions;

fuzz_target!(|data: &[u8]| {
    let Some((&first, bytes)) = data.split_first() else {
        return;
    };
    let max = 16 + usize::from(first) * 64;
    let Ok(mut reader) = input::open_reader(Box::new(std::io::Cursor::new(bytes.to_vec()))) else {
        return;
    };
    let mut batches: Vec<Batch> = Vec::new();
    let _ = frame_input(&mut *reader, Arc::from("fuzz"), max, &mut |mut b: Batch| {
        b.split();
        batches.push(b)
    });
    let opts = NormalizeOptions::default();
    let mut events: Vec<Event> = Vec::new();
    let mut bad: Vec<BadRecord> = Vec::new();
    for b in &batches {
        for i in 0..b.records.len() {
            assert!(b.record(i).len() <= max, "a record over the cap was framed");
        }
        normalize_batch(b, &opts, &mut events, &mut bad);
    }
});
