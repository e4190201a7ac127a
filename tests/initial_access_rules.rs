//! The initial-access rules of SPEC §4 at their edges, over real record shapes written to
//! files and scanned through the whole pipeline: `password-spray`, `bucket-enumeration`,
//! `tenant-enumeration`, `legacy-auth-signin`, `anonymizer-signin`, `external-object-read`.
//! "Within w" is u − w < t ≤ u: records exactly a window apart are not within it.

#[path = "support/initial_access.rs"]
mod ia;
mod support;

use ia::*;
use serde_json::json;
use support::at;
use tripline::event::Alert;

const IP: &str = "203.0.113.50";
const IP2: &str = "198.51.100.20";

fn upn(i: usize) -> String {
    format!("user{i}@contoso.com")
}

// ---------------------------------------------------------------------------------------
// password-spray

const SPRAY: &str = "password-spray";

fn spray(lines: &[String]) -> Vec<Alert> {
    run(lines, SPRAY, &config(&[], &[]))
}

/// A wrong-password sign-in (Entra 50126).
fn fail(s: i64, account: &str, ip: &str) -> String {
    entra(&at(s), account, ip, 50126, "Browser")
}

/// `n` failures 10 s apart from `ip`, cycling through `accounts` distinct accounts.
fn failures(n: usize, accounts: usize, ip: &str) -> Vec<String> {
    (0..n)
        .map(|i| fail(i as i64 * 10, &upn(i % accounts), ip))
        .collect()
}

#[test]
fn spray_5_failures_are_not_enough_and_6_are() {
    assert!(spray(&failures(5, 5, IP)).is_empty());
    let a = spray(&failures(6, 6, IP));
    assert_eq!(a.len(), 1, "{a:?}");
    let a = &a[0];
    assert_eq!(field(a, "Failures"), json!(6));
    assert_eq!(field(a, "DistinctAccounts"), json!(6));
    assert_eq!(field(a, "SourceIP"), json!(IP));
    assert_eq!(a.count, 6);
    assert_eq!((a.severity.as_str(), a.risk_score), ("high", 75));
    assert_eq!(a.attack, vec!["T1110.003", "T1110.004"]);
    assert_eq!(a.group.0, vec![("source_ip".to_string(), json!(IP))]);
    assert_eq!(a.provider.as_str(), "azure");
    assert_eq!(a.window_start.to_string(), "2024-05-06T10:00:00Z");
    assert_eq!(a.window_end.to_string(), "2024-05-06T10:00:50Z");
    assert_eq!(field(a, "FirstSeen"), json!("2024-05-06T10:00:00Z"));
    assert_eq!(field(a, "LastSeen"), json!("2024-05-06T10:00:50Z"));
    assert_eq!(field(a, "Providers"), json!(["azure"]));
    assert_eq!(a.evidence.len(), 6);
}

#[test]
fn spray_3_accounts_are_not_enough_and_4_are() {
    assert!(spray(&failures(6, 3, IP)).is_empty());
    assert!(
        spray(&failures(12, 3, IP)).is_empty(),
        "many failures on 3 accounts"
    );
    let a = spray(&failures(6, 4, IP));
    assert_eq!(a.len(), 1);
    assert_eq!(field(&a[0], "DistinctAccounts"), json!(4));
    assert_eq!(
        field(&a[0], "AccountList"),
        json!([upn(0), upn(1), upn(2), upn(3)])
    );
}

/// Six failures on six accounts, the last `last` seconds after the first.
fn spread(last: i64) -> Vec<String> {
    let mut lines: Vec<String> = (0..5).map(|i| fail(i * 60, &upn(i as usize), IP)).collect();
    lines.push(fail(last, &upn(5), IP));
    lines
}

#[test]
fn spray_window_is_9_59_in_and_10_00_out() {
    assert_eq!(
        spray(&spread(599)).len(),
        1,
        "9:59 apart is within 10 minutes"
    );
    assert!(
        spray(&spread(600)).is_empty(),
        "exactly 10:00 apart is not within 10 minutes"
    );
    assert!(spray(&spread(601)).is_empty(), "10:01 apart");
}

#[test]
fn spray_interrupts_and_successes_are_not_failures() {
    let mut lines = failures(5, 5, IP);
    for (i, code) in [50074u32, 50076, 50140, 0].into_iter().enumerate() {
        lines.push(entra(&at(60 + i as i64), &upn(10 + i), IP, code, "Browser"));
    }
    assert!(
        spray(&lines).is_empty(),
        "MFA and KMSI interrupts and successes do not count"
    );
    // Any listed credential failure does: 50053 (locked), 50057 (disabled).
    let mut more = lines.clone();
    more.push(entra(&at(70), &upn(20), IP, 50053, "Browser"));
    let a = spray(&more);
    assert_eq!(a.len(), 1);
    assert_eq!(field(&a[0], "Failures"), json!(6));
    let mut other = lines;
    other.push(entra(&at(70), &upn(20), IP, 50057, "Browser"));
    assert_eq!(spray(&other).len(), 1);
    // 50058 (session information not sufficient) is not in the default list.
    let mut not_listed = failures(5, 5, IP);
    not_listed.push(entra(&at(70), &upn(20), IP, 50058, "Browser"));
    assert!(spray(&not_listed).is_empty());
}

#[test]
fn spray_technique_is_spraying_up_to_a_median_of_2_then_stuffing() {
    // 8 accounts once each: median 1.
    let a = spray(&failures(8, 8, IP));
    assert_eq!(field(&a[0], "Technique"), json!("spraying"));
    // 4 accounts twice each: median 2, still spraying.
    let a = spray(&failures(8, 4, IP));
    assert_eq!(field(&a[0], "Technique"), json!("spraying"));
    assert_eq!(field(&a[0], "MedianFailuresPerAccount"), json!(2.0));
    // Counts 2, 2, 3, 3: median 2.5, stuffing.
    let counts = [2, 2, 3, 3];
    let mut lines = Vec::new();
    let mut s = 0;
    for (acct, n) in counts.iter().enumerate() {
        for _ in 0..*n {
            lines.push(fail(s, &upn(acct), IP));
            s += 5;
        }
    }
    let a = spray(&lines);
    assert_eq!(a.len(), 1);
    assert_eq!(field(&a[0], "Technique"), json!("stuffing"));
    assert_eq!(field(&a[0], "MedianFailuresPerAccount"), json!(2.5));
    // 4 accounts three times each: median 3.
    let a = spray(&failures(12, 4, IP));
    assert_eq!(field(&a[0], "Technique"), json!("stuffing"));
}

#[test]
fn spray_accounts_are_case_folded_and_listed_as_first_logged() {
    let names = [
        "Alice@Contoso.com",
        "alice@contoso.com",
        "ALICE@CONTOSO.COM",
        "bob@contoso.com",
        "carol@contoso.com",
        "Bob@contoso.com",
    ];
    let lines: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, n)| fail(i as i64 * 10, n, IP))
        .collect();
    assert!(spray(&lines).is_empty(), "three accounts, six spellings");
    let mut more = lines;
    more.push(fail(100, "Dave@contoso.com", IP));
    let a = spray(&more);
    assert_eq!(a.len(), 1);
    assert_eq!(field(&a[0], "DistinctAccounts"), json!(4));
    assert_eq!(
        field(&a[0], "AccountList"),
        json!([
            "Alice@Contoso.com",
            "bob@contoso.com",
            "carol@contoso.com",
            "Dave@contoso.com"
        ])
    );
    // Alice 3, Bob 2, Carol 1, Dave 1: median 1.5.
    assert_eq!(field(&a[0], "Technique"), json!("spraying"));
}

#[test]
fn spray_counts_aws_console_failures_with_entra_ones() {
    let mut lines: Vec<String> = (0..3).map(|i| fail(i * 10, &upn(i as usize), IP)).collect();
    for (i, user) in ["bob", "carol", "dave"].iter().enumerate() {
        lines.push(console_login(&at(40 + i as i64 * 10), user, IP, false));
    }
    let a = spray(&lines);
    assert_eq!(a.len(), 1, "{a:?}");
    assert_eq!(field(&a[0], "Providers"), json!(["azure", "aws"]));
    assert_eq!(a[0].provider.as_str(), "other", "mixed providers");
    assert_eq!(
        field(&a[0], "AccountList"),
        json!([upn(0), upn(1), upn(2), "bob", "carol", "dave"])
    );
    // A successful console login is no failure.
    let mut with_success: Vec<String> = lines[..5].to_vec();
    with_success.push(console_login(&at(70), "erin", IP, true));
    assert!(spray(&with_success).is_empty());
    // Console failures alone.
    let aws: Vec<String> = (0..6)
        .map(|i| console_login(&at(i * 10), &format!("user{i}"), IP, false))
        .collect();
    let a = spray(&aws);
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].provider.as_str(), "aws");
}

#[test]
fn spray_counts_sentinel_rows() {
    let lines: Vec<String> = (0..6)
        .map(|i| entra_sentinel(&at(i * 10), &upn(i as usize), IP, 50126, "Browser"))
        .collect();
    assert_eq!(spray(&lines).len(), 1);
}

#[test]
fn spray_source_ips_are_counted_apart() {
    let mut lines = failures(3, 3, IP);
    lines.extend((0..3).map(|i| fail(5 + i * 10, &upn(10 + i as usize), IP2)));
    assert!(spray(&lines).is_empty());
}

#[test]
fn spray_one_alert_per_episode() {
    // A burst, failures every 9:50 that keep the episode open, then one exactly 10:00 later.
    let mut lines = failures(6, 6, IP);
    for (i, s) in [640, 1230, 1820].into_iter().enumerate() {
        lines.push(fail(s, &upn(i), IP));
    }
    lines.push(fail(2420, &upn(9), IP));
    let a = spray(&lines);
    assert_eq!(a.len(), 1, "{a:?}");
    assert_eq!(field(&a[0], "Failures"), json!(9));
    assert_eq!(field(&a[0], "PeakWindowFailures"), json!(6));
    assert_eq!(field(&a[0], "LastSeen"), json!(at(1820)));

    // Two bursts 10 minutes apart (last of the first to first of the second) are two episodes.
    let mut two = failures(6, 6, IP);
    two.extend((0..6).map(|i| fail(650 + i * 10, &upn(i as usize), IP)));
    let a = spray(&two);
    assert_eq!(a.len(), 2);
    assert_eq!(a[0].window_start.to_string(), "2024-05-06T10:00:00Z");
    assert_eq!(a[1].window_start.to_string(), "2024-05-06T10:10:50Z");
    assert_ne!(a[0].id, a[1].id);
}

#[test]
fn spray_ids_and_fields_do_not_depend_on_files_or_order() {
    let lines = failures(25, 7, IP);
    let one = spray(&lines);
    let mut reversed = lines.clone();
    reversed.reverse();
    let split = run_files(
        &[reversed[..12].to_vec(), reversed[12..].to_vec()],
        vec![rule(SPRAY, &config(&[], &[]))],
    );
    assert_eq!(one.len(), 1);
    assert_eq!(split.len(), 1);
    assert_eq!(one[0].id, split[0].id);
    assert_eq!(one[0].fields, split[0].fields);
    assert_eq!(one[0].evidence.len(), 20, "the 20 earliest records");
    assert!(
        one[0].evidence[0].ends_with("part-000.log:1"),
        "{:?}",
        one[0].evidence[0]
    );
}

#[test]
fn spray_account_list_keeps_the_first_50() {
    let lines: Vec<String> = (0..60).map(|i| fail(i as i64 * 5, &upn(i), IP)).collect();
    let a = spray(&lines);
    assert_eq!(field(&a[0], "DistinctAccounts"), json!(60));
    let list = field(&a[0], "AccountList");
    assert_eq!(list.as_array().unwrap().len(), 50);
    assert_eq!(list[0], json!(upn(0)));
    assert_eq!(list[49], json!(upn(49)));
}

#[test]
fn spray_thresholds_are_config_keys() {
    let t: toml::Table =
        toml::from_str("min_failures = 3\nmin_accounts = 2\nwindow = \"1m\"").unwrap();
    let r = rule_with(SPRAY, &config(&[], &[]), Some(&t)).unwrap();
    let lines: Vec<String> = (0..3)
        .map(|i| fail(i * 20, &upn(i as usize % 2), IP))
        .collect();
    assert_eq!(run_files(&[lines], vec![r]).len(), 1);
}

// ---------------------------------------------------------------------------------------
// bucket-enumeration

const BUCKETS: &str = "bucket-enumeration";

fn enumerate(lines: &[String]) -> Vec<Alert> {
    run(lines, BUCKETS, &config(&["acme"], &[]))
}

/// `n` failed listings a minute apart from `ip`, of buckets `acme-0`, `acme-1`...
fn listings(n: usize, prefix: &str, ip: &str) -> Vec<String> {
    (0..n)
        .map(|i| s3_list(i as i64 * 60, &format!("{prefix}-{i}"), ip, 403))
        .collect()
}

#[test]
fn buckets_10_responses_are_not_enough_and_11_are() {
    assert!(enumerate(&listings(10, "acme", IP)).is_empty());
    let a = enumerate(&listings(11, "acme", IP));
    assert_eq!(a.len(), 1, "{a:?}");
    let a = &a[0];
    assert_eq!(field(a, "Responses"), json!(11));
    assert_eq!(field(a, "SourceIP"), json!(IP));
    assert_eq!(field(a, "DistinctBuckets"), json!(11));
    assert_eq!(field(a, "Buckets")[0], json!("acme-0"));
    assert_eq!(field(a, "StatusCodes"), json!({"403": 11}));
    assert_eq!((a.severity.as_str(), a.risk_score), ("medium", 50));
    assert_eq!(a.attack, vec!["T1595.003"]);
    assert_eq!(a.provider.as_str(), "aws");
    assert_eq!(a.group.0, vec![("source_ip".to_string(), json!(IP))]);
}

#[test]
fn buckets_must_start_with_an_organisation_prefix() {
    assert!(enumerate(&listings(11, "other", IP)).is_empty());
    assert!(
        enumerate(&listings(11, "notacme", IP)).is_empty(),
        "contains the prefix but does not start with it"
    );
    let mut mixed = listings(10, "acme", IP);
    mixed.push(s3_list(700, "other-x", IP, 404));
    assert!(enumerate(&mixed).is_empty());
    // Any configured prefix matches.
    assert_eq!(
        run(
            &listings(11, "contoso", IP),
            BUCKETS,
            &config(&["acme", "contoso"], &[])
        )
        .len(),
        1
    );
}

#[test]
fn buckets_without_configured_prefixes_never_fire() {
    assert!(run(&listings(50, "acme", IP), BUCKETS, &config(&[], &[])).is_empty());
}

#[test]
fn buckets_only_403_and_404_count() {
    let mut lines = listings(10, "acme", IP);
    lines.push(s3_access(
        700,
        "acme-x",
        IP,
        "-",
        "REST.GET.BUCKET",
        "-",
        "GET /?list-type=2 HTTP/1.1",
        200,
        "-",
    ));
    lines.push(s3_access(
        701,
        "acme-y",
        IP,
        "-",
        "REST.GET.BUCKET",
        "-",
        "GET / HTTP/1.1",
        301,
        "PermanentRedirect",
    ));
    assert!(enumerate(&lines).is_empty());
    let mut both: Vec<String> = (0..6)
        .map(|i| s3_list(i * 60, &format!("acme-{i}"), IP, 403))
        .collect();
    both.extend((0..5).map(|i| s3_list(400 + i * 60, &format!("acme-missing-{i}"), IP, 404)));
    let a = enumerate(&both);
    assert_eq!(a.len(), 1);
    assert_eq!(field(&a[0], "StatusCodes"), json!({"403": 6, "404": 5}));
}

#[test]
fn buckets_only_enumeration_requests_count() {
    // An object read that is denied is not enumeration.
    let mut lines = listings(10, "acme", IP);
    lines.push(s3_access(
        700,
        "acme-data",
        IP,
        "-",
        "REST.GET.OBJECT",
        "secret.txt",
        "GET /secret.txt HTTP/1.1",
        403,
        "AccessDenied",
    ));
    assert!(enumerate(&lines).is_empty());
    // `GET /` by any operation name, and path-style listings, are.
    let mut root = listings(9, "acme", IP);
    root.push(s3_access(
        700,
        "acme-a",
        IP,
        "-",
        "REST.GET.BUCKET",
        "-",
        "GET / HTTP/1.1",
        404,
        "NoSuchBucket",
    ));
    root.push(s3_access(
        701,
        "acme-b",
        IP,
        "-",
        "REST.GET.BUCKET",
        "-",
        "GET /acme-b?list-type=2&prefix= HTTP/1.1",
        403,
        "AccessDenied",
    ));
    assert_eq!(enumerate(&root).len(), 1);
}

#[test]
fn buckets_window_is_59_59_in_and_1_hour_out() {
    let edge = |last: i64| {
        let mut lines: Vec<String> = (0..10)
            .map(|i| s3_list(i * 60, &format!("acme-{i}"), IP, 403))
            .collect();
        lines.push(s3_list(last, "acme-last", IP, 403));
        enumerate(&lines)
    };
    assert_eq!(edge(3599).len(), 1);
    assert!(
        edge(3600).is_empty(),
        "exactly one hour apart is not within an hour"
    );
    assert!(edge(3601).is_empty());
}

#[test]
fn buckets_count_cloudtrail_data_events() {
    let mut lines = listings(6, "acme", IP);
    for (i, (name, err)) in [
        ("ListObjects", "AccessDenied"),
        ("ListObjectsV2", "AccessDenied"),
        ("HeadBucket", "NoSuchBucket"),
        ("GetBucketAcl", "AccessDenied"),
        ("ListObjectsV2", "NoSuchBucket"),
    ]
    .into_iter()
    .enumerate()
    {
        lines.push(ct_s3(
            &at(400 + i as i64),
            name,
            "arn:aws:sts::999999999999:assumed-role/Scanner/s",
            IP,
            &format!("acme-ct-{i}"),
            err,
        ));
    }
    let a = enumerate(&lines);
    assert_eq!(a.len(), 1, "{a:?}");
    assert_eq!(field(&a[0], "Responses"), json!(11));
    assert_eq!(field(&a[0], "StatusCodes"), json!({"403": 9, "404": 2}));
    // An object read denied in CloudTrail, or a listing that succeeded, is not.
    let mut not = listings(10, "acme", IP);
    not.push(ct_s3(
        &at(700),
        "GetObject",
        "arn:aws:sts::999999999999:assumed-role/Scanner/s",
        IP,
        "acme-data",
        "AccessDenied",
    ));
    not.push(ct_s3(
        &at(701),
        "ListObjects",
        "arn:aws:sts::999999999999:assumed-role/Scanner/s",
        IP,
        "acme-data",
        "",
    ));
    assert!(enumerate(&not).is_empty());
}

#[test]
fn buckets_source_ips_are_counted_apart_and_episodes_close() {
    let mut lines = listings(6, "acme", IP);
    lines.extend((0..5).map(|i| s3_list(30 + i * 60, &format!("acme-{i}"), IP2, 403)));
    assert!(enumerate(&lines).is_empty());
    // Two bursts an hour apart: two alerts.
    let mut two = listings(11, "acme", IP);
    two.extend((0..11).map(|i| s3_list(600 + 3600 + i * 60, &format!("acme-{i}"), IP, 403)));
    assert_eq!(enumerate(&two).len(), 2);
}

// ---------------------------------------------------------------------------------------
// tenant-enumeration

const TENANT_ENUM: &str = "tenant-enumeration";

fn probes(n: usize, last: Option<i64>) -> Vec<String> {
    let mut lines: Vec<String> = (0..n)
        .map(|i| {
            combined(
                i as i64 * 20,
                IP,
                "POST",
                "/common/GetCredentialType?mkt=en-US",
                "python-requests/2.31.0",
            )
        })
        .collect();
    if let Some(s) = last {
        lines.push(combined(
            s,
            IP,
            "POST",
            "/common/GetCredentialType",
            "python-requests/2.31.0",
        ));
    }
    lines
}

#[test]
fn tenant_20_requests_are_not_a_burst_and_21_are() {
    let cfg = config(&[], &[]);
    assert!(run(&probes(20, None), TENANT_ENUM, &cfg).is_empty());
    let a = run(&probes(21, None), TENANT_ENUM, &cfg);
    assert_eq!(a.len(), 1, "{a:?}");
    let a = &a[0];
    assert_eq!(field(a, "Requests"), json!(21));
    assert_eq!(field(a, "SourceIP"), json!(IP));
    assert_eq!(field(a, "UserAgents"), json!(["python-requests/2.31.0"]));
    assert_eq!(field(a, "Hosts"), json!([]));
    assert_eq!((a.severity.as_str(), a.risk_score), ("medium", 50));
    assert_eq!(a.attack, vec!["T1589.002"]);
    assert_eq!(a.group.0, vec![("source_ip".to_string(), json!(IP))]);
}

#[test]
fn tenant_window_is_9_59_in_and_10_00_out() {
    let cfg = config(&[], &[]);
    // 20 requests over 0..380 s, the 21st at 0 + 599 / 600 / 601.
    assert_eq!(run(&probes(20, Some(599)), TENANT_ENUM, &cfg).len(), 1);
    assert!(run(&probes(20, Some(600)), TENANT_ENUM, &cfg).is_empty());
    assert!(run(&probes(20, Some(601)), TENANT_ENUM, &cfg).is_empty());
}

#[test]
fn tenant_matches_any_tenant_segment_case_insensitively_in_front_door_logs() {
    let paths = [
        "/common/GetCredentialType",
        "/common/getcredentialtype",
        "/contoso.onmicrosoft.com/GetCredentialType",
        "/organizations/GETCREDENTIALTYPE",
    ];
    let lines: Vec<String> = (0..21)
        .map(|i| {
            frontdoor(
                &at(i * 10),
                IP,
                "login.contoso.example",
                paths[i as usize % paths.len()],
                &format!("python-requests/2.{i}"),
            )
        })
        .collect();
    let a = run(&lines, TENANT_ENUM, &config(&[], &[]));
    assert_eq!(a.len(), 1, "{a:?}");
    assert_eq!(field(&a[0], "Hosts"), json!(["login.contoso.example"]));
    let uas = field(&a[0], "UserAgents");
    assert_eq!(
        uas.as_array().unwrap().len(),
        10,
        "the first 10 user agents"
    );
    assert_eq!(uas[0], json!("python-requests/2.0"));
    assert_eq!(a[0].provider.as_str(), "azure");
}

#[test]
fn tenant_other_paths_do_not_count() {
    let mut lines: Vec<String> = (0..30)
        .map(|i| combined(i * 5, IP, "POST", "/common/oauth2/v2.0/token", "curl/8.4.0"))
        .collect();
    lines.extend((0..30).map(|i| {
        combined(
            1 + i * 5,
            IP,
            "POST",
            "/common/GetCredentialTypeX",
            "curl/8.4.0",
        )
    }));
    lines.extend((0..30).map(|i| {
        combined(
            2 + i * 5,
            IP,
            "GET",
            "/GetCredentialType/help",
            "curl/8.4.0",
        )
    }));
    assert!(run(&lines, TENANT_ENUM, &config(&[], &[])).is_empty());
    // Split across two source IPs: 15 + 15.
    let mut split: Vec<String> = (0..15)
        .map(|i| combined(i * 5, IP, "POST", "/common/GetCredentialType", "curl/8.4.0"))
        .collect();
    split.extend((0..15).map(|i| {
        combined(
            1 + i * 5,
            IP2,
            "POST",
            "/common/GetCredentialType",
            "curl/8.4.0",
        )
    }));
    assert!(run(&split, TENANT_ENUM, &config(&[], &[])).is_empty());
}

// ---------------------------------------------------------------------------------------
// legacy-auth-signin

const LEGACY: &str = "legacy-auth-signin";

fn legacy(lines: &[String]) -> Vec<Alert> {
    run(lines, LEGACY, &config(&[], &[]))
}

#[test]
fn legacy_protocol_alerts_and_modern_or_empty_clients_do_not() {
    let a = legacy(&[entra(&at(0), "alice@contoso.com", IP, 0, "IMAP4")]);
    assert_eq!(a.len(), 1, "{a:?}");
    let a = &a[0];
    assert_eq!(field(a, "Identity"), json!("alice@contoso.com"));
    assert_eq!(field(a, "Protocol"), json!("IMAP4"));
    assert_eq!(field(a, "SignIns"), json!(1));
    assert_eq!(field(a, "SourceIPs"), json!([IP]));
    assert_eq!((a.severity.as_str(), a.risk_score), ("medium", 50));
    assert_eq!(a.attack, vec!["T1078.004"]);
    assert_eq!(
        a.group.0,
        vec![
            ("identity".to_string(), json!("alice@contoso.com")),
            ("protocol".to_string(), json!("IMAP4"))
        ]
    );
    for app in ["Browser", "Mobile Apps and Desktop clients", ""] {
        assert!(
            legacy(&[entra(&at(0), "alice@contoso.com", IP, 0, app)]).is_empty(),
            "{app:?}"
        );
    }
    // Compared case-insensitively, reported in the catalogue's spelling.
    let a = legacy(&[entra(&at(0), "alice@contoso.com", IP, 0, "imap4")]);
    assert_eq!(field(&a[0], "Protocol"), json!("IMAP4"));
    let a = legacy(&[entra_sentinel(
        &at(0),
        "dave@contoso.com",
        IP,
        0,
        "Exchange ActiveSync",
    )]);
    assert_eq!(field(&a[0], "Protocol"), json!("Exchange ActiveSync"));
    let a = legacy(&[entra(
        &at(0),
        "dave@contoso.com",
        IP,
        0,
        "Outlook Anywhere (RPC over HTTP)",
    )]);
    assert_eq!(a.len(), 1);
}

#[test]
fn legacy_failed_sign_ins_do_not_alert() {
    assert!(legacy(&[entra(&at(0), "alice@contoso.com", IP, 50126, "IMAP4")]).is_empty());
    assert!(legacy(&[entra(&at(0), "alice@contoso.com", IP, 50076, "SMTP")]).is_empty());
}

#[test]
fn legacy_one_alert_per_identity_protocol_and_utc_day() {
    let lines = vec![
        entra("2024-05-06T00:00:00Z", "Alice@Contoso.com", IP, 0, "IMAP4"),
        entra("2024-05-06T10:00:00Z", "alice@contoso.com", IP2, 0, "IMAP4"),
        entra(
            "2024-05-06T23:59:59.9999999Z",
            "ALICE@contoso.com",
            IP,
            0,
            "IMAP4",
        ),
        entra("2024-05-06T12:00:00Z", "alice@contoso.com", IP, 0, "POP3"),
        entra("2024-05-07T00:00:00Z", "alice@contoso.com", IP, 0, "IMAP4"),
    ];
    let mut a = legacy(&lines);
    a.sort_by_key(|x| (x.window_start, field(x, "Protocol").to_string()));
    assert_eq!(a.len(), 3, "{a:?}");
    assert_eq!(field(&a[0], "Protocol"), json!("IMAP4"));
    assert_eq!(field(&a[0], "SignIns"), json!(3));
    assert_eq!(
        field(&a[0], "Identity"),
        json!("Alice@Contoso.com"),
        "as first logged"
    );
    assert_eq!(field(&a[0], "SourceIPs"), json!([IP, IP2]));
    assert_eq!(a[0].window_start.to_string(), "2024-05-06T00:00:00Z");
    assert_eq!(a[0].window_end.to_string(), "2024-05-07T00:00:00Z");
    assert_eq!(
        field(&a[0], "LastSeen"),
        json!("2024-05-06T23:59:59.9999999Z")
    );
    assert_eq!(field(&a[1], "Protocol"), json!("POP3"));
    assert_eq!(a[2].window_start.to_string(), "2024-05-07T00:00:00Z");
    assert_eq!(field(&a[2], "SignIns"), json!(1));
    assert_ne!(a[0].id, a[2].id);
    // The same day's alert has the same id whatever else was scanned.
    let again = legacy(&lines[..1]);
    assert_eq!(again[0].id, a[0].id);
}

// ---------------------------------------------------------------------------------------
// anonymizer-signin

const ANON: &str = "anonymizer-signin";

const LIST: &str = "# Tor exit addresses\n185.220.101.4\n198.51.100.0/24   # a VPN provider's egress\n\nExitNode 0011BD2485AD45D984EC4159C88FC066E5E3300E\nPublished 2024-05-06 03:09:31\nLastStatus 2024-05-06 08:00:00\nExitAddress 162.247.74.201 2024-05-06 08:08:57\n";

/// Scans `lines` with the rule reading `list` from `[lists] tor_exits`.
fn anon(lines: &[String]) -> Vec<Alert> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tor-exits.txt");
    std::fs::write(&path, LIST).unwrap();
    let mut cfg = config(&[], &[]);
    cfg.lists.tor_exits = Some(path);
    run(lines, ANON, &cfg)
}

#[test]
fn anonymizer_listed_addresses_alert_and_others_do_not() {
    let a = anon(&[entra(
        &at(0),
        "alice@contoso.com",
        "185.220.101.4",
        0,
        "Browser",
    )]);
    assert_eq!(a.len(), 1, "{a:?}");
    let a = &a[0];
    assert_eq!(field(a, "Identity"), json!("alice@contoso.com"));
    assert_eq!(field(a, "SourceIP"), json!("185.220.101.4"));
    assert_eq!(field(a, "ListEntry"), json!("185.220.101.4"));
    assert_eq!((a.severity.as_str(), a.risk_score), ("high", 75));
    assert_eq!(a.attack, vec!["T1090.003"]);
    assert_eq!(a.evidence.len(), 1);
    // Miss: a neighbour of a listed address.
    assert!(anon(&[entra(
        &at(0),
        "alice@contoso.com",
        "185.220.101.5",
        0,
        "Browser"
    )])
    .is_empty());
    // A network entry, the Tor bulk-list format, and a zero-padded address as logged.
    let a = anon(&[entra(
        &at(0),
        "bob@contoso.com",
        "198.51.100.77",
        0,
        "Browser",
    )]);
    assert_eq!(field(&a[0], "ListEntry"), json!("198.51.100.0/24"));
    assert_eq!(
        anon(&[entra(
            &at(0),
            "bob@contoso.com",
            "162.247.74.201",
            0,
            "Browser"
        )])
        .len(),
        1
    );
    let a = anon(&[entra(
        &at(0),
        "bob@contoso.com",
        "185.220.101.004",
        0,
        "Browser",
    )]);
    assert_eq!(field(&a[0], "SourceIP"), json!("185.220.101.4"));
}

#[test]
fn anonymizer_only_successful_sign_ins_count() {
    assert!(anon(&[entra(
        &at(0),
        "alice@contoso.com",
        "185.220.101.4",
        50126,
        "Browser"
    )])
    .is_empty());
    assert!(anon(&[console_login(&at(0), "bob", "185.220.101.4", false)]).is_empty());
    let a = anon(&[console_login(&at(0), "bob", "162.247.74.201", true)]);
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].provider.as_str(), "aws");
    assert_eq!(
        field(&a[0], "Identity"),
        json!(format!("arn:aws:iam::{ACCT}:user/bob"))
    );
}

#[test]
fn anonymizer_one_alert_per_identity_address_and_day() {
    let lines = vec![
        entra(
            "2024-05-06T09:00:00Z",
            "alice@contoso.com",
            "185.220.101.4",
            0,
            "Browser",
        ),
        entra(
            "2024-05-06T10:00:00Z",
            "alice@contoso.com",
            "185.220.101.4",
            0,
            "Browser",
        ),
        entra(
            "2024-05-06T11:00:00Z",
            "alice@contoso.com",
            "198.51.100.9",
            0,
            "Browser",
        ),
        entra(
            "2024-05-06T12:00:00Z",
            "carol@contoso.com",
            "185.220.101.4",
            0,
            "Browser",
        ),
        entra(
            "2024-05-07T09:00:00Z",
            "alice@contoso.com",
            "185.220.101.4",
            0,
            "Browser",
        ),
    ];
    let a = anon(&lines);
    assert_eq!(a.len(), 4, "{a:?}");
    let first = a.iter().min_by_key(|x| x.first_seen).unwrap();
    assert_eq!(first.first_seen.to_string(), "2024-05-06T09:00:00Z");
    assert_eq!(first.window_start.to_string(), "2024-05-06T00:00:00Z");
    assert_eq!(first.window_end.to_string(), "2024-05-07T00:00:00Z");
    let ids: std::collections::HashSet<&str> = a.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(ids.len(), 4);
}

#[test]
fn anonymizer_without_a_list_never_fires_and_a_bad_list_is_an_error() {
    let line = entra(&at(0), "alice@contoso.com", "185.220.101.4", 0, "Browser");
    assert!(run(std::slice::from_ref(&line), ANON, &config(&[], &[])).is_empty());

    let mut cfg = config(&[], &[]);
    cfg.lists.tor_exits = Some("/nonexistent/tor-exits.txt".into());
    let err = rule_with(ANON, &cfg, None).expect_err("an unreadable list is an error");
    assert!(err.contains("/nonexistent/tor-exits.txt"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "185.220.101.4\nnot an address\n").unwrap();
    let t: toml::Table =
        toml::from_str(&format!("list_file = {:?}", bad.display().to_string())).unwrap();
    let err =
        rule_with(ANON, &config(&[], &[]), Some(&t)).expect_err("a malformed list is an error");
    assert!(err.contains("bad.txt:2:"), "{err}");

    // The rule's own `list_file` works without `[lists]`.
    let good = dir.path().join("vpn.txt");
    std::fs::write(&good, "185.220.101.4\n").unwrap();
    let t: toml::Table =
        toml::from_str(&format!("list_file = {:?}", good.display().to_string())).unwrap();
    let r = rule_with(ANON, &config(&[], &[]), Some(&t)).unwrap();
    assert_eq!(run_files(&[vec![line]], vec![r]).len(), 1);
}

// ---------------------------------------------------------------------------------------
// external-object-read

const EXTERNAL: &str = "external-object-read";
const READER: &str = "reader@acme-prod.iam.gserviceaccount.com";
const APP: &str = "arn:aws:sts::123456789012:assumed-role/App/i-0abc";

fn external(lines: &[String]) -> Vec<Alert> {
    run(
        lines,
        EXTERNAL,
        &config(&[], &["198.51.100.0/24", "35.191.0.0/16"]),
    )
}

#[test]
fn external_gcp_reads_from_outside_alert() {
    let a = external(&[gcp_get(
        &at(600),
        READER,
        "203.0.113.200",
        "acme-data",
        "reports/q1.pdf",
        0,
    )]);
    assert_eq!(a.len(), 1, "{a:?}");
    let a = &a[0];
    assert_eq!(field(a, "Identity"), json!(READER));
    assert_eq!(field(a, "SourceIP"), json!("203.0.113.200"));
    assert_eq!(field(a, "Bucket"), json!("acme-data"));
    assert_eq!(field(a, "Objects"), json!(1));
    assert_eq!((a.severity.as_str(), a.risk_score), ("medium", 50));
    assert_eq!(a.attack, vec!["T1530"]);
    assert_eq!(a.provider.as_str(), "gcp");
    assert_eq!(a.window_start.to_string(), "2024-05-06T10:00:00Z");
    assert_eq!(a.window_end.to_string(), "2024-05-06T11:00:00Z");
}

#[test]
fn external_internal_private_and_non_addresses_do_not_alert() {
    for ip in [
        "198.51.100.7",
        "35.191.4.4",
        "10.1.2.3",
        "192.168.0.1",
        "172.16.5.5",
        "127.0.0.1",
        "fd00::1",
        "gce-internal-ip",
        "private",
        "",
    ] {
        assert!(
            external(&[gcp_get(&at(0), READER, ip, "acme-data", "a", 0)]).is_empty(),
            "{ip:?}"
        );
    }
    // A denied read is no read.
    assert!(external(&[gcp_get(
        &at(0),
        READER,
        "203.0.113.200",
        "acme-data",
        "a",
        7
    )])
    .is_empty());
}

#[test]
fn external_zero_padded_addresses_are_read_as_decimal() {
    let a = external(&[gcp_get(
        &at(0),
        READER,
        "035.249.253.232",
        "acme-data",
        "a",
        0,
    )]);
    assert_eq!(a.len(), 1);
    assert_eq!(field(&a[0], "SourceIP"), json!("35.249.253.232"));
    // Zero-padded, and inside the internal 35.191.0.0/16.
    assert!(external(&[gcp_get(
        &at(0),
        READER,
        "035.191.000.010",
        "acme-data",
        "a",
        0
    )])
    .is_empty());
    assert!(external(&[gcp_get(
        &at(0),
        READER,
        "0198.051.100.007",
        "acme-data",
        "a",
        0
    )])
    .is_empty());
}

#[test]
fn external_aws_reads_from_cloudtrail_and_s3_access_logs() {
    let a = external(&[ct_s3(
        &at(0),
        "GetObject",
        APP,
        "203.0.113.9",
        "acme-data",
        "",
    )]);
    assert_eq!(a.len(), 1);
    assert_eq!(field(&a[0], "Bucket"), json!("acme-data"));
    assert_eq!(field(&a[0], "Identity"), json!(APP));
    assert_eq!(a[0].provider.as_str(), "aws");
    assert!(
        external(&[ct_s3(
            &at(0),
            "GetObject",
            APP,
            "AWS Internal",
            "acme-data",
            ""
        )])
        .is_empty(),
        "AWS Internal is no address"
    );
    assert!(external(&[ct_s3(
        &at(0),
        "GetObject",
        APP,
        "s3.amazonaws.com",
        "acme-data",
        ""
    )])
    .is_empty());
    assert!(external(&[ct_s3(
        &at(0),
        "GetObject",
        APP,
        "203.0.113.9",
        "acme-data",
        "AccessDenied"
    )])
    .is_empty());
    assert!(
        external(&[ct_s3(
            &at(0),
            "ListObjects",
            APP,
            "203.0.113.9",
            "acme-data",
            ""
        )])
        .is_empty(),
        "not an object read"
    );

    let get = |ip: &str, status: u16| {
        s3_access(
            0,
            "acme-data",
            ip,
            APP,
            "REST.GET.OBJECT",
            "reports/q1.pdf",
            "GET /reports/q1.pdf HTTP/1.1",
            status,
            if status == 200 { "-" } else { "AccessDenied" },
        )
    };
    let a = external(&[get("203.0.113.9", 200)]);
    assert_eq!(a.len(), 1);
    assert_eq!(field(&a[0], "Bucket"), json!("acme-data"));
    assert!(external(&[get("203.0.113.9", 403)]).is_empty());
    assert!(external(&[get("10.0.0.5", 200)]).is_empty());
}

#[test]
fn external_one_alert_per_identity_address_bucket_and_hour() {
    let lines = vec![
        gcp_get(&at(600), READER, "203.0.113.200", "acme-data", "a", 0),
        gcp_get(&at(3000), READER, "203.0.113.200", "acme-data", "b", 0),
        gcp_get(&at(3599), READER, "203.0.113.200", "acme-data", "c", 0),
        gcp_get(&at(3600), READER, "203.0.113.200", "acme-data", "d", 0),
        gcp_get(&at(700), READER, "203.0.113.200", "acme-logs", "a", 0),
        gcp_get(
            &at(800),
            "other@example.com",
            "203.0.113.200",
            "acme-data",
            "a",
            0,
        ),
        gcp_get(&at(900), READER, "203.0.113.201", "acme-data", "a", 0),
    ];
    let a = external(&lines);
    assert_eq!(a.len(), 5, "{a:?}");
    let main: Vec<&Alert> = a
        .iter()
        .filter(|x| {
            field(x, "Identity") == json!(READER)
                && field(x, "Bucket") == json!("acme-data")
                && field(x, "SourceIP") == json!("203.0.113.200")
        })
        .collect();
    assert_eq!(main.len(), 2);
    assert_eq!(field(main[0], "Objects"), json!(3));
    assert_eq!(field(main[0], "FirstSeen"), json!(at(600)));
    assert_eq!(field(main[0], "LastSeen"), json!(at(3599)));
    assert_eq!(main[1].window_start.to_string(), "2024-05-06T11:00:00Z");
    assert_eq!(field(main[1], "Objects"), json!(1));
}

// ---------------------------------------------------------------------------------------
// all six together

#[test]
fn the_six_rules_run_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("tor.txt");
    std::fs::write(&list, "185.220.101.4\n").unwrap();
    let mut cfg = config(&["acme"], &["10.0.0.0/8"]);
    cfg.lists.tor_exits = Some(list);
    let rules = [
        "password-spray",
        "bucket-enumeration",
        "tenant-enumeration",
        "legacy-auth-signin",
        "anonymizer-signin",
        "external-object-read",
    ]
    .iter()
    .map(|id| rule(id, &cfg))
    .collect();
    let files = vec![
        failures(6, 6, IP),
        listings(11, "acme", IP2),
        probes(21, None),
        vec![entra(
            &at(0),
            "alice@contoso.com",
            "185.220.101.4",
            0,
            "POP3",
        )],
        vec![gcp_get(
            &at(0),
            READER,
            "203.0.113.200",
            "acme-data",
            "a",
            0,
        )],
    ];
    let alerts = run_files(&files, rules);
    let mut fired: Vec<&str> = alerts.iter().map(|a| a.rule.as_str()).collect();
    fired.sort();
    assert_eq!(
        fired,
        vec![
            "anonymizer-signin",
            "bucket-enumeration",
            "external-object-read",
            "legacy-auth-signin",
            "password-spray",
            "tenant-enumeration"
        ]
    );
}
