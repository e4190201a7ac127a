//! Entra ID audit logs: Sentinel `AuditLogs`, Graph `directoryAudits`, diagnostic export.

use super::record_error::RecordError;
use super::value::{json_column, path, text, Record};
use crate::event::{
    Access, BadReason, Event, LogFormat, Origin, Outcome, Provider, Shape, Timestamp,
};
use serde_json::Value;

fn outcome_of(r: &str) -> Outcome {
    match r.to_ascii_lowercase().as_str() {
        "success" | "0" => Outcome::Success,
        "failure" | "timeout" => Outcome::Failure,
        _ => Outcome::Unknown,
    }
}

/// Fills from a directory-audit object (Graph object or diagnostic `properties`).
fn fill(e: &mut Event, a: &Value, initiated_by: Option<Value>, targets: Option<Value>) {
    e.action = text(a, &["activityDisplayName", "operationName"]);
    e.service = text(a, &["loggedByService"]);
    e.event_id = text(a, &["id"]);
    let result = text(a, &["result"]);
    e.outcome = outcome_of(&result);
    e.status = result;
    if e.outcome == Outcome::Failure {
        e.error_code = text(a, &["resultReason"]);
    }
    if let Some(ib) = initiated_by {
        e.identity = text(
            &ib,
            &[
                "user.userPrincipalName",
                "app.servicePrincipalName",
                "app.displayName",
                "user.id",
                "app.appId",
            ],
        );
        e.identity_type = if path(&ib, "user").is_some_and(|u| !u.is_null()) {
            "User".into()
        } else {
            "Application".into()
        };
        e.source_ip = text(&ib, &["user.ipAddress", "app.ipAddress"]);
    }
    if let Some(t) = targets {
        e.target = text(&t, &["0.userPrincipalName", "0.displayName", "0.id"]);
        e.resource = text(&t, &["0.type"]);
    }
}

/// Diagnostic records of the `AuditLogs` category, or with its nested fields when the
/// category is missing.
pub fn matches_diagnostic(r: &Record) -> bool {
    r.category() == "auditlogs"
        || (path(r.value, "properties.initiatedBy").is_some()
            && path(r.value, "properties.activityDisplayName").is_some())
}

pub fn from_diagnostic(v: &Value, origin: Origin) -> Result<Event, RecordError> {
    let t = text(v, &["time", "properties.activityDateTime"]);
    let time = Timestamp::parse(&t).ok_or_else(|| {
        RecordError::new(
            BadReason::InvalidTime,
            format!("time {t:?} is not a timestamp"),
        )
    })?;
    let mut e = Event::new(Provider::Azure, LogFormat::EntraAudit, time, origin);
    // Entra audit logs record directory changes: every operation is a write.
    e.access = Access::Write;
    let props = path(v, "properties").cloned().unwrap_or(Value::Null);
    fill(
        &mut e,
        &props,
        json_column(&props, "initiatedBy"),
        json_column(&props, "targetResources"),
    );
    if e.action.is_empty() {
        e.action = text(v, &["operationName"]);
    }
    if e.source_ip.is_empty() {
        e.source_ip = text(v, &["callerIpAddress"]);
    }
    e.account = text(v, &["tenantId", "properties.tenantId"]);
    if e.status.is_empty() {
        e.status = text(v, &["resultType", "resultSignature"]);
        e.outcome = outcome_of(&e.status);
    }
    Ok(e)
}

/// Graph `directoryAudits` objects.
pub fn matches_graph(r: &Record) -> bool {
    r.has_key("activityDisplayName")
        && (r.has_key("activityDateTime") || r.has_key("createdDateTime"))
}

pub fn from_graph(v: &Value, origin: Origin) -> Result<Event, RecordError> {
    let t = text(v, &["activityDateTime", "createdDateTime"]);
    let time = Timestamp::parse(&t).ok_or_else(|| {
        RecordError::new(
            BadReason::InvalidTime,
            format!("activityDateTime {t:?} is not a timestamp"),
        )
    })?;
    let mut e = Event::new(Provider::Azure, LogFormat::EntraAudit, time, origin);
    // Entra audit logs record directory changes: every operation is a write.
    e.access = Access::Write;
    e.shape = Shape::Rest;
    fill(
        &mut e,
        v,
        json_column(v, "initiatedBy"),
        json_column(v, "targetResources"),
    );
    e.account = text(v, &["tenantId"]);
    Ok(e)
}

/// Sentinel `AuditLogs` rows: named by the table, or by its capitalised columns.
pub fn matches_sentinel(r: &Record) -> bool {
    r.table() == "AuditLogs" || (r.has_key("OperationName") && r.has_key("InitiatedBy"))
}

pub fn from_sentinel(v: &Value, origin: Origin) -> Result<Event, RecordError> {
    let t = text(v, &["TimeGenerated", "ActivityDateTime"]);
    let time = Timestamp::parse(&t).ok_or_else(|| {
        RecordError::new(
            BadReason::InvalidTime,
            format!("TimeGenerated {t:?} is not a timestamp"),
        )
    })?;
    let mut e = Event::new(Provider::Azure, LogFormat::EntraAudit, time, origin);
    // Entra audit logs record directory changes: every operation is a write.
    e.access = Access::Write;
    e.shape = Shape::Sentinel;
    e.action = text(v, &["OperationName", "ActivityDisplayName"]);
    e.service = text(v, &["LoggedByService"]);
    e.event_id = text(v, &["Id"]);
    let result = text(v, &["Result"]);
    e.outcome = outcome_of(&result);
    e.status = result;
    e.account = text(v, &["AADTenantId", "TenantId"]);
    let mut tmp = Event::default();
    fill(
        &mut tmp,
        &Value::Null,
        json_column(v, "InitiatedBy"),
        json_column(v, "TargetResources"),
    );
    e.identity = tmp.identity;
    e.identity_type = tmp.identity_type;
    e.source_ip = tmp.source_ip;
    e.target = tmp.target;
    e.resource = tmp.resource;
    Ok(e)
}
