//! The format detector: `sniff` is private, so it is reached through the framing entry point
//! (BOM skip, sniff, then the chosen framer), in both modes the pipeline uses: plain, and
//! handing JSON lines off to parallel range reads. No normalization: this target spends its
//! time on detection and framing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::BufReader;
use std::sync::Arc;
use tripline::input::frame::frame_input_until_lines;
use tripline::input::Batch;

fuzz_target!(|data: &[u8]| {
    let Some((&first, bytes)) = data.split_first() else {
        return;
    };
    let max = 16 + usize::from(first) * 64;
    for hand_off in [false, true] {
        let mut reader = BufReader::with_capacity(256 * 1024, bytes);
        let mut records = 0usize;
        let _ = frame_input_until_lines(
            &mut reader,
            Arc::from("fuzz"),
            max,
            hand_off,
            &mut |mut b: Batch| {
                b.split();
                records += b.records.len();
            },
        );
        assert!(records <= bytes.len() + 1);
    }
});
