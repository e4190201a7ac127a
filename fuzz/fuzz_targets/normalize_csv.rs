//! One CSV row into the CSV normalizer. The input is `header line \n row`: the header is
//! split by the same CSV splitter the framer uses, so every Sentinel / OTRF column layout
//! the fuzzer invents is tried.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::Arc;
use tripline::event::Origin;
use tripline::normalize::normalize_csv;

fuzz_target!(|data: &[u8]| {
    let (head, row) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (
            &b"TimeGenerated,EventName,EventSource,SourceIpAddress,UserIdentityArn"[..],
            data,
        ),
    };
    let header: Vec<String> = String::from_utf8_lossy(head)
        .split(',')
        .map(|s| s.trim_matches('"').to_string())
        .collect();
    let origin = Origin::line(&Arc::from("fuzz"), 2);
    let (mut out, mut bad) = (Vec::new(), Vec::new());
    let _ = normalize_csv(row, &header, &origin, &mut out, &mut bad);
});
