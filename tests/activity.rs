//! Activity (SPEC §8, issue 11 point 3) and `investigate` (issue 11 point 4), on the real
//! invictus attack simulation (tests/fixtures/invictus-ir-aws-dataset: CloudTrail of an AWS
//! account while Stratus Red Team techniques ran) and on small hand-made inputs at the edges.
//!
//! Counts below come from the data itself (a jq/python pass over the fixture):
//! - user/bert-jan, the attacker, has 2641 events; among them CreateUser ×4,
//!   CreateAccessKey ×2, StopLogging ×3 (all TrailNotFoundException) and DeleteTrail ×3
//!   (one TrailNotFoundException) — the changes the issue found missing.
//! - access key AKIATFQR7NSC8Q4X20BJ (bert-jan's long-term key) signed 2104 calls; two of
//!   them are CreateAccessKey, whose event carries the key it created instead: 2102.
//! - 3.225.16.109 made 13 calls, all from the stratus ec2-steal-credentials role session.

use std::io::Write;
use std::process::{Command, Stdio};
use tripline::activity::Collector;
use tripline::engine::activity_read::{gather, TimeRange};
use tripline::engine::pipeline::PipelineOptions;
use tripline::engine::scan::{scan, Keep, ScanOptions};
use tripline::event::{Alert, Fields, Provider, Severity, Timestamp};
use tripline::input::expand;
use tripline::rules::registry::build;

const INVICTUS: &str = "tests/fixtures/invictus-ir-aws-dataset/CloudTrail";
const BERT: &str = "arn:aws:iam::123837392027:user/bert-jan";

/// Every rule over `paths`, activity gathered by a second read of the files.
fn all_rules_scan(paths: &[String]) -> Vec<Alert> {
    all_rules_scan_keeping(paths, Keep::Nothing)
}

fn all_rules_scan_keeping(paths: &[String], keep: Keep) -> Vec<Alert> {
    let (inputs, errors) = expand(paths);
    assert!(errors.is_empty());
    let sel = build(&[], &[], &tripline::config::Config::default()).unwrap();
    let opts = ScanOptions {
        keep,
        ..ScanOptions::default()
    };
    let mut result = scan(inputs.clone(), sel.rules, &opts).unwrap();
    assert_eq!(
        result.kept.as_ref().is_some_and(|k| k.complete),
        keep == Keep::Everything,
        "every rule enabled: no prefilter, so every event can be kept"
    );
    gather(
        &inputs,
        result.kept.as_mut(),
        &mut result.alerts,
        &PipelineOptions::default(),
        result.range,
    )
    .unwrap();
    result.alerts
}

/// An all-rules scan parses every record: the events its workers kept give the same activity
/// as the second read, which it then skips.
#[test]
fn kept_events_give_the_second_reads_activity() {
    let read_again = all_rules_scan(&[INVICTUS.to_string()]);
    let kept = all_rules_scan_keeping(&[INVICTUS.to_string()], Keep::Everything);
    assert_eq!(read_again.len(), kept.len());
    assert!(kept.iter().all(|a| a.activity.is_some()));
    for (a, b) in read_again.iter().zip(&kept) {
        assert_eq!(a.id, b.id);
        assert_eq!(
            serde_json::to_value(&a.activity).unwrap(),
            serde_json::to_value(&b.activity).unwrap(),
            "{} {}",
            a.rule,
            a.id
        );
    }
}

#[test]
fn invictus_attacker_activity_names_his_users_keys_and_logging_changes() {
    let alerts = all_rules_scan(&[INVICTUS.to_string()]);
    let attacker: Vec<&Alert> = alerts
        .iter()
        .filter(|a| a.activity.as_ref().is_some_and(|x| x.actor == BERT))
        .collect();
    assert!(attacker.iter().any(|a| a.rule == "post-auth-enumeration"));
    assert!(attacker.iter().any(|a| a.rule == "access-key-created"));
    for a in &attacker {
        let act = a.activity.as_ref().unwrap();
        assert!(!act.partial);
        assert_eq!(act.before.events + act.after.events, 2641, "{}", a.rule);
        for (action, n) in [
            ("CreateUser", 4),
            ("CreateAccessKey", 2),
            ("StopLogging", 3),
            ("DeleteTrail", 3),
        ] {
            assert_eq!(
                act.before.count_of(action) + act.after.count_of(action),
                n,
                "{action} in {} {}",
                a.rule,
                a.id
            );
        }
        assert!(
            act.before.actions.len() <= 50 && act.before.actions_total >= act.before.actions.len()
        );
        // Split at the detection: nothing before is later than last_seen, nothing after earlier.
        assert!(act.before.last.is_none_or(|t| t <= a.last_seen));
        assert!(act.after.first.is_none_or(|t| t > a.last_seen));
        assert!(!a.next_steps.is_empty());
    }
    // The first key creation (12:24:29) is the detection of the first access-key alert: its
    // own CreateAccessKey is before it, the second (12:24:50) after it.
    let first_key = attacker
        .iter()
        .find(|a| {
            a.rule == "access-key-created" && a.last_seen.to_string() == "2023-07-10T12:24:29Z"
        })
        .expect("the first key's alert");
    let act = first_key.activity.as_ref().unwrap();
    assert_eq!(act.before.count_of("CreateAccessKey"), 1);
    assert_eq!(act.after.count_of("CreateAccessKey"), 1);
    // Its actor is the creator (bert-jan), not the new key's user, and its rotate step names
    // the created key with the user it belongs to.
    assert!(first_key.next_steps.iter().any(|s| s.contains(
        "aws iam update-access-key --access-key-id AKIATFQR7NSC3ZO6PKAZ --status Inactive --user-name stratus-red-team-backdoor-u-user"
    )), "{:#?}", first_key.next_steps);
    // The changed resources are named: the users he created.
    let changed: Vec<&str> = act
        .before
        .changed
        .iter()
        .chain(&act.after.changed)
        .map(|c| &*c.resource)
        .collect();
    assert!(act.before.changed_total + act.after.changed_total >= changed.len());
    // The other user's console browsing is his own actor.
    assert!(alerts.iter().any(|a| a
        .activity
        .as_ref()
        .is_some_and(|x| x.actor == "arn:aws:iam::123837392027:user/benjamin")));
}

/// The second read (byte search for the actors, workers keeping their events) gives what a
/// single pass over every record, parsed, would give.
#[test]
fn second_read_equals_a_single_pass_without_prefilter() {
    let (inputs, _) = expand(&[INVICTUS.to_string()]);
    let alerts = all_rules_scan(&[INVICTUS.to_string()]);
    let mut again: Vec<Alert> = alerts.clone();
    for a in &mut again {
        a.activity = None;
    }
    let mut collector = Collector::for_alerts(&again);
    let mut everything = Vec::new();
    tripline::engine::run(
        inputs,
        &PipelineOptions::default(),
        |e| e,
        |e| everything.extend(e),
    );
    assert_eq!(everything.len(), 2900, "every record of the fixture parsed");
    for e in everything.iter().rev() {
        collector.observe(e);
    }
    collector.finish(&mut again, false);
    for (a, b) in alerts.iter().zip(&again) {
        assert_eq!(
            serde_json::to_value(&a.activity).unwrap(),
            serde_json::to_value(&b.activity).unwrap(),
            "{} {}",
            a.rule,
            a.id
        );
    }
}

fn ct_line(time: &str, user: &str, action: &str, read_only: bool) -> String {
    format!(
        r#"{{"eventVersion":"1.08","eventTime":"{time}","eventSource":"iam.amazonaws.com","eventName":"{action}","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2","readOnly":{read_only},"userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/{user}","accountId":"111122223333","accessKeyId":"AKIAEXAMPLE"}},"requestParameters":{{"userName":"made-{action}"}}}}"#
    )
}

fn alert_on(identity: &str, last_seen: &str) -> Alert {
    let t = Timestamp::parse(last_seen).unwrap();
    let mut group = Fields::default();
    group.push("identity", identity);
    Alert {
        schema: tripline::event::alert::ALERT_SCHEMA,
        id: "x".into(),
        rule: "post-auth-enumeration".into(),
        title: "t".into(),
        attack: vec![],
        severity: Severity::High,
        risk_score: 75,
        provider: Provider::Aws,
        group,
        window_start: t,
        window_end: t,
        first_seen: t,
        last_seen: t,
        count: 1,
        fields: Fields::default(),
        evidence: vec![],
        suppressed: false,
        reason: None,
        notes: vec![],
        activity: None,
        next_steps: vec![],
        incident: None,
        signals: Default::default(),
    }
}

#[test]
fn activity_lists_the_first_50_of_51_distinct_actions_with_exact_totals_split_at_last_seen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trail.jsonl");
    let mut text = String::new();
    // 51 distinct write actions, one a second from 10:00:00 (Action00 .. Action50), written
    // latest first: the order of the file must not matter. Then the same user once more,
    // one second after the detection, and another user's call.
    for i in (0..51).rev() {
        text += &ct_line(
            &format!("2024-05-06T10:00:{i:02}Z"),
            "u",
            &format!("Action{i:02}"),
            false,
        );
        text.push('\n');
    }
    text += &ct_line("2024-05-06T10:00:51Z", "u", "ListUsers", true);
    text.push('\n');
    text += &ct_line("2024-05-06T10:00:10Z", "someone-else", "DeleteUser", false);
    text.push('\n');
    std::fs::write(&path, text).unwrap();
    // Detection at 10:00:50, the time of Action50: it is "before" (up to and including).
    let mut alerts = vec![alert_on(
        "arn:aws:iam::111122223333:user/u",
        "2024-05-06T10:00:50Z",
    )];
    let inputs = vec![tripline::input::InputPath::File(path.clone())];
    let report = gather(
        &inputs,
        None,
        &mut alerts,
        &PipelineOptions::default(),
        TimeRange::default(),
    )
    .unwrap();
    let act = alerts[0].activity.as_ref().unwrap();
    assert_eq!(act.before.events, 51);
    assert_eq!(act.before.actions_total, 51);
    assert_eq!(act.before.actions.len(), 50);
    assert_eq!(&*act.before.actions[0].action, "Action00", "earliest first");
    assert_eq!(&*act.before.actions[49].action, "Action49");
    assert_eq!(act.before.writes, 51);
    assert_eq!(act.before.changed_total, 51);
    assert_eq!(act.before.changed.len(), 50);
    assert_eq!(&*act.before.changed[0].resource, "made-Action00");
    // One second after the detection: after.
    assert_eq!(act.after.events, 1);
    assert_eq!(act.after.reads, 1);
    assert_eq!(&*act.after.actions[0].action, "ListUsers");
    // The other user's record was skipped unparsed: only the actor's records were read.
    assert_eq!(report.records_parsed, 52);
    assert_eq!(report.events_kept, 52);
    // The address runs: one public address used from 10:00:00 to 10:00:51.
    assert_eq!(report.address_runs.len(), 1);
    assert_eq!(report.address_runs[0].ip, "198.51.100.7");
    assert_eq!(
        report.address_runs[0].first.to_string(),
        "2024-05-06T10:00:00Z"
    );
    assert_eq!(
        report.address_runs[0].last.to_string(),
        "2024-05-06T10:00:51Z"
    );
}

fn tripline() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tripline"))
}

/// `--since` / `--until` bound what the scan saw, so they bound the activity too: events
/// outside them count neither before nor after the detection, on both ways of gathering.
#[test]
fn activity_keeps_to_the_scans_time_bounds() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trail.jsonl");
    let text: Vec<String> = [
        "2024-05-06T09:59:59Z",
        "2024-05-06T10:00:00Z",
        "2024-05-06T10:05:00Z",
        "2024-05-06T10:09:59Z",
        "2024-05-06T10:10:00Z",
    ]
    .iter()
    .map(|t| ct_line(t, "u", "ListUsers", true))
    .collect();
    std::fs::write(&path, text.join("\n")).unwrap();
    let range = TimeRange {
        since: Timestamp::parse("2024-05-06T10:00:00Z"),
        until: Timestamp::parse("2024-05-06T10:10:00Z"),
    };
    let inputs = vec![tripline::input::InputPath::File(path.clone())];
    let mut read_again = vec![alert_on(
        "arn:aws:iam::111122223333:user/u",
        "2024-05-06T10:05:00Z",
    )];
    gather(
        &inputs,
        None,
        &mut read_again,
        &PipelineOptions::default(),
        range,
    )
    .unwrap();
    let act = read_again[0].activity.as_ref().unwrap();
    assert_eq!((act.before.events, act.after.events), (2, 1));

    // The same through the events an all-rules scan kept.
    let sel = build(&[], &[], &tripline::config::Config::default()).unwrap();
    let opts = ScanOptions {
        keep: Keep::Everything,
        ..ScanOptions::default()
    };
    let mut result = scan(inputs.clone(), sel.rules, &opts).unwrap();
    let mut kept = vec![alert_on(
        "arn:aws:iam::111122223333:user/u",
        "2024-05-06T10:05:00Z",
    )];
    gather(
        &inputs,
        result.kept.as_mut(),
        &mut kept,
        &PipelineOptions::default(),
        range,
    )
    .unwrap();
    assert_eq!(
        serde_json::to_value(&kept[0].activity).unwrap(),
        serde_json::to_value(&read_again[0].activity).unwrap()
    );
}

/// Standard input cannot be read twice: its activity comes from what the scan kept (only
/// the discovery rules run here, so only discovery calls reached the rules) and says so.
/// The same file by path is read a second time: complete, not marked.
#[test]
fn stdin_activity_is_marked_partial() {
    let file = std::fs::read_dir(INVICTUS)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.to_string_lossy()
                .ends_with("20230710T1145Z_s7dpHbl38neqZbm2.json")
        })
        .unwrap();
    let mut child = tripline()
        .args([
            "scan", "--state", ":memory:", "--output", "jsonl", "--rules",
        ])
        .arg("cloud-discovery-burst,cloud-discovery-sliding")
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&std::fs::read(&file).unwrap())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let alerts: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!alerts.is_empty());
    for a in &alerts {
        assert_eq!(a["schema"], "tripline.alert/2");
        assert_eq!(a["activity"]["partial"], true, "{a}");
    }
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("activity from standard input is partial")
    );
    // The same file by path: complete, so not marked.
    let out = tripline()
        .args(["scan", "--state", ":memory:", "--output", "jsonl"])
        .arg(&file)
        .output()
        .unwrap();
    for l in String::from_utf8(out.stdout).unwrap().lines() {
        let a: serde_json::Value = serde_json::from_str(l).unwrap();
        assert!(a["activity"].get("partial").is_none(), "{a}");
    }
    // Every rule on standard input: the scan parses every record, keeps each event's
    // activity fields as it goes, and the activity is complete without a second read.
    let mut child = tripline()
        .args(["scan", "--state", ":memory:", "--output", "jsonl", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(&std::fs::read(&file).unwrap())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let alerts = jsonl(&String::from_utf8(out.stdout).unwrap());
    assert!(!alerts.is_empty());
    for a in &alerts {
        assert!(a["activity"].get("partial").is_none(), "{a}");
        assert!(
            a["activity"]["before"]["events"].as_u64().unwrap() > 0,
            "{a}"
        );
    }
    assert!(!String::from_utf8_lossy(&out.stderr).contains("partial"));
}

fn investigate(args: &[&str]) -> (i32, String, String) {
    let out = tripline().arg("investigate").args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn jsonl(s: &str) -> Vec<serde_json::Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn investigate_invictus_by_identity_key_and_source_ip() {
    let (code, out, err) = investigate(&["--identity", BERT, "--output", "jsonl", INVICTUS]);
    assert_eq!(code, 0, "{err}");
    let events = jsonl(&out);
    assert_eq!(events.len(), 2641);
    let creates = events
        .iter()
        .filter(|e| e["event"]["action"] == "CreateUser")
        .count();
    assert_eq!(creates, 4);
    assert!(
        events.iter().all(|e| e["access"] != "unknown"),
        "every CloudTrail record says readOnly"
    );
    let times: Vec<&str> = events
        .iter()
        .map(|e| e["event"]["time"].as_str().unwrap())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "a timeline: in time order"
    );

    let (code, out, _) = investigate(&[
        "--key",
        "AKIATFQR7NSC8Q4X20BJ",
        "--output",
        "jsonl",
        INVICTUS,
    ]);
    assert_eq!(code, 0);
    assert_eq!(jsonl(&out).len(), 2102);
    // A key created in the data: its creation is its whole timeline.
    let (_, out, _) = investigate(&[
        "--key",
        "AKIATFQR7NSCQLA2F4OD",
        "--output",
        "jsonl",
        INVICTUS,
    ]);
    let created = jsonl(&out);
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["event"]["action"], "CreateAccessKey");

    let (code, out, _) = investigate(&["--source-ip", "3.225.16.109", INVICTUS]);
    assert_eq!(code, 0);
    assert!(
        out.contains("stratus-red-team-ec2-steal-credentials-role/i-0dbc91f429e48eeed"),
        "{out}"
    );
    let rows = out
        .lines()
        .filter(|l| l.starts_with("2023-07-10T") && l.contains(" 3.225.16.109 "))
        .count();
    assert_eq!(rows, 13, "{out}");

    // --from / --to bound the timeline: [from, to).
    let (_, out, _) = investigate(&[
        "--identity",
        BERT,
        "--from",
        "2023-07-10T12:24:29Z",
        "--to",
        "2023-07-10T12:24:50Z",
        "--output",
        "jsonl",
        INVICTUS,
    ]);
    let window = jsonl(&out);
    assert!(window
        .iter()
        .any(|e| e["event"]["time"] == "2023-07-10T12:24:29Z"));
    assert!(window
        .iter()
        .all(|e| e["event"]["time"] != "2023-07-10T12:24:50Z"));
}

#[test]
fn investigate_groups_a_role_by_session_and_escapes_hostile_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.jsonl");
    let line = |t: &str, session: &str, ua: &str| {
        format!(
            r#"{{"eventVersion":"1.08","eventTime":"{t}","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.5","userAgent":"{ua}","readOnly":true,"userIdentity":{{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/Deploy/{session}","accountId":"1"}}}}"#
        )
    };
    std::fs::write(
        &path,
        [
            line("2024-05-06T10:00:00Z", "run-1", "ok"),
            line("2024-05-06T10:01:00Z", "run-2", "evil\\u001b[2J\\u202e"),
        ]
        .join("\n"),
    )
    .unwrap();
    let p = path.to_str().unwrap();
    let (code, out, err) = investigate(&["--identity", "arn:aws:iam::1:role/Deploy", p]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("Deploy/run-1") && out.contains("Deploy/run-2"),
        "{out}"
    );
    assert!(!out.contains('\u{1b}') && !out.contains('\u{202e}'));
    // An unreadable path is exit 2, named; a bad time names what was expected.
    let (code, _, err) = investigate(&["--identity", "x", "/nonexistent/trail.json"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/trail.json"), "{err}");
    let (code, _, err) = investigate(&["--identity", "x", "--from", "yesterday", p]);
    assert_eq!(code, 2);
    assert!(err.contains("--from") && err.contains("RFC 3339"), "{err}");
    let (code, _, _) = investigate(&["--identity", "x", "--key", "y", p]);
    assert_eq!(code, 2, "one target only");
}

fn events_of(path: &str) -> Vec<tripline::event::Event> {
    let (inputs, errors) = expand(&[path.to_string()]);
    assert!(errors.is_empty());
    let mut all = Vec::new();
    tripline::engine::run(
        inputs,
        &PipelineOptions::default(),
        |e| e,
        |e| all.extend(e),
    );
    all
}

/// In the Sentinel excerpt, 17 ConsoleLogin rows: MFAUsed Yes ×3, No ×14 (a python pass
/// over the AdditionalEventData column).
const SENTINEL_MFA: (usize, usize, usize) = (3, 14, 0);

/// Sign-ins say whether MFA was used: CloudTrail's `MFAUsed` (raw and Sentinel shapes),
/// Entra's `authenticationRequirement`; and the actor's activity counts them.
#[test]
fn sign_ins_carry_mfa_and_activity_counts_them() {
    // Stratus Red Team's console login without MFA (raw CloudTrail): "MFAUsed": "No".
    let stratus = events_of(
        "tests/fixtures/stratus-red-team/aws.initial-access.console-login-without-mfa.json",
    );
    let logins: Vec<_> = stratus
        .iter()
        .filter(|e| e.action == "ConsoleLogin")
        .collect();
    assert!(!logins.is_empty());
    assert!(logins.iter().all(|e| e.mfa == Some(false)));
    assert!(stratus
        .iter()
        .filter(|e| e.action != "ConsoleLogin")
        .all(|e| e.mfa.is_none()));
    // Sentinel AWSCloudTrail rows: MFAUsed inside the AdditionalEventData column.
    let sentinel = events_of(
        "tests/fixtures/azure-sentinel/AWS_CloudTrail_Authentication_IngestedLogs.excerpt.csv",
    );
    let mfa = |v: Option<bool>| {
        sentinel
            .iter()
            .filter(|e| e.action == "ConsoleLogin" && e.mfa == v)
            .count()
    };
    assert_eq!((mfa(Some(true)), mfa(Some(false)), mfa(None)), SENTINEL_MFA);
    // Sentinel SigninLogs rows: AuthenticationRequirement singleFactorAuthentication ×3.
    let entra = events_of("tests/fixtures/azure-sentinel/SigninLogs_sign-in_adelete.excerpt.csv");
    assert_eq!(entra.len(), 3);
    assert!(entra.iter().all(|e| e.mfa == Some(false)));
    // The invictus attacker signed in to the console once, with MFA ("MFAUsed": "Yes").
    let alerts = all_rules_scan(&[INVICTUS.to_string()]);
    let bert = alerts
        .iter()
        .filter_map(|a| a.activity.as_ref())
        .find(|x| x.actor == BERT)
        .unwrap();
    assert_eq!(bert.before.mfa_sign_ins + bert.after.mfa_sign_ins, 1);
    assert_eq!(
        bert.before.single_factor_sign_ins + bert.after.single_factor_sign_ins,
        0
    );
}

/// CloudTrail S3 data events name the object read (`requestParameters.key`), not only its
/// bucket: the OTRF exfiltration through an EC2 proxy read `ring.txt` twice.
#[test]
fn cloudtrail_object_reads_name_the_object() {
    let otrf = "tests/fixtures/otrf/ec2_proxy_s3_exfiltration_2020-09-14011940.json";
    let reads: Vec<_> = events_of(otrf)
        .into_iter()
        .filter(|e| e.action == "GetObject")
        .collect();
    assert_eq!(reads.len(), 2);
    for e in &reads {
        assert_eq!(e.resource, "mordors3stack-s3bucket-llp2yingx64a");
        assert_eq!(e.object, "ring.txt");
    }
    let alerts = all_rules_scan(&[otrf.to_string()]);
    let objects: Vec<&str> = alerts
        .iter()
        .filter_map(|a| a.activity.as_ref())
        .flat_map(|x| {
            x.before
                .objects_read
                .values
                .iter()
                .chain(&x.after.objects_read.values)
                .map(|v| &**v)
        })
        .collect();
    assert!(
        objects
            .iter()
            .any(|o| *o == "mordors3stack-s3bucket-llp2yingx64a/ring.txt"),
        "{objects:?}"
    );
}
