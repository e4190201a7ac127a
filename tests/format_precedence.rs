//! Format precedence (issue 9, point 5): `normalize::detect` reads a record by the first row
//! of its tables that accepts it, so the tables' order decides every record that two shapes
//! could claim. These tests pin the order and show, for each pair of shapes that real records
//! make ambiguous, which one wins and what the other would have read.

use serde_json::Value;
use std::sync::Arc;
use tripline::event::{Event, LogFormat, Origin};
use tripline::normalize::detect::{self, envelope, LINE_PRECEDENCE, PRECEDENCE};
use tripline::normalize::value::Record;
use tripline::normalize::{normalize_json, normalize_text};

fn origin() -> Origin {
    Origin::line(&Arc::from("t"), 1)
}

/// The one event that `normalize_json` (the path every JSON record takes) makes of `record`.
fn normalized(record: &str) -> Event {
    let (mut out, mut bad) = (Vec::new(), Vec::new());
    normalize_json(record.as_bytes(), &origin(), &mut out, &mut bad)
        .unwrap_or_else(|e| panic!("{record}: {e:?}"));
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(out.len(), 1, "{record}");
    out.pop().unwrap()
}

/// The rows of `PRECEDENCE` that accept `record`, in order.
fn accepting(record: &str) -> Vec<&'static str> {
    let v: Value = serde_json::from_str(record).unwrap();
    let r = Record::new(&v, v.as_object().unwrap());
    PRECEDENCE
        .iter()
        .filter(|e| (e.matches)(&r))
        .map(|e| e.name)
        .collect()
}

/// What the row named `name` reads from `record`, as if it had won.
fn read_as(name: &str, record: &str) -> Option<Event> {
    let v: Value = serde_json::from_str(record).unwrap();
    let row = PRECEDENCE.iter().find(|e| e.name == name).unwrap();
    (row.read)(&v, origin()).ok()
}

/// `record` is claimed by exactly `claimants` (in table order), and read by the first.
fn contested(record: &str, claimants: &[&str]) -> Event {
    assert_eq!(accepting(record), claimants, "{record}");
    let event = normalized(record);
    let winner = PRECEDENCE.iter().find(|e| e.name == claimants[0]).unwrap();
    assert_eq!(event.log(), winner.format);
    event
}

#[test]
fn record_precedence_is_pinned() {
    let order: Vec<String> = PRECEDENCE
        .iter()
        .map(|e| format!("{}: {}", e.format.as_str(), e.name))
        .collect();
    assert_eq!(
        order,
        [
            "cloudtrail: CloudTrail",
            "cloudtrail: CloudTrail Insights",
            "cloudtrail: Panther CloudTrail",
            "cloudtrail: Sentinel AWSCloudTrail",
            "cloudtrail: CloudTrail alert CSV",
            "azure-activity: Sentinel AzureActivity",
            "entra-signin: Sentinel SigninLogs",
            "entra-audit: Sentinel AuditLogs",
            "gcp-audit: GCP audit LogEntry",
            "http-access: AWS WAF",
            "http-access: GCP load balancer LogEntry",
            "s3-access: S3 access log fields",
            "entra-signin: Entra sign-in diagnostic",
            "http-access: Front Door / Application Gateway diagnostic",
            "entra-audit: Entra audit diagnostic",
            "entra-signin: Graph signIns",
            "entra-audit: Graph directoryAudits",
            "azure-activity: Azure Activity REST",
            "azure-activity: Azure Activity diagnostic",
            "cloudtrail: partial CloudTrail",
        ]
    );
}

#[test]
fn line_and_envelope_precedence_are_pinned() {
    let lines: Vec<&str> = LINE_PRECEDENCE.iter().map(|l| l.name).collect();
    assert_eq!(
        lines,
        ["S3 server access log line", "combined HTTP log line"]
    );
    let envelopes: Vec<&str> = envelope::PRECEDENCE.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        envelopes,
        [
            "array of records",
            "Log Analytics tables",
            "one Log Analytics table",
            "EventBridge",
            "lookup-events element",
            "CloudWatch Logs event",
            "Pub/Sub message",
            "rule-test case",
            "CloudTrail Lake rows",
        ]
    );
}

/// One record of each shape, read by its own row: no row is shadowed by one above it, and
/// each row's reader gives events of the row's format. The catch-all's reader rejects what
/// reaches it (it has no more than part of a CloudTrail event), naming what is missing.
#[test]
fn every_row_reads_a_record_of_its_own() {
    let samples: [(&str, &str); 20] = [
        (
            "CloudTrail",
            r#"{"eventVersion":"1.08","eventTime":"2024-05-06T10:03:12Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/alice"}}"#,
        ),
        (
            "CloudTrail Insights",
            r#"{"eventVersion":"1.07","eventTime":"2024-05-06T10:00:00Z","eventType":"AwsCloudTrailInsight","insightDetails":{"state":"Start","eventSource":"ec2.amazonaws.com","eventName":"RunInstances"}}"#,
        ),
        (
            "Panther CloudTrail",
            r#"{"eventversion":"1.08","eventtime":"2024-05-06T10:03:12Z","eventsource":"s3.amazonaws.com","eventname":"ListBuckets","useridentity":{"type":"Root","arn":"arn:aws:iam::123456789012:root"}}"#,
        ),
        (
            "Sentinel AWSCloudTrail",
            r#"{"Type":"AWSCloudTrail","TimeGenerated":"2024-05-06T10:03:12Z","EventName":"ConsoleLogin","EventSource":"signin.amazonaws.com"}"#,
        ),
        (
            "CloudTrail alert CSV",
            r#"{"Event Name":"GetObject","Event DateTime":"2024-05-06T10:03:12Z","Source IP":"198.51.100.7"}"#,
        ),
        (
            "Sentinel AzureActivity",
            r#"{"Type":"AzureActivity","TimeGenerated":"2024-05-06T10:03:12Z","OperationNameValue":"MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE"}"#,
        ),
        (
            "Sentinel SigninLogs",
            r#"{"Type":"SigninLogs","TimeGenerated":"2024-05-06T10:03:12Z","UserPrincipalName":"alice@contoso.com","ResultType":"0"}"#,
        ),
        (
            "Sentinel AuditLogs",
            r#"{"Type":"AuditLogs","TimeGenerated":"2024-05-06T10:03:12Z","OperationName":"Add member to role","InitiatedBy":"{}"}"#,
        ),
        (
            "GCP audit LogEntry",
            r#"{"timestamp":"2024-05-06T10:03:12Z","logName":"projects/p/logs/cloudaudit.googleapis.com%2Factivity","protoPayload":{"methodName":"storage.buckets.list","serviceName":"storage.googleapis.com"}}"#,
        ),
        (
            "AWS WAF",
            r#"{"timestamp":1714989792000,"webaclId":"arn:aws:wafv2:us-east-1:123456789012:global/webacl/w/1","terminatingRuleId":"Default_Action","action":"ALLOW","httpRequest":{"clientIp":"198.51.100.7","uri":"/login","httpMethod":"POST"}}"#,
        ),
        (
            "GCP load balancer LogEntry",
            r#"{"timestamp":"2024-05-06T10:03:12Z","insertId":"i1","logName":"projects/p/logs/requests","httpRequest":{"requestMethod":"GET","requestUrl":"https://example.com/a","status":200,"remoteIp":"198.51.100.7"}}"#,
        ),
        (
            "S3 access log fields",
            r#"{"bucketowner":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be","bucket":"b","time":"2024-05-06T10:03:12Z","remoteip":"198.51.100.7","operation":"REST.GET.OBJECT","httpstatus":200}"#,
        ),
        (
            "Entra sign-in diagnostic",
            r#"{"time":"2024-05-06T10:03:12Z","category":"NonInteractiveUserSignInLogs","properties":{"userPrincipalName":"alice@contoso.com","status":{"errorCode":0}}}"#,
        ),
        (
            "Front Door / Application Gateway diagnostic",
            r#"{"time":"2024-05-06T10:03:12Z","category":"ApplicationGatewayAccessLog","properties":{"clientIP":"198.51.100.7","requestUri":"/login","httpStatus":200}}"#,
        ),
        (
            "Entra audit diagnostic",
            r#"{"time":"2024-05-06T10:03:12Z","category":"AuditLogs","properties":{"activityDisplayName":"Add member to role"}}"#,
        ),
        (
            "Graph signIns",
            r#"{"createdDateTime":"2024-05-06T10:03:12Z","userPrincipalName":"alice@contoso.com","appDisplayName":"Office 365","status":{"errorCode":0}}"#,
        ),
        (
            "Graph directoryAudits",
            r#"{"activityDateTime":"2024-05-06T10:03:12Z","activityDisplayName":"Add member to role","category":"RoleManagement"}"#,
        ),
        (
            "Azure Activity REST",
            r#"{"eventTimestamp":"2024-05-06T10:03:12Z","operationName":{"value":"Microsoft.Compute/virtualMachines/write"},"status":{"value":"Succeeded"}}"#,
        ),
        (
            "Azure Activity diagnostic",
            r#"{"time":"2024-05-06T10:03:12Z","category":"Administrative","operationName":"MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE","resultType":"Success"}"#,
        ),
        (
            "partial CloudTrail",
            r#"{"eventTime":"2024-05-06T10:03:12Z","eventName":"DescribeInstances"}"#,
        ),
    ];
    for ((name, record), row) in samples.iter().zip(&PRECEDENCE) {
        assert_eq!(*name, row.name, "samples follow the table");
        let v: Value = serde_json::from_str(record).unwrap();
        let r = Record::new(&v, v.as_object().unwrap());
        assert_eq!(detect::export_of(&r).map(|e| e.name), Some(*name));
        match (row.read)(&v, origin()) {
            Ok(event) => assert_eq!(event.log(), row.format, "{name}"),
            Err(e) if *name == "partial CloudTrail" => {
                assert!(e.detail.contains("expected a CloudTrail event"), "{e:?}")
            }
            Err(e) => panic!("{name}: {e:?}"),
        }
    }
}

/// Insights events have `eventVersion` but no top-level `eventName`: the catch-all
/// CloudTrail row would take them and reject them (streamalert's Insights sample).
#[test]
fn insights_before_partial_cloudtrail() {
    let insight = r#"{"eventVersion":"1.07","eventTime":"2024-05-06T10:00:00Z","awsRegion":"us-east-1","eventID":"e1","eventType":"AwsCloudTrailInsight","recipientAccountId":"123456789012","insightDetails":{"state":"Start","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","insightType":"ApiCallRateInsight"},"eventCategory":"Insight"}"#;
    let e = contested(insight, &["CloudTrail Insights", "partial CloudTrail"]);
    assert_eq!(e.action, "RunInstances");
    assert_eq!(e.identity_type, "AwsCloudTrailInsight");
    assert!(read_as("partial CloudTrail", insight).is_none());
}

/// Every diagnostic-settings record has `operationName` and `category`, and most a
/// `resourceId`: the Activity test accepts Entra sign-in, Front Door and Entra audit records
/// (Elastic's and Panther's samples), whose own category rows come first.
#[test]
fn diagnostic_categories_before_azure_activity_diagnostic() {
    let signin = r#"{"time":"2024-05-06T10:03:12Z","category":"SignInLogs","operationName":"Sign-in activity","resourceId":"/tenants/t/providers/Microsoft.aadiam","resultType":"0","callerIpAddress":"81.2.69.144","properties":{"userPrincipalName":"alice@contoso.com","ipAddress":"81.2.69.144","appDisplayName":"Office 365","status":{"errorCode":0}}}"#;
    let e = contested(
        signin,
        &["Entra sign-in diagnostic", "Azure Activity diagnostic"],
    );
    assert_eq!(e.identity, "alice@contoso.com");
    assert_eq!(e.service, "Office 365");

    let front_door = r#"{"time":"2024-05-06T10:03:12Z","category":"FrontdoorAccessLog","operationName":"Microsoft.Network/FrontDoor/AccessLog/Write","resourceId":"/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/FRONTDOORS/FD","properties":{"clientIp":"89.160.20.128","httpMethod":"POST","httpStatusCode":"200","requestUri":"https://erp.example.com:443/StockSetup/Get"}}"#;
    let e = contested(
        front_door,
        &[
            "Front Door / Application Gateway diagnostic",
            "Azure Activity diagnostic",
        ],
    );
    assert_eq!(e.source_ip, "89.160.20.128");
    assert_eq!(e.http_status, Some(200));

    let audit = r#"{"time":"2024-05-06T10:03:12Z","category":"AuditLogs","operationName":"Add member to role","resourceId":"/tenants/t/providers/Microsoft.aadiam","properties":{"activityDisplayName":"Add member to role","initiatedBy":{"user":{"userPrincipalName":"admin@contoso.com"}}}}"#;
    let e = contested(
        audit,
        &["Entra audit diagnostic", "Azure Activity diagnostic"],
    );
    assert_eq!(e.identity, "admin@contoso.com");
    // Read as Activity, the sign-in and the audit record lose who acted.
    assert_eq!(
        read_as("Azure Activity diagnostic", signin)
            .unwrap()
            .identity,
        ""
    );
    assert_eq!(
        read_as("Azure Activity diagnostic", audit)
            .unwrap()
            .identity,
        ""
    );
}

/// Sentinel rows carry `OperationName`, `Category` and `ResourceId` columns (see the
/// headers of tests/fixtures/azure-sentinel), which the case-blind diagnostic tests accept.
#[test]
fn sentinel_tables_before_diagnostic_shapes() {
    let activity = r#"{"Type":"AzureActivity","TimeGenerated":"2024-05-06T10:03:12Z","OperationNameValue":"MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE","OperationName":"Create or Update Virtual Machine","Category":"Administrative","ResourceId":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm","Caller":"alice@contoso.com","ActivityStatusValue":"Success","SubscriptionId":"s"}"#;
    let e = contested(
        activity,
        &["Sentinel AzureActivity", "Azure Activity diagnostic"],
    );
    assert_eq!(e.action, "MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE");
    assert_eq!(e.identity, "alice@contoso.com");

    let signin = r#"{"Type":"SigninLogs","TimeGenerated":"2024-05-06T10:03:12Z","OperationName":"Sign-in activity","Category":"SignInLogs","ResourceId":"/tenants/t/providers/Microsoft.aadiam","ResultType":"50126","UserPrincipalName":"alice@contoso.com","IPAddress":"198.51.100.7","AppDisplayName":"Azure Portal"}"#;
    let e = contested(
        signin,
        &[
            "Sentinel SigninLogs",
            "Entra sign-in diagnostic",
            "Azure Activity diagnostic",
        ],
    );
    assert_eq!(e.identity, "alice@contoso.com");
    assert_eq!(e.error_code, "50126");
    // The diagnostic reader looks for `time` and for the sign-in under `properties`.
    assert!(read_as("Entra sign-in diagnostic", signin).is_none());

    let cloudtrail = r#"{"Type":"AWSCloudTrail","TimeGenerated":"2024-05-06T10:03:12Z","EventName":"ConsoleLogin","EventSource":"signin.amazonaws.com","OperationName":"CloudTrail","Category":"Management","UserIdentityArn":"arn:aws:iam::123456789012:user/alice"}"#;
    let e = contested(
        cloudtrail,
        &["Sentinel AWSCloudTrail", "Azure Activity diagnostic"],
    );
    assert_eq!(e.action, "ConsoleLogin");
}

/// `SigninLogs` and `AzureActivity` exports have an `InitiatedBy` column beside
/// `OperationName` (the fixtures' headers): filled, it passes the `AuditLogs` test too.
#[test]
fn sentinel_signin_and_activity_before_sentinel_audit() {
    let signin = r#"{"Type":"SigninLogs","TimeGenerated":"2024-05-06T10:03:12Z","OperationName":"Sign-in activity","InitiatedBy":"{\"user\":{}}","ResultType":"0","UserPrincipalName":"alice@contoso.com"}"#;
    let e = contested(signin, &["Sentinel SigninLogs", "Sentinel AuditLogs"]);
    assert_eq!(e.identity, "alice@contoso.com");

    let activity = r#"{"Type":"AzureActivity","TimeGenerated":"2024-05-06T10:03:12Z","OperationNameValue":"MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE","OperationName":"Create role assignment","InitiatedBy":"{\"user\":{}}","Caller":"alice@contoso.com"}"#;
    let e = contested(activity, &["Sentinel AzureActivity", "Sentinel AuditLogs"]);
    assert_eq!(e.action, "MICROSOFT.AUTHORIZATION/ROLEASSIGNMENTS/WRITE");
}

/// Activity Log REST events have `operationName`, `category` and `resourceId` (objects and
/// a string) and an `eventName` object: the Activity diagnostic test and the catch-all
/// CloudTrail test both accept them.
#[test]
fn azure_activity_rest_before_diagnostic_and_partial_cloudtrail() {
    let rest = r#"{"caller":"alice@contoso.com","category":{"value":"Administrative","localizedValue":"Administrative"},"eventDataId":"d1","eventName":{"value":"EndRequest","localizedValue":"End request"},"eventTimestamp":"2024-05-06T10:03:12Z","operationName":{"value":"Microsoft.Compute/virtualMachines/write","localizedValue":"Create or Update Virtual Machine"},"resourceId":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm","status":{"value":"Succeeded"},"subscriptionId":"s"}"#;
    let e = contested(
        rest,
        &[
            "Azure Activity REST",
            "Azure Activity diagnostic",
            "partial CloudTrail",
        ],
    );
    assert_eq!(e.action, "Microsoft.Compute/virtualMachines/write");
    assert_eq!(e.identity, "alice@contoso.com");
    assert!(read_as("partial CloudTrail", rest).is_none());
}

/// A LogEntry is a LogEntry: an audit entry with an `httpRequest` passes the load balancer
/// test too, and is an audit event.
#[test]
fn gcp_audit_before_gcp_load_balancer() {
    let entry = r#"{"insertId":"i1","logName":"projects/p/logs/cloudaudit.googleapis.com%2Fdata_access","timestamp":"2024-05-06T10:03:12Z","resource":{"type":"gcs_bucket","labels":{"project_id":"p"}},"httpRequest":{"requestMethod":"GET","status":200},"protoPayload":{"methodName":"storage.objects.get","serviceName":"storage.googleapis.com","authenticationInfo":{"principalEmail":"alice@example.com"}}}"#;
    let e = contested(entry, &["GCP audit LogEntry", "GCP load balancer LogEntry"]);
    assert_eq!(e.action, "storage.objects.get");
    assert_eq!(e.identity, "alice@example.com");
}

/// No real Graph object passes both tests; one that did (`createdDateTime`, a user and an
/// `activityDisplayName`) is read as a sign-in.
#[test]
fn graph_signins_before_graph_directory_audits() {
    let both = r#"{"createdDateTime":"2024-05-06T10:03:12Z","userPrincipalName":"alice@contoso.com","activityDisplayName":"Sign-in"}"#;
    let e = contested(both, &["Graph signIns", "Graph directoryAudits"]);
    assert_eq!(e.identity, "alice@contoso.com");
}

/// Raw CloudTrail passes the catch-all too: both rows use the same reader, so the order
/// between them only saves the catch-all's test on the bulk of the input.
#[test]
fn raw_cloudtrail_and_partial_cloudtrail_read_alike() {
    let raw = r#"{"eventVersion":"1.08","eventTime":"2024-05-06T10:03:12Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/alice"},"awsRegion":"eu-west-1"}"#;
    let e = contested(raw, &["CloudTrail", "partial CloudTrail"]);
    assert_eq!(read_as("partial CloudTrail", raw), Some(e));
}

/// The combined test finds a `[time]` in any field after the third: an S3 access line whose
/// object key starts with `[` passes it too, and is an S3 event.
#[test]
fn s3_lines_before_combined_lines() {
    let line = r#"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be awsexamplebucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.OBJECT [draft].txt "GET /awsexamplebucket1/[draft].txt HTTP/1.1" 200 - 113 113 7 - "-" "S3Console/0.4" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader awsexamplebucket1.s3.us-west-1.amazonaws.com TLSV1.2 - -"#;
    let claimants: Vec<&str> = LINE_PRECEDENCE
        .iter()
        .filter(|l| (l.matches)(line))
        .map(|l| l.name)
        .collect();
    assert_eq!(
        claimants,
        ["S3 server access log line", "combined HTTP log line"]
    );
    let (mut out, mut bad) = (Vec::new(), Vec::new());
    normalize_text(line.as_bytes(), &origin(), &mut out, &mut bad).unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].log(), LogFormat::S3Access);
    assert_eq!(out[0].resource, "awsexamplebucket1");
}
