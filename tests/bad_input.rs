//! SPEC §9: bad input is skipped, counted and reported with its origin; the scan goes on;
//! `--strict` exits 2; nothing panics. Each kind of bad input has its own test.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};
use tripline::engine::{collect, PipelineOptions};
use tripline::event::BadReason;

const GOOD: &str = r#"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/alice","accountId":"123456789012"},"eventTime":"2024-05-06T10:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.7","eventID":"ok-1"}"#;

fn tripline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tripline"))
        .args(args)
        .output()
        .expect("run tripline")
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p.to_string_lossy().into_owned()
}

fn run(paths: &[String]) -> (usize, tripline::engine::Summary) {
    let (events, summary) = collect(paths, &PipelineOptions::default());
    (events.len(), summary)
}

fn count(summary: &tripline::engine::Summary, reason: BadReason) -> u64 {
    summary.bad.get(&reason).map_or(0, |(n, _)| *n)
}

#[test]
fn truncated_gzip_keeps_what_was_read_and_other_files() {
    let dir = tempfile::tempdir().unwrap();
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for _ in 0..2000 {
        enc.write_all(GOOD.as_bytes()).unwrap();
        enc.write_all(b"\n").unwrap();
    }
    let gz = enc.finish().unwrap();
    let cut = write(dir.path(), "cut.json.gz", &gz[..gz.len() / 2]);
    let good = write(dir.path(), "good.json", GOOD.as_bytes());
    let (events, summary) = run(&[cut.clone(), good]);
    assert!(
        events > 1,
        "events before the cut are kept and the other file is read: {events}"
    );
    assert!(events < 2001);
    assert_eq!(summary.file_errors.len(), 1, "{summary}");
    assert!(
        summary.file_errors[0].to_string().contains("cut.json.gz"),
        "names the file: {}",
        summary.file_errors[0]
    );
    let out = tripline(&["scan", "--strict", "--state", ":memory:", &cut]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "--strict exits 2 on a truncated gzip"
    );
    let out = tripline(&["normalize", &cut]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "without --strict a truncated file is reported, not fatal"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("truncated"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn invalid_utf8_inside_a_json_line_is_read_lossily() {
    // SPEC §9: text that is not valid UTF-8 inside an otherwise readable line is read
    // lossily (U+FFFD in place of the bad bytes), not dropped; its neighbours are read too.
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = Vec::new();
    bytes.extend_from_slice(GOOD.as_bytes());
    bytes.extend_from_slice(b"\n{\"eventName\":\"X\xff\xfe\",\"eventSource\":\"s\",\"eventTime\":\"2024-05-06T10:00:00Z\"}\n");
    bytes.extend_from_slice(GOOD.as_bytes());
    let f = write(dir.path(), "utf8.json", &bytes);
    let (events, summary) = collect(&[f.clone()], &PipelineOptions::default());
    assert_eq!(events.len(), 3, "{summary}");
    assert_eq!(summary.bad_total(), 0, "{summary}");
    let lossy = events
        .iter()
        .find(|e| e.origin.to_string().ends_with("utf8.json:2"))
        .expect("the line with bad bytes is read");
    assert_eq!(lossy.action, "X\u{fffd}\u{fffd}");
    let out = tripline(&["normalize", &f]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(text.contains("\"action\":\"X\u{fffd}\u{fffd}\""), "{text}");
}

#[test]
fn a_100_mb_line_is_skipped_without_being_held() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("huge.json");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&p).unwrap());
        writeln!(f, "{GOOD}").unwrap();
        f.write_all(b"{\"eventName\":\"").unwrap();
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..100 {
            f.write_all(&chunk).unwrap();
        }
        f.write_all(b"\"}\n").unwrap();
        writeln!(f, "{GOOD}").unwrap();
    }
    let (events, summary) = run(&[p.to_string_lossy().into_owned()]);
    assert_eq!(events, 2);
    assert_eq!(count(&summary, BadReason::TooLarge), 1, "{summary}");
    let (_, firsts) = &summary.bad[&BadReason::TooLarge];
    assert!(firsts[0].contains("huge.json:2"), "{firsts:?}");
    // The same inside a wrapper array, where records are not lines.
    let p2 = dir.path().join("huge-records.json");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&p2).unwrap());
        write!(f, "{{\"Records\":[{GOOD},{{\"eventName\":\"").unwrap();
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..100 {
            f.write_all(&chunk).unwrap();
        }
        write!(f, "\"}},{GOOD}]}}").unwrap();
    }
    let (events, summary) = run(&[p2.to_string_lossy().into_owned()]);
    assert_eq!(events, 2);
    let (_, firsts) = &summary.bad[&BadReason::TooLarge];
    assert!(firsts[0].contains("#Records[1]"), "{firsts:?}");
}

#[test]
fn json_nested_10000_deep() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let deep_obj = format!(
        "{{\"eventName\":{}1{}}}",
        "{\"a\":".repeat(10_000),
        "}".repeat(10_000)
    );
    let f = write(
        dir.path(),
        "deep.json",
        format!("{GOOD}\n{deep_obj}\n{deep}\n{GOOD}\n").as_bytes(),
    );
    let (events, summary) = run(&[f]);
    assert_eq!(events, 2);
    assert_eq!(summary.bad_total(), 2, "{summary}");
}

#[test]
fn wrong_types_and_missing_fields() {
    let dir = tempfile::tempdir().unwrap();
    let lines = [
        GOOD.to_string(),
        // userIdentity must be an object
        GOOD.replace(r#""userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/alice","accountId":"123456789012"}"#, r#""userIdentity":"alice""#),
        // eventTime missing
        GOOD.replace(r#""eventTime":"2024-05-06T10:00:00Z","#, ""),
        // eventTime of the wrong type: a number is read as text, and is not a timestamp
        GOOD.replace(r#""eventTime":"2024-05-06T10:00:00Z""#, r#""eventTime":12"#),
        // numbers where strings are expected are accepted (real exports do this)
        GOOD.replace(r#""accountId":"123456789012""#, r#""accountId":123456789012"#),
        r#"[1,2,3]"#.to_string(),
        r#""just a string""#.to_string(),
        r#"{"no":"known keys"}"#.to_string(),
    ];
    let f = write(dir.path(), "types.json", lines.join("\n").as_bytes());
    let (events, summary) = run(&[f]);
    assert_eq!(events, 2, "{summary}");
    assert_eq!(count(&summary, BadReason::InvalidRecord), 3, "{summary}");
    assert_eq!(count(&summary, BadReason::InvalidTime), 2, "{summary}");
    assert_eq!(count(&summary, BadReason::Unrecognised), 1, "{summary}");
}

#[test]
fn empty_files_binary_garbage_and_unreadable_paths() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "empty.json", b"");
    write(dir.path(), "blank.json", b"\n\n  \n");
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    write(dir.path(), "garbage.bin", &garbage);
    write(dir.path(), "good.json", GOOD.as_bytes());
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        dir.path().join("missing-target"),
        dir.path().join("dangling.json"),
    )
    .unwrap();
    let missing = dir
        .path()
        .join("does-not-exist.json")
        .to_string_lossy()
        .into_owned();
    let (events, summary) = run(&[dir.path().to_string_lossy().into_owned(), missing]);
    assert_eq!(events, 1);
    let errors: Vec<String> = summary.file_errors.iter().map(|e| e.to_string()).collect();
    assert!(
        errors
            .iter()
            .any(|e| e.contains("garbage.bin") && e.contains("binary")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("does-not-exist.json")),
        "{errors:?}"
    );
    #[cfg(unix)]
    assert!(
        errors.iter().any(|e| e.contains("dangling.json")),
        "{errors:?}"
    );
    assert!(
        !errors
            .iter()
            .any(|e| e.contains("empty.json") || e.contains("blank.json")),
        "empty files are not errors: {errors:?}"
    );
}

#[test]
fn strict_mode_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(dir.path(), "good.json", GOOD.as_bytes());
    let bad = write(
        dir.path(),
        "bad.json",
        format!("{GOOD}\n{{\"eventName\":\n").as_bytes(),
    );
    assert_eq!(
        tripline(&["normalize", "--strict", &good]).status.code(),
        Some(0)
    );
    assert_eq!(tripline(&["normalize", &bad]).status.code(), Some(0));
    let out = tripline(&["normalize", "--strict", &bad]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().count(),
        1,
        "good records are still printed"
    );
    assert_eq!(tripline(&["scan"]).status.code(), Some(2), "usage error");
    assert_eq!(tripline(&["no-such-command"]).status.code(), Some(2));
}

#[test]
fn hostile_user_agents_never_reach_the_terminal_raw() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = GOOD
        .replace(
            r#""eventID":"ok-1""#,
            r#""eventID":"ok-1","userAgent":"\u001b[2J\u001b]0;pwned\u0007evil""#,
        )
        .replace("\"eventTime\":\"2024", "\"eventTime\":\"\\u001b[31m2024");
    let f = write(dir.path(), "hostile.json", hostile.as_bytes());
    let out = tripline(&["normalize", &f]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains('\u{1b}'),
        "stderr carries a raw escape: {stderr:?}"
    );
    // On stdout the value is JSON-escaped, never raw.
    assert!(!out.stdout.contains(&0x1b));
}

#[test]
fn stdin_and_gzip_by_magic_not_name() {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(format!("{GOOD}\n{GOOD}\n").as_bytes())
        .unwrap();
    let gz = enc.finish().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tripline"))
        .args(["normalize", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&gz).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(stdout.contains("\"origin\":\"-:1\""), "{stdout}");
}
