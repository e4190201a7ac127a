//! Regression tests for what coverage-guided fuzzing (`scripts/fuzz.sh`, fuzz/README.md)
//! found. Each crashing input is checked in under `tests/fixtures/fuzz-crashes/` and replayed
//! here through the entry point that failed, and every one of them through every entry point.

use std::path::Path;
use std::sync::Arc;
use tripline::engine::normalize_batch::normalize_batch;
use tripline::event::time::{parse_slash_date, slash_date_evidence, DateOrder};
use tripline::event::{BadRecord, Event, Origin, Timestamp};
use tripline::input::{self, frame::frame_input, Batch};
use tripline::normalize::{normalize_csv, normalize_json, normalize_text, NormalizeOptions};

fn crash(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz-crashes")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn round_trips(t: Timestamp) {
    let printed = t.to_string();
    assert_eq!(
        Timestamp::parse(&printed),
        Some(t),
        "{t:?} printed as {printed:?}"
    );
}

/// Found by the `timestamp` target: `4/28/1066,10:13:15.009 PM` saturated its seconds to the
/// earliest i64 nanosecond and then added the fraction, giving 1677-09-21T00:12:43.154224192Z
/// — a real-looking time one step inside the range instead of the out-of-range end, which a
/// bad-record message then printed as the record's date, and which did not parse back to
/// itself. Times outside 1677..2262 now land exactly on the ends.
#[test]
fn timestamp_before_1677_saturates_to_the_range_end_and_round_trips() {
    let s = String::from_utf8(crash("timestamp-year-1066-saturation.txt")).unwrap();
    let t = Timestamp::parse(&s).expect("a 12-hour slash date");
    assert_eq!(t, Timestamp(i64::MIN));
    round_trips(t);
    assert_eq!(
        parse_slash_date(&s, DateOrder::Mdy),
        Some(Timestamp(i64::MIN))
    );
    for s in [
        "1066-04-28T22:13:15.009Z",
        "[28/Apr/1066:22:13:15.5 +0000]",
        "0001-01-01T00:00:00.999999999Z",
    ] {
        assert_eq!(Timestamp::parse(s), Some(Timestamp(i64::MIN)), "{s}");
    }
    for s in [
        "9999-12-31T23:59:59.999999999Z",
        "2263-01-01T00:00:00.5+01:00",
    ] {
        assert_eq!(Timestamp::parse(s), Some(Timestamp(i64::MAX)), "{s}");
    }
    // The ends of the range print as RFC 3339 that reads back to them exactly.
    round_trips(Timestamp(i64::MIN));
    round_trips(Timestamp(i64::MAX));
    assert_eq!(
        Timestamp::parse("1677-09-21T00:12:43.145224193Z"),
        Some(Timestamp(i64::MIN + 1))
    );
}

/// Found by the `read_any` and `normalize_json` targets: a CloudTrail record with a byte that
/// is not UTF-8 inside `requestParameters` / `responseElements` (values the typed fast path
/// skips as raw text). sonic-rs checks UTF-8 only at the end and handed the skipped text out
/// as an unchecked `str` first: with debug assertions (`cargo test`, the fuzz build) a panic,
/// so the record cost "internal parser error" instead of being read lossily (SPEC §9).
#[test]
fn cloudtrail_with_non_utf8_in_a_skipped_value_is_read_lossily() {
    let origin = Origin::line(&Arc::from("crash"), 1);
    let mut inline = br#"{"eventVersion":"1.08","eventTime":"2024-05-06T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"1.2.3.4","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a"},"requestParameters":{"bucketName":"b"#.to_vec();
    inline.extend_from_slice(b"\xff\x9b");
    inline.extend_from_slice(br#"","key":"k"},"responseElements":null,"eventID":"e1"}"#);
    let (mut out, mut bad) = (Vec::new(), Vec::new());
    normalize_json(&inline, &origin, &mut out, &mut bad).expect("read lossily");
    assert_eq!(out.len(), 1);
    assert!(bad.is_empty());
    assert_eq!(out[0].action, "GetObject");

    for name in [
        "read-any-non-utf8-in-skipped-cloudtrail-value.json",
        "normalize-json-non-utf8-in-skipped-cloudtrail-value.json",
    ] {
        let bytes = crash(name);
        let (mut out, mut bad) = (Vec::new(), Vec::new());
        // Whatever these mutated records are, they are a result, not a panic.
        let _ = normalize_json(&bytes, &origin, &mut out, &mut bad);
        let mut reader = input::open_reader(Box::new(std::io::Cursor::new(bytes))).unwrap();
        let mut batches: Vec<Batch> = Vec::new();
        let _ = frame_input(
            &mut *reader,
            Arc::from("crash"),
            1 << 20,
            &mut |mut b: Batch| {
                b.split();
                batches.push(b)
            },
        );
        let (mut events, mut bad) = (Vec::new(), Vec::new());
        for b in &batches {
            normalize_batch(b, &NormalizeOptions::default(), &mut events, &mut bad);
        }
        assert!(
            bad.iter()
                .all(|b| !b.detail.contains("internal parser error")),
            "{name}: {bad:?}"
        );
    }
}

/// Every checked-in crash input, through every entry point the fuzz targets call: none may
/// panic (SPEC §9).
#[test]
fn every_fuzz_crash_input_is_harmless_everywhere() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz-crashes");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        seen += 1;
        for max in [16, 1024, 1 << 20] {
            let mut reader =
                input::open_reader(Box::new(std::io::Cursor::new(bytes.clone()))).unwrap();
            let mut batches: Vec<Batch> = Vec::new();
            let _ = frame_input(
                &mut *reader,
                Arc::from("crash"),
                max,
                &mut |mut b: Batch| {
                    b.split();
                    batches.push(b)
                },
            );
            let (mut events, mut bad): (Vec<Event>, Vec<BadRecord>) = (Vec::new(), Vec::new());
            for b in &batches {
                normalize_batch(b, &NormalizeOptions::default(), &mut events, &mut bad);
            }
        }
        let origin = Origin::line(&Arc::from("crash"), 1);
        let (mut out, mut bad) = (Vec::new(), Vec::new());
        let _ = normalize_json(&bytes, &origin, &mut out, &mut bad);
        let _ = normalize_text(&bytes, &origin, &mut out, &mut bad);
        let header = ["TimeGenerated".to_string(), "EventName".to_string()];
        let _ = normalize_csv(&bytes, &header, &origin, &mut out, &mut bad);
        let text = String::from_utf8_lossy(&bytes);
        if let Err(e) = tripline::config::parse(&text, "crash.toml") {
            let _ = e.for_terminal();
        }
        if let Some(t) = Timestamp::parse(&text) {
            round_trips(t);
        }
        for order in [DateOrder::Dmy, DateOrder::Mdy] {
            if let Some(t) = parse_slash_date(&text, order) {
                round_trips(t);
            }
        }
        let _ = slash_date_evidence(&text);
    }
    assert!(seen > 0, "no crash inputs in {}", dir.display());
}
