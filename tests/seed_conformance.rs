//! Conformance of `cloud-discovery-burst` with the seed's Sentinel query (SPEC §5), derived
//! by hand from the KQL: every threshold edge, the bin arithmetic, the literal comparisons,
//! and the output columns. Each test states the KQL it checks.

mod support;
use serde_json::json;
use support::*;

const ALICE: &str = "arn:aws:iam::123456789012:user/alice";
const ACCT: &str = "123456789012";
const BURST: &str = "cloud-discovery-burst";
const SLIDING: &str = "cloud-discovery-sliding";

const APIS: [&str; 27] = [
    "DescribeInstances",
    "DescribeVolumes",
    "DescribeSnapshots",
    "DescribeImages",
    "ListBuckets",
    "HeadBucket",
    "GetPublicAccessBlock",
    "GetBucketAcl",
    "GetBucketPolicy",
    "DescribeDBInstances",
    "DescribeDBClusters",
    "DescribeDBSnapshots",
    "DescribeSecurityGroups",
    "DescribeVpcs",
    "DescribeSubnets",
    "DescribeNetworkInterfaces",
    "DescribeRouteTables",
    "DescribeInternetGateways",
    "ListFunctions",
    "ListTables",
    "DescribeClusters",
    "GetCallerIdentity",
    "ListRoles",
    "ListUsers",
    "DescribeLoadBalancers",
    "DescribeAutoScalingGroups",
    "DescribeKeyPairs",
];

/// `count` calls by alice within the 10:00 bin, cycling through `distinct` API names.
fn burst(count: usize, distinct: usize) -> Vec<String> {
    (0..count)
        .map(|i| {
            ct(
                &at(10 + i as i64),
                APIS[i % distinct],
                ALICE,
                ACCT,
                "eu-west-1",
                "198.51.100.7",
            )
        })
        .collect()
}

fn rows(lines: &[String]) -> Vec<tripline::event::Alert> {
    scan_lines(lines, &[BURST]).alerts
}

#[test]
fn count_9_is_not_a_burst_and_10_is() {
    // where DiscoveryCount >= BurstThreshold (10), one API only (DistinctAPIs = 1)
    assert!(rows(&burst(9, 1)).is_empty());
    let r = rows(&burst(10, 1));
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].risk_score, 50);
    assert_eq!(r[0].severity.as_str(), "low");
    assert_eq!(Scanned::field(&r[0], "DiscoveryCount"), json!(10));
    assert_eq!(Scanned::field(&r[0], "DistinctAPIs"), json!(1));
}

#[test]
fn distinct_4_is_not_a_spread_and_5_is() {
    // or DistinctAPIs >= APISpreadThreshold (5), with DiscoveryCount below 10
    assert!(rows(&burst(4, 4)).is_empty());
    assert!(rows(&burst(9, 4)).is_empty());
    let r = rows(&burst(5, 5));
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].risk_score, 50);
    assert_eq!(Scanned::field(&r[0], "DistinctAPIs"), json!(5));
}

#[test]
fn risk_score_boundaries() {
    // case(DistinctAPIs >= 10 and DiscoveryCount >= 50, 90, DistinctAPIs >= 7 and DiscoveryCount >= 20, 70, ..., 50)
    for (count, distinct, score, severity) in [
        (50, 10, 90, "high"),
        (49, 10, 70, "medium"),
        (20, 7, 70, "medium"),
        (19, 7, 50, "low"),
    ] {
        let r = rows(&burst(count, distinct));
        assert_eq!(r.len(), 1, "{count} & {distinct}");
        assert_eq!(
            (r[0].risk_score, r[0].severity.as_str()),
            (score, severity),
            "{count} calls, {distinct} APIs"
        );
    }
}

#[test]
fn a_burst_split_by_the_bin_boundary_is_no_seed_row_but_the_sliding_rule_fires() {
    // bin(TimeGenerated, 15m): 6 calls in [10:00,10:15) and 6 in [10:15,10:30), one API.
    let lines: Vec<String> = (0..12)
        .map(|i| {
            ct(
                &at(14 * 60 + i * 10),
                "DescribeInstances",
                ALICE,
                ACCT,
                "eu-west-1",
                "198.51.100.7",
            )
        })
        .collect();
    let s = scan_lines(&lines, &[BURST, SLIDING]);
    assert!(s.of(BURST).is_empty(), "{:?}", s.of(BURST));
    let sl = s.of(SLIDING);
    assert_eq!(sl.len(), 1);
    assert_eq!(Scanned::field(sl[0], "DiscoveryCount"), json!(12));
}

#[test]
fn an_event_at_10_14_59_9999999_stays_in_the_10_00_bin() {
    let mut lines = burst(9, 1);
    lines.push(ct(
        "2024-05-06T10:14:59.9999999Z",
        "DescribeInstances",
        ALICE,
        ACCT,
        "eu-west-1",
        "198.51.100.7",
    ));
    let r = rows(&lines);
    assert_eq!(r.len(), 1);
    assert_eq!(
        Scanned::field(&r[0], "TimeGenerated"),
        json!("2024-05-06T10:00:00Z")
    );
    assert_eq!(
        Scanned::field(&r[0], "LastSeen"),
        json!("2024-05-06T10:14:59.9999999Z")
    );
    assert_eq!(Scanned::field(&r[0], "DiscoveryCount"), json!(10));
    // ... and one at 10:15:00 starts the next bin.
    let mut lines = burst(9, 1);
    lines.push(ct(
        "2024-05-06T10:15:00Z",
        "DescribeInstances",
        ALICE,
        ACCT,
        "eu-west-1",
        "198.51.100.7",
    ));
    assert!(rows(&lines).is_empty());
}

#[test]
fn empty_user_identity_arn_is_not_counted() {
    // where isnotempty(UserIdentityArn): raw records without an ARN, Sentinel rows with ""
    let raw: Vec<String> = (0..12)
        .map(|i| {
            ct(
                &at(i),
                "DescribeInstances",
                "",
                ACCT,
                "eu-west-1",
                "198.51.100.7",
            )
        })
        .collect();
    assert!(rows(&raw).is_empty());
    let sentinel: Vec<String> = (0..12)
        .map(|i| {
            sentinel_ct(
                &at(i),
                "DescribeInstances",
                "",
                ACCT,
                "eu-west-1",
                "198.51.100.7",
            )
        })
        .collect();
    assert!(rows(&sentinel).is_empty());
}

#[test]
fn kql_in_is_case_sensitive_for_aws_names() {
    let lines: Vec<String> = (0..12)
        .map(|i| {
            ct(
                &at(i),
                "describeinstances",
                ALICE,
                ACCT,
                "eu-west-1",
                "198.51.100.7",
            )
        })
        .collect();
    assert!(rows(&lines).is_empty());
}

#[test]
fn version_suffixed_names_are_not_the_seed_name_but_count_for_the_sliding_rule() {
    let lines: Vec<String> = (0..12)
        .map(|i| {
            ct(
                &at(i),
                "ListFunctions20150331",
                ALICE,
                ACCT,
                "eu-west-1",
                "198.51.100.7",
            )
        })
        .collect();
    let s = scan_lines(&lines, &[BURST, SLIDING]);
    assert!(s.of(BURST).is_empty());
    assert_eq!(s.of(SLIDING).len(), 1);
    assert_eq!(
        Scanned::field(s.of(SLIDING)[0], "APIList"),
        json!(["ListFunctions"])
    );
}

#[test]
fn denied_calls_count() {
    let lines: Vec<String> = burst(10, 1)
        .into_iter()
        .map(|l| {
            l.replace(
                r#""requestID""#,
                r#""errorCode":"Client.UnauthorizedOperation","requestID""#,
            )
        })
        .collect();
    assert_eq!(rows(&lines).len(), 1);
}

#[test]
fn azure_operations_match_through_tolower_and_count_as_stored() {
    // where tolower(OperationNameValue) in (AzureDiscoveryOps); dcount(OperationNameValue) on raw values
    let ops = [
        "Microsoft.Compute/virtualMachines/read",
        "MICROSOFT.COMPUTE/VIRTUALMACHINES/READ",
        "microsoft.storage/storageaccounts/read",
        "Microsoft.Sql/servers/read",
        "Microsoft.KeyVault/vaults/read",
    ];
    let lines: Vec<String> = ops
        .iter()
        .enumerate()
        .map(|(i, op)| {
            azure(
                &at(i as i64),
                op,
                "Success",
                "eve@contoso.com",
                "sub-1",
                "RG1",
                "203.0.113.66",
            )
        })
        .collect();
    let r = rows(&lines);
    assert_eq!(r.len(), 1, "5 distinct stored values");
    assert_eq!(Scanned::field(&r[0], "CloudProvider"), json!("Azure"));
    assert_eq!(Scanned::field(&r[0], "DistinctAPIs"), json!(5));
    assert_eq!(Scanned::field(&r[0], "Identity"), json!("eve@contoso.com"));
    assert_eq!(Scanned::field(&r[0], "AccountId"), json!("sub-1"));
    assert_eq!(
        Scanned::field(&r[0], "DistinctRegions"),
        json!(1),
        "resource groups"
    );
}

#[test]
fn azure_status_is_compared_with_equals_tilde_success() {
    // where ActivityStatusValue =~ "Success": success / SUCCESS count; Succeeded, Failed, Start do not.
    let counted: Vec<String> = (0..10)
        .map(|i| {
            azure(
                &at(i),
                "Microsoft.Compute/virtualMachines/read",
                if i % 2 == 0 { "success" } else { "SUCCESS" },
                "eve@contoso.com",
                "sub-1",
                "RG1",
                "203.0.113.66",
            )
        })
        .collect();
    assert_eq!(rows(&counted).len(), 1);
    for status in ["Succeeded", "Failed", "Start"] {
        let lines: Vec<String> = (0..10)
            .map(|i| {
                azure(
                    &at(i),
                    "Microsoft.Compute/virtualMachines/read",
                    status,
                    "eve@contoso.com",
                    "sub-1",
                    "RG1",
                    "203.0.113.66",
                )
            })
            .collect();
        assert!(rows(&lines).is_empty(), "{status}");
    }
}

#[test]
fn source_ips_are_capped_at_10_in_first_appearance_order() {
    let lines: Vec<String> = (0..12)
        .map(|i| {
            ct(
                &at(i),
                "DescribeInstances",
                ALICE,
                ACCT,
                "eu-west-1",
                &format!("198.51.100.{}", 20 + i),
            )
        })
        .collect();
    let r = rows(&lines);
    let ips: Vec<String> = (0..10).map(|i| format!("198.51.100.{}", 20 + i)).collect();
    assert_eq!(Scanned::field(&r[0], "SourceIPs"), json!(ips));
}

#[test]
fn one_identity_in_two_accounts_is_two_rows() {
    let mut lines = burst(10, 1);
    lines.extend((0..10).map(|i| {
        ct(
            &at(100 + i),
            "DescribeVpcs",
            ALICE,
            "210987654321",
            "us-east-1",
            "198.51.100.7",
        )
    }));
    let r = rows(&lines);
    assert_eq!(r.len(), 2);
    let accounts: Vec<_> = r.iter().map(|a| Scanned::field(a, "AccountId")).collect();
    assert!(accounts.contains(&json!(ACCT)) && accounts.contains(&json!("210987654321")));
}

#[test]
fn raw_cloudtrail_and_the_sentinel_table_give_the_same_row() {
    let raw = rows(&burst(12, 6));
    let sentinel_lines: Vec<String> = (0..12)
        .map(|i| {
            sentinel_ct(
                &at(10 + i as i64),
                APIS[i % 6],
                ALICE,
                ACCT,
                "eu-west-1",
                "198.51.100.7",
            )
        })
        .collect();
    let sen = rows(&sentinel_lines);
    assert_eq!(raw.len(), 1);
    assert_eq!(sen.len(), 1);
    assert_eq!(raw[0].fields, sen[0].fields);
    assert_eq!(raw[0].id, sen[0].id, "same rule, group and window: same id");
}

#[test]
fn columns_and_order_of_the_seed() {
    let mut lines = burst(50, 10);
    lines.extend((0..12).map(|i| {
        ct(
            &at(i),
            "DescribeInstances",
            "arn:aws:iam::123456789012:user/bob",
            ACCT,
            "eu-west-1",
            "AWS Internal",
        )
    }));
    lines.extend((0..20).map(|i| {
        ct(
            &at(i),
            APIS[i as usize % 7],
            "arn:aws:iam::123456789012:user/carol",
            ACCT,
            "eu-west-2",
            "config.amazonaws.com",
        )
    }));
    let r = rows(&lines);
    let names: Vec<&str> = r[0].fields.0.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "TimeGenerated",
            "CloudProvider",
            "Identity",
            "AccountId",
            "DiscoveryCount",
            "DistinctAPIs",
            "APIList",
            "DistinctRegions",
            "SourceIPs",
            "FirstSeen",
            "LastSeen",
            "RiskScore"
        ]
    );
    let scores: Vec<u8> = r.iter().map(|a| a.risk_score).collect();
    assert_eq!(scores, [90, 70, 50], "sort by RiskScore desc");
    assert_eq!(
        Scanned::field(&r[2], "SourceIPs"),
        json!(["AWS Internal"]),
        "service addresses are kept"
    );
    assert_eq!(Scanned::field(&r[0], "APIList"), json!(APIS[..10]));
    assert_eq!(
        r[0].group
            .0
            .iter()
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>(),
        ["identity", "account"]
    );
    assert_eq!(r[0].window_start.to_string(), "2024-05-06T10:00:00Z");
    assert_eq!(r[0].window_end.to_string(), "2024-05-06T10:15:00Z");
}

#[test]
fn duplicate_deliveries_count_once() {
    let mut lines = burst(9, 1);
    lines.push(lines[0].clone()); // the same eventID delivered twice
    assert!(rows(&lines).is_empty());
}

#[test]
fn sliding_window_edges_follow_spec_within() {
    // u − w < t ≤ u: ten calls spanning exactly 15:00 are not within one window.
    let exact: Vec<String> = (0..10)
        .map(|i| {
            ct(
                &at(i * 100),
                "DescribeInstances",
                ALICE,
                ACCT,
                "eu-west-1",
                "198.51.100.7",
            )
        })
        .collect();
    let mut exact = exact;
    exact[9] = ct(
        &at(900),
        "DescribeInstances",
        ALICE,
        ACCT,
        "eu-west-1",
        "198.51.100.7",
    );
    assert!(
        scan_lines(&exact, &[SLIDING]).of(SLIDING).is_empty(),
        "first and last exactly 15 minutes apart"
    );
    let mut inside = exact.clone();
    inside[9] = ct(
        &at(899),
        "DescribeInstances",
        ALICE,
        ACCT,
        "eu-west-1",
        "198.51.100.7",
    );
    assert_eq!(
        scan_lines(&inside, &[SLIDING]).of(SLIDING).len(),
        1,
        "14:59 apart"
    );
}

#[test]
fn sliding_episode_closes_after_a_quiet_window_and_carries_peaks() {
    let mut lines: Vec<String> = (0..12)
        .map(|i| {
            ct(
                &at(i),
                APIS[i as usize % 3],
                ALICE,
                ACCT,
                "eu-west-1",
                "198.51.100.7",
            )
        })
        .collect();
    // Still the same episode: a call 14 minutes after the last one.
    lines.push(ct(
        &at(11 + 14 * 60),
        "DescribeVpcs",
        ALICE,
        ACCT,
        "eu-west-1",
        "198.51.100.7",
    ));
    // A new episode: 16 minutes of quiet, then another burst.
    lines.extend((0..12).map(|i| {
        ct(
            &at(11 + 14 * 60 + 16 * 60 + i),
            "DescribeInstances",
            ALICE,
            ACCT,
            "eu-west-1",
            "198.51.100.7",
        )
    }));
    let s = scan_lines(&lines, &[SLIDING]);
    let eps = s.of(SLIDING);
    assert_eq!(eps.len(), 2);
    assert_eq!(eps[0].count, 13);
    // The call 14 minutes later still sees the first twelve in its window: the peak is 13.
    assert_eq!(
        Scanned::field(eps[0], "DiscoveryCount"),
        json!(13),
        "peak window count"
    );
    assert_eq!(eps[1].count, 12);
    assert_eq!(Scanned::field(eps[1], "DiscoveryCount"), json!(12));
    assert_ne!(eps[0].id, eps[1].id);
}
