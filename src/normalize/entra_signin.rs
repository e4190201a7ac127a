//! Entra ID sign-ins: Sentinel `SigninLogs` / `AADNonInteractiveUserSignInLogs`, Graph
//! `auditLogs/signIns`, and the diagnostic export (`properties` under `records`).

use super::record_error::RecordError;
use super::value::{json_column, path, text, Record};
use crate::event::{
    Access, BadReason, Event, LogFormat, LogKind, Origin, Outcome, Provider, Shape, Timestamp,
};
use serde_json::Value;

fn outcome_of(code: &str) -> Outcome {
    match code {
        "" => Outcome::Unknown,
        "0" => Outcome::Success,
        _ => Outcome::Failure,
    }
}

/// Entra's `authenticationRequirement`: what the sign-in had to pass, multi-factor or single
/// factor (Graph `signIn`, the diagnostic export and Sentinel's `SigninLogs` all carry it).
fn mfa_of(requirement: &str) -> Option<bool> {
    if requirement.eq_ignore_ascii_case("multiFactorAuthentication") {
        Some(true)
    } else if requirement.eq_ignore_ascii_case("singleFactorAuthentication") {
        Some(false)
    } else {
        None
    }
}

/// Fields shared by every shape once the sign-in object (`properties`, the Graph object or
/// the Sentinel row) is found. `p` is a prefix for nested shapes.
fn fill(e: &mut Event, s: &Value) {
    e.identity = text(
        s,
        &[
            "userPrincipalName",
            "servicePrincipalName",
            "servicePrincipalId",
            "userId",
            "appId",
        ],
    );
    e.identity_type = text(s, &["userType", "signInEventTypes.0"]);
    e.source_ip = text(s, &["ipAddress"]);
    e.user_agent = text(s, &["userAgent"]);
    e.service = text(s, &["appDisplayName", "appId"]);
    e.resource = text(s, &["resourceDisplayName", "resourceId"]);
    e.client_app = text(s, &["clientAppUsed"]);
    e.country = text(s, &["location.countryOrRegion"]);
    e.event_id = text(s, &["id"]);
    e.account = text(s, &["homeTenantId", "resourceTenantId", "tenantId"]);
    e.mfa = mfa_of(&text(s, &["authenticationRequirement"]));
    let code = text(s, &["status.errorCode"]);
    e.status = code.clone();
    e.outcome = outcome_of(&code);
    if e.outcome == Outcome::Failure {
        e.error_code = code;
    }
}

/// Diagnostic records of every sign-in category (`SignInLogs`, `NonInteractiveUserSignInLogs`,
/// `ServicePrincipalSignInLogs`, ...).
pub fn matches_diagnostic(r: &Record) -> bool {
    r.category().ends_with("signinlogs")
}

/// Diagnostic export: `{"time","category":"SignInLogs","properties":{...}}`.
pub fn from_diagnostic(v: &Value, origin: Origin) -> Result<Event, RecordError> {
    let t = text(v, &["time", "properties.createdDateTime"]);
    let time = Timestamp::parse(&t).ok_or_else(|| {
        RecordError::new(
            BadReason::InvalidTime,
            format!("time {t:?} is not a timestamp"),
        )
    })?;
    let mut e = Event::new(Provider::Azure, LogFormat::EntraSignin, time, origin);
    // Every record of a sign-in log is an authentication.
    e.access = Access::SignIn;
    let props = path(v, "properties").cloned().unwrap_or(Value::Null);
    fill(&mut e, &props);
    e.action = text(v, &["operationName"]);
    if e.action.is_empty() {
        e.action = "Sign-in activity".into();
    }
    e.kind = LogKind::of_entra_signin(
        &text(v, &["category"]),
        &text(&props, &["signInEventTypes.0"]),
        &text(&props, &["isInteractive"]),
    );
    if e.identity_type.is_empty() {
        e.identity_type = text(v, &["category"]);
    }
    if e.source_ip.is_empty() {
        e.source_ip = text(v, &["callerIpAddress"]);
    }
    if e.account.is_empty() {
        e.account = text(v, &["tenantId"]);
    }
    if e.status.is_empty() {
        let code = text(v, &["resultType"]);
        e.outcome = outcome_of(&code);
        if e.outcome == Outcome::Failure {
            e.error_code = code.clone();
        }
        e.status = code;
    }
    if e.event_id.is_empty() {
        e.event_id = text(v, &["properties.id"]);
    }
    Ok(e)
}

/// Graph sign-ins: `createdDateTime` with the signed-in user or application at the top.
pub fn matches_graph(r: &Record) -> bool {
    r.has_key("createdDateTime") && (r.has_key("userPrincipalName") || r.has_key("appDisplayName"))
}

/// Graph `auditLogs/signIns` object.
pub fn from_graph(v: &Value, origin: Origin) -> Result<Event, RecordError> {
    let t = text(v, &["createdDateTime"]);
    let time = Timestamp::parse(&t).ok_or_else(|| {
        RecordError::new(
            BadReason::InvalidTime,
            format!("createdDateTime {t:?} is not a timestamp"),
        )
    })?;
    let mut e = Event::new(Provider::Azure, LogFormat::EntraSignin, time, origin);
    // Every record of a sign-in log is an authentication.
    e.access = Access::SignIn;
    e.shape = Shape::Rest;
    fill(&mut e, v);
    e.action = "Sign-in activity".into();
    e.kind = LogKind::of_entra_signin(
        "",
        &text(v, &["signInEventTypes.0"]),
        &text(v, &["isInteractive"]),
    );
    Ok(e)
}

/// Sentinel sign-in rows: named by the table (`SigninLogs`, `AADNonInteractiveUserSignInLogs`,
/// ...), or by the columns every sign-in table has.
pub fn matches_sentinel(r: &Record) -> bool {
    let table = r.table();
    table == "SigninLogs"
        || table.ends_with("SignInLogs")
        || (r.has_key("ResultType") && r.has_key("UserPrincipalName"))
}

/// Sentinel `SigninLogs` / `AADNonInteractiveUserSignInLogs`: `ResultType` is the error code
/// as a string; JSON columns may be strings.
pub fn from_sentinel(v: &Value, origin: Origin) -> Result<Event, RecordError> {
    let t = text(v, &["TimeGenerated", "CreatedDateTime"]);
    let time = Timestamp::parse(&t).ok_or_else(|| {
        RecordError::new(
            BadReason::InvalidTime,
            format!("TimeGenerated {t:?} is not a timestamp"),
        )
    })?;
    let mut e = Event::new(Provider::Azure, LogFormat::EntraSignin, time, origin);
    // Every record of a sign-in log is an authentication.
    e.access = Access::SignIn;
    e.shape = Shape::Sentinel;
    e.identity = text(v, &["UserPrincipalName", "ServicePrincipalName", "UserId"]);
    e.identity_type = text(v, &["UserType", "Type"]);
    e.source_ip = text(v, &["IPAddress"]);
    e.user_agent = text(v, &["UserAgent"]);
    e.service = text(v, &["AppDisplayName", "AppId"]);
    e.resource = text(v, &["ResourceDisplayName"]);
    e.client_app = text(v, &["ClientAppUsed"]);
    e.mfa = mfa_of(&text(v, &["AuthenticationRequirement"]));
    e.country = text(v, &["Location"]);
    if e.country.is_empty() {
        if let Some(loc) =
            json_column(v, "LocationDetails").or_else(|| json_column(v, "LocationDetails_dynamic"))
        {
            e.country = text(&loc, &["countryOrRegion"]);
        }
    }
    e.event_id = text(v, &["Id", "OriginalRequestId"]);
    e.account = text(
        v,
        &[
            "HomeTenantId",
            "ResourceTenantId",
            "AADTenantId",
            "TenantId",
        ],
    );
    e.action = text(v, &["OperationName"]);
    if e.action.is_empty() {
        e.action = "Sign-in activity".into();
    }
    let code = text(v, &["ResultType"]);
    e.outcome = outcome_of(&code);
    if e.outcome == Outcome::Failure {
        e.error_code = code.clone();
    }
    e.status = code;
    e.kind = LogKind::of_entra_signin(
        &text(v, &["Type", "$table", "Category"]),
        "",
        &text(v, &["IsInteractive"]),
    );
    Ok(e)
}
