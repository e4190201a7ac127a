//! Crash safety of a scan (SPEC §7): `kill -9` the binary at random points while it writes
//! the baseline store (50 rounds of `scan` and `baseline learn`); the store opens cleanly
//! afterwards, no temporary file outlives the next run's start, and re-running the same
//! input yields the same alerts as a run on a fresh store — nothing lost, nothing counted
//! twice.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;
use tripline_demo::{write_cloudtrail_jsonl, CorpusSpec};

fn scan(input: &str, state: &str) -> Vec<serde_json::Value> {
    scan_in(input, state, &std::env::temp_dir())
}

fn scan_in(input: &str, state: &str, tmp: &std::path::Path) -> Vec<serde_json::Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_tripline"))
        .args([
            "scan", "--quiet", "--output", "jsonl", "--state", state, input,
        ])
        .env("TMPDIR", tmp)
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
    // Temporary files go to a folder of the test's own, to check that none is left behind.
    let tmp = dir.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let scratch = || -> usize {
        std::fs::read_dir(&tmp)
            .unwrap()
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("tripline-scratch-")
            })
            .count()
    };
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    // Issue 10: at least 50 rounds, `scan` and `baseline learn` in turn, with a small sort
    // budget so that runs spill to temporary files and post-auth sets events aside.
    for round in 0..50 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let delay = Duration::from_millis(10 + x % 300);
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tripline"));
        if round % 2 == 0 {
            cmd.args(["scan", "--quiet", "--output", "jsonl"]);
        } else {
            cmd.args(["baseline", "learn", "--quiet"]);
        }
        let mut child = cmd
            .args(["--sort-budget", "4000", "--state", state, input])
            .env("TMPDIR", &tmp)
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
        // What a killed run left is swept when the next run starts: at most its own remains.
        assert!(
            scratch() <= 1,
            "round {round}: {} scratch folders",
            scratch()
        );
    }
    let after = scan_in(input, state, &tmp);
    assert_eq!(scratch(), 0, "the next run swept what the killed ones left");
    let strip = |v: &[serde_json::Value]| -> Vec<serde_json::Value> { v.to_vec() };
    assert_eq!(
        strip(&after),
        strip(&reference),
        "re-running after kills must give the alerts of a fresh run"
    );
    // And once more: a completed store gives the same alerts again (idempotent).
    assert_eq!(scan(input, state), reference);
}
