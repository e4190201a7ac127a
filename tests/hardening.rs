//! Hardening (SPEC §3, §7, §9): no record, file or path can crash, hang, blind or fool the
//! scan. One test per class of attack, named for what it guards; each runs the binary as a
//! user would, on real log shapes, with a time limit so that a hang fails instead of
//! blocking the suite.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

#[path = "support/bounded.rs"]
mod bounded;

const PANTHER: &str = "tests/fixtures/panther-compromised-root-creds";

/// The binary with `stdin` fed from `input`, killed after `limit` (`support/bounded.rs`).
fn tripline_with(args: &[&str], input: Option<&[u8]>, limit: Duration) -> Output {
    bounded::run_bounded(bounded::tripline_cmd(args), input, limit)
}

fn tripline(args: &[&str]) -> Output {
    tripline_with(args, None, Duration::from_secs(120))
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The alerts of a JSON-lines scan, parsed.
fn alerts(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn scan_jsonl(paths: &[&str], extra: &[&str]) -> Output {
    let mut args = vec!["scan", "--output", "jsonl", "--state", ":memory:"];
    args.extend_from_slice(extra);
    args.extend_from_slice(paths);
    tripline(&args)
}

fn rules_of(alerts: &[serde_json::Value], rule: &str) -> usize {
    alerts.iter().filter(|a| a["rule"] == rule).count()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_string_lossy().into_owned()
}

// ── 11. Duplicate deliveries ────────────────────────────────────────────────────────────

#[test]
fn reused_event_ids_of_different_records_all_count() {
    // Panther's compromised-root scenario gives its records the same few ids: the root user's
    // two CreateAccessKey calls must both be seen.
    let out = scan_jsonl(&[PANTHER], &[]);
    let a = alerts(&out);
    assert_eq!(rules_of(&a, "access-key-created"), 2, "{}", stdout(&out));
    assert!(
        !stderr(&out).contains("read again"),
        "no second read: {}",
        stderr(&out)
    );
}

#[test]
fn identical_redeliveries_count_once_and_different_content_counts_twice() {
    let dir = tempfile::tempdir().unwrap();
    let line = |name: &str, id: &str, minute: u32| {
        format!(
            r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/alice","accountId":"123456789012"}},"eventTime":"2024-05-06T10:{minute:02}:00Z","eventSource":"ec2.amazonaws.com","eventName":"{name}","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.7","eventID":"{id}"}}"#
        )
    };
    // Nine calls delivered twice (two files, as CloudTrail does on a retry): 9, not 18, so
    // the seed rule (10 calls) stays quiet.
    let nine: Vec<String> = (0..9)
        .map(|i| line("DescribeInstances", &format!("id-{i}"), i))
        .collect();
    let a = write(dir.path(), "a.json", (nine.join("\n") + "\n").as_bytes());
    let b = write(dir.path(), "b.json", (nine.join("\n") + "\n").as_bytes());
    let out = scan_jsonl(&[&a, &b], &["--rules", "cloud-discovery-burst"]);
    assert_eq!(alerts(&out).len(), 0, "{}", stdout(&out));
    assert!(
        stderr(&out).contains("9 duplicate deliveries"),
        "{}",
        stderr(&out)
    );
    // The same ids on ten different calls (another minute each): ten events, one alert.
    let ten: Vec<String> = (0..10)
        .map(|i| line("DescribeInstances", "same-id", i))
        .collect();
    let c = write(dir.path(), "c.json", (ten.join("\n") + "\n").as_bytes());
    let out = scan_jsonl(&[&c], &["--rules", "cloud-discovery-burst"]);
    let got = alerts(&out);
    assert_eq!(got.len(), 1, "{}", stdout(&out));
    assert_eq!(got[0]["count"], 10);
}

// ── 5. Time ─────────────────────────────────────────────────────────────────────────────

/// A raw CloudTrail record by alice at `time`.
fn ct_at(time: &str, name: &str, id: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/alice","accountId":"123456789012"}},"eventTime":"{time}","eventSource":"ec2.amazonaws.com","eventName":"{name}","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.7","eventID":"{id}"}}"#
    )
}

/// Ten discovery calls by alice within one 15-minute bin: the seed rule fires (count 10).
fn ten_discovery_calls() -> Vec<String> {
    (0..10)
        .map(|i| {
            ct_at(
                &format!("2024-05-06T10:0{i}:00Z"),
                "DescribeInstances",
                &format!("d{i}"),
            )
        })
        .collect()
}

#[test]
fn times_outside_2000_to_tomorrow_are_bad_records_and_never_anchor_since() {
    let dir = tempfile::tempdir().unwrap();
    for bad_time in [
        "1601-01-01T00:00:00Z",
        "1970-01-01T00:00:00Z",
        "1999-12-31T23:59:59Z",
        "2199-05-06T10:00:00Z",
        "9999-12-31T23:59:59Z",
    ] {
        let mut lines = ten_discovery_calls();
        lines.push(ct_at(bad_time, "DescribeInstances", "odd"));
        let f = write(dir.path(), "t.json", (lines.join("\n") + "\n").as_bytes());
        // `--since 1h` counts back from the newest event: the odd record must not be it.
        let out = scan_jsonl(&[&f], &["--since", "1h"]);
        assert_eq!(
            rules_of(&alerts(&out), "cloud-discovery-burst"),
            1,
            "{bad_time}: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).contains("time out of range"),
            "{bad_time}: {}",
            stderr(&out)
        );
        let out = tripline(&["normalize", &f]);
        assert_eq!(stdout(&out).lines().count(), 10, "{bad_time}");
        assert!(!stdout(&out).contains("\"time\":\"2185"), "never wrapped");
    }
}

#[test]
fn an_out_of_range_time_never_reaches_the_store_or_empties_it_on_prune() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db").to_string_lossy().into_owned();
    let mut lines = ten_discovery_calls();
    lines.push(ct_at("2199-05-06T10:00:00Z", "DescribeInstances", "late"));
    let f = write(dir.path(), "t.json", (lines.join("\n") + "\n").as_bytes());
    let out = tripline(&["baseline", "learn", "--state", &db, &f]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = tripline(&["baseline", "prune", "--state", &db]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = tripline(&["baseline", "show", "--state", &db]);
    let shown = stdout(&out);
    assert!(
        shown.contains("alice"),
        "the baseline survives prune: {shown}"
    );
    assert!(!shown.contains("2199"), "{shown}");
}

// ── 9. Results that do not depend on flags ──────────────────────────────────────────────

#[test]
fn a_duplicated_event_name_key_reads_the_same_whatever_rules_are_enabled() {
    let dir = tempfile::tempdir().unwrap();
    let names = [
        "DescribeInstances",
        "ListBuckets",
        "DescribeSnapshots",
        "DescribeVolumes",
        "ListUsers",
        "ListRoles",
    ];
    // Each record carries `eventName` twice: first an uninteresting name, then a discovery
    // call (and variants: nested first, escaped key).
    let mut lines = Vec::new();
    for i in 0..12 {
        let name = names[i % names.len()];
        let t = format!("2024-05-06T10:{i:02}:00Z");
        lines.push(match i % 3 {
            0 => format!(
                r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/alice","accountId":"123456789012"}},"eventTime":"{t}","eventSource":"ec2.amazonaws.com","eventName":"PutObject","awsRegion":"eu-west-1","eventName":"{name}","sourceIPAddress":"198.51.100.7","eventID":"k{i}"}}"#
            ),
            1 => format!(
                r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/alice","accountId":"123456789012","eventName":"PutObject"}},"eventTime":"{t}","eventSource":"ec2.amazonaws.com","eventName":"{name}","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.7","eventID":"k{i}"}}"#
            ),
            _ => format!(
                r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/alice","accountId":"123456789012","eventName":"PutObject"}},"eventTime":"{t}","eventSource":"ec2.amazonaws.com","event\u004eame":"{name}","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.7","eventID":"k{i}"}}"#
            ),
        });
    }
    let f = write(dir.path(), "dup.json", (lines.join("\n") + "\n").as_bytes());
    let all = alerts(&scan_jsonl(&[&f], &[]));
    let one = alerts(&scan_jsonl(&[&f], &["--rules", "cloud-discovery-burst"]));
    // The incident an alert belongs to depends on the other rules' alerts (its id comes from
    // the incident's earliest member, SPEC §4); everything else must not.
    let seed = |a: &[serde_json::Value]| -> Vec<serde_json::Value> {
        a.iter()
            .filter(|x| x["rule"] == "cloud-discovery-burst")
            .cloned()
            .map(|mut x| {
                x.as_object_mut().unwrap().remove("incident");
                x
            })
            .collect()
    };
    assert_eq!(seed(&all), seed(&one));
    assert_eq!(seed(&all).len(), 1, "the parser's reading counts: {all:?}");
}

#[test]
fn the_since_anchor_is_the_newest_event_whatever_rules_are_enabled() {
    let dir = tempfile::tempdir().unwrap();
    let mut lines = ten_discovery_calls();
    // Three hours later, a call no discovery rule needs (skipped unparsed by the prefilter).
    lines.push(ct_at("2024-05-06T13:00:00Z", "PutObject", "late"));
    let f = write(dir.path(), "a.json", (lines.join("\n") + "\n").as_bytes());
    for (since, expected) in [("1h", 0), ("4h", 1)] {
        for rules in [&[][..], &["--rules", "cloud-discovery-burst"][..]] {
            let mut extra = vec!["--since", since];
            extra.extend_from_slice(rules);
            let got = rules_of(&alerts(&scan_jsonl(&[&f], &extra)), "cloud-discovery-burst");
            assert_eq!(got, expected, "--since {since} {rules:?}");
        }
    }
}

// ── 10. The ledger never hides an escalation ────────────────────────────────────────────

#[test]
fn new_only_reports_a_burst_again_when_it_grew_to_high() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db").to_string_lossy().into_owned();
    // The first scheduled scan sees ten calls of one API: RiskScore 50, low.
    let early = ten_discovery_calls();
    let f1 = write(
        dir.path(),
        "early.json",
        (early.join("\n") + "\n").as_bytes(),
    );
    let scan = |f: &str| {
        tripline(&[
            "scan",
            "--output",
            "jsonl",
            "--state",
            &db,
            "--new-only",
            "--fail-on",
            "high",
            "--rules",
            "cloud-discovery-burst",
            f,
        ])
    };
    let out = scan(&f1);
    let first = alerts(&out);
    assert_eq!(first.len(), 1, "{}", stderr(&out));
    assert_eq!(first[0]["fields"]["RiskScore"], 50);
    assert_eq!(out.status.code(), Some(0));
    // The next scan's overlapping data shows the same bin grown to 60 calls of 12 APIs:
    // RiskScore 90, high, the same id. It is reported again, and --fail-on high fires.
    let apis = [
        "DescribeInstances",
        "DescribeVolumes",
        "DescribeSnapshots",
        "DescribeImages",
        "DescribeVpcs",
        "DescribeSubnets",
        "DescribeSecurityGroups",
        "ListBuckets",
        "ListUsers",
        "ListRoles",
        "DescribeDBInstances",
        "ListFunctions",
    ];
    let mut grown = early.clone();
    for i in 0..50 {
        grown.push(ct_at(
            &format!("2024-05-06T10:{:02}:{:02}Z", i / 6, (i % 6) * 10 + 5),
            apis[i % apis.len()],
            &format!("g{i}"),
        ));
    }
    let f2 = write(
        dir.path(),
        "grown.json",
        (grown.join("\n") + "\n").as_bytes(),
    );
    let out = scan(&f2);
    let second = alerts(&out);
    assert_eq!(second.len(), 1, "{}", stderr(&out));
    assert_eq!(second[0]["id"], first[0]["id"], "an episode keeps its id");
    assert_eq!(second[0]["fields"]["RiskScore"], 90);
    assert_eq!(out.status.code(), Some(1), "--fail-on high must see it");
    // Once reported at its highest, it is not news again.
    let out = scan(&f2);
    assert_eq!(alerts(&out).len(), 0, "{}", stdout(&out));
    assert_eq!(out.status.code(), Some(0));
}

// ── 8. Temporary files: bounded, and never left behind ──────────────────────────────────

/// Scratch directories of tripline under `tmp`.
fn scratch_dirs(tmp: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(tmp)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("tripline-scratch-")
        })
        .collect()
}

/// Lines in reverse time order (so the sorter must spill): `n` discovery calls.
fn reversed_calls(n: usize) -> String {
    let mut lines: Vec<String> = (0..n)
        .map(|i| {
            ct_at(
                &format!(
                    "2024-05-{:02}T{:02}:{:02}:00Z",
                    1 + i / 1440 % 28,
                    i / 60 % 24,
                    i % 60
                ),
                "DescribeInstances",
                &format!("r{i}"),
            )
        })
        .collect();
    lines.reverse();
    lines.join("\n") + "\n"
}

#[test]
fn spilled_runs_are_merged_in_bounded_fan_in_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "rev.json", reversed_calls(20_000).as_bytes());
    // A budget of 50 events: 400 runs, more than the fan-in of 64, all merged and removed.
    let out = Command::new(env!("CARGO_BIN_EXE_tripline"))
        .args([
            "scan",
            "--output",
            "jsonl",
            "--state",
            ":memory:",
            "--sort-budget",
            "50",
        ])
        .args(["--rules", "cloud-discovery-burst", &f])
        .env("TMPDIR", tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let spilled = alerts(&out);
    let out = scan_jsonl(&[&f], &["--rules", "cloud-discovery-burst"]);
    assert_eq!(spilled, alerts(&out), "spilling changes nothing");
    assert!(scratch_dirs(tmp.path()).is_empty(), "nothing left behind");
}

#[test]
fn an_interrupted_scan_leaves_no_temporary_files() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "rev.json", reversed_calls(200_000).as_bytes());
    // A scan that spills every 100 events into the test's own temporary folder.
    let scan_spilling = || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tripline"));
        cmd.args([
            "scan",
            "--quiet",
            "--state",
            ":memory:",
            "--sort-budget",
            "100",
        ])
        .arg(&f)
        .env("TMPDIR", tmp.path());
        cmd
    };
    for signal in ["TERM", "INT", "KILL"] {
        let mut child = scan_spilling()
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Wait until it has spilled something, then interrupt it.
        let started = Instant::now();
        while scratch_dirs(tmp.path()).is_empty() && started.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(5));
        }
        std::thread::sleep(Duration::from_millis(50));
        Command::new("kill")
            .args([&format!("-{signal}"), &child.id().to_string()])
            .status()
            .unwrap();
        let _ = child.wait();
        if signal != "KILL" {
            assert!(
                scratch_dirs(tmp.path()).is_empty(),
                "SIG{signal}: removed at once"
            );
        } else {
            // kill -9 cannot be caught: the next run sweeps what it left.
            let out = scan_spilling().output().unwrap();
            assert_eq!(out.status.code(), Some(0));
            assert!(scratch_dirs(tmp.path()).is_empty(), "swept by the next run");
        }
    }
}

// ── 5. CSV day/month order, decided per file ────────────────────────────────────────────

/// A Sentinel `SigninLogs` CSV export with 24-hour, zone-less dates written `date(i)`.
fn signin_csv(dates: &[String]) -> Vec<u8> {
    let mut csv = b"TimeGenerated [UTC],UserPrincipalName,ResultType,ResultDescription,IPAddress,AppDisplayName,ClientAppUsed,UserAgent\n".to_vec();
    for (i, d) in dates.iter().enumerate() {
        csv.extend(
            format!(
                "\"{d}\",user{i}@contoso.com,0,,203.0.113.50,Azure Portal,Browser,Mozilla/5.0\n"
            )
            .into_bytes(),
        );
    }
    csv
}

fn normalized_times(out: &Output) -> Vec<String> {
    stdout(out)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["time"].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn csv_day_month_order_is_decided_per_file_not_per_row() {
    let dir = tempfile::tempdir().unwrap();
    // A US 24-hour export: 5/6/2024 is May 6th, as the later 5/13/2024 proves. Read per
    // row, the first two rows (two minutes apart) used to land in June and May.
    let us: Vec<String> = [
        "5/6/2024, 23:58:00.000",
        "5/6/2024, 23:59:59.000",
        "5/13/2024, 00:00:30.000",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let f = write(dir.path(), "us.csv", &signin_csv(&us));
    let out = tripline(&["normalize", &f]);
    assert_eq!(
        normalized_times(&out),
        [
            "2024-05-06T23:58:00Z",
            "2024-05-06T23:59:59Z",
            "2024-05-13T00:00:30Z"
        ],
        "{}",
        stderr(&out)
    );
    // A European export: day first, as 13/5/2024 proves.
    let eu: Vec<String> = ["6/5/2024, 10:00:00", "13/5/2024, 10:00:00"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let f = write(dir.path(), "eu.csv", &signin_csv(&eu));
    assert_eq!(
        normalized_times(&tripline(&["normalize", &f])),
        ["2024-05-06T10:00:00Z", "2024-05-13T10:00:00Z"]
    );
    // Forced: the same European file read month first; 13/5 contradicts it and is a bad
    // record with its line.
    let out = tripline(&["normalize", "--csv-date-order", "mdy", &f]);
    assert_eq!(normalized_times(&out), ["2024-06-05T10:00:00Z"]);
    assert!(stderr(&out).contains("eu.csv:3"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("day/month order (mdy)"),
        "{}",
        stderr(&out)
    );
    // A row past the decision that contradicts it is a bad record, never re-guessed.
    let mut mixed: Vec<String> = (0..12)
        .map(|i| format!("{}/5/2024, 10:00:00", 13 + i % 10))
        .collect();
    mixed.push("5/14/2024, 10:00:00".to_string());
    let f = write(dir.path(), "mixed.csv", &signin_csv(&mixed));
    let out = tripline(&["normalize", &f]);
    assert_eq!(normalized_times(&out).len(), 12, "{}", stderr(&out));
    assert!(stderr(&out).contains("mixed.csv:14"), "{}", stderr(&out));
}

// ── Resource limits ─────────────────────────────────────────────────────────────────────

/// The peak memory the scan reports in its summary (its own VmHWM), in MB.
fn peak_mb(o: &Output) -> f64 {
    let err = stderr(o);
    let at = err.find("peak memory ").expect("summary with peak memory");
    err[at + 12..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn fresh_identity_key_and_address_per_event_in_one_window_finishes() {
    // The worst case for history rules (issue 10, point 8): 50,000 events in one hour, each
    // with an identity, access key and address never seen before. Quadratic work here took
    // minutes; a linear scan takes seconds. The limit guards against a hang, not a speed.
    let dir = tempfile::tempdir().unwrap();
    let mut body = String::new();
    let n = 50_000u64;
    for i in 0..n {
        let secs = i * 3600 / n;
        body.push_str(&format!(
            r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/u{i}","accountId":"123456789012","accessKeyId":"AKIA{i:016}"}},"eventTime":"2024-05-06T10:{:02}:{:02}Z","eventSource":"ec2.amazonaws.com","eventName":"GetCallerIdentity","awsRegion":"eu-west-1","sourceIPAddress":"{}.{}.{}.{}","eventID":"e{i}"}}"#,
            secs / 60,
            secs % 60,
            11 + (i >> 16) % 200,
            (i >> 8) & 255,
            i & 255,
            7 + i % 200
        ));
        body.push('\n');
    }
    let f = write(dir.path(), "fresh.json", body.as_bytes());
    let db = dir.path().join("s.db").to_string_lossy().into_owned();
    let out = tripline_with(
        &["scan", "--output", "jsonl", "--state", &db, &f],
        None,
        Duration::from_secs(300),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("50000 events"), "{}", stderr(&out));
}

#[test]
fn a_gzip_bomb_of_real_records_is_read_in_bounded_memory() {
    // ~200 MB of one real CloudTrail record, repeated, from well under 1 MB of gzip: read as
    // it streams, sorted on disk, counted once as duplicates; memory stays flat.
    let dir = tempfile::tempdir().unwrap();
    let line = ct_at("2024-05-06T10:00:00Z", "DescribeInstances", "bomb") + "\n";
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let chunk = line.repeat(10_000);
    let mut written = 0usize;
    while written < 200_000_000 {
        enc.write_all(chunk.as_bytes()).unwrap();
        written += chunk.len();
    }
    let gz = enc.finish().unwrap();
    assert!(gz.len() < 1_000_000, "{}", gz.len());
    let f = write(dir.path(), "bomb.json.gz", &gz);
    let out = tripline_with(
        &["scan", "--output", "jsonl", "--state", ":memory:", &f],
        None,
        Duration::from_secs(300),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("duplicate deliveries"),
        "{}",
        stderr(&out)
    );
    let peak = peak_mb(&out);
    assert!(peak < 400.0, "peak memory {peak} MB for a 200 MB bomb");
}
