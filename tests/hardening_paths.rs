//! Issue 10, classes 6 and 7: the folder walk (SPEC §9: each file once by device and inode,
//! no link into a cycle, FIFOs, sockets and devices inside folders skipped with a note) and
//! silent failures (SPEC §1: exit statuses and what stderr says, even with `--quiet`).

use std::io::{Read, Write};
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The binary killed after `limit` (`support/bounded.rs`).
#[path = "support/bounded.rs"]
mod bounded;

fn tripline_with(args: &[&str], limit: Duration) -> Output {
    bounded::run_bounded(bounded::tripline_cmd(args), None, limit)
}

fn wait_or_kill(
    child: &mut std::process::Child,
    args: &[&str],
    limit: Duration,
) -> std::process::ExitStatus {
    bounded::wait_or_kill(child, &format!("tripline {args:?}"), limit)
}

fn tripline(args: &[&str]) -> Output {
    tripline_with(args, Duration::from_secs(60))
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn alerts(o: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// Ten discovery calls by one identity, without event ids: reading the file twice would
/// count twenty (duplicate-delivery removal needs an id), so a second read shows.
fn ten_calls() -> String {
    (0..10)
        .map(|i| format!(r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/alice","accountId":"123456789012"}},"eventTime":"2024-05-06T10:{i:02}:00Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.7"}}"#))
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn burst_count(paths: &[&str], limit: Duration) -> (Option<i64>, Output) {
    let mut args = vec![
        "scan",
        "--output",
        "jsonl",
        "--state",
        ":memory:",
        "--rules",
        "cloud-discovery-burst",
    ];
    args.extend_from_slice(paths);
    let out = tripline_with(&args, limit);
    let a = alerts(&out);
    assert!(a.len() <= 1, "{a:?}");
    (a.first().and_then(|a| a["count"].as_i64()), out)
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

// ── 6. The folder walk ──────────────────────────────────────────────────────────────────

#[test]
fn a_link_to_its_own_folder_reads_each_file_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.json"), ten_calls()).unwrap();
    symlink(".", dir.path().join("current")).unwrap();
    let (count, out) = burst_count(&[&s(dir.path())], Duration::from_secs(60));
    assert_eq!(count, Some(10), "{}", stderr(&out));
    assert!(stderr(&out).contains("already read"), "{}", stderr(&out));
}

#[test]
fn two_self_links_and_a_link_loop_finish() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.json"), ten_calls()).unwrap();
    symlink(".", dir.path().join("again")).unwrap();
    symlink(".", dir.path().join("current")).unwrap();
    symlink("loop", dir.path().join("loop")).unwrap();
    let (count, out) = burst_count(&[&s(dir.path())], Duration::from_secs(30));
    assert_eq!(count, Some(10), "{}", stderr(&out));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_latest_link_reads_the_day_once() {
    let dir = tempfile::tempdir().unwrap();
    let day = dir.path().join("2024/05/06");
    std::fs::create_dir_all(&day).unwrap();
    std::fs::write(day.join("a.json"), ten_calls()).unwrap();
    symlink("2024/05/06", dir.path().join("latest")).unwrap();
    let (count, out) = burst_count(&[&s(dir.path())], Duration::from_secs(60));
    assert_eq!(count, Some(10), "{}", stderr(&out));
    // The same file named twice on the command line is read once as well.
    let a = s(&day.join("a.json"));
    let (count, _) = burst_count(&[&a, &a], Duration::from_secs(60));
    assert_eq!(count, Some(10));
}

fn mkfifo(p: &Path) {
    let ok = Command::new("mkfifo").arg(p).status().unwrap().success();
    assert!(ok, "mkfifo {}", p.display());
}

#[test]
fn a_fifo_inside_a_folder_is_skipped_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.json"), ten_calls()).unwrap();
    mkfifo(&dir.path().join("pipe.json"));
    let (count, out) = burst_count(&[&s(dir.path())], Duration::from_secs(30));
    assert_eq!(count, Some(10));
    assert_eq!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(
        err.contains("FIFOs, sockets or devices") && err.contains("pipe.json"),
        "{err}"
    );
}

#[test]
fn a_fifo_named_on_the_command_line_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("zcat");
    mkfifo(&fifo);
    let writer = {
        let fifo = fifo.clone();
        // Blocks until tripline opens the FIFO; left behind if it never does (the scan's
        // time limit fails the test).
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new().write(true).open(fifo).unwrap();
            f.write_all(ten_calls().as_bytes()).unwrap();
        })
    };
    let (count, out) = burst_count(&[&s(&fifo)], Duration::from_secs(30));
    assert_eq!(count, Some(10), "{}", stderr(&out));
    writer.join().unwrap();
}

#[test]
fn fifty_thousand_tiny_files_under_a_low_descriptor_limit() {
    let dir = tempfile::tempdir().unwrap();
    let line = ten_calls().lines().next().unwrap().to_string() + "\n";
    for i in 0..50_000 {
        let sub = dir.path().join(format!("d{:03}", i / 500));
        if i % 500 == 0 {
            std::fs::create_dir(&sub).unwrap();
        }
        std::fs::write(sub.join(format!("f{i:05}.json")), &line).unwrap();
    }
    // 256 descriptors: a walk or a reader that kept one per file would fail long before.
    let script = format!(
        "ulimit -n 256 && exec {} scan --state :memory: --rules cloud-discovery-burst --output jsonl {}",
        env!("CARGO_BIN_EXE_tripline"),
        dir.path().display()
    );
    let started = Instant::now();
    let mut child = Command::new("sh")
        .args(["-c", &script])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err_pipe.read_to_string(&mut s);
        s
    });
    let status = wait_or_kill(
        &mut child,
        &["scan", "50,000 files"],
        Duration::from_secs(240),
    );
    let err = err.join().unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(err.contains("50000 files"), "{err}");
    assert!(!err.contains("file error"), "{err}");
    eprintln!("50,000 files in {:?}", started.elapsed());
}

// ── 7. Silent failures ──────────────────────────────────────────────────────────────────

#[test]
fn a_missing_named_path_exits_2_and_is_named_even_with_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("a.json");
    std::fs::write(&good, ten_calls()).unwrap();
    let out = tripline(&[
        "scan",
        "--quiet",
        "--fail-on",
        "low",
        "--state",
        ":memory:",
        "--output",
        "jsonl",
        "--rules",
        "cloud-discovery-burst",
        "/no/such/path",
        &s(&good),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("/no/such/path"), "{}", stderr(&out));
    // The other paths are still scanned and their alerts printed.
    assert_eq!(alerts(&out).len(), 1);
    // Inside a folder, an unreadable entry (a dangling link) is reported, not fatal.
    symlink("/no/such/target", dir.path().join("dangling.json")).unwrap();
    let out = tripline(&["scan", "--state", ":memory:", &s(dir.path())]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).contains("dangling.json"));
    let out = tripline(&[
        "scan",
        "--strict",
        "--quiet",
        "--state",
        ":memory:",
        &s(dir.path()),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = tripline(&["normalize", "--quiet", "/no/such/path"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("/no/such/path"));
}

#[test]
fn strict_says_why_even_with_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("mixed.json");
    std::fs::write(&p, ten_calls() + "{\"not\": \n").unwrap();
    let out = tripline(&["scan", "--strict", "--quiet", "--state", ":memory:", &s(&p)]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("--strict") && err.contains("records skipped") && err.contains("mixed.json"),
        "{err}"
    );
}

#[test]
fn a_damaged_store_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("a.json");
    std::fs::write(&data, ten_calls()).unwrap();
    let db = s(&dir.path().join("base.db"));
    let out = tripline(&[
        "scan",
        "--state",
        &db,
        "--rules",
        "first-seen-api",
        &s(&data),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let show = tripline(&["baseline", "show", "--state", &db]);
    assert_eq!(show.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&show.stdout).lines().count() > 1);
    // Page 2 is the history table's root: overwrite it with garbage.
    let mut bytes = std::fs::read(&db).unwrap();
    let page = 4096;
    assert!(bytes.len() >= 3 * page);
    bytes[page..2 * page].fill(0xff);
    std::fs::write(&db, bytes).unwrap();
    let show = tripline(&["baseline", "show", "--state", &db]);
    assert_eq!(show.status.code(), Some(2), "{}", stderr(&show));
    assert!(stderr(&show).contains("base.db"), "{}", stderr(&show));
}

/// Runs with stdout's read end closed before anything is written: every write fails with
/// EPIPE, deterministically.
fn closed_stdout(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tripline"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let mut err_pipe = child.stderr.take().unwrap();
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err_pipe.read_to_end(&mut v);
        v
    });
    let status = wait_or_kill(&mut child, args, Duration::from_secs(60));
    Output {
        status,
        stdout: Vec::new(),
        stderr: err.join().unwrap(),
    }
}

#[test]
fn a_closed_stdout_is_a_quiet_normal_end() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("a.json");
    std::fs::write(&data, ten_calls()).unwrap();
    let data = s(&data);
    let db = s(&dir.path().join("base.db"));
    let out = tripline(&["scan", "--state", &db, "--rules", "first-seen-api", &data]);
    assert_eq!(out.status.code(), Some(0));
    let commands: Vec<Vec<&str>> = vec![
        vec!["scan", "--state", ":memory:", "--output", "jsonl", &data],
        vec!["scan", "--state", ":memory:", &data],
        vec!["normalize", &data],
        vec!["rules", "list"],
        vec!["rules", "show", "password-spray"],
        vec!["rules", "test", "password-spray"],
        vec!["config", "default"],
        vec!["baseline", "show", "--state", &db],
    ];
    for args in commands {
        let out = closed_stdout(&args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("Broken pipe"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn zero_windows_and_thresholds_are_config_errors_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    for (table, key, value) in [
        ("cloud-discovery-burst", "window", "\"0s\""),
        ("password-spray", "window", "\"0m\""),
        ("access-key-created", "after_new_source", "\"0m\""),
        ("password-spray", "min_failures", "0"),
        ("password-spray", "min_accounts", "-1"),
    ] {
        std::fs::write(
            &cfg,
            format!("# tuning\n[rules.{table}]\n{key} = {value}\n"),
        )
        .unwrap();
        let out = tripline(&["config", "check", &s(&cfg)]);
        assert_eq!(out.status.code(), Some(2), "{table}.{key} = {value}");
        assert!(stderr(&out).contains("c.toml:3:"), "{}", stderr(&out));
    }
    std::fs::write(
        &cfg,
        "[rules.password-spray]\nwindow = \"1m\"\nmin_failures = 1\n",
    )
    .unwrap();
    assert_eq!(
        tripline(&["config", "check", &s(&cfg)]).status.code(),
        Some(0)
    );
}

#[test]
fn config_problems_are_printed_one_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(
        &cfg,
        "[rules.cloud-discovery-burst]\nwindow = \"0s\"\nfoo = 1\nbar = 2\n",
    )
    .unwrap();
    let c = s(&cfg);
    for args in [
        vec!["config", "check", &c],
        vec!["scan", "--config", &c, "--state", ":memory:", &c],
    ] {
        let out = tripline(&args);
        assert_eq!(out.status.code(), Some(2));
        let err = stderr(&out);
        assert!(!err.contains("\\u{a}"), "{err}");
        for line in [2, 3, 4] {
            let prefix = format!("{c}:{line}: ");
            assert_eq!(
                err.lines().filter(|l| l.starts_with(&prefix)).count(),
                1,
                "{prefix}: {err}"
            );
        }
    }
}

/// A regular file that shrinks while it is read is reported as changed while read; one that
/// grows is fine. Through `open_input`, the path every file takes, so that the cut can be
/// made at a known point of the reading.
#[test]
fn a_file_truncated_while_read_is_reported() {
    use std::io::BufRead;
    use tripline::input::{open_input, InputPath};
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("big.json");
    let body = ten_calls().repeat(2_000); // ~4 MB, more than the read buffer
    for (cut_at, grow) in [(Some(100u64), false), (None, true), (None, false)] {
        std::fs::write(&p, &body).unwrap();
        let mut opened = open_input(&InputPath::File(p.clone())).unwrap();
        let mut first = String::new();
        opened.reader.read_line(&mut first).unwrap();
        if let Some(len) = cut_at {
            std::fs::OpenOptions::new()
                .write(true)
                .open(&p)
                .unwrap()
                .set_len(len)
                .unwrap();
        }
        if grow {
            let mut f = std::fs::OpenOptions::new().append(true).open(&p).unwrap();
            f.write_all(ten_calls().as_bytes()).unwrap();
        }
        let mut rest = Vec::new();
        opened.reader.read_to_end(&mut rest).unwrap();
        let changed = opened.watch.as_ref().unwrap().changed();
        match cut_at {
            Some(_) => assert!(
                changed
                    .as_deref()
                    .is_some_and(|c| c.contains("changed while read")),
                "{changed:?}"
            ),
            None => assert_eq!(changed, None, "grow = {grow}"),
        }
    }
    // Read to the end, then cut: smaller at the end than at open.
    std::fs::write(&p, &body).unwrap();
    let mut opened = open_input(&InputPath::File(p.clone())).unwrap();
    opened.reader.read_to_end(&mut Vec::new()).unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&p)
        .unwrap()
        .set_len(10)
        .unwrap();
    assert!(opened.watch.as_ref().unwrap().changed().is_some());
}
