//! Golden files: every case in tests/golden/<case>/ is normalized and compared with the
//! checked-in `expected.jsonl` (events) and `expected.skipped` (skipped records and file
//! errors). Re-bless after an intended change with `BLESS=1 cargo test --test golden`.
//!
//! A case's input is every `input*` file in its folder, or the paths listed in its `paths`
//! file (fixtures copied from ../shared/data, see tests/fixtures/PROVENANCE.md).

use std::fs;
use std::path::Path;
use tripline::engine::{collect, PipelineOptions};

fn inputs(case: &Path) -> Vec<String> {
    let list = case.join("paths");
    if list.exists() {
        return fs::read_to_string(list)
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(String::from)
            .collect();
    }
    let mut v: Vec<String> = fs::read_dir(case)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("input")
        })
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn render(case: &Path) -> (String, String) {
    let (events, summary) = collect(
        &inputs(case),
        &PipelineOptions {
            threads: 1,
            ..Default::default()
        },
    );
    let mut out = String::new();
    for e in &events {
        out.push_str(&serde_json::to_string(e).unwrap());
        out.push('\n');
    }
    let mut skipped = String::new();
    for (reason, (n, firsts)) in &summary.bad {
        skipped.push_str(&format!("{n} {}\n", reason.as_str()));
        for f in firsts {
            skipped.push_str(&format!("  {f}\n"));
        }
    }
    for e in &summary.file_errors {
        skipped.push_str(&format!("file error: {e}\n"));
    }
    (out, skipped)
}

#[test]
fn golden_cases() {
    let bless = std::env::var("BLESS").is_ok_and(|v| v == "1");
    let mut cases: Vec<_> = fs::read_dir("tests/golden")
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 15, "golden cases missing");
    let mut failures = Vec::new();
    for case in &cases {
        let (events, skipped) = render(case);
        let ev_path = case.join("expected.jsonl");
        let sk_path = case.join("expected.skipped");
        if bless {
            fs::write(&ev_path, &events).unwrap();
            fs::write(&sk_path, &skipped).unwrap();
            continue;
        }
        let want_ev = fs::read_to_string(&ev_path).unwrap_or_default();
        let want_sk = fs::read_to_string(&sk_path).unwrap_or_default();
        if events != want_ev {
            let line = events
                .lines()
                .zip(want_ev.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(events.lines().count().min(want_ev.lines().count()));
            failures.push(format!(
                "{}: events differ at line {}\n  got:  {}\n  want: {}",
                case.display(),
                line + 1,
                events.lines().nth(line).unwrap_or("<none>"),
                want_ev.lines().nth(line).unwrap_or("<none>")
            ));
        }
        if skipped != want_sk {
            failures.push(format!(
                "{}: skipped records differ\n  got:\n{skipped}\n  want:\n{want_sk}",
                case.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "golden mismatches (BLESS=1 to accept):\n{}",
        failures.join("\n")
    );
}
