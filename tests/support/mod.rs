//! Helpers shared by the rule tests: real log shapes written to temporary files, then
//! scanned through the whole pipeline (readers, normalizers, ordering, rules).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use tripline::engine::scan::{scan, ScanOptions};
use tripline::event::Alert;
use tripline::input::InputPath;
use tripline::rules::registry::build;

/// Writes each file's lines to its own file in a temporary folder, which lives as long as
/// the returned guard.
pub fn write_parts(files: &[Vec<String>]) -> (tempfile::TempDir, Vec<InputPath>) {
    let dir = tempfile::tempdir().unwrap();
    let mut inputs = Vec::new();
    for (i, lines) in files.iter().enumerate() {
        let p: PathBuf = dir.path().join(format!("part-{i:03}.json"));
        std::fs::write(&p, lines.join("\n") + "\n").unwrap();
        inputs.push(InputPath::File(p));
    }
    (dir, inputs)
}

/// A deterministic shuffle (xorshift from `state`), then a split into `parts` files by
/// `seed`.
pub fn shuffle_and_split(
    mut lines: Vec<String>,
    state: u64,
    seed: u64,
    parts: usize,
) -> Vec<Vec<String>> {
    let mut state = state | 1;
    for i in (1..lines.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        lines.swap(i, (state % (i as u64 + 1)) as usize);
    }
    let mut files: Vec<Vec<String>> = vec![Vec::new(); parts];
    for (i, l) in lines.into_iter().enumerate() {
        files[(i * 7 + (seed as usize % 5)) % parts].push(l);
    }
    files
}

/// A raw CloudTrail record, as in an S3 delivery file or JSON lines.
pub fn ct(time: &str, name: &str, arn: &str, account: &str, region: &str, ip: &str) -> String {
    let identity = if arn.is_empty() {
        format!(
            r#"{{"type":"IAMUser","principalId":"AIDAX","accountId":"{account}","userName":"bob"}}"#
        )
    } else {
        format!(
            r#"{{"type":"IAMUser","principalId":"AIDAX","arn":"{arn}","accountId":"{account}","accessKeyId":"AKIAX"}}"#
        )
    };
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{identity},"eventTime":"{time}","eventSource":"ec2.amazonaws.com","eventName":"{name}","awsRegion":"{region}","sourceIPAddress":"{ip}","userAgent":"aws-cli/2.15.0","requestParameters":null,"responseElements":null,"requestID":"r","eventID":"{}","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"{account}","eventCategory":"Management"}}"#,
        event_id(time, name, arn, account, ip)
    )
}

/// A raw CloudTrail call signed with a long-term access key, with its own event id (`n`).
#[allow(clippy::too_many_arguments)]
pub fn ct_with_key(
    time: &str,
    name: &str,
    arn: &str,
    account: &str,
    region: &str,
    ip: &str,
    key: &str,
    n: usize,
) -> String {
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","principalId":"AIDAX","arn":"{arn}","accountId":"{account}","accessKeyId":"{key}"}},"eventTime":"{time}","eventSource":"ec2.amazonaws.com","eventName":"{name}","awsRegion":"{region}","sourceIPAddress":"{ip}","userAgent":"aws-cli/2.15.0","requestParameters":null,"responseElements":null,"requestID":"r","eventID":"ev-{n}","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"{account}","eventCategory":"Management"}}"#
    )
}

/// The same call as a row of the Sentinel `AWSCloudTrail` table (JSON lines export).
pub fn sentinel_ct(
    time: &str,
    name: &str,
    arn: &str,
    account: &str,
    region: &str,
    ip: &str,
) -> String {
    format!(
        r#"{{"TimeGenerated":"{time}","EventName":"{name}","EventSource":"ec2.amazonaws.com","UserIdentityArn":"{arn}","UserIdentityAccountId":"{account}","AWSRegion":"{region}","SourceIpAddress":"{ip}","UserAgent":"aws-cli/2.15.0","AwsEventId":"{}","Type":"AWSCloudTrail"}}"#,
        event_id(time, name, arn, account, ip)
    )
}

/// A row of the Sentinel `AzureActivity` table.
pub fn azure(
    time: &str,
    op: &str,
    status: &str,
    caller: &str,
    sub: &str,
    rg: &str,
    ip: &str,
) -> String {
    format!(
        r#"{{"TimeGenerated":"{time}","OperationNameValue":"{op}","ActivityStatusValue":"{status}","Caller":"{caller}","CallerIpAddress":"{ip}","ResourceGroup":"{rg}","SubscriptionId":"{sub}","EventDataId":"{}","Type":"AzureActivity"}}"#,
        event_id(time, op, status, caller, ip)
    )
}

fn event_id(a: &str, b: &str, c: &str, d: &str, e: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (a, b, c, d, e).hash(&mut h);
    format!("{:016x}", h.finish())
}

/// `2024-05-06T10:MM:SS` plus `s` seconds from 10:00:00.
pub fn at(secs_after_ten: i64) -> String {
    let t = tripline::event::Timestamp::parse("2024-05-06T10:00:00Z").unwrap();
    tripline::event::Timestamp(t.0 + secs_after_ten * 1_000_000_000).to_string()
}

pub struct Scanned {
    pub alerts: Vec<Alert>,
    _dir: tempfile::TempDir,
}

impl Scanned {
    pub fn of(&self, rule: &str) -> Vec<&Alert> {
        self.alerts.iter().filter(|a| a.rule == rule).collect()
    }
    pub fn field(a: &Alert, k: &str) -> serde_json::Value {
        a.fields.get(k).cloned().unwrap_or(serde_json::Value::Null)
    }
}

/// Writes each file's lines and scans them all with the given rules.
pub fn scan_files(files: &[Vec<String>], rules: &[&str]) -> Scanned {
    scan_files_with(files, rules, &BTreeMap::new())
}

pub fn scan_files_with(
    files: &[Vec<String>],
    rules: &[&str],
    overrides: &BTreeMap<String, toml::Table>,
) -> Scanned {
    scan_files_budget(files, rules, overrides, None)
}

/// As `scan_files_with`, holding at most `budget` events in memory before sorted runs spill
/// to disk (`--sort-budget`).
pub fn scan_files_budget(
    files: &[Vec<String>],
    rules: &[&str],
    overrides: &BTreeMap<String, toml::Table>,
    budget: Option<usize>,
) -> Scanned {
    let cfg = tripline::config::Config {
        rules: overrides.clone(),
        ..Default::default()
    };
    let (dir, inputs) = write_parts(files);
    let only: Vec<String> = rules.iter().map(|s| s.to_string()).collect();
    let sel = build(&only, &[], &cfg).unwrap();
    let mut opts = ScanOptions::default();
    if let Some(b) = budget {
        opts.run_events = b;
    }
    let result = scan(inputs, sel.rules, &opts).unwrap();
    Scanned {
        alerts: result.alerts,
        _dir: dir,
    }
}

pub fn scan_lines(lines: &[String], rules: &[&str]) -> Scanned {
    scan_files(&[lines.to_vec()], rules)
}
