//! Hardening (SPEC §3, §7, §9): no record, file or path can crash, hang, blind or fool the
//! scan. One test per class of attack, named for what it guards; each runs the binary as a
//! user would, on real log shapes, with a time limit so that a hang fails instead of
//! blocking the suite.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const PANTHER: &str = "tests/fixtures/panther-compromised-root-creds";

/// Runs the binary with `stdin` fed from `input`, killing it after `limit` (a hang is a
/// failure with its name, not a stuck suite).
fn tripline_with(args: &[&str], input: Option<&[u8]>, limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tripline"))
        .args(args)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tripline");
    let feeder = input.map(|bytes| {
        let mut stdin = child.stdin.take().unwrap();
        let bytes = bytes.to_vec();
        std::thread::spawn(move || {
            let _ = stdin.write_all(&bytes);
        })
    });
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("tripline {args:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    if let Some(f) = feeder {
        let _ = f.join();
    }
    child.wait_with_output().unwrap()
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
