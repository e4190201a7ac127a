//! GCP Cloud Audit Logs `LogEntry` with an `AuditLog` `protoPayload` (one per line, a JSON
//! array, or Pub/Sub-wrapped: the envelope is removed in `mod.rs`).

use super::key_target::gcp_service_account;
use super::record_error::RecordError;
use super::value::{key, path, text, Record};
use crate::event::{
    Access, BadReason, Event, LogFormat, LogKind, Origin, Outcome, Provider, Timestamp,
};
use serde_json::Value;

/// Audit `LogEntry`s: a `protoPayload`, or its fields flattened to the top (`methodName`).
pub fn matches_log_entry(r: &Record) -> bool {
    r.has("protoPayload") || r.has_key("methodName")
}

pub fn from_log_entry(v: &Value, origin: Origin) -> Result<Event, RecordError> {
    let t = text(v, &["timestamp", "receiveTimestamp", "p_event_time"]);
    let time = Timestamp::parse(&t).ok_or_else(|| {
        RecordError::new(
            BadReason::InvalidTime,
            format!("timestamp {t:?} is not a timestamp"),
        )
    })?;
    let mut e = Event::new(Provider::Gcp, LogFormat::GcpAudit, time, origin);
    // Flattened exports put the AuditLog fields at the top.
    let p = key(v, "protoPayload").unwrap_or(v);
    if !p.is_object() {
        return Err(RecordError::new(
            BadReason::InvalidRecord,
            "protoPayload: expected an object",
        ));
    }
    e.action = text(p, &["methodName"]);
    e.service = text(p, &["serviceName"]);
    e.identity = text(
        p,
        &[
            "authenticationInfo.principalEmail",
            "authenticationInfo.principalSubject",
        ],
    );
    e.identity_type = if e.identity.ends_with(".gserviceaccount.com") {
        "ServiceAccount".into()
    } else if e.identity.is_empty() {
        String::new()
    } else if e.identity.contains('@') {
        "User".into()
    } else {
        "Federated".into()
    };
    e.source_ip = text(p, &["requestMetadata.callerIp", "requestMetadata.callerIP"]);
    e.user_agent = text(p, &["requestMetadata.callerSuppliedUserAgent"]);
    e.resource = text(p, &["resourceName"]);
    e.account = text(v, &["resource.labels.project_id"]);
    if e.account.is_empty() {
        let log_name = text(v, &["logName"]);
        if let Some(rest) = log_name.strip_prefix("projects/") {
            e.account = rest.split('/').next().unwrap_or("").to_string();
        }
    }
    e.region = text(
        v,
        &[
            "resource.labels.location",
            "resource.labels.zone",
            "resource.labels.region",
        ],
    );
    if e.region.is_empty() {
        e.region = text(p, &["resourceLocation.currentLocations.0"]);
    }
    let code = text(p, &["status.code"]);
    if code.is_empty() || code == "0" {
        e.outcome = Outcome::Success;
    } else {
        e.outcome = Outcome::Failure;
        let msg = text(p, &["status.message"]);
        e.error_code = if msg.is_empty() { code.clone() } else { msg };
    }
    e.status = code;
    let log_name = text(v, &["logName"]);
    e.access = access_of(&log_name, &e.action);
    e.kind = LogKind::of_gcp_log_name(&log_name);
    e.event_id = text(v, &["insertId"]);
    if e.action.ends_with("CreateServiceAccountKey") {
        e.key_id = text(p, &["response.name"]);
        e.target = gcp_service_account(
            &text(v, &["resource.labels.email_id"]),
            &text(p, &["request.name", "resourceName"]),
            &e.key_id,
        );
    }
    if path(p, "authorizationInfo").is_some() && e.resource.is_empty() {
        e.resource = text(p, &["authorizationInfo.0.resource"]);
    }
    Ok(e)
}

/// Admin Activity audit logs (`.../logs/cloudaudit.googleapis.com%2Factivity`) record
/// changes; Data Access logs (`%2Fdata_access`) record reads, and also the data writes
/// (DATA_WRITE) that Cloud Storage logs there, told apart by the method's verb
/// (`storage.objects.create`, `.delete`, `.update`...). System Event and Policy Denied logs
/// are Google's own actions or refusals: unknown.
pub fn access_of(log_name: &str, method: &str) -> Access {
    let log = log_name.rsplit('/').next().unwrap_or("");
    let log = log.strip_prefix("cloudaudit.googleapis.com").unwrap_or(log);
    let kind = log.trim_start_matches("%2F").trim_start_matches("%2f");
    match kind {
        "activity" => Access::Write,
        "data_access" => {
            let verb = method.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
            const WRITES: [&str; 9] = [
                "create", "insert", "update", "patch", "delete", "set", "compose", "rewrite",
                "copy",
            ];
            if WRITES.iter().any(|w| verb.starts_with(w)) {
                Access::Write
            } else {
                Access::Read
            }
        }
        _ => Access::Unknown,
    }
}
