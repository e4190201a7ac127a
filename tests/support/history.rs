//! Helpers for the history-based rule tests: real record shapes (CloudTrail, Entra sign-ins
//! and audits, GCP audit entries) with the fields those rules read, a shared in-memory
//! baseline store, and scans that run rules built directly against it (the registry wires
//! rules in separately).
#![allow(dead_code)]

#[path = "mod.rs"]
mod support;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tripline::config::Config;
use tripline::engine::scan::{scan, ScanOptions};
use tripline::event::{Alert, Timestamp};
use tripline::rules::context::Setup;
use tripline::rules::registry::registration;
use tripline::rules::DynRule;
use tripline::state::Store;

pub const TENANT: &str = "11111111-2222-3333-4444-555555555555";
pub const ACCT: &str = "123456789012";
pub const OTHER_ACCT: &str = "210987654321";
pub const PROJECT: &str = "acme-prod";

pub const NEW_SOURCE: &str = "new-source-signin";
pub const ENUM: &str = "post-auth-enumeration";
pub const KEY: &str = "access-key-created";
pub const REGION: &str = "unused-region-activity";
pub const FIRST: &str = "first-seen-api";
pub const ALL: [&str; 5] = [NEW_SOURCE, ENUM, KEY, REGION, FIRST];

pub type Shared = Arc<Mutex<Store>>;

/// A fresh in-memory baseline store.
pub fn store() -> Shared {
    Arc::new(Mutex::new(Store::open(":memory:").unwrap()))
}

/// A unique id per record, so duplicate-delivery removal never merges two test records.
fn uid() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{:08x}-0000-4000-8000-{:012x}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// Day `d` of the test calendar (day 1 is 2024-05-01) at `hms` (`HH:MM:SS`), RFC 3339 UTC.
pub fn day(d: i64, hms: &str) -> String {
    let base = Timestamp::parse("2024-05-01T00:00:00Z").unwrap();
    let secs: Vec<i64> = hms.split(':').map(|x| x.parse().unwrap()).collect();
    let s = (d - 1) * 86_400 + secs[0] * 3600 + secs[1] * 60 + secs[2];
    Timestamp(base.0 + s * 1_000_000_000).to_string()
}

/// `t` plus `s` seconds, RFC 3339.
pub fn plus(t: &str, s: i64) -> String {
    Timestamp(Timestamp::parse(t).unwrap().0 + s * 1_000_000_000).to_string()
}

pub fn user_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCT}:user/{name}")
}

/// A successful Entra sign-in (diagnostic export) to application `app`, located in
/// `country` (empty: no location).
pub fn signin(time: &str, upn: &str, ip: &str, country: &str, app: &str) -> String {
    let id = uid();
    let location = if country.is_empty() {
        String::new()
    } else {
        format!(r#""location":{{"city":"X","countryOrRegion":"{country}"}},"#)
    };
    format!(
        r#"{{"time":"{time}","resourceId":"/tenants/{TENANT}/providers/Microsoft.aadiam","operationName":"Sign-in activity","category":"SignInLogs","tenantId":"{TENANT}","resultType":"0","callerIpAddress":"{ip}","identity":"User","properties":{{"id":"{id}","createdDateTime":"{time}","userPrincipalName":"{upn}","userId":"u-1","appId":"a-1","appDisplayName":"{app}","ipAddress":"{ip}","status":{{"errorCode":0}},"clientAppUsed":"Browser","userAgent":"Mozilla/5.0",{location}"resourceDisplayName":"Microsoft Graph","homeTenantId":"{TENANT}"}}}}"#
    )
}

fn user_identity(arn: &str, account: &str, key_id: &str) -> String {
    let kind = if arn.contains(":assumed-role/") {
        "AssumedRole"
    } else {
        "IAMUser"
    };
    format!(
        r#"{{"type":"{kind}","principalId":"AIDAEXAMPLE","arn":"{arn}","accountId":"{account}","accessKeyId":"{key_id}"}}"#
    )
}

/// A raw CloudTrail record: `name` by `arn` (in `account`) with `key_id`, from `ip`.
#[allow(clippy::too_many_arguments)]
fn cloudtrail(
    time: &str,
    source: &str,
    name: &str,
    arn: &str,
    account: &str,
    region: &str,
    ip: &str,
    key_id: &str,
    request: &str,
    response: &str,
) -> String {
    let id = uid();
    let ui = user_identity(arn, account, key_id);
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{ui},"eventTime":"{time}","eventSource":"{source}","eventName":"{name}","awsRegion":"{region}","sourceIPAddress":"{ip}","userAgent":"aws-cli/2.15.0","requestParameters":{request},"responseElements":{response},"requestID":"r","eventID":"{id}","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"{account}","eventCategory":"Management"}}"#
    )
}

/// An AWS API call made with a temporary (`ASIA…`) key, so that it is no access-key use.
pub fn call(time: &str, name: &str, arn: &str, region: &str, ip: &str) -> String {
    cloudtrail(
        time,
        "ec2.amazonaws.com",
        name,
        arn,
        ACCT,
        region,
        ip,
        "ASIAEXAMPLE",
        "null",
        "null",
    )
}

/// An AWS API call made with `key_id` (an `AKIA…` key is a long-term access key).
pub fn call_with_key(time: &str, name: &str, arn: &str, ip: &str, key_id: &str) -> String {
    cloudtrail(
        time,
        "ec2.amazonaws.com",
        name,
        arn,
        ACCT,
        "eu-west-1",
        ip,
        key_id,
        "null",
        "null",
    )
}

/// A successful AWS console sign-in of IAM user `user`.
pub fn console_login(time: &str, user: &str, ip: &str) -> String {
    let id = uid();
    let arn = user_arn(user);
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"{arn}","accountId":"{ACCT}","userName":"{user}"}},"eventTime":"{time}","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"{ip}","userAgent":"Mozilla/5.0","requestParameters":null,"responseElements":{{"ConsoleLogin":"Success"}},"additionalEventData":{{"MFAUsed":"No"}},"eventID":"{id}","readOnly":false,"eventType":"AwsConsoleSignIn","managementEvent":true,"recipientAccountId":"{ACCT}","eventCategory":"Management"}}"#
    )
}

/// `CreateAccessKey` by `actor_arn` for IAM user `target` (empty: for the caller itself).
pub fn create_access_key(time: &str, actor_arn: &str, target: &str, new_key: &str) -> String {
    let user = if target.is_empty() {
        actor_arn.rsplit('/').next().unwrap()
    } else {
        target
    };
    let request = if target.is_empty() {
        "null".to_string()
    } else {
        format!(r#"{{"userName":"{target}"}}"#)
    };
    let response = format!(
        r#"{{"accessKey":{{"accessKeyId":"{new_key}","status":"Active","userName":"{user}","createDate":"{time}"}}}}"#
    );
    cloudtrail(
        time,
        "iam.amazonaws.com",
        "CreateAccessKey",
        actor_arn,
        ACCT,
        "us-east-1",
        "198.51.100.7",
        "ASIACALLER",
        &request,
        &response,
    )
}

/// `AssumeRole` of `role_arn` by `arn` (in `ACCT`) from `ip`.
pub fn assume_role(time: &str, arn: &str, role_arn: &str, ip: &str) -> String {
    let request = format!(r#"{{"roleArn":"{role_arn}","roleSessionName":"s1"}}"#);
    cloudtrail(
        time,
        "sts.amazonaws.com",
        "AssumeRole",
        arn,
        ACCT,
        "us-east-1",
        ip,
        "ASIAEXAMPLE",
        &request,
        "null",
    )
}

/// A GCP audit log entry: `method` by `principal` in `PROJECT` from `ip`.
pub fn gcp(time: &str, principal: &str, method: &str, ip: &str) -> String {
    let id = uid();
    let service = method.split('.').next().unwrap_or("x");
    format!(
        r#"{{"insertId":"{id}","logName":"projects/{PROJECT}/logs/cloudaudit.googleapis.com%2Factivity","protoPayload":{{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","authenticationInfo":{{"principalEmail":"{principal}"}},"methodName":"{method}","requestMetadata":{{"callerIp":"{ip}","callerSuppliedUserAgent":"google-cloud-sdk gcloud/470.0.0"}},"resourceName":"projects/{PROJECT}","serviceName":"{service}.googleapis.com","status":{{}}}},"resource":{{"type":"project","labels":{{"project_id":"{PROJECT}"}}}},"timestamp":"{time}","receiveTimestamp":"{time}","severity":"NOTICE"}}"#
    )
}

/// GCP `CreateServiceAccountKey` by `principal` for service account `sa`.
pub fn gcp_create_key(time: &str, principal: &str, sa: &str, key: &str) -> String {
    let id = uid();
    format!(
        r#"{{"insertId":"{id}","logName":"projects/{PROJECT}/logs/cloudaudit.googleapis.com%2Factivity","protoPayload":{{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","authenticationInfo":{{"principalEmail":"{principal}"}},"methodName":"google.iam.admin.v1.CreateServiceAccountKey","requestMetadata":{{"callerIp":"198.51.100.7"}},"resourceName":"projects/-/serviceAccounts/{sa}","serviceName":"iam.googleapis.com","request":{{"name":"projects/-/serviceAccounts/{sa}","@type":"type.googleapis.com/google.iam.admin.v1.CreateServiceAccountKeyRequest"}},"response":{{"name":"projects/{PROJECT}/serviceAccounts/{sa}/keys/{key}"}},"status":{{}}}},"resource":{{"type":"service_account","labels":{{"project_id":"{PROJECT}"}}}},"timestamp":"{time}","severity":"NOTICE"}}"#
    )
}

/// An Entra audit record (diagnostic export): `activity` by `actor` on service principal `target`.
pub fn entra_audit(time: &str, activity: &str, actor: &str, target: &str) -> String {
    let id = uid();
    format!(
        r#"{{"time":"{time}","resourceId":"/tenants/{TENANT}/providers/Microsoft.aadiam","operationName":"{activity}","category":"AuditLogs","tenantId":"{TENANT}","resultType":"Success","properties":{{"id":"{id}","category":"ApplicationManagement","activityDisplayName":"{activity}","activityDateTime":"{time}","loggedByService":"Core Directory","result":"success","initiatedBy":{{"user":{{"userPrincipalName":"{actor}","ipAddress":"198.51.100.7"}}}},"targetResources":[{{"id":"sp-1","displayName":"{target}","type":"ServicePrincipal"}}]}}}}"#
    )
}

/// A history rule built for a scan on a given store (the engine owns the store: the rule
/// names it, and `run_files` hands it to the scan).
pub struct OnStore {
    rule: Box<dyn DynRule>,
    store: Shared,
}

/// Builds one of the history rules from its catalogue defaults (plus `overrides`) on `store`.
pub fn rule_with(
    id: &str,
    cfg: &Config,
    store: &Shared,
    overrides: Option<&toml::Table>,
) -> OnStore {
    assert!(ALL.contains(&id), "not a history rule: {id}");
    let mut cfg = cfg.clone();
    if let Some(o) = overrides {
        cfg.rules.insert(id.to_string(), o.clone());
    }
    let rule = (registration(id).unwrap().build)(&Setup { config: &cfg }).unwrap();
    OnStore {
        rule,
        store: Arc::clone(store),
    }
}

pub fn rules(ids: &[&str], cfg: &Config, store: &Shared) -> Vec<OnStore> {
    ids.iter()
        .map(|id| rule_with(id, cfg, store, None))
        .collect()
}

/// Writes each file's lines and scans them all with `rules`, on their store.
pub fn run_files(files: &[Vec<String>], rules: Vec<OnStore>) -> Vec<Alert> {
    let (_dir, inputs) = support::write_parts(files);
    let store = rules.first().map(|r| Arc::clone(&r.store));
    let opts = ScanOptions {
        store,
        ..ScanOptions::default()
    };
    let rules = rules.into_iter().map(|r| r.rule).collect();
    scan(inputs, rules, &opts).unwrap().alerts
}

/// One scan of `lines` with the rules `ids` (defaults) on a fresh store, addresses enriched
/// by `enricher` on the workers as `scan` does with `[lists] geoip` / `asn`.
pub fn fresh_enriched(
    ids: &[&str],
    lines: &[String],
    enricher: tripline::enrich::Enricher,
) -> Vec<Alert> {
    let (_dir, inputs) = support::write_parts(&[lines.to_vec()]);
    let store = store();
    let opts = ScanOptions {
        store: Some(Arc::clone(&store)),
        enricher: Some(Arc::new(enricher)),
        ..ScanOptions::default()
    };
    let rules = rules(ids, &Config::default(), &store)
        .into_iter()
        .map(|r| r.rule)
        .collect();
    scan(inputs, rules, &opts).unwrap().alerts
}

/// Scans files in place (real fixtures, their folders expanded as `scan` does) with `rules`.
pub fn run_paths(paths: &[&str], rules: Vec<OnStore>) -> Vec<Alert> {
    let paths: Vec<String> = paths.iter().map(|p| p.to_string()).collect();
    let (inputs, errors) = tripline::input::expand(&paths);
    assert!(errors.is_empty(), "{errors:?}");
    let store = rules.first().map(|r| Arc::clone(&r.store));
    let opts = ScanOptions {
        store,
        ..ScanOptions::default()
    };
    let rules = rules.into_iter().map(|r| r.rule).collect();
    scan(inputs, rules, &opts).unwrap().alerts
}

/// One scan of `lines` with the rules `ids` (defaults, `cfg`) on `store`.
pub fn scan_on(store: &Shared, cfg: &Config, ids: &[&str], lines: &[String]) -> Vec<Alert> {
    run_files(&[lines.to_vec()], rules(ids, cfg, store))
}

/// One scan with a fresh store and the default config.
pub fn fresh(ids: &[&str], lines: &[String]) -> Vec<Alert> {
    scan_on(&store(), &Config::default(), ids, lines)
}

pub fn of<'a>(alerts: &'a [Alert], rule: &str) -> Vec<&'a Alert> {
    alerts.iter().filter(|a| a.rule == rule).collect()
}

pub fn field(a: &Alert, k: &str) -> serde_json::Value {
    a.fields.get(k).cloned().unwrap_or(serde_json::Value::Null)
}

/// What an alert says, without its evidence (origins name the input files, which differ
/// between a split scan and a whole one).
pub fn essence(alerts: &[Alert]) -> Vec<serde_json::Value> {
    let mut v: Vec<serde_json::Value> = alerts
        .iter()
        .map(|a| {
            let mut j = serde_json::to_value(a).unwrap();
            j.as_object_mut().unwrap().remove("evidence");
            j
        })
        .collect();
    v.sort_by_key(|j| j["id"].as_str().unwrap().to_string());
    v
}
