//! Issue 12: the hand-off outputs on the real attack simulation (invictus-ir/aws_dataset,
//! tests/fixtures/invictus-ir-aws-dataset), every rule on. The binary is run as a user
//! would; each output is checked against the JSON lines of the same scan, which is the
//! alert as tripline defines it.
//! - `--output ocsf`: every line a valid OCSF 1.1.0 Detection Finding (vendored schema),
//!   one per alert, with the alert's id, rule, ATT&CK, times and status;
//! - `--output csv`: parses back with the `csv` crate to the same values, but for the `'`
//!   before would-be formulas;
//! - `--navigator`: a layer 4.5 file whose scores are the alert counts per technique;
//! - `--timezone`: the table's times move, JSON's do not.

use std::collections::BTreeMap;
use std::process::Output;
use std::time::Duration;

use serde_json::Value;

#[path = "support/bounded.rs"]
mod bounded;
#[path = "support/ocsf_schema.rs"]
mod ocsf_schema;

const INVICTUS: &str = "tests/fixtures/invictus-ir-aws-dataset/CloudTrail";

fn tripline(args: &[&str]) -> Output {
    let out = bounded::run_bounded(bounded::tripline_cmd(args), None, Duration::from_secs(300));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn scan(output: &str, extra: &[&str]) -> Output {
    let mut args = vec!["scan", "--state", ":memory:", "--output", output];
    args.extend_from_slice(extra);
    args.push(INVICTUS);
    tripline(&args)
}

fn jsonl_alerts() -> Vec<Value> {
    let out = scan("jsonl", &[]);
    let alerts: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(alerts.len() >= 6, "{} alerts", alerts.len());
    alerts
}

fn millis(rfc3339: &Value) -> i64 {
    let t = tripline::event::Timestamp::parse(rfc3339.as_str().unwrap()).unwrap();
    t.0.div_euclid(1_000_000)
}

#[test]
fn ocsf_findings_are_valid_and_carry_each_alert() {
    let alerts = jsonl_alerts();
    let out = scan("ocsf", &[]);
    let text = String::from_utf8(out.stdout).unwrap();
    let v = ocsf_schema::validator();
    let findings: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l:.300}")))
        .collect();
    assert_eq!(findings.len(), alerts.len(), "one finding per alert");
    for (f, a) in findings.iter().zip(&alerts) {
        ocsf_schema::assert_valid(&v, f, a["id"].as_str().unwrap());
        assert_eq!(f["finding_info"]["uid"], a["id"]);
        assert_eq!(f["finding_info"]["title"], a["title"]);
        assert_eq!(f["finding_info"]["analytic"]["uid"], a["rule"]);
        assert_eq!(f["risk_score"], a["risk_score"]);
        assert_eq!(f["start_time"], millis(&a["first_seen"]));
        assert_eq!(f["end_time"], millis(&a["last_seen"]));
        assert_eq!(f["status_id"], if a["suppressed"] == true { 3 } else { 1 });
        let techniques: Vec<&str> = f["finding_info"]["attacks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                x["sub_technique"]["uid"]
                    .as_str()
                    .or(x["technique"]["uid"].as_str())
                    .unwrap()
            })
            .collect();
        for t in a["attack"].as_array().unwrap() {
            assert!(techniques.contains(&t.as_str().unwrap()), "{t} in {f}");
        }
        assert!(f["finding_info"]["attacks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["tactic"]["uid"].is_string()));
        let origins: Vec<&Value> = f["evidences"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["data"].get("origin"))
            .collect();
        assert_eq!(origins.len(), a["evidence"].as_array().unwrap().len());
        assert_eq!(f["cloud"]["provider"], "AWS");
        assert_eq!(f["unmapped"]["group"], a["group"]);
        assert_eq!(f["unmapped"]["fields"], a["fields"]);
    }
    // The discovery bursts of the simulation's operator name its identity and account.
    let burst = findings
        .iter()
        .find(|f| f["finding_info"]["analytic"]["uid"] == "cloud-discovery-burst")
        .expect("a discovery burst");
    assert!(burst["actor"]["user"]["uid"]
        .as_str()
        .unwrap()
        .starts_with("arn:aws:iam::"));
    assert!(burst["cloud"]["account"]["uid"].is_string());
    assert!(burst["evidences"][0]["src_endpoint"].is_object());
}

#[test]
fn csv_rows_read_back_as_the_alerts() {
    let alerts = jsonl_alerts();
    let out = scan("csv", &[]);
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, tripline::output::csv::COLUMNS);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), alerts.len());
    for (row, a) in rows.iter().zip(&alerts) {
        for (name, cell) in header.iter().zip(row.iter()) {
            let want = &a[name.as_str()];
            match want {
                Value::Null => assert_eq!(cell, "", "{name}"),
                Value::String(s) => {
                    let unguarded = cell
                        .strip_prefix('\'')
                        .filter(|_| cell != s)
                        .unwrap_or(cell);
                    assert_eq!(unguarded, s, "{name}");
                }
                Value::Array(_) | Value::Object(_) => {
                    let got: Value = serde_json::from_str(cell).unwrap();
                    assert_eq!(&got, want, "{name}");
                }
                other => assert_eq!(cell, other.to_string(), "{name}"),
            }
        }
    }
    assert!(
        out.stdout.windows(2).any(|w| w == b"\r\n"),
        "RFC 4180 line ends"
    );
}

#[test]
fn navigator_layer_scores_techniques_by_alerts() {
    let alerts = jsonl_alerts();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("layer.json");
    let p = path.to_string_lossy().into_owned();
    scan("jsonl", &["--navigator", &p]);
    let layer: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    // Layer format 4.5: required keys and the version object.
    assert!(layer["name"].is_string());
    assert_eq!(layer["domain"], "enterprise-attack");
    assert_eq!(layer["versions"]["layer"], "4.5");
    assert!(layer["versions"]["attack"].is_string());
    assert!(layer["versions"]["navigator"].is_string());
    let mut want: BTreeMap<String, u64> = BTreeMap::new();
    for a in alerts.iter().filter(|a| a["suppressed"] != true) {
        for t in a["attack"].as_array().unwrap() {
            *want.entry(t.as_str().unwrap().to_string()).or_default() += 1;
        }
    }
    let got: BTreeMap<String, u64> = layer["techniques"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| Some((t["techniqueID"].as_str()?.to_string(), t["score"].as_u64()?)))
        .collect();
    assert_eq!(got, want);
    for t in layer["techniques"].as_array().unwrap() {
        assert!(t["techniqueID"].as_str().unwrap().starts_with('T'));
        if t.get("score").is_some() {
            assert!(t["comment"].as_str().unwrap().contains(": "), "{t}");
        }
    }
}

#[test]
fn timezone_moves_the_table_times_and_not_the_json() {
    let utc = String::from_utf8(scan("table", &[]).stdout).unwrap();
    let ny = String::from_utf8(scan("table", &["--timezone", "America/New_York"]).stdout).unwrap();
    // The TIME column: the first word of each alert row (indented under its incident).
    let times = |table: &str| -> Vec<String> {
        table
            .lines()
            .map(str::trim_start)
            .filter(|l| l.starts_with("20"))
            .map(|l| l.split_whitespace().next().unwrap().to_string())
            .collect()
    };
    let (utc_times, ny_times) = (times(&utc), times(&ny));
    assert!(!utc_times.is_empty(), "{utc:.500}");
    assert_eq!(utc_times.len(), ny_times.len());
    for (u, n) in utc_times.iter().zip(&ny_times) {
        assert!(u.ends_with('Z'), "UTC by default: {u}");
        // The simulation ran in July 2023: New York is on daylight time, UTC-4.
        assert!(n.ends_with("-04:00"), "{n}");
        let (u, n) = (
            tripline::event::Timestamp::parse(u).unwrap(),
            tripline::event::Timestamp::parse(n).unwrap(),
        );
        assert_eq!(u, n, "the same instant");
    }
    let json_utc = scan("jsonl", &[]).stdout;
    let json_ny = scan("jsonl", &["--timezone", "America/New_York"]).stdout;
    assert_eq!(json_utc, json_ny, "JSON outputs stay UTC");

    let bad = bounded::run_bounded(
        bounded::tripline_cmd(&["scan", "--timezone", "Mars/Olympus_Mons", INVICTUS]),
        None,
        Duration::from_secs(60),
    );
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("--timezone") && err.contains("Mars/Olympus_Mons"),
        "{err}"
    );
}

#[test]
fn progress_never_draws_when_piped() {
    let out = scan("jsonl", &["--progress", "always"]);
    let err = String::from_utf8_lossy(&out.stderr);
    // stderr is a pipe here: no bar (its ETA and file count), no cursor movement, only the
    // summary.
    assert!(!err.contains(['\u{1b}', '\r']), "{err}");
    assert!(!err.contains("ETA") && !err.contains("files 0/"), "{err}");
    assert!(err.contains("alerts"), "the summary is still there: {err}");
}
