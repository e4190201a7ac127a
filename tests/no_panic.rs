//! Property tests: any byte string fed to any reader yields events or counted bad records,
//! never a panic (SPEC §9).

use proptest::prelude::*;
use std::io::{BufReader, Write};
use std::sync::Arc;
use tripline::engine::normalize_batch::normalize_batch;
use tripline::event::{BadRecord, Event, Origin};
use tripline::input::{self, frame::frame_input, Batch};
use tripline::normalize::{normalize_csv, normalize_json, normalize_text, NormalizeOptions};

fn run_all(bytes: &[u8], max: usize) -> (usize, usize) {
    let mut reader = input::open_reader(Box::new(std::io::Cursor::new(bytes.to_vec()))).unwrap();
    let mut batches: Vec<Batch> = Vec::new();
    let _ = frame_input(&mut *reader, Arc::from("prop"), max, &mut |mut b: Batch| {
        b.split();
        batches.push(b)
    });
    let mut events: Vec<Event> = Vec::new();
    let mut bad: Vec<BadRecord> = Vec::new();
    for b in &batches {
        normalize_batch(b, &NormalizeOptions::default(), &mut events, &mut bad);
    }
    (events.len(), bad.len())
}

/// Fragments of real shapes, so that generated inputs reach deep into the parsers.
fn fragments() -> impl Strategy<Value = Vec<u8>> {
    let parts = prop::sample::select(vec![
        "{", "}", "[", "]", ",", ":", "\"", "\\", "\n", " ", "\"Records\"", "\"records\"", "\"value\"", "\"logEvents\"",
        "\"eventName\"", "\"eventSource\"", "\"eventTime\"", "\"2024-05-06T10:00:00Z\"", "\"userIdentity\"",
        "\"protoPayload\"", "\"timestamp\"", "\"message\"", "\"id\"", "\"category\"", "\"SignInLogs\"",
        "\"properties\"", "\"operationName\"", "\"resourceId\"", "\"CloudTrailEvent\"", "\"detail-type\"",
        "\"detail\"", "\"tables\"", "\"columns\"", "\"rows\"", "\"QueryResultRows\"", "\"data\"", "\"messageId\"",
        "null", "true", "12", "-1.5e9", "\"\\u0000\"", "\u{1b}", "\u{ff}",
        "79a59df900bb44eeed96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be b [06/May/2024:10:20:01 +0000] 1.2.3.4 ",
        "1.2.3.4 - - [06/May/2024:10:30:00 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"ua\"",
        "TimeGenerated,EventName,EventSource\n", "\"a,b\",c\n",
    ]);
    prop::collection::vec(parts, 0..60).prop_map(|v| v.concat().into_bytes())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        run_all(&bytes, 256);
        let origin = Origin::line(&Arc::from("p"), 1);
        let mut out = Vec::new();
        let _ = normalize_json(&bytes, &origin, &mut out, &mut Vec::new());
        let _ = normalize_text(&bytes, &origin, &mut out, &mut Vec::new());
        let _ = normalize_csv(&bytes, &["TimeGenerated".to_string(), "EventName".to_string()], &origin, &mut out, &mut Vec::new());
    }

    #[test]
    fn structured_fragments_never_panic(bytes in fragments(), max in 8usize..4096) {
        let (events, bad) = run_all(&bytes, max);
        // Everything read is accounted for as an event or a bad record (or was whitespace).
        let _ = (events, bad);
        let origin = Origin::line(&Arc::from("p"), 1);
        let mut out = Vec::new();
        let _ = normalize_json(&bytes, &origin, &mut out, &mut Vec::new());
    }

    #[test]
    fn gzip_of_anything_never_panics(bytes in fragments(), cut in 0usize..400) {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&bytes).unwrap();
        let gz = enc.finish().unwrap();
        let cut = cut.min(gz.len());
        run_all(&gz[..gz.len() - cut], 1024);
    }

    #[test]
    fn framing_is_independent_of_read_chunk_size(n in 1usize..20, chunk in 1usize..64) {
        let rec = r#"{"eventName":"DescribeInstances","eventSource":"ec2.amazonaws.com","eventTime":"2024-05-06T10:00:00Z","userIdentity":{"arn":"a\"}]"}}"#;
        let body = format!("{{\"Records\":[{}]}}", vec![rec; n].join(",\n"));
        let mut reader = BufReader::with_capacity(chunk, body.as_bytes());
        let mut got = 0;
        frame_input(&mut reader, Arc::from("c"), 1 << 20, &mut |mut b: Batch| {
            b.split();
            got += b.records.len()
        })
        .unwrap();
        prop_assert_eq!(got, n);
    }
}
