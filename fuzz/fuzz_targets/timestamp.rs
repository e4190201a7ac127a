//! The timestamp parsers: RFC 3339 and the other shapes logs carry, and Sentinel's zone-less
//! slash dates in both orders. A parsed time must print as RFC 3339 that parses back to it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tripline::event::time::{parse_slash_date, slash_date_evidence, DateOrder};
use tripline::event::Timestamp;

fn round_trips(t: Timestamp) {
    let printed = t.to_string();
    assert_eq!(
        Timestamp::parse(&printed),
        Some(t),
        "{t:?} printed as {printed:?}"
    );
}

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    if let Some(t) = Timestamp::parse(&s) {
        round_trips(t);
    }
    for order in [DateOrder::Dmy, DateOrder::Mdy] {
        if let Some(t) = parse_slash_date(&s, order) {
            round_trips(t);
        }
    }
    let _ = slash_date_evidence(&s);
});
