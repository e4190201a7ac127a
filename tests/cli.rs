//! The binary as a user runs it: exit codes, options, output formats, config commands.

use std::process::{Command, Output};

const INVICTUS: &str = "tests/fixtures/invictus-ir-aws-dataset/CloudTrail";
/// The two discovery rules (the alerts pinned in tests/golden-alerts/invictus-discovery.jsonl).
const DISCOVERY: &str = "cloud-discovery-burst,cloud-discovery-sliding";

fn tripline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tripline"))
        .args(args)
        .output()
        .expect("run tripline")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn fail_on_sets_exit_1_at_or_above_the_threshold() {
    assert_eq!(
        tripline(&[
            "scan",
            "--quiet",
            "--state",
            ":memory:",
            "--fail-on",
            "high",
            INVICTUS
        ])
        .status
        .code(),
        Some(1)
    );
    assert_eq!(
        tripline(&[
            "scan",
            "--quiet",
            "--state",
            ":memory:",
            "--fail-on",
            "critical",
            INVICTUS
        ])
        .status
        .code(),
        Some(0)
    );
    assert_eq!(
        tripline(&[
            "scan",
            "--quiet",
            "--rules",
            DISCOVERY,
            "--fail-on",
            "medium",
            "--rules",
            "cloud-discovery-burst",
            INVICTUS
        ])
        .status
        .code(),
        Some(1)
    );
    assert_eq!(
        tripline(&["scan", "--quiet", "--state", ":memory:", INVICTUS])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn output_formats() {
    let jsonl = tripline(&[
        "scan", "--quiet", "--rules", DISCOVERY, "--output", "jsonl", INVICTUS,
    ]);
    let lines: Vec<serde_json::Value> = stdout(&jsonl)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[0]["schema"], "tripline.alert/2");
    let json = tripline(&[
        "scan", "--quiet", "--rules", DISCOVERY, "--output", "json", INVICTUS,
    ]);
    let arr: Vec<serde_json::Value> = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(arr, lines);
    let table = tripline(&["scan", "--quiet", "--rules", DISCOVERY, INVICTUS]);
    let t = stdout(&table);
    assert!(
        t.contains("cloud-discovery-burst") && t.contains("6 alerts"),
        "{t}"
    );
    assert!(
        !t.contains('\u{1b}'),
        "no colour when stdout is not a terminal"
    );
    // `--report` has landed (tests/report_browser.rs, tests/timezone_display.rs): a report
    // that cannot be written is a fatal error naming the file.
    let o = tripline(&[
        "scan",
        "--quiet",
        "--state",
        ":memory:",
        "--report",
        "/nonexistent-tripline-dir/r.html",
        INVICTUS,
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("writing the HTML report /nonexistent-tripline-dir/r.html"),
        "{err}"
    );
}

#[test]
fn rule_selection_and_time_bounds() {
    let only_burst = tripline(&[
        "scan",
        "--quiet",
        "--output",
        "jsonl",
        "--rules",
        "cloud-discovery-burst",
        INVICTUS,
    ]);
    assert_eq!(stdout(&only_burst).lines().count(), 4);
    let disabled = tripline(&[
        "scan",
        "--quiet",
        "--output",
        "jsonl",
        "--rules",
        DISCOVERY,
        "--disable",
        "cloud-discovery-burst",
        INVICTUS,
    ]);
    assert_eq!(stdout(&disabled).lines().count(), 2);
    let unknown = tripline(&["scan", "--rules", "no-such-rule", INVICTUS]);
    let all_rules = tripline(&[
        "scan", "--quiet", "--state", ":memory:", "--output", "jsonl", INVICTUS,
    ]);
    let rules: std::collections::BTreeSet<String> = stdout(&all_rules)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["rule"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(
        rules.contains("post-auth-enumeration") && rules.contains("access-key-created"),
        "the history rules run by default: {rules:?}"
    );
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("known rules"));
    // The last 30 minutes of the data hold the 12:15 bin's two rows. The anchor is the newest
    // event of the whole input (12:37:50), whatever rules run (issue 10, point 9; it used
    // to be the newest discovery call, 12:29:48, with `--rules cloud-discovery-burst`).
    let since = tripline(&[
        "scan",
        "--quiet",
        "--output",
        "jsonl",
        "--rules",
        "cloud-discovery-burst",
        "--since",
        "30m",
        INVICTUS,
    ]);
    let rows: Vec<serde_json::Value> = stdout(&since)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let until = tripline(&[
        "scan",
        "--quiet",
        "--output",
        "jsonl",
        "--rules",
        "cloud-discovery-burst",
        "--until",
        "2023-07-10T12:00:00Z",
        INVICTUS,
    ]);
    let rows: Vec<serde_json::Value> = stdout(&until)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        rows.iter()
            .all(|r| r["window_start"].as_str().unwrap() < "2023-07-10T12:00:00Z"),
        "{rows:?}"
    );
    assert_eq!(
        tripline(&["scan", "--since", "yesterday", INVICTUS])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn config_overrides_thresholds_and_config_check_reports_lines() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("t.toml");
    std::fs::write(
        &cfg,
        "[rules.cloud-discovery-burst]\nmin_count = 300\nmin_distinct = 30\n",
    )
    .unwrap();
    let o = tripline(&[
        "scan",
        "--quiet",
        "--output",
        "jsonl",
        "--rules",
        "cloud-discovery-burst",
        "--config",
        cfg.to_str().unwrap(),
        INVICTUS,
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o).lines().count(),
        0,
        "no bin reaches 300 calls or 30 APIs"
    );
    std::fs::write(&cfg, "[organisation]\nbucket_prefixes = [\"acme\"]\nnope = 1\n\n[rules.password-spray]\nwindow = \"10x\"\n").unwrap();
    let check = tripline(&["config", "check", cfg.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(2));
    let err = String::from_utf8_lossy(&check.stderr);
    assert!(
        err.contains(":3:") && err.contains(":6:"),
        "every problem with its line: {err}"
    );
    let default = tripline(&["config", "default"]);
    std::fs::write(&cfg, &default.stdout).unwrap();
    assert_eq!(
        tripline(&["config", "check", cfg.to_str().unwrap()])
            .status
            .code(),
        Some(0)
    );
}

#[test]
fn rules_list_and_show() {
    let list = stdout(&tripline(&["rules", "list"]));
    assert!(
        list.contains("cloud-discovery-burst")
            && list.contains("T1580")
            && list.contains("password-spray")
    );
    let show = stdout(&tripline(&["rules", "show", "cloud-discovery-burst"]));
    assert!(show.contains("\nstage: discovery\n"), "{show}");
    assert!(stdout(&tripline(&["rules", "show", "password-spray"]))
        .contains("\nstage: credential access\n"));
    assert!(
        show.contains("aws_apis")
            && show.contains("DescribeKeyPairs")
            && show.contains("Terraform")
    );
    assert_eq!(tripline(&["rules", "show", "nope"]).status.code(), Some(2));
}

#[test]
fn every_subcommand_has_help_and_later_ones_say_so() {
    for cmd in [
        "scan",
        "watch",
        "serve",
        "normalize",
        "investigate",
        "baseline",
        "rules",
        "coverage",
        "config",
        "publish",
        "demo",
    ] {
        let o = tripline(&[cmd, "--help"]);
        assert_eq!(o.status.code(), Some(0), "{cmd} --help");
    }
    let o = tripline(&["watch", INVICTUS]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not implemented yet"));
}

#[test]
fn new_only_reports_each_alert_once_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("state.db");
    let db = db.to_str().unwrap();
    let first = tripline(&[
        "scan",
        "--quiet",
        "--rules",
        DISCOVERY,
        "--new-only",
        "--state",
        db,
        "--output",
        "jsonl",
        INVICTUS,
    ]);
    assert_eq!(stdout(&first).lines().count(), 6);
    let second = tripline(&[
        "scan",
        "--rules",
        DISCOVERY,
        "--new-only",
        "--state",
        db,
        "--output",
        "jsonl",
        INVICTUS,
    ]);
    assert_eq!(
        stdout(&second).lines().count(),
        0,
        "the same alerts (same ids) are not reported again"
    );
    assert!(String::from_utf8_lossy(&second.stderr).contains("6 alerts already reported"));
    let without = tripline(&[
        "scan", "--quiet", "--rules", DISCOVERY, "--state", db, "--output", "jsonl", INVICTUS,
    ]);
    assert_eq!(
        stdout(&without).lines().count(),
        6,
        "without --new-only every alert prints"
    );
    let memory = tripline(&[
        "scan",
        "--quiet",
        "--rules",
        DISCOVERY,
        "--new-only",
        "--state",
        ":memory:",
        "--output",
        "jsonl",
        INVICTUS,
    ]);
    assert_eq!(stdout(&memory).lines().count(), 6);
    let not_a_store = dir.path().join("notes.txt");
    std::fs::write(&not_a_store, "hello").unwrap();
    let bad = tripline(&[
        "scan",
        "--new-only",
        "--state",
        not_a_store.to_str().unwrap(),
        INVICTUS,
    ]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn rules_test_runs_the_catalogue_examples() {
    let all = tripline(&["rules", "test"]);
    assert_eq!(all.status.code(), Some(0), "{}", stdout(&all));
    let out = stdout(&all);
    assert_eq!(out.lines().filter(|l| l.starts_with("PASS ")).count(), 13);
    assert!(out
        .lines()
        .last()
        .unwrap()
        .starts_with("13 rules: 13 passed, 0 failed;"));

    let one = tripline(&["rules", "test", "password-spray"]);
    assert_eq!(one.status.code(), Some(0));
    assert!(stdout(&one).starts_with("PASS password-spray ("));
    assert_eq!(stdout(&one).lines().count(), 2);

    let unknown = tripline(&["rules", "test", "password-spray", "no-such-rule"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("`no-such-rule`"));
}

#[test]
fn rules_test_fails_when_a_config_breaks_a_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("t.toml");
    std::fs::write(&cfg, "[rules.password-spray]\nmin_failures = 7\n").unwrap();
    let o = tripline(&[
        "rules",
        "test",
        "--config",
        cfg.to_str().unwrap(),
        "password-spray",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(out.starts_with("FAIL password-spray ("), "{out}");
    assert!(
        out.contains("example `6 failures over 4 accounts within 10 minutes (the thresholds)` (expect alert):\n    expected 1 alert, got none"),
        "{out}"
    );
    assert!(out.contains("1 rules: 0 passed, 1 failed;"), "{out}");
    // Other rules are not affected by that table.
    let other = tripline(&[
        "rules",
        "test",
        "--config",
        cfg.to_str().unwrap(),
        "bucket-enumeration",
    ]);
    assert_eq!(other.status.code(), Some(0));
    // An invalid config is a usage error, not a failed example.
    std::fs::write(&cfg, "[rules.password-spray]\nmin_failures = \"many\"\n").unwrap();
    let bad = tripline(&["rules", "test", "--config", cfg.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
}

/// Issue 11: suppressed alerts are hidden unless `--show-suppressed`, counted in the summary
/// by reason, and printed with `suppressed: true` and the reason when shown.
#[test]
fn show_suppressed_reveals_what_a_suppress_entry_hid() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("t.toml");
    std::fs::write(
        &cfg,
        "[[suppress]]\nidentity = \"arn:aws:iam::*:user/bert-jan\"\nuser_agent = \"*Terraform/*\"\nreason = \"attack simulation run with Terraform\"\n",
    )
    .unwrap();
    let run = |show: bool| {
        let mut args = vec![
            "scan",
            "--output",
            "jsonl",
            "--rules",
            DISCOVERY,
            "--config",
            cfg.to_str().unwrap(),
        ];
        if show {
            args.push("--show-suppressed");
        }
        args.push(INVICTUS);
        tripline(&args)
    };
    let hidden = run(false);
    let shown = run(true);
    assert_eq!(hidden.status.code(), Some(0));
    let rows = |o: &Output| -> Vec<serde_json::Value> {
        stdout(o)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let (hidden_rows, shown_rows) = (rows(&hidden), rows(&shown));
    let suppressed: Vec<&serde_json::Value> = shown_rows
        .iter()
        .filter(|v| v["suppressed"] == true)
        .collect();
    assert!(!suppressed.is_empty());
    assert!(hidden_rows.iter().all(|v| v["suppressed"] == false));
    assert_eq!(hidden_rows.len() + suppressed.len(), shown_rows.len());
    for v in &suppressed {
        assert_eq!(v["reason"], "attack simulation run with Terraform");
    }
    let summary = String::from_utf8_lossy(&hidden.stderr);
    let want = format!(
        "{} suppressed (hidden; --show-suppressed shows them): {} attack simulation run with Terraform",
        suppressed.len(),
        suppressed.len()
    );
    assert!(summary.contains(&want), "{summary}");
}

fn with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tripline"));
    c.args(args).env_remove("COLUMNS");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run tripline")
}

/// Issue 11, point 2: `--incidents` writes incident objects, highest risk first; every alert
/// names its incident. On the invictus data the attacker (bert-jan: enumeration, then keys
/// for a backdoor user) ranks above the other user's console browsing (benjamin).
#[test]
fn incidents_option_writes_incidents_highest_risk_first_and_alerts_name_theirs() {
    let o = tripline(&[
        "scan",
        "--quiet",
        "--state",
        ":memory:",
        "--incidents",
        "--output",
        "jsonl",
        INVICTUS,
    ]);
    assert_eq!(o.status.code(), Some(0));
    let incidents: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(incidents.len(), 2, "{}", stdout(&o));
    assert!(incidents
        .iter()
        .all(|i| i["schema"] == "tripline.incident/1"));
    assert_eq!(
        incidents[0]["actor"],
        "arn:aws:iam::123837392027:user/bert-jan"
    );
    assert_eq!(
        incidents[1]["actor"],
        "arn:aws:iam::123837392027:user/benjamin"
    );
    assert!(incidents[0]["risk_score"].as_u64() > incidents[1]["risk_score"].as_u64());
    assert_eq!(
        incidents[0]["stages"],
        serde_json::json!(["discovery", "persistence"])
    );
    assert!(incidents[0]["story"]
        .as_str()
        .unwrap()
        .contains("access-key-created key AKIATFQR7NSC3ZO6PKAZ"));
    assert_eq!(incidents[0]["reasons"][0]["points"], 90);

    // --output json gives the same incident lines.
    let json = tripline(&[
        "scan",
        "--quiet",
        "--state",
        ":memory:",
        "--incidents",
        "--output",
        "json",
        INVICTUS,
    ]);
    assert_eq!(stdout(&json), stdout(&o));

    let alerts = tripline(&[
        "scan", "--quiet", "--state", ":memory:", "--output", "jsonl", INVICTUS,
    ]);
    let alerts: Vec<serde_json::Value> = stdout(&alerts)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for a in &alerts {
        let inc = a["incident"]
            .as_str()
            .expect("every alert carries its incident");
        let owner = incidents
            .iter()
            .find(|i| i["id"] == inc)
            .expect("a listed incident");
        assert!(owner["alerts"].as_array().unwrap().contains(&a["id"]));
    }
    let members: usize = incidents
        .iter()
        .map(|i| i["alerts"].as_array().unwrap().len())
        .sum();
    assert_eq!(members, alerts.len());

    // The table form: incident headers and the summary, no alert rows.
    let table = with_env(
        &[
            "scan",
            "--quiet",
            "--state",
            ":memory:",
            "--incidents",
            INVICTUS,
        ],
        &[],
    );
    let t = stdout(&table);
    assert!(
        t.starts_with("INCIDENT CRITICAL 100  arn:aws:iam::123837392027:user/bert-jan"),
        "{t}"
    );
    assert!(!t.contains("  TIME "), "{t}");
    assert!(t.contains("2 incidents (1 critical, 1 high)"), "{t}");
}

/// Issue 11, point 5: the table fits `COLUMNS` (no line longer), `--wide` keeps rows whole.
#[test]
fn table_fits_columns_80_and_200_and_wide_prints_rows_whole() {
    let args = ["scan", "--quiet", "--state", ":memory:", INVICTUS];
    let widest = |o: &Output| stdout(o).lines().map(|l| l.chars().count()).max().unwrap();
    for cols in ["80", "200"] {
        let o = with_env(&args, &[("COLUMNS", cols)]);
        assert_eq!(o.status.code(), Some(0));
        assert!(
            widest(&o) <= cols.parse().unwrap(),
            "COLUMNS={cols}:\n{}",
            stdout(&o)
        );
        assert!(stdout(&o).contains("10 alerts"));
    }
    let wide = with_env(
        &["scan", "--quiet", "--state", ":memory:", "--wide", INVICTUS],
        &[("COLUMNS", "80")],
    );
    assert!(widest(&wide) > 200);
    // Every row is one line: the row of the 472-call sliding episode holds its whole API list.
    let row = stdout(&wide)
        .lines()
        .find(|l| l.contains("cloud-discovery-sliding") && l.contains("bert-jan"))
        .unwrap()
        .to_string();
    assert!(
        row.contains("EpisodeCalls=472") && !row.contains("more)"),
        "{row}"
    );
}
