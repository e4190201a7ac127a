//! `tripline demo` (issue 12, point 7): the data set is deterministic, every file is read
//! without a skipped record, every catalogue rule fires, the planted attacks are the
//! incidents on top, and the benign enumerators are suppressed by the built-in catalogue.
//! Release mode: `cargo test --release --test demo`.

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use tripline::rules::catalogue::catalogue;
use tripline::tuning::benign_tools;
use tripline_demo::{write_demo, DemoSpec};

fn tripline_cmd(args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tripline"));
    cmd.args(args);
    cmd
}

/// The README's default size: small enough for a quick test, large enough that every source
/// has history on every day.
const EVENTS: u64 = 100_000;

/// Every file under `dir`, relative path → bytes.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_path_buf();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn same_seed_writes_the_same_files_byte_for_byte_whatever_the_threads() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let spec = DemoSpec {
        events: 30_000,
        seed: 7,
        ..DemoSpec::default()
    };
    // One thread and eight: jobs finish in a different order, the bytes must not care.
    let out_a = write_demo(
        &DemoSpec {
            threads: 1,
            ..spec.clone()
        },
        a.path(),
    )
    .unwrap();
    let out_b = write_demo(
        &DemoSpec {
            threads: 8,
            ..spec.clone()
        },
        b.path(),
    )
    .unwrap();
    assert_eq!(out_a.records, out_b.records);
    assert_eq!(out_a.bytes, out_b.bytes);
    let (fa, fb) = (files(a.path()), files(b.path()));
    assert!(fa.len() > 100, "only {} files", fa.len());
    assert_eq!(
        fa.keys().collect::<Vec<_>>(),
        fb.keys().collect::<Vec<_>>(),
        "the same file names"
    );
    for (name, bytes) in &fa {
        assert!(
            bytes == &fb[name],
            "{} differs between two runs",
            name.display()
        );
    }
    // Another seed is another data set.
    let c = tempfile::tempdir().unwrap();
    write_demo(&DemoSpec { seed: 8, ..spec }, c.path()).unwrap();
    let fc = files(c.path());
    let config = Path::new("tripline.toml");
    assert!(
        fa.iter()
            .any(|(n, bytes)| n != config && fc.get(n) != Some(bytes)),
        "seed 8 wrote the same data as seed 7"
    );
}

/// Runs `tripline demo` into a fresh folder; returns (folder, stdout, stderr).
fn run_demo(extra: &[&str]) -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let events = EVENTS.to_string();
    let mut args = vec!["demo", "--out", out.to_str().unwrap(), "--events", &events];
    args.extend_from_slice(extra);
    let o = tripline_cmd(&args).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(0), "tripline demo failed: {stderr}");
    (dir, String::from_utf8(o.stdout).unwrap(), stderr)
}

fn json_lines(s: &str) -> Vec<Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Every address in an alert's group and fields.
fn addresses(alert: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["SourceIP", "SourceIPs"] {
        match &alert["fields"][key] {
            Value::String(s) => out.push(s.clone()),
            Value::Array(a) => out.extend(a.iter().filter_map(|v| v.as_str().map(String::from))),
            _ => {}
        }
    }
    if let Some(ip) = alert["group"]["source_ip"].as_str() {
        out.push(ip.to_string());
    }
    out
}

/// The attackers use documentation addresses (RFC 5737); nothing in the background does.
fn planted(alert: &Value) -> bool {
    addresses(alert).iter().any(|ip| {
        ip.starts_with("203.0.113.") || ip.starts_with("198.51.100.") || ip.starts_with("192.0.2.")
    })
}

#[test]
fn demo_fires_every_rule_reads_every_file_and_ranks_the_planted_attacks_first() {
    let (dir, stdout, stderr) = run_demo(&["--output", "jsonl", "--show-suppressed"]);
    let alerts = json_lines(&stdout);

    // The HTML report is written beside the data, and names every alert.
    let report = std::fs::read_to_string(dir.path().join("demo").join("report.html"))
        .unwrap_or_else(|e| panic!("no report beside the demo data: {e}"));
    for a in &alerts {
        assert!(report.contains(a["id"].as_str().unwrap()), "{}", a["id"]);
    }

    // Every file read, no record skipped: the summary counts as many events as records and
    // reports no skipped record and no file error.
    let summary = stderr
        .lines()
        .find(|l| l.starts_with("tripline: ") && l.contains(" records, "))
        .unwrap_or_else(|| panic!("no summary line in: {stderr}"));
    let records = summary
        .split(", ")
        .find_map(|part| part.strip_suffix(" records"))
        .unwrap_or_else(|| panic!("no record count in {summary}"));
    assert!(
        summary.contains(&format!(", {records} records, {records} events in ")),
        "records skipped: {summary}"
    );
    assert!(!stderr.contains("skipped"), "skipped records: {stderr}");
    assert!(!stderr.contains("file error"), "file errors: {stderr}");
    let written = stderr
        .lines()
        .find(|l| l.starts_with("tripline demo: wrote "))
        .unwrap_or_else(|| panic!("no generation line in: {stderr}"));
    assert!(
        written.contains(&format!("wrote {records} records")),
        "the scan read a different number of records than were written: {written} / {summary}"
    );

    // Every enabled rule of the catalogue fired at least once, unsuppressed.
    let expected: BTreeSet<String> = catalogue()
        .into_iter()
        .filter(|r| r.implemented)
        .map(|r| r.id)
        .collect();
    let fired: BTreeSet<String> = alerts
        .iter()
        .filter(|a| a["suppressed"] == false)
        .map(|a| a["rule"].as_str().unwrap().to_string())
        .collect();
    let missing: Vec<_> = expected.difference(&fired).collect();
    assert!(missing.is_empty(), "rules that did not fire: {missing:?}");
    // ... and each through a planted attack (not by chance in the background).
    let planted_rules: BTreeSet<String> = alerts
        .iter()
        .filter(|a| planted(a) && a["suppressed"] == false)
        .map(|a| a["rule"].as_str().unwrap().to_string())
        .collect();
    let missing: Vec<_> = expected.difference(&planted_rules).collect();
    assert!(
        missing.is_empty(),
        "rules no planted attack fired: {missing:?}"
    );

    // The benign enumerators (the Terraform plan, the daily Wiz scan) fired the discovery
    // rules and are suppressed, each with the reason of a built-in catalogue entry.
    let tools: Vec<String> = benign_tools().into_iter().map(|t| t.name).collect();
    let benign: Vec<&Value> = alerts
        .iter()
        .filter(|a| {
            let id = a["group"]["identity"].as_str().unwrap_or("");
            id.contains("terraform-deployer") || id.contains("WizAccess-Role")
        })
        .collect();
    assert!(
        benign.iter().any(|a| a["group"]["identity"]
            .as_str()
            .unwrap()
            .contains("terraform")),
        "the Terraform plan raised no alert"
    );
    assert!(
        benign
            .iter()
            .any(|a| a["group"]["identity"].as_str().unwrap().contains("Wiz")),
        "the Wiz scan raised no alert"
    );
    for a in &benign {
        let reason = a["reason"].as_str().unwrap_or("");
        assert!(
            a["suppressed"] == true && tools.iter().any(|t| reason.contains(t.as_str())),
            "benign alert not suppressed by the catalogue: {} {} reason {reason:?}",
            a["rule"],
            a["group"]
        );
    }

    // The incidents that hold a planted attack rank above every other incident.
    let config = dir.path().join("demo/tripline.toml");
    let logs = dir.path().join("demo/logs");
    let o = tripline_cmd(&[
        "scan",
        logs.to_str().unwrap(),
        "--config",
        config.to_str().unwrap(),
        "--state",
        ":memory:",
        "--incidents",
        "--output",
        "jsonl",
        "--quiet",
    ])
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let incidents = json_lines(&String::from_utf8(o.stdout).unwrap());
    let attack_incidents: BTreeSet<&str> = alerts
        .iter()
        .filter(|a| planted(a) && a["suppressed"] == false)
        .map(|a| a["incident"].as_str().unwrap())
        .collect();
    assert!(attack_incidents.len() >= 3, "{attack_incidents:?}");
    let ranks: Vec<bool> = incidents
        .iter()
        .map(|i| attack_incidents.contains(i["id"].as_str().unwrap()))
        .collect();
    let first_other = ranks.iter().position(|&p| !p).unwrap_or(ranks.len());
    assert!(
        ranks[first_other..].iter().all(|&p| !p),
        "a planted incident ranks below a background one: {:?}",
        incidents
            .iter()
            .map(|i| (i["risk_score"].clone(), i["actor"].clone()))
            .collect::<Vec<_>>()
    );
    assert_eq!(first_other, attack_incidents.len());
    // The two full stories (AWS key, Entra account) are critical.
    for i in &incidents[..2] {
        assert_eq!(i["severity"], "critical", "{i}");
    }
}

#[test]
fn demo_replaces_its_own_logs_and_never_deletes_a_logs_folder_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let foreign = dir.path().join("logs/keep-me.txt");
    std::fs::create_dir_all(foreign.parent().unwrap()).unwrap();
    std::fs::write(&foreign, "mine").unwrap();
    let small = DemoSpec {
        events: 5_000,
        ..DemoSpec::default()
    };
    match write_demo(&small, dir.path()) {
        Err(err) => assert!(
            err.to_string().contains("not written by tripline demo"),
            "{err}"
        ),
        Ok(_) => panic!("wrote over a logs/ folder tripline demo did not write"),
    }
    assert_eq!(std::fs::read_to_string(&foreign).unwrap(), "mine");

    // Over its own earlier output, a smaller data set leaves nothing of the bigger one.
    let own = tempfile::tempdir().unwrap();
    write_demo(
        &DemoSpec {
            events: 20_000,
            ..small.clone()
        },
        own.path(),
    )
    .unwrap();
    let second = write_demo(&small, own.path()).unwrap();
    let on_disk: Vec<PathBuf> = files(&own.path().join("logs")).into_keys().collect();
    let written: Vec<PathBuf> = second
        .files
        .iter()
        .map(|f| {
            f.strip_prefix(own.path().join("logs"))
                .unwrap()
                .to_path_buf()
        })
        .collect();
    let mut written_sorted = written.clone();
    written_sorted.sort();
    assert_eq!(on_disk, written_sorted);
}
