//! SPEC §7: `scan` results never depend on the order of files or records. Shuffling
//! records, or splitting them across files in any way, never changes the alerts or their
//! ids (every field but `evidence`, which names files and lines).

mod support;
use proptest::prelude::*;
use support::*;

const NAMES: [&str; 8] = [
    "DescribeInstances",
    "ListBuckets",
    "DescribeVpcs",
    "GetCallerIdentity",
    "ListRoles",
    "DescribeSubnets",
    "ListFunctions20150331",
    "PutObject",
];
const WHO: [&str; 3] = [
    "arn:aws:iam::123456789012:user/alice",
    "arn:aws:iam::123456789012:user/bob",
    "arn:aws:sts::123456789012:assumed-role/ci/run-1",
];

const AGENTS: [&str; 4] = [
    "aws-cli/2.15.0",
    "APN/1.0 HashiCorp/1.0 Terraform/1.1.2 (+https://www.terraform.io) terraform-provider-aws/3.76.1",
    "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux",
    "console.amazonaws.com",
];

/// The record with another user agent.
fn with_agent(line: &str, agent: &str) -> String {
    line.replace(
        r#""userAgent":"aws-cli/2.15.0""#,
        &format!(r#""userAgent":"{agent}""#),
    )
}

fn comparable(s: &Scanned) -> Vec<serde_json::Value> {
    s.alerts
        .iter()
        .map(|a| {
            let mut v = serde_json::to_value(a).unwrap();
            v.as_object_mut().unwrap().remove("evidence");
            // Signals are never printed, but tuning decides on them: they must not depend
            // on the order either.
            v["signals"] = serde_json::to_value(&a.signals).unwrap();
            v
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn shuffling_and_splitting_never_change_alerts(
        calls in prop::collection::vec((0usize..8, 0usize..3, 0usize..2, 0usize..4), 20..120),
        seed in any::<u64>(),
        parts in 1usize..6,
    ) {
        // Distinct, increasing event times (SPEC orders ties by origin, which splitting changes).
        // Several user agents, so the alerts' signals (first appearance) have an order to keep.
        let lines: Vec<String> = calls.iter().enumerate().map(|(i, (n, w, region, agent))| {
            with_agent(&ct(&at(i as i64 * 37), NAMES[*n], WHO[*w], "123456789012", ["eu-west-1", "us-east-1"][*region], "198.51.100.7"), AGENTS[*agent])
        }).collect();
        let rules = ["cloud-discovery-burst", "cloud-discovery-sliding"];
        let reference = comparable(&scan_lines(&lines, &rules));

        // A deterministic shuffle from the seed, then a split into `parts` files.
        let files = shuffle_and_split(lines.clone(), seed, seed, parts);
        let split = comparable(&scan_files(&files, &rules));
        prop_assert_eq!(&reference, &split);
        // The same through the spill path: a few dozen events in memory, the rest on disk.
        let spilled = comparable(&scan_files_budget(&files, &rules, &Default::default(), Some(24)));
        prop_assert_eq!(reference, spilled);
    }
}

#[test]
fn reversed_files_and_records_give_the_same_alerts_and_ids() {
    // A CloudTrail bucket walk reads one region's month before the next region's: here the
    // later file comes first and each file is reversed.
    let lines: Vec<String> = (0..90)
        .map(|i| {
            ct(
                &at(i * 20),
                NAMES[i as usize % 6],
                WHO[i as usize % 2],
                "123456789012",
                "eu-west-1",
                "198.51.100.7",
            )
        })
        .collect();
    let rules = ["cloud-discovery-burst", "cloud-discovery-sliding"];
    let reference = comparable(&scan_lines(&lines, &rules));
    assert!(
        reference.len() >= 4,
        "the input must raise alerts for this test to mean anything: {}",
        reference.len()
    );
    let mut first: Vec<String> = lines[..45].to_vec();
    let mut second: Vec<String> = lines[45..].to_vec();
    first.reverse();
    second.reverse();
    let files = [second, first];
    assert_eq!(reference, comparable(&scan_files(&files, &rules)));
    let spilled = scan_files_budget(&files, &rules, &Default::default(), Some(24));
    assert_eq!(reference, comparable(&spilled), "sorted on disk");
}
