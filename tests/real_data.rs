//! Every log sample in ../shared/data (real public logs, see its PROVENANCE.md) normalizes
//! with zero skipped records, except the records that PROVENANCE.md says are broken on
//! purpose, listed here one by one with the reason. When ../shared/data is absent (a
//! checkout without the shared folder) the test says so and passes; CI always has it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tripline::engine::{collect, PipelineOptions};

const DATA: &str = "../shared/data";

/// (file, skipped records, why). Everything not listed must have zero.
const EXPECTED_SKIPS: &[(&str, u64, &str)] = &[
    // Panther rule tests are "normalised, not raw": 16 have no eventTime at all, 3 are
    // fragments with no time and no CloudTrail identity (PROVENANCE §7), 1 carries only
    // eventName and nothing else.
    ("panther-analysis/rule_tests_aws_cloudtrail.ndjson", 20, "no eventTime / fragments"),
    ("panther-analysis/rule_tests_aws_s3serveraccess.ndjson", 5, "fields without a time"),
    ("panther-analysis/rule_tests_azure_monitoractivity.ndjson", 35, "kube-audit and activity tests without a time"),
    ("panther-analysis/rule_tests_gcp_auditlog.ndjson", 55, "methodName-only fragments, \"...\" placeholders"),
    ("panther-analysis/rule_tests_gcp_http_lb.ndjson", 1, "no timestamp"),
    // StreamAlert cases "use placeholder values (\"eventTime\": \"eventTime\", \"...\")" (§1.5).
    ("streamalert-tests/rules/classifier/cloudtrail/cloudtrail_events.json", 1, "placeholder eventTime"),
    ("streamalert-tests/rules/classifier/cloudwatch/cloudwatch_cloudtrail.json", 1, "eventTime \"foo\""),
    ("streamalert-tests/rules/community/cloudtrail/cloudtrail_aws_config.json", 3, "eventTime \"...\""),
    ("streamalert-tests/rules/community/cloudwatch_events/cloudtrail_network_acl_ingress_anywhere.json", 2, "placeholders"),
    ("streamalert-tests/rules/community/cloudwatch_events/cloudtrail_put_bucket_acl.json", 2, "placeholders"),
    ("streamalert-tests/rules/community/cloudwatch_events/cloudtrail_put_object_acl_public.json", 4, "placeholders, userAgent as an array"),
    ("streamalert-tests/rules/community/cloudwatch_events/cloudtrail_root_account_usage.json", 2, "placeholders"),
    // A GuardDuty finding is not one of SPEC §2's formats.
    ("streamalert-tests/rules/community/guardduty/guard_duty_all.json", 1, "GuardDuty finding"),
    // Okta System Log and VPC flow logs are not SPEC §2 formats.
    ("panther-analysis/test_scenarios/compromised-root-creds/attacker_okta.ndjson", 2, "Okta"),
    ("panther-analysis/test_scenarios/compromised-root-creds/victim_okta.ndjson", 1, "Okta"),
    ("panther-analysis/test_scenarios/compromised-root-creds/attacker_vpc.log", 1, "VPC flow log: rejected as a file"),
];

fn is_log(p: &Path) -> bool {
    let s = p.to_string_lossy();
    let skip = [
        "maxmind-test-db",
        "/ocsf/",
        "sigma-",
        "LICENSE",
        "README",
        "PROVENANCE",
        "correlation_rules",
    ];
    !skip.iter().any(|k| s.contains(k)) && !s.ends_with(".md") && !s.ends_with(".yml")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if is_log(&p) {
            out.push(p);
        }
    }
}

#[test]
fn every_shared_log_sample_normalizes() {
    if !Path::new(DATA).exists() {
        eprintln!("SKIPPED: {DATA} is not present beside this checkout; nothing to check");
        return;
    }
    let mut files = Vec::new();
    walk(Path::new(DATA), &mut files);
    files.sort();
    assert!(
        files.len() >= 100,
        "expected the shared samples, found {}",
        files.len()
    );
    let expected: BTreeMap<&str, u64> = EXPECTED_SKIPS.iter().map(|(f, n, _)| (*f, *n)).collect();
    let mut problems = Vec::new();
    let mut total_events = 0;
    for f in &files {
        let rel = f.strip_prefix(DATA).unwrap().to_string_lossy().into_owned();
        let (events, summary) = collect(
            &[f.to_string_lossy().into_owned()],
            &PipelineOptions {
                threads: 1,
                ..Default::default()
            },
        );
        total_events += events.len();
        let skipped = summary.bad_total() + summary.file_errors.len() as u64;
        let want = expected.get(rel.as_str()).copied().unwrap_or(0);
        if skipped != want {
            problems.push(format!(
                "{rel}: skipped {skipped}, expected {want}\n{summary}"
            ));
        }
        if want == 0 && events.is_empty() {
            problems.push(format!("{rel}: no events"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(total_events > 4500, "{total_events}");
}
