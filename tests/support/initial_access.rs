//! Helpers for the initial-access rule tests: real record shapes (copied from the golden
//! inputs) for Entra sign-ins, AWS console logins and S3 data events, S3 server access
//! lines, perimeter logs and GCP audit entries, and a scan that runs rules built directly
//! (the registry wires rules in separately).
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use tripline::config::{Cidr, Config};
use tripline::engine::scan::{scan, ScanOptions};
use tripline::event::{Alert, Timestamp};
use tripline::input::InputPath;
use tripline::rules::context::Setup;
use tripline::rules::registry::registration;
use tripline::rules::DynRule;

pub const TENANT: &str = "11111111-2222-3333-4444-555555555555";
pub const ACCT: &str = "123456789012";

/// A unique id per record, so duplicate-delivery removal never merges two test records.
fn uid() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{:08x}-0000-4000-8000-{:012x}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// `s` seconds after 2024-05-06T10:00:00Z, RFC 3339 (as `support::at`).
fn rfc3339(s: i64) -> String {
    let t = Timestamp::parse("2024-05-06T10:00:00Z").unwrap();
    Timestamp(t.0 + s * 1_000_000_000).to_string()
}

/// `s` seconds after 2024-05-06T10:00:00Z in the common log format: `[06/May/2024:10:20:01 +0000]`.
pub fn clf(s: i64) -> String {
    let t = rfc3339(s);
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, mo, d, hms) = (&t[0..4], &t[5..7], &t[8..10], &t[11..19]);
    format!(
        "[{d}/{}/{y}:{hms} +0000]",
        months[mo.parse::<usize>().unwrap() - 1]
    )
}

/// An Entra sign-in as one record of the diagnostic export (`category: SignInLogs`).
/// `code` is the Entra error code (0 is success); `client_app` may be empty.
pub fn entra(time: &str, upn: &str, ip: &str, code: u32, client_app: &str) -> String {
    let id = uid();
    let reason = if code == 0 {
        "Other."
    } else {
        "Invalid username or password."
    };
    format!(
        r#"{{"time":"{time}","resourceId":"/tenants/{TENANT}/providers/Microsoft.aadiam","operationName":"Sign-in activity","operationVersion":"1.0","category":"SignInLogs","tenantId":"{TENANT}","resultType":"{code}","resultSignature":"None","resultDescription":"{reason}","durationMs":0,"callerIpAddress":"{ip}","correlationId":"{id}","identity":"User","Level":4,"location":"NL","properties":{{"id":"{id}","createdDateTime":"{time}","userDisplayName":"User","userPrincipalName":"{upn}","userId":"u-1","appId":"00000002-0000-0ff1-ce00-000000000000","appDisplayName":"Office 365 Exchange Online","ipAddress":"{ip}","status":{{"errorCode":{code},"failureReason":"{reason}"}},"clientAppUsed":"{client_app}","userAgent":"python-requests/2.31","location":{{"city":"Amsterdam","state":"Noord-Holland","countryOrRegion":"NL"}},"resourceDisplayName":"Office 365 Exchange Online","homeTenantId":"{TENANT}"}}}}"#
    )
}

/// The same sign-in as a row of the Sentinel `SigninLogs` table.
pub fn entra_sentinel(time: &str, upn: &str, ip: &str, code: u32, client_app: &str) -> String {
    let id = uid();
    format!(
        r#"{{"TenantId":"w-1","TimeGenerated":"{time}","OperationName":"Sign-in activity","ResultType":"{code}","Identity":"User","Location":"DE","AppDisplayName":"Microsoft Office","ClientAppUsed":"{client_app}","IPAddress":"{ip}","UserPrincipalName":"{upn}","UserAgent":"Apple-iPhone/1.0","Id":"{id}","LocationDetails":"{{\"city\":\"Berlin\",\"countryOrRegion\":\"DE\"}}","Type":"SigninLogs"}}"#
    )
}

/// An AWS console sign-in (raw CloudTrail). A failure names the attempted user only.
pub fn console_login(time: &str, user: &str, ip: &str, ok: bool) -> String {
    let id = uid();
    if ok {
        format!(
            r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::{ACCT}:user/{user}","accountId":"{ACCT}","userName":"{user}"}},"eventTime":"{time}","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"{ip}","userAgent":"Mozilla/5.0","requestParameters":null,"responseElements":{{"ConsoleLogin":"Success"}},"additionalEventData":{{"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No","MFAUsed":"No"}},"eventID":"{id}","readOnly":false,"eventType":"AwsConsoleSignIn","managementEvent":true,"recipientAccountId":"{ACCT}","eventCategory":"Management"}}"#
        )
    } else {
        format!(
            r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","principalId":"AIDAEXAMPLE","accountId":"{ACCT}","accessKeyId":"","userName":"{user}"}},"eventTime":"{time}","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"{ip}","userAgent":"Mozilla/5.0","errorMessage":"Failed authentication","requestParameters":null,"responseElements":{{"ConsoleLogin":"Failure"}},"additionalEventData":{{"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No","MFAUsed":"No"}},"eventID":"{id}","readOnly":false,"eventType":"AwsConsoleSignIn","managementEvent":true,"recipientAccountId":"{ACCT}","eventCategory":"Management"}}"#
        )
    }
}

/// A CloudTrail S3 data event (`GetObject`, `ListObjects`...); `error` empty for success.
pub fn ct_s3(time: &str, name: &str, arn: &str, ip: &str, bucket: &str, error: &str) -> String {
    let id = uid();
    let err = if error.is_empty() {
        String::new()
    } else {
        format!(r#""errorCode":"{error}","errorMessage":"Access Denied","#)
    };
    format!(
        r#"{{"eventVersion":"1.09","userIdentity":{{"type":"AssumedRole","principalId":"AROAEXAMPLE:s","arn":"{arn}","accountId":"{ACCT}","accessKeyId":"ASIAEXAMPLE"}},"eventTime":"{time}","eventSource":"s3.amazonaws.com","eventName":"{name}","awsRegion":"eu-west-1","sourceIPAddress":"{ip}","userAgent":"[aws-cli/2.15.0]",{err}"requestParameters":{{"bucketName":"{bucket}","Host":"{bucket}.s3.eu-west-1.amazonaws.com","key":"reports/q1.pdf"}},"responseElements":null,"requestID":"R1","eventID":"{id}","readOnly":true,"resources":[{{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::{bucket}/reports/q1.pdf"}}],"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"{ACCT}","eventCategory":"Data"}}"#
    )
}

/// An S3 server access log line. `requester` `-` for anonymous; `error` `-` for none.
#[allow(clippy::too_many_arguments)]
pub fn s3_access(
    s: i64,
    bucket: &str,
    ip: &str,
    requester: &str,
    op: &str,
    key: &str,
    request: &str,
    status: u16,
    error: &str,
) -> String {
    let id = uid().replace('-', "").to_uppercase();
    format!(
        r#"79a59df900bb44eeed96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be {bucket} {} {ip} {requester} {id} {op} {key} "{request}" {status} {error} 243 - 9 - "-" "aws-cli/2.15.0 Python/3.11 Linux" - 9vKBE6vMhrNiWHZmb2L0mXOcqPGzQOI5XLnCtZNPxev= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader {bucket}.s3.us-west-2.amazonaws.com TLSv1.2 - -"#,
        clf(s)
    )
}

/// A bucket listing that failed: `REST.GET.BUCKET`, `GET /?list-type=2`, 403 or 404.
pub fn s3_list(s: i64, bucket: &str, ip: &str, status: u16) -> String {
    let err = if status == 404 {
        "NoSuchBucket"
    } else {
        "AccessDenied"
    };
    s3_access(
        s,
        bucket,
        ip,
        "-",
        "REST.GET.BUCKET",
        "-",
        "GET /?list-type=2&prefix= HTTP/1.1",
        status,
        err,
    )
}

/// An nginx / Apache combined log line.
pub fn combined(s: i64, ip: &str, method: &str, path: &str, ua: &str) -> String {
    format!(
        r#"{ip} - - {} "{method} {path} HTTP/1.1" 200 512 "-" "{ua}""#,
        clf(s)
    )
}

/// An Azure Front Door access log record.
pub fn frontdoor(time: &str, ip: &str, host: &str, path: &str, ua: &str) -> String {
    let id = uid();
    format!(
        r#"{{"time":"{time}","resourceId":"/SUBSCRIPTIONS/AAAAAAAA-0000-0000-0000-000000000001/RESOURCEGROUPS/EDGE/PROVIDERS/MICROSOFT.CDN/PROFILES/FD1","category":"FrontDoorAccessLog","operationName":"Microsoft.Cdn/Profiles/AccessLog/Write","properties":{{"trackingReference":"{id}","httpMethod":"POST","httpVersion":"1.1.0.0","requestUri":"https://{host}:443{path}?mkt=en-US","hostName":"{host}","requestBytes":"1234","responseBytes":"987","userAgent":"{ua}","clientIp":"{ip}","clientPort":"51234","socketIp":"{ip}","timeToFirstByte":"0.05","timeTaken":"0.06","requestProtocol":"HTTPS","securityProtocol":"TLS 1.2","httpStatusCode":"200","pop":"AMS","cacheStatus":"CONFIG_NOCACHE","errorInfo":"NoError"}}}}"#
    )
}

/// A GCP Data Access audit entry for `storage.objects.get`; `code` 0 is success.
pub fn gcp_get(
    time: &str,
    principal: &str,
    ip: &str,
    bucket: &str,
    object: &str,
    code: u32,
) -> String {
    let id = uid();
    let status = if code == 0 {
        "{}".to_string()
    } else {
        format!(r#"{{"code":{code},"message":"PERMISSION_DENIED"}}"#)
    };
    format!(
        r#"{{"insertId":"{id}","logName":"projects/acme-prod/logs/cloudaudit.googleapis.com%2Fdata_access","protoPayload":{{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","authenticationInfo":{{"principalEmail":"{principal}"}},"methodName":"storage.objects.get","requestMetadata":{{"callerIp":"{ip}","callerSuppliedUserAgent":"google-cloud-sdk gcloud/470.0.0"}},"resourceName":"projects/_/buckets/{bucket}/objects/{object}","serviceName":"storage.googleapis.com","status":{status},"authorizationInfo":[{{"resource":"projects/_/buckets/{bucket}/objects/{object}","permission":"storage.objects.get","granted":true}}]}},"resource":{{"type":"gcs_bucket","labels":{{"project_id":"acme-prod","bucket_name":"{bucket}","location":"europe-west1"}}}},"timestamp":"{time}","receiveTimestamp":"{time}","severity":"INFO"}}"#
    )
}

/// A config with the given organisation facts.
pub fn config(bucket_prefixes: &[&str], internal_cidrs: &[&str]) -> Config {
    let mut cfg = Config::default();
    cfg.organisation.bucket_prefixes = bucket_prefixes.iter().map(|s| s.to_string()).collect();
    cfg.organisation.internal_cidrs = internal_cidrs
        .iter()
        .map(|s| Cidr::parse(s).unwrap())
        .collect();
    cfg
}

/// Builds one of this suite's rules from its catalogue defaults (plus `overrides`), through
/// its registry line as `scan` does.
pub fn rule_with(
    id: &str,
    cfg: &Config,
    overrides: Option<&toml::Table>,
) -> Result<Box<dyn DynRule>, String> {
    let mut cfg = cfg.clone();
    if let Some(o) = overrides {
        cfg.rules.insert(id.to_string(), o.clone());
    }
    let reg = registration(id).unwrap_or_else(|| panic!("not a rule: {id}"));
    (reg.build)(&Setup { config: &cfg }).map_err(|e| e.to_string())
}

pub fn rule(id: &str, cfg: &Config) -> Box<dyn DynRule> {
    rule_with(id, cfg, None).unwrap()
}

/// Writes each file's lines and scans them all with `rules`.
pub fn run_files(files: &[Vec<String>], rules: Vec<Box<dyn DynRule>>) -> Vec<Alert> {
    let dir = tempfile::tempdir().unwrap();
    let mut inputs = Vec::new();
    for (i, lines) in files.iter().enumerate() {
        let p: PathBuf = dir.path().join(format!("part-{i:03}.log"));
        std::fs::write(&p, lines.join("\n") + "\n").unwrap();
        inputs.push(InputPath::File(p));
    }
    scan(inputs, rules, &ScanOptions::default()).unwrap().alerts
}

/// Scans one file with one rule built from defaults and `cfg`.
pub fn run(lines: &[String], id: &str, cfg: &Config) -> Vec<Alert> {
    run_files(&[lines.to_vec()], vec![rule(id, cfg)])
}

pub fn field(a: &Alert, k: &str) -> serde_json::Value {
    a.fields.get(k).cloned().unwrap_or(serde_json::Value::Null)
}
