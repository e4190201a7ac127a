//! One line into the text normalizer (S3 server access, combined HTTP, JSON in a text file).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::Arc;
use tripline::event::Origin;
use tripline::normalize::normalize_text;

fuzz_target!(|data: &[u8]| {
    let origin = Origin::line(&Arc::from("fuzz"), 1);
    let (mut out, mut bad) = (Vec::new(), Vec::new());
    let _ = normalize_text(data, &origin, &mut out, &mut bad);
});
