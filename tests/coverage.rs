//! `tripline coverage` and the scan's coverage warning (issue 12, point 6), on real log
//! shapes: the invictus CloudTrail, the golden GCP audit, Entra, S3 access and perimeter
//! inputs, and the support builders' GCP Data Access record.

#[path = "support/initial_access.rs"]
mod ia;

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};
use tripline::engine::{collect, PipelineOptions};
use tripline::rules::catalogue::catalogue;
use tripline::rules::examples::Expect;

const INVICTUS: &str = "tests/fixtures/invictus-ir-aws-dataset/CloudTrail";
/// The invictus events' account (`userIdentity.accountId`).
const INVICTUS_ACCOUNT: &str = "123837392027";
/// Admin Activity only, project `acme-prod`.
const GCP_ADMIN: &str = "tests/golden/gcp-audit/input.json";
const ENTRA: &str = "tests/golden/entra-signin-diagnostic/input.json";
/// Hosts in eu-west-1 and us-west-2.
const S3_ACCESS: &str = "tests/golden/s3-access/input.log";
/// Combined log lines, GetCredentialType among them.
const PERIMETER: &str = "tests/golden/http-access/input.log";

fn tripline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tripline"))
        .args(args)
        .output()
        .expect("run tripline")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

fn regions_config(dir: &Path, regions: &[&str]) -> String {
    let list: Vec<String> = regions.iter().map(|r| format!("{r:?}")).collect();
    write(
        dir,
        "tripline.toml",
        &format!("[organisation]\nregions = [{}]\n", list.join(", ")),
    )
}

/// `coverage --output json` on `args`: the report.
fn report(args: &[&str]) -> Value {
    let mut all = vec!["coverage", "--quiet", "--output", "json"];
    all.extend_from_slice(args);
    let o = tripline(&all);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    assert_eq!(text.lines().count(), 1, "one JSON object: {text}");
    serde_json::from_str(&text).unwrap()
}

fn spots<'a>(r: &'a Value, gap: &str) -> Vec<&'a Value> {
    r["blind_spots"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["gap"] == gap)
        .collect()
}

fn missing<'a>(r: &'a Value, source: &str) -> Option<&'a Value> {
    spots(r, "missing-log")
        .into_iter()
        .find(|b| b["source"] == source)
}

fn region_gaps(r: &Value) -> BTreeSet<(String, String)> {
    spots(r, "region-without-cloudtrail")
        .into_iter()
        .map(|b| {
            (
                b["account"].as_str().unwrap().to_string(),
                b["region"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The rules a blind spot silences, with `*` after those it silences entirely.
fn silenced(b: &Value) -> Vec<String> {
    b["silences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let star = if s["entirely"] == true { "*" } else { "" };
            format!("{}{star}", s["rule"].as_str().unwrap())
        })
        .collect()
}

#[test]
fn coverage_names_a_missing_region_no_perimeter_and_no_gcp_data_access_with_the_rules_they_silence()
{
    let dir = tempfile::tempdir().unwrap();
    let cfg = regions_config(dir.path(), &["us-east-1", "eu-west-1"]);
    let r = report(&["--config", &cfg, INVICTUS, GCP_ADMIN, ENTRA, S3_ACCESS]);

    // eu-west-1 is expected and has no CloudTrail; us-east-1 has it.
    assert_eq!(
        region_gaps(&r),
        BTreeSet::from([(INVICTUS_ACCOUNT.to_string(), "eu-west-1".to_string())])
    );
    let region = &spots(&r, "region-without-cloudtrail")[0];
    assert!(silenced(region).contains(&"unused-region-activity*".to_string()));

    let perimeter = missing(&r, "http-access").expect("no perimeter logs is a blind spot");
    assert_eq!(silenced(perimeter), ["tenant-enumeration*"]);

    let gcp = spots(&r, "gcp-storage-data-access-off");
    assert_eq!(gcp.len(), 1);
    assert_eq!(gcp[0]["project"], "acme-prod");
    let gcp_rules = silenced(gcp[0]);
    for rule in [
        "external-object-read",
        "first-seen-api",
        "post-auth-enumeration",
    ] {
        assert!(
            gcp_rules.iter().any(|r| r.trim_end_matches('*') == rule),
            "{rule} reads GCP Data Access: {gcp_rules:?}"
        );
    }
    // Entra sign-ins and S3 access logs are there: no blind spot for them.
    assert!(missing(&r, "entra-signin").is_none());
    assert!(missing(&r, "s3-access").is_none());
    // The fixed section.
    assert_eq!(r["cannot_show"].as_array().unwrap().len(), 3);

    // The logs present, with their kinds and volumes.
    let logs = r["logs"].as_array().unwrap();
    let ct = logs
        .iter()
        .find(|l| l["log"] == "cloudtrail" && l["kind"] == "management")
        .expect("invictus holds CloudTrail management events");
    assert_eq!(ct["events"], 2900);
    assert_eq!(ct["first"], "2023-07-10T11:42:18Z");
    assert!(logs
        .iter()
        .any(|l| l["log"] == "gcp-audit" && l["kind"] == "admin-activity"));
}

#[test]
fn without_config_a_region_seen_in_another_log_but_not_in_cloudtrail_is_a_blind_spot() {
    // CloudTrail only in us-east-1; the S3 access logs name eu-west-1 and us-west-2.
    let r = report(&[INVICTUS, S3_ACCESS]);
    assert_eq!(
        region_gaps(&r),
        BTreeSet::from([
            (INVICTUS_ACCOUNT.to_string(), "eu-west-1".to_string()),
            (INVICTUS_ACCOUNT.to_string(), "us-west-2".to_string()),
        ])
    );
    assert_eq!(
        r["expected_regions"],
        serde_json::json!(["eu-west-1", "us-east-1", "us-west-2"])
    );
}

#[test]
fn every_expected_region_with_cloudtrail_is_no_region_blind_spot() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = regions_config(dir.path(), &["us-east-1"]);
    assert!(region_gaps(&report(&["--config", &cfg, INVICTUS, S3_ACCESS])).is_empty());
    // Without config and with CloudTrail the only AWS log: every region seen has it.
    assert!(region_gaps(&report(&[INVICTUS])).is_empty());
}

#[test]
fn gcp_storage_data_access_present_is_no_storage_blind_spot() {
    let dir = tempfile::tempdir().unwrap();
    let get = ia::gcp_get(
        "2024-05-06T10:00:00Z",
        "svc@acme-prod.iam.gserviceaccount.com",
        "203.0.113.9",
        "acme-data",
        "report.csv",
        0,
    );
    let data_access = write(dir.path(), "data_access.json", &format!("{get}\n"));
    let r = report(&[GCP_ADMIN, &data_access]);
    assert!(spots(&r, "gcp-storage-data-access-off").is_empty());
    assert!(r["logs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["log"] == "gcp-audit" && l["kind"] == "data-access"));
    // The same project without it is the blind spot.
    assert_eq!(
        spots(&report(&[GCP_ADMIN]), "gcp-storage-data-access-off").len(),
        1
    );
}

#[test]
fn perimeter_logs_present_is_no_perimeter_blind_spot() {
    let r = report(&[ENTRA, PERIMETER]);
    assert!(missing(&r, "http-access").is_none());
    assert!(missing(&r, "s3-access").is_some());
}

/// An account id and a region carrying terminal escapes, bidi overrides and control
/// characters (CloudTrail delivers whatever a caller's request made of them).
const HOSTILE: &str = r#"{"Records":[{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/x","accountId":"\u001b[2J\u001b[31m1111","accessKeyId":"AKIAEXAMPLE"},"eventTime":"2024-05-06T10:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"eu-west-1\u202e\u0007","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.15.0","eventID":"e1","eventType":"AwsApiCall","managementEvent":true,"eventCategory":"Management","recipientAccountId":"111122223333"}]}"#;

#[test]
fn hostile_account_and_region_names_come_out_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "hostile.json", HOSTILE);
    let cfg = regions_config(dir.path(), &["us-east-1"]);
    let table = tripline(&["coverage", "--quiet", "--config", &cfg, &f]);
    assert_eq!(table.status.code(), Some(0), "{}", stderr(&table));
    let text = stdout(&table);
    for raw in ['\u{1b}', '\u{202e}', '\u{7}'] {
        assert!(!text.contains(raw), "raw {raw:?} in the table:\n{text}");
    }
    assert!(text.contains("\\u{1b}[2J\\u{1b}[31m1111"), "{text}");
    assert!(text.contains("eu-west-1\\u{202e}\\u{7}"), "{text}");
    // The region blind spot names the hostile account, escaped too.
    assert!(text.contains("account \\u{1b}[2J"), "{text}");
    let json = tripline(&["coverage", "--quiet", "--output", "json", &f]);
    let text = stdout(&json);
    for raw in ['\u{1b}', '\u{202e}', '\u{7}'] {
        assert!(!text.contains(raw), "raw {raw:?} in the JSON: {text}");
    }
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["accounts"][0]["name"], "\u{1b}[2J\u{1b}[31m1111");
}

#[test]
fn coverage_exits_2_on_an_unreadable_path_and_still_reports_the_others() {
    let o = tripline(&["coverage", "--quiet", "no/such/path.json", ENTRA]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no/such/path.json"), "{}", stderr(&o));
    assert!(stdout(&o).contains("entra-signin"), "{}", stdout(&o));
}

#[test]
fn the_table_shows_providers_logs_blind_spots_and_what_no_log_can_show() {
    let o = tripline(&["coverage", "--quiet", INVICTUS, ENTRA]);
    let text = stdout(&o);
    for want in [
        "AWS",
        "cloudtrail management",
        "Azure / Entra ID",
        "BLIND SPOTS",
        "no http-access logs",
        "silences: tenant-enumeration",
        "WHAT NO LOG HERE CAN SHOW",
        "GetCredentialType",
    ] {
        assert!(text.contains(want), "{want:?} missing:\n{text}");
    }
}

fn coverage_line(o: &Output) -> Option<String> {
    stderr(o)
        .lines()
        .find(|l| l.trim_start().starts_with("coverage:"))
        .map(|l| l.trim().to_string())
}

#[test]
fn scan_warns_in_one_line_when_an_enabled_rule_has_none_of_its_logs() {
    // Entra sign-ins only: no S3 access logs, no CloudTrail, no perimeter logs.
    let o = tripline(&["scan", "--state", ":memory:", ENTRA]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let line = coverage_line(&o).expect("a coverage line");
    assert!(
        line.contains(
            "no cloudtrail or s3-access logs in the input: bucket-enumeration cannot fire"
        ),
        "{line}"
    );
    assert!(line.contains("tenant-enumeration cannot fire"), "{line}");
    assert!(line.ends_with("(tripline coverage for details)"), "{line}");
    // Rules with their logs there are not named.
    assert!(!line.contains("password-spray"), "{line}");

    let o = tripline(&[
        "scan",
        "--state",
        ":memory:",
        "--disable",
        "bucket-enumeration",
        ENTRA,
    ]);
    let line = coverage_line(&o).unwrap_or_default();
    assert!(!line.contains("bucket-enumeration"), "{line}");

    // --quiet keeps it off stderr, like every note of the summary.
    let o = tripline(&["scan", "--quiet", "--state", ":memory:", ENTRA]);
    assert_eq!(coverage_line(&o), None);
}

#[test]
fn scan_prints_no_coverage_warning_when_every_enabled_rule_has_a_log() {
    let o = tripline(&[
        "scan",
        "--state",
        ":memory:",
        "--rules",
        "bucket-enumeration,tenant-enumeration",
        S3_ACCESS,
        PERIMETER,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(coverage_line(&o), None, "{}", stderr(&o));
}

#[test]
fn scan_counts_cloudtrail_skipped_by_the_prefilter_as_present() {
    // cloud-discovery-burst prefilters CloudTrail by event name: records it skips unparsed
    // still prove CloudTrail was there.
    let dir = tempfile::tempdir().unwrap();
    let line = r#"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/x","accountId":"111122223333"},"eventTime":"2024-05-06T10:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRoleWithWebIdentity","awsRegion":"eu-west-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.15.0","eventID":"e1","eventType":"AwsApiCall"}"#;
    let f = write(dir.path(), "trail.jsonl", &format!("{line}\n"));
    let o = tripline(&[
        "scan",
        "--state",
        ":memory:",
        "--rules",
        "cloud-discovery-burst",
        &f,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(coverage_line(&o), None, "{}", stderr(&o));
}

/// The catalogue's `sources` are what the rules read: every record of a rule's
/// true-positive examples is of a log the rule declares. (What coverage says a gap silences
/// comes from `sources`; this and the next test keep them from drifting from the rules.)
#[test]
fn every_rule_declares_the_logs_its_examples_feed_it() {
    let mut problems = Vec::new();
    for spec in catalogue().into_iter().filter(|r| r.implemented) {
        let declared: BTreeSet<&str> = spec.sources.iter().map(|s| s.log.as_str()).collect();
        for ex in spec
            .examples
            .iter()
            .filter(|e| e.expect == Expect::Alert && e.with_rules.is_empty())
        {
            let dir = tempfile::tempdir().unwrap();
            let paths: Vec<String> = ex
                .records
                .iter()
                .enumerate()
                .map(|(i, rec)| write(dir.path(), &format!("r{i}.log"), &format!("{rec}\n")))
                .collect();
            let (events, _) = collect(&paths, &PipelineOptions::default());
            for e in events {
                let log = e.log().as_str();
                if !declared.contains(log) {
                    problems.push(format!(
                        "{}: example {:?} feeds it {log}, which its `sources` do not declare",
                        spec.id, ex.name
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every real record of the golden inputs and fixtures that a rule's `wants` accepts is of a
/// log its catalogue entry declares: a rule taught to read a new log without declaring it
/// fails here, before coverage could call that log's absence harmless.
#[test]
fn every_record_a_rule_wants_is_of_a_log_it_declares() {
    let mut paths: Vec<String> = std::fs::read_dir("tests/golden")
        .unwrap()
        .flat_map(|d| std::fs::read_dir(d.unwrap().path()).unwrap())
        .map(|f| f.unwrap().path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("input"))
        })
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    paths.extend(
        [
            INVICTUS,
            "tests/fixtures/panther-compromised-root-creds",
            "tests/fixtures/panther-gcp-service-account-key/create_service_account_key.jsonl",
            "tests/fixtures/stratus-red-team",
            "tests/fixtures/azure-sentinel",
        ]
        .map(String::from),
    );
    let (events, _) = collect(&paths, &PipelineOptions::default());
    let dir = tempfile::tempdir().unwrap();
    let cfg = write(
        dir.path(),
        "tripline.toml",
        "[organisation]\nbucket_prefixes = [\"acme\", \"contoso\"]\n",
    );
    let cfg = tripline::config::load(Path::new(&cfg)).unwrap();
    let selection = tripline::rules::registry::build(&[], &[], &cfg).unwrap();
    let mut wanted = BTreeSet::new();
    for rule in &selection.rules {
        let spec = rule.spec();
        let declared: BTreeSet<_> = spec.sources.iter().map(|s| s.log).collect();
        for e in events.iter().filter(|e| rule.wants(e)) {
            assert!(
                declared.contains(&e.log()),
                "{} wants {} records ({}) but does not declare them",
                spec.id,
                e.log().as_str(),
                e.origin
            );
            wanted.insert((spec.id.clone(), e.log()));
        }
    }
    // The corpus exercises the rules on several logs, or the test proves little.
    assert!(wanted.len() >= 15, "{wanted:?}");
}

/// The HTML report carries the scan's coverage warning in its summary, as stderr does.
#[test]
fn the_report_carries_the_coverage_warning() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("r.html");
    let o = tripline(&[
        "scan",
        "--state",
        ":memory:",
        "--report",
        page.to_str().unwrap(),
        "tests/fixtures/invictus-ir-aws-dataset/CloudTrail",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let line = stderr(&o)
        .lines()
        .find(|l| l.trim_start().starts_with("coverage: "))
        .map(|l| l.trim().to_string())
        .expect("the scan prints a coverage warning: no perimeter logs here");
    assert!(line.contains("tenant-enumeration cannot fire"), "{line}");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains(&line), "the report lacks: {line}");
}
