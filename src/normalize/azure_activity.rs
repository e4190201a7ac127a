//! Azure Activity Log: diagnostic-settings export, REST / `az monitor activity-log list`,
//! and the Sentinel `AzureActivity` table — each filled into the columns Sentinel's
//! connector would have stored (SPEC §5).

use super::record_error::RecordError;
use super::value::{json_column, path, text, Record};
use crate::event::{
    Access, BadReason, Event, LogFormat, Origin, Outcome, Provider, Shape, Timestamp,
};
use serde_json::Value;

fn time_of(v: &Value, paths: &[&str]) -> Result<Timestamp, RecordError> {
    let t = text(v, paths);
    Timestamp::parse(&t).ok_or_else(|| {
        RecordError::new(
            BadReason::InvalidTime,
            format!("{} {t:?} is not a timestamp", paths[0]),
        )
    })
}

/// `/subscriptions/<id>/resourceGroups/<rg>/providers/...` in any letter case.
pub fn parse_resource_id(id: &str) -> (String, String) {
    let parts: Vec<&str> = id.split('/').collect();
    let mut sub = String::new();
    let mut rg = String::new();
    for w in parts.windows(2) {
        if w[0].eq_ignore_ascii_case("subscriptions") && sub.is_empty() {
            sub = w[1].to_string();
        } else if w[0].eq_ignore_ascii_case("resourceGroups") && rg.is_empty() {
            rg = w[1].to_string();
        }
    }
    (sub, rg)
}

fn outcome_of(status: &str) -> Outcome {
    match status.to_ascii_lowercase().as_str() {
        "success" | "succeeded" => Outcome::Success,
        "failure" | "failed" => Outcome::Failure,
        _ => Outcome::Unknown,
    }
}

fn service_of(operation: &str) -> String {
    operation.split('/').next().unwrap_or("").to_string()
}

const UPN_CLAIM: &str = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn";
const OID_CLAIM: &str = "http://schemas.microsoft.com/identity/claims/objectidentifier";

fn caller_from_claims(claims: &Value) -> String {
    let by_key = |k: &str| {
        claims
            .get(k)
            .and_then(super::value::scalar)
            .unwrap_or_default()
    };
    let upn = by_key(UPN_CLAIM);
    if !upn.is_empty() {
        return upn;
    }
    let upn = text(claims, &["upn", "unique_name"]);
    if !upn.is_empty() && upn.contains('@') {
        return upn;
    }
    let oid = by_key(OID_CLAIM);
    if !oid.is_empty() {
        return oid;
    }
    text(claims, &["oid", "appid"])
}

/// Diagnostic-settings records: an `operationName` beside a `resourceId` or `category`. Entra
/// and Front Door diagnostic records have those too, so this is tried after them.
pub fn matches_diagnostic(r: &Record) -> bool {
    r.has("operationName") && (r.has("resourceId") || r.has("category"))
}

/// Diagnostic-settings export: `{"records":[{"time","operationName","resultType","identity"...}]}`.
pub fn from_diagnostic(v: &Value, origin: Origin) -> Result<Event, RecordError> {
    let time = time_of(v, &["time", "eventTimestamp"])?;
    let mut e = Event::new(Provider::Azure, LogFormat::AzureActivity, time, origin);
    e.action = text(v, &["operationName"]);
    e.status = text(v, &["resultType"]);
    e.outcome = outcome_of(&e.status);
    e.source_ip = text(v, &["callerIpAddress"]);
    let claims = path(v, "identity.claims").cloned().unwrap_or(Value::Null);
    e.identity = caller_from_claims(&claims);
    if e.identity.is_empty() {
        e.identity = text(
            v,
            &["caller", "identity.authorization.evidence.principalId"],
        );
    }
    e.identity_type = text(v, &["identity.authorization.evidence.principalType"]);
    let resource_id = text(v, &["resourceId"]);
    let (sub, rg) = parse_resource_id(&resource_id);
    e.account = if sub.is_empty() {
        text(v, &["tenantId"])
    } else {
        sub
    };
    e.resource_group = rg;
    e.resource = resource_id;
    e.region = text(v, &["location"]);
    e.service = service_of(&e.action);
    e.access = access_of(&e.action);
    e.error_code = if e.outcome == Outcome::Failure {
        text(v, &["resultSignature", "properties.statusCode"])
    } else {
        String::new()
    };
    e.event_id = text(v, &["properties.eventDataId", "eventDataId"]);
    Ok(e)
}

/// Connector translation of REST `status.value` (SPEC §5).
fn connector_status(s: &str) -> String {
    match s {
        "Succeeded" => "Success".into(),
        "Started" => "Start".into(),
        "Failed" => "Failure".into(),
        "Accepted" => "Accept".into(),
        other => other.into(),
    }
}

/// REST / `az monitor activity-log list` events: `operationName` is an object with a `value`.
pub fn matches_rest(r: &Record) -> bool {
    r.has_key("eventTimestamp") && path(r.value, "operationName.value").is_some()
}

/// Activity Log REST / CLI: `operationName.value`, `status.value`, `caller`...
pub fn from_rest(v: &Value, origin: Origin) -> Result<Event, RecordError> {
    let time = time_of(v, &["eventTimestamp", "submissionTimestamp"])?;
    let mut e = Event::new(Provider::Azure, LogFormat::AzureActivity, time, origin);
    e.shape = Shape::Rest;
    e.action = text(v, &["operationName.value", "operationName"]);
    e.status = connector_status(&text(v, &["status.value", "status"]));
    e.outcome = outcome_of(&e.status);
    e.identity = text(v, &["caller"]);
    e.source_ip = text(v, &["httpRequest.clientIpAddress", "callerIpAddress"]);
    e.account = text(v, &["subscriptionId"]);
    e.resource_group = text(v, &["resourceGroupName"]);
    e.resource = text(v, &["resourceId"]);
    if e.account.is_empty() || e.resource_group.is_empty() {
        let (sub, rg) = parse_resource_id(&e.resource);
        if e.account.is_empty() {
            e.account = sub;
        }
        if e.resource_group.is_empty() {
            e.resource_group = rg;
        }
    }
    e.service = text(v, &["resourceProviderName.value"]);
    if e.service.is_empty() {
        e.service = service_of(&e.action);
    }
    e.access = access_of(&e.action);
    if e.outcome == Outcome::Failure {
        e.error_code = text(v, &["subStatus.value"]);
    }
    e.event_id = text(v, &["eventDataId"]);
    Ok(e)
}

/// Sentinel `AzureActivity` rows: named by the table, or by a column only it has.
pub fn matches_sentinel(r: &Record) -> bool {
    r.table() == "AzureActivity" || r.has_key("OperationNameValue")
}

/// Sentinel `AzureActivity`: values as stored.
pub fn from_sentinel(v: &Value, origin: Origin) -> Result<Event, RecordError> {
    let time = time_of(v, &["TimeGenerated", "EventSubmissionTimestamp"])?;
    let mut e = Event::new(Provider::Azure, LogFormat::AzureActivity, time, origin);
    e.shape = Shape::Sentinel;
    e.action = text(v, &["OperationNameValue", "OperationName"]);
    e.status = text(v, &["ActivityStatusValue", "ActivityStatus"]);
    e.outcome = outcome_of(&e.status);
    e.identity = text(v, &["Caller"]);
    e.source_ip = text(v, &["CallerIpAddress"]);
    e.account = text(v, &["SubscriptionId"]);
    e.resource_group = text(v, &["ResourceGroup"]);
    e.resource = text(v, &["_ResourceId", "ResourceId"]);
    e.service = text(v, &["ResourceProviderValue", "ResourceProvider"]);
    if e.service.is_empty() {
        e.service = service_of(&e.action);
    }
    e.access = access_of(&e.action);
    e.event_id = text(v, &["EventDataId"]);
    if let Some(http) = json_column(v, "HTTPRequest") {
        if e.source_ip.is_empty() {
            e.source_ip = text(&http, &["clientIpAddress"]);
        }
    }
    if e.account.is_empty() {
        e.account = parse_resource_id(&e.resource).0;
    }
    Ok(e)
}

/// An Azure operation's kind from its last segment (`Microsoft.Compute/virtualMachines/write`):
/// `read` reads; `write`, `delete` and `action` change something (Azure's own classes of
/// operations). Compared case-blind: the Sentinel table stores them upper-cased.
pub fn access_of(operation: &str) -> Access {
    let last = operation.rsplit('/').next().unwrap_or("");
    if last.eq_ignore_ascii_case("read") {
        Access::Read
    } else if ["write", "delete", "action"]
        .iter()
        .any(|k| last.eq_ignore_ascii_case(k))
    {
        Access::Write
    } else {
        Access::Unknown
    }
}
