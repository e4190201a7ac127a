//! Large JSON-lines files are read by the workers in parallel byte ranges
//! (`input::ranges`). Whatever the range size, that must give exactly what reading the file
//! on one thread gives: the same events with the same origins (file and line), the same bad
//! records, byte and record counts. Tiny range sizes put range edges everywhere: inside
//! lines, on newlines, on `\r\n`, inside over-long lines.

use proptest::prelude::*;
use std::io::Write;
use std::path::Path;
use tripline::engine::pipeline::{collect, PipelineOptions};

fn read(path: &Path, range_block: u64, max_record: usize) -> String {
    let (events, summary) = collect(
        &[path.to_string_lossy().into_owned()],
        &PipelineOptions {
            threads: 2,
            range_block,
            max_record,
            ..Default::default()
        },
    );
    let mut out = String::new();
    for e in &events {
        out.push_str(&format!(
            "{} {}\n",
            e.origin,
            serde_json::to_string(e).unwrap()
        ));
    }
    out.push_str(&format!(
        "records {} bytes {} events {} by format {:?}\nbad {:?}\nfile errors {:?}\n",
        summary.records,
        summary.bytes,
        summary.events,
        summary.events_by_format,
        summary.bad,
        summary
            .file_errors
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    ));
    out
}

fn assert_same_in_ranges(path: &Path, max_record: usize) {
    let whole = read(path, 0, max_record);
    for block in [1, 2, 3, 7, 64, 333, 4096] {
        let ranged = read(path, block, max_record);
        assert!(
            whole == ranged,
            "{}: range size {block} differs from one reader\n--- one reader\n{whole}\n--- ranges\n{ranged}",
            path.display()
        );
    }
}

const EVENT: &str = r#"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","accessKeyId":"AKIAEXAMPLE"},"eventTime":"2024-05-06T10:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.7","userAgent":"aws-cli/2","eventID":"ID","eventType":"AwsApiCall","recipientAccountId":"111122223333"}"#;

fn event(n: usize) -> String {
    EVENT.replace("\"ID\"", &format!("\"id-{n}\""))
}

#[test]
fn every_fixture_reads_the_same_in_ranges() {
    let mut files = Vec::new();
    let mut stack = vec![Path::new("tests/fixtures").to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(files.len() > 10, "fixtures found: {files:?}");
    for f in &files {
        assert_same_in_ranges(f, 1 << 20);
    }
}

#[test]
fn awkward_lines_read_the_same_in_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("awkward.jsonl");
    let mut f = std::fs::File::create(&p).unwrap();
    // Garbage after the first record on its line, blank and whitespace lines, CRLF, a
    // broken line, a line over the record cap, and no newline at the end.
    write!(
        f,
        "  {}  \n\n   \n{}\r\n{{\"eventName\": broken\n",
        event(1),
        event(2)
    )
    .unwrap();
    writeln!(f, "{{\"eventName\":\"{}\"}}", "x".repeat(900)).unwrap();
    write!(f, "{}\r\n\r\n{}", event(3), event(4)).unwrap();
    drop(f);
    assert_same_in_ranges(&p, 600);
    // Events and bad lines are where they should be.
    let out = read(&p, 3, 600);
    assert!(out.contains("awkward.jsonl:1 "), "{out}");
    assert!(out.contains("awkward.jsonl:4 "), "{out}");
    assert!(out.contains("awkward.jsonl:7 "), "{out}");
    assert!(out.contains("awkward.jsonl:9 "), "{out}");
    assert!(
        out.contains("awkward.jsonl:5"),
        "broken line reported: {out}"
    );
    assert!(
        out.contains("awkward.jsonl:6 ("),
        "over-long line reported: {out}"
    );
}

#[test]
fn a_file_that_ends_with_its_first_record_or_is_one_long_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("one.jsonl");
    std::fs::write(&p, event(1)).unwrap();
    assert_same_in_ranges(&p, 1 << 20);
    let p = dir.path().join("long.jsonl");
    std::fs::write(&p, format!("{}\n{}\n", event(1), "y".repeat(5000))).unwrap();
    assert_same_in_ranges(&p, 1000);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn any_mix_of_lines_reads_the_same_in_ranges(
        kinds in proptest::collection::vec(0u8..6, 1..40),
        block in 1u64..300,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("mix.jsonl");
        let mut text = String::new();
        for (i, k) in kinds.iter().enumerate() {
            match k {
                0 | 1 => text.push_str(&event(i)),
                2 => text.push_str("   "),
                3 => text.push_str("{\"eventName\":"),
                4 => text.push_str(&"z".repeat(700)),
                _ => text.push_str(&format!("{}\r", event(i))),
            }
            text.push('\n');
        }
        std::fs::write(&p, &text).unwrap();
        let whole = read(&p, 0, 500);
        let ranged = read(&p, block, 500);
        prop_assert_eq!(whole, ranged);
    }
}

#[test]
fn a_line_too_long_to_keep_is_measured_and_counted_across_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("huge-line.jsonl");
    let text = format!(
        "{}\n{}\n{}\n{}\n{}",
        event(1),
        "w".repeat(200_000),
        event(2),
        "v".repeat(150_000),
        event(3)
    );
    std::fs::write(&p, text).unwrap();
    let whole = read(&p, 0, 1000);
    assert!(whole.contains("huge-line.jsonl:5 "), "{whole}");
    assert!(whole.contains("huge-line.jsonl:2 (200000 bytes"), "{whole}");
    for block in [64, 4096, 50_000] {
        assert_eq!(whole, read(&p, block, 1000), "range size {block}");
    }
}

#[test]
fn records_no_rule_needs_are_left_out_while_splitting_and_still_counted() {
    use std::sync::Arc;
    use tripline::normalize::{prefilter::Prefilter, NormalizeOptions};
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("mixed.jsonl");
    let mut text = String::new();
    for i in 0..50 {
        let name = if i % 7 == 0 {
            "DescribeInstances"
        } else {
            "PutObject"
        };
        text.push_str(&event(i).replace("DescribeInstances", name));
        text.push('\n');
    }
    std::fs::write(&p, &text).unwrap();
    let scan = |range_block: u64, prefilter: bool| {
        let (events, summary) = collect(
            &[p.to_string_lossy().into_owned()],
            &PipelineOptions {
                threads: 2,
                range_block,
                normalize: NormalizeOptions {
                    prefilter: prefilter
                        .then(|| Arc::new(Prefilter::new(["DescribeInstances".to_string()]))),
                    ..Default::default()
                },
                ..Default::default()
            },
        );
        let origins: Vec<String> = events.iter().map(|e| e.origin.to_string()).collect();
        (origins, summary.records)
    };
    let (all, records) = scan(0, false);
    assert_eq!((all.len(), records), (50, 50));
    let (wanted, records) = scan(0, true);
    assert_eq!((wanted.len(), records), (8, 50), "{wanted:?}");
    assert_eq!(wanted[1], format!("{}:8", p.display()));
    for block in [1, 100, 1000] {
        assert_eq!(
            scan(block, true),
            (wanted.clone(), 50),
            "range size {block}"
        );
    }
}

#[test]
fn long_crlf_and_blank_lines_measure_alike_whatever_the_block() {
    // Lines longer than a whole read block are measured while they stream past, in both
    // readers: without the `\r` of a `\r\n` ending (as `Batch::split` measures the lines it
    // keeps), and a blank line is no record however long.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("long-crlf.jsonl");
    let text = format!(
        "{}\r\n{}\r\n{}\r\n{}\n{}\r\n{}\r\n",
        event(1),
        "w".repeat(1_500_000),
        event(2),
        " ".repeat(1_200_000),
        event(3),
        "u".repeat(100_000),
    );
    std::fs::write(&p, text).unwrap();
    let whole = read(&p, 0, 1000);
    assert!(
        whole.contains("long-crlf.jsonl:2 (1500000 bytes"),
        "{whole}"
    );
    assert!(whole.contains("long-crlf.jsonl:6 (100000 bytes"), "{whole}");
    assert!(
        !whole.contains("long-crlf.jsonl:4 ("),
        "blank line reported: {whole}"
    );
    assert!(whole.contains("long-crlf.jsonl:5 "), "{whole}");
    for block in [4096, 50_000, 1 << 20] {
        assert_eq!(whole, read(&p, block, 1000), "range size {block}");
    }
}
