//! One JSON record straight into the JSON normalizer (every vendor format and envelope).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::Arc;
use tripline::event::Origin;
use tripline::normalize::normalize_json;

fuzz_target!(|data: &[u8]| {
    let origin = Origin::line(&Arc::from("fuzz"), 1);
    let (mut out, mut bad) = (Vec::new(), Vec::new());
    let _ = normalize_json(data, &origin, &mut out, &mut bad);
});
