//! Crash safety of a scan (SPEC §7): `kill -9` the binary at random points while it writes
//! the baseline store; the store opens cleanly afterwards, and re-running the same input
//! yields the same alerts as a run on a fresh store — nothing lost, nothing counted twice.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;
use tripline::demo::corpus::{write_cloudtrail_jsonl, CorpusSpec};

fn scan(input: &str, state: &str) -> Vec<serde_json::Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_tripline"))
        .args([
            "scan", "--quiet", "--output", "jsonl", "--state", state, input,
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn killed_scans_leave_a_consistent_store_and_rerunning_gives_the_same_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("trail.jsonl");
    {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&input).unwrap());
        let spec = CorpusSpec {
            events: 60_000,
            identities: 300,
            enumerators: 6,
            seed: 7,
            ..CorpusSpec::default()
        };
        write_cloudtrail_jsonl(&spec, &mut f).unwrap();
        f.flush().unwrap();
    }
    let input = input.to_str().unwrap();
    let reference = scan(input, dir.path().join("fresh.db").to_str().unwrap());
    assert!(
        reference
            .iter()
            .any(|a| a["rule"] == "post-auth-enumeration"),
        "the corpus must exercise a history rule"
    );

    let state = dir.path().join("killed.db");
    let state = state.to_str().unwrap();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for round in 0..4 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let delay = Duration::from_millis(20 + x % 400);
        let mut child = Command::new(env!("CARGO_BIN_EXE_tripline"))
            .args([
                "scan", "--quiet", "--output", "jsonl", "--state", state, input,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let store = tripline::state::Store::open(state)
            .unwrap_or_else(|e| panic!("round {round}: store does not open: {e}"));
        store
            .integrity_check()
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
    }
    let after = scan(input, state);
    let strip = |v: &[serde_json::Value]| -> Vec<serde_json::Value> { v.to_vec() };
    assert_eq!(
        strip(&after),
        strip(&reference),
        "re-running after kills must give the alerts of a fresh run"
    );
    // And once more: a completed store gives the same alerts again (idempotent).
    assert_eq!(scan(input, state), reference);
}
