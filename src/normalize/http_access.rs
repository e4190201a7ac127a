//! Perimeter HTTP logs: Azure Front Door / Application Gateway (access and WAF), AWS WAF,
//! GCP HTTP(S) load balancer, and nginx / Apache combined log lines.

use super::record_error::RecordError;
use super::s3_access::tokens;
use super::value::{key, path, status_code, text, Record};
use crate::event::{BadReason, Event, LogFormat, Origin, Outcome, Provider, Timestamp};
use serde_json::Value;

fn outcome_of(status: Option<u16>, action: &str) -> Outcome {
    if action.eq_ignore_ascii_case("block") {
        return Outcome::Failure;
    }
    match status {
        Some(s) if s < 400 => Outcome::Success,
        Some(_) => Outcome::Failure,
        None => Outcome::Unknown,
    }
}

/// `https://login.microsoftonline.com/common/GetCredentialType?mkt=en` → path only.
pub fn path_of(uri: &str) -> String {
    let after_scheme = uri
        .split_once("://")
        .map_or(uri, |(_, rest)| rest.find('/').map_or("/", |i| &rest[i..]));
    let p = after_scheme.split(['?', '#']).next().unwrap_or("");
    if p.is_empty() {
        "/".into()
    } else {
        p.to_string()
    }
}

fn host_of(uri: &str) -> String {
    uri.split_once("://")
        .map(|(_, rest)| rest.split(['/', '?', ':']).next().unwrap_or("").to_string())
        .unwrap_or_default()
}

/// Front Door and Application Gateway diagnostic categories (`FrontDoorAccessLog`,
/// `ApplicationGatewayFirewallLog`, ...).
pub fn matches_azure(r: &Record) -> bool {
    let category = r.category();
    category.starts_with("frontdoor") || category.starts_with("applicationgateway")
}

/// Azure Front Door / Application Gateway diagnostic records (`properties` holds the request).
pub fn from_azure(v: &Value, origin: Origin) -> Result<Event, RecordError> {
    let ts = text(v, &["time", "timeStamp", "TimeGenerated"]);
    let time = Timestamp::parse(&ts).ok_or_else(|| {
        RecordError::new(
            BadReason::InvalidTime,
            format!("time {ts:?} is not a timestamp"),
        )
    })?;
    let mut e = Event::new(Provider::Azure, LogFormat::HttpAccess, time, origin);
    let p = path(v, "properties").cloned().unwrap_or(Value::Null);
    e.source_ip = text(&p, &["clientIp", "clientIP", "socketIp"]);
    let uri = text(&p, &["requestUri", "requestUrl"]);
    e.action = path_of(&uri);
    e.request = uri.clone();
    e.service = text(&p, &["hostName", "host", "originalHost"]);
    if e.service.is_empty() {
        e.service = host_of(&uri);
    }
    e.user_agent = text(&p, &["userAgent"]);
    e.http_status = status_code(&p, &["httpStatusCode", "httpStatus"]);
    let waf_action = text(&p, &["action"]);
    e.status = waf_action.clone();
    e.outcome = outcome_of(e.http_status, &waf_action);
    e.error_code = text(&p, &["ruleName", "errorInfo"]);
    if e.error_code == "NoError" {
        e.error_code.clear();
    }
    e.event_id = text(&p, &["trackingReference", "transactionId"]);
    e.resource = text(v, &["resourceId"]);
    e.account = super::azure_activity::parse_resource_id(&e.resource).0;
    e.identity_type = text(v, &["category"]);
    Ok(e)
}

/// AWS WAF logs: the request beside the web ACL or rule that judged it.
pub fn matches_aws_waf(r: &Record) -> bool {
    r.has("httpRequest") && (r.has("webaclId") || r.has("terminatingRuleId"))
}

/// AWS WAF web ACL logs.
pub fn from_aws_waf(v: &Value, origin: Origin) -> Result<Event, RecordError> {
    let ts = text(v, &["timestamp"]);
    let time = match ts.parse::<i64>() {
        Ok(ms) => Timestamp(ms.saturating_mul(1_000_000)),
        Err(_) => Timestamp::parse(&ts).ok_or_else(|| {
            RecordError::new(
                BadReason::InvalidTime,
                format!("timestamp {ts:?} is not a timestamp"),
            )
        })?,
    };
    let mut e = Event::new(Provider::Aws, LogFormat::HttpAccess, time, origin);
    e.source_ip = text(v, &["httpRequest.clientIp"]);
    let uri = text(v, &["httpRequest.uri"]);
    e.action = path_of(&uri);
    e.request = format!("{} {}", text(v, &["httpRequest.httpMethod"]), uri)
        .trim()
        .to_string();
    e.country = text(v, &["httpRequest.country"]);
    e.resource = text(v, &["webaclId"]);
    e.status = text(v, &["action"]);
    e.error_code = text(v, &["terminatingRuleId"]);
    e.http_status = status_code(v, &["responseCodeSent"]);
    e.outcome = outcome_of(e.http_status, &e.status);
    e.event_id = text(v, &["httpRequest.requestId"]);
    if let Some(Value::Array(headers)) = path(v, "httpRequest.headers") {
        for h in headers {
            let name = text(h, &["name"]);
            if name.eq_ignore_ascii_case("host") {
                e.service = text(h, &["value"]);
            } else if name.eq_ignore_ascii_case("user-agent") {
                e.user_agent = text(h, &["value"]);
            }
        }
    }
    Ok(e)
}

/// GCP load balancer `LogEntry`s: an `httpRequest` object with a LogEntry's own keys.
pub fn matches_gcp_lb(r: &Record) -> bool {
    key(r.value, "httpRequest").is_some_and(Value::is_object)
        && (r.has("logName") || r.has("resource") || r.has("insertId"))
}

/// GCP HTTP(S) load balancer request logs (`httpRequest` in a LogEntry).
pub fn from_gcp_lb(v: &Value, origin: Origin) -> Result<Event, RecordError> {
    let ts = text(v, &["timestamp", "receiveTimestamp", "p_event_time"]);
    let time = Timestamp::parse(&ts).ok_or_else(|| {
        RecordError::new(
            BadReason::InvalidTime,
            format!("timestamp {ts:?} is not a timestamp"),
        )
    })?;
    let mut e = Event::new(Provider::Gcp, LogFormat::HttpAccess, time, origin);
    let h = path(v, "httpRequest").cloned().unwrap_or(Value::Null);
    e.source_ip = text(&h, &["remoteIp"]);
    let url = text(&h, &["requestUrl"]);
    e.action = path_of(&url);
    e.service = host_of(&url);
    e.request = format!("{} {}", text(&h, &["requestMethod"]), url)
        .trim()
        .to_string();
    e.user_agent = text(&h, &["userAgent"]);
    e.http_status = status_code(&h, &["status"]);
    e.outcome = outcome_of(e.http_status, "");
    e.account = text(v, &["resource.labels.project_id"]);
    e.event_id = text(v, &["insertId"]);
    e.error_code = text(v, &["jsonPayload.statusDetails"]);
    Ok(e)
}

/// `host - user [time] "GET /path HTTP/1.1" status bytes "referer" "user agent"`, with an
/// optional leading virtual host (`vhost_combined`).
pub fn looks_like_combined(line: &str) -> bool {
    combined_fields(line).is_some()
}

/// The fields of a combined line as `host ident user [time] request status bytes ...`, the
/// user joined back together when it holds spaces (`%u` is logged as sent: a Basic-auth user
/// name, attacker-chosen, may contain any number of them).
fn combined_fields(line: &str) -> Option<(Vec<&str>, String)> {
    let mut t = tokens(line);
    // The time is the first bracketed field after host, ident and user.
    let at = t.iter().skip(3).position(|x| x.starts_with('['))? + 3;
    // `vhost:port host ident user [time]`: a vhost before a real address, not a user name
    // in two words after an ident.
    let vhost = at == 4
        && t[1].parse::<std::net::IpAddr>().is_ok()
        && t[0].parse::<std::net::IpAddr>().is_err();
    let user = if vhost {
        t.remove(0);
        t[2].to_string()
    } else {
        let user = t[2..at].join(" ");
        t.drain(3..at);
        user
    };
    (t.len() >= 7).then_some((t, user))
}

pub fn from_combined(line: &str, origin: Origin) -> Result<Event, RecordError> {
    let Some((t, user)) = combined_fields(line) else {
        return Err(RecordError::new(
            BadReason::Unrecognised,
            "expected a combined log line: host ident user [time] \"request\" status bytes",
        ));
    };
    let time = Timestamp::parse(t[3]).ok_or_else(|| {
        RecordError::new(
            BadReason::InvalidTime,
            format!("time {:?} is not a timestamp", t[3]),
        )
    })?;
    let mut e = Event::new(Provider::Other, LogFormat::HttpAccess, time, origin);
    e.source_ip = t[0].to_string();
    if user != "-" {
        e.identity = user;
    }
    e.request = t[4].to_string();
    let mut parts = t[4].split(' ');
    let _method = parts.next();
    e.action = path_of(parts.next().unwrap_or(""));
    e.http_status = t[5].parse().ok();
    e.user_agent = t
        .get(8)
        .filter(|u| **u != "-")
        .map(|u| u.to_string())
        .unwrap_or_default();
    e.outcome = outcome_of(e.http_status, "");
    Ok(e)
}
