//! Issue 12, point 4: `--timezone IANA` for the HTML report and `investigate`'s table, at
//! the edge that matters: the start of British Summer Time (2024-03-31, 01:00 UTC, when
//! London's clocks go from 01:00 GMT to 02:00 BST). Raw CloudTrail records one second before
//! and at the change show with the offset of their own moment; JSON lines stay UTC; an
//! unknown zone exits 2 naming it, before anything is read.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

#[path = "support/bounded.rs"]
mod bounded;

const ARN: &str = "arn:aws:iam::123456789012:user/alice";

/// Six distinct discovery calls before the change (00:54:00 .. 00:59:59 UTC) and six from
/// it (01:00:00 .. 01:05:00 UTC): one cloud-discovery-burst alert in each 15-minute bin.
fn cloudtrail(dir: &Path) -> String {
    let names = [
        "DescribeInstances",
        "ListBuckets",
        "GetCallerIdentity",
        "ListUsers",
        "ListRoles",
        "DescribeVpcs",
    ];
    let times_before = [
        "00:54:00", "00:55:00", "00:56:00", "00:57:00", "00:58:00", "00:59:59",
    ];
    let times_after = [
        "01:00:00", "01:01:00", "01:02:00", "01:03:00", "01:04:00", "01:05:00",
    ];
    let mut lines = Vec::new();
    for (i, t) in times_before.iter().chain(&times_after).enumerate() {
        lines.push(format!(
            r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","arn":"{ARN}","accountId":"123456789012","userName":"alice"}},"eventTime":"2024-03-31T{t}Z","eventSource":"ec2.amazonaws.com","eventName":"{}","awsRegion":"eu-west-2","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.15.0","readOnly":true,"eventID":"dst-{i}"}}"#,
            names[i % names.len()]
        ));
    }
    let path = dir.join("trail.json");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path.to_string_lossy().into_owned()
}

fn run(args: &[&str]) -> Output {
    bounded::run_bounded(bounded::tripline_cmd(args), None, Duration::from_secs(120))
}

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn investigate_shows_each_time_with_the_offset_of_its_moment_across_a_dst_change() {
    let dir = tempfile::tempdir().unwrap();
    let trail = cloudtrail(dir.path());
    let utc = ok(&["investigate", "--identity", ARN, &trail]);
    assert!(utc.starts_with("Timeline of"), "{utc}");
    assert!(
        utc.lines().next().unwrap().ends_with("(times in UTC)"),
        "{utc}"
    );
    assert!(utc.contains("2024-03-31T00:59:59Z"), "{utc}");
    assert!(utc.contains("2024-03-31T01:00:00Z"), "{utc}");

    let london = ok(&[
        "investigate",
        "--identity",
        ARN,
        "--timezone",
        "Europe/London",
        &trail,
    ]);
    assert!(
        london
            .lines()
            .next()
            .unwrap()
            .ends_with("(times in Europe/London)"),
        "{london}"
    );
    // One second before the change: GMT; at it: BST, the wall clock jumps an hour.
    assert!(london.contains("2024-03-31T00:59:59+00:00"), "{london}");
    assert!(london.contains("2024-03-31T02:00:00+01:00"), "{london}");
    assert!(
        !london.contains("01:00:00Z") && !london.contains("T01:30"),
        "{london}"
    );
    // Each event row: the same instants, in the same order, as the UTC table.
    let instants = |table: &str| -> Vec<tripline::event::Timestamp> {
        table
            .lines()
            .filter(|l| l.starts_with("2024-"))
            .map(|l| tripline::event::Timestamp::parse(l.split_whitespace().next().unwrap()))
            .map(Option::unwrap)
            .collect()
    };
    assert_eq!(instants(&utc).len(), 12);
    assert_eq!(instants(&utc), instants(&london));

    // JSON lines stay UTC whatever the option says.
    let jsonl = |tz: &str| {
        ok(&[
            "investigate",
            "--identity",
            ARN,
            "--output",
            "jsonl",
            "--timezone",
            tz,
            &trail,
        ])
    };
    assert_eq!(jsonl("UTC"), jsonl("Europe/London"));
}

#[test]
fn an_unknown_zone_is_refused_by_investigate_and_by_the_report_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let trail = cloudtrail(dir.path());
    let report = dir.path().join("r.html");
    for args in [
        vec![
            "investigate",
            "--identity",
            ARN,
            "--timezone",
            "Mars/Olympus_Mons",
            &trail,
        ],
        vec![
            "scan",
            "--state",
            ":memory:",
            "--report",
            report.to_str().unwrap(),
            "--timezone",
            "Mars/Olympus_Mons",
            &trail,
        ],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("--timezone") && err.contains("Mars/Olympus_Mons"),
            "{err}"
        );
        assert!(out.stdout.is_empty(), "nothing read, nothing printed");
    }
    assert!(!report.exists(), "no report for a refused run");
}

#[test]
fn the_report_shows_alert_times_in_the_zone_across_a_dst_change() {
    let dir = tempfile::tempdir().unwrap();
    let trail = cloudtrail(dir.path());
    let report = dir.path().join("r.html");
    let jsonl = ok(&[
        "scan",
        "--state",
        ":memory:",
        "--rules",
        "cloud-discovery-burst",
        "--output",
        "jsonl",
        "--timezone",
        "Europe/London",
        "--report",
        report.to_str().unwrap(),
        &trail,
    ]);
    // Two alerts, one per bin, their JSON in UTC.
    assert_eq!(jsonl.lines().count(), 2, "{jsonl}");
    assert!(jsonl.contains("\"first_seen\":\"2024-03-31T00:54:00Z\""));
    assert!(jsonl.contains("\"window_start\":\"2024-03-31T01:00:00Z\""));
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("Times in Europe/London."), "labelled");
    // First bin, before the change: GMT; second bin, from the change: BST.
    assert!(html.contains("2024-03-31T00:54:00+00:00"));
    assert!(html.contains("2024-03-31T00:59:59+00:00"));
    assert!(html.contains("2024-03-31T02:00:00+01:00"));
    assert!(html.contains("2024-03-31T02:05:00+01:00"));
    // The event time range in the zone.
    assert!(html.contains("2024-03-31T00:54:00+00:00 .. 2024-03-31T02:05:00+01:00"));
    // The timeline's axis is labelled with the zone too.
    assert!(html.contains("times in Europe/London\""), "timeline label");
    // No alert time in UTC form outside the next steps' commands (which stay runnable) and
    // the scan's notes (the stderr text): the alert rows and details use the zone.
    let summaries: Vec<&str> = html
        .split("<summary>")
        .skip(1)
        .map(|s| &s[..s.find("</summary>").unwrap()])
        .collect();
    assert_eq!(summaries.len(), 2);
    for s in summaries {
        assert!(!s.contains("Z ·") && s.contains("+0"), "{s}");
    }

    // UTC by default, and labelled so.
    let utc_report = dir.path().join("utc.html");
    ok(&[
        "scan",
        "--state",
        ":memory:",
        "--rules",
        "cloud-discovery-burst",
        "--report",
        utc_report.to_str().unwrap(),
        &trail,
    ]);
    let html = std::fs::read_to_string(&utc_report).unwrap();
    assert!(html.contains("Times in UTC."));
    assert!(html.contains("2024-03-31T00:54:00Z .. 2024-03-31T01:05:00Z"));
}
