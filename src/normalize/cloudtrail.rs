//! AWS CloudTrail: raw events (delivery files, JSON lines, lookup-events, EventBridge,
//! CloudWatch Logs, Lake) through a typed, borrowing parser, and the Sentinel
//! `AWSCloudTrail` table through the DOM.

use super::key_target::aws_key_owner;
use super::lenient::{owned, s, Text};
use super::record_error::RecordError;
use super::value::{json_column, scalar, text, Record};
use crate::event::{
    Access, BadReason, Event, LogFormat, LogKind, Origin, Outcome, Provider, Shape, Timestamp,
};
use serde::Deserialize;
use serde_json::Value;
use sonic_rs::LazyValue;

#[derive(Deserialize, Default)]
#[allow(non_snake_case)]
pub struct UserIdentity<'a> {
    #[serde(borrow, rename = "type")]
    pub kind: Option<Text<'a>>,
    #[serde(borrow)]
    pub arn: Option<Text<'a>>,
    #[serde(borrow)]
    pub accountId: Option<Text<'a>>,
    #[serde(borrow)]
    pub userName: Option<Text<'a>>,
    #[serde(borrow)]
    pub accessKeyId: Option<Text<'a>>,
    #[serde(borrow)]
    pub invokedBy: Option<Text<'a>>,
    #[serde(borrow)]
    pub principalId: Option<Text<'a>>,
}

/// The fields of a CloudTrail record that tripline reads. Unknown keys are skipped without
/// being materialised; envelope markers are recorded so that the caller can unwrap them.
#[derive(Deserialize, Default)]
#[allow(non_snake_case)]
pub struct RawCloudTrail<'a> {
    #[serde(borrow)]
    pub eventTime: Option<Text<'a>>,
    #[serde(borrow, rename = "@timestamp")]
    pub at_timestamp: Option<Text<'a>>,
    #[serde(borrow)]
    pub p_event_time: Option<Text<'a>>,
    #[serde(borrow)]
    pub eventName: Option<Text<'a>>,
    #[serde(borrow)]
    pub eventSource: Option<Text<'a>>,
    #[serde(borrow)]
    pub awsRegion: Option<Text<'a>>,
    #[serde(borrow)]
    pub sourceIPAddress: Option<Text<'a>>,
    #[serde(borrow)]
    pub userAgent: Option<Text<'a>>,
    #[serde(borrow)]
    pub errorCode: Option<Text<'a>>,
    #[serde(borrow)]
    pub errorMessage: Option<Text<'a>>,
    #[serde(borrow)]
    pub eventID: Option<Text<'a>>,
    #[serde(borrow)]
    pub recipientAccountId: Option<Text<'a>>,
    #[serde(borrow)]
    pub eventVersion: Option<Text<'a>>,
    #[serde(borrow)]
    pub userIdentity: Option<UserIdentity<'a>>,
    #[serde(borrow)]
    pub requestParameters: Option<LazyValue<'a>>,
    #[serde(borrow)]
    pub responseElements: Option<LazyValue<'a>>,
    /// `MFAUsed` of a `ConsoleLogin`, among other service-specific details.
    #[serde(borrow)]
    pub additionalEventData: Option<LazyValue<'a>>,
    /// `true` / `false` (a JSON boolean; a string in some exports): read or write.
    #[serde(borrow)]
    pub readOnly: Option<Text<'a>>,
    #[serde(borrow)]
    pub eventType: Option<Text<'a>>,
    /// `Management`, `Data`, `Insight`, `NetworkActivity` (eventVersion 1.08 on).
    #[serde(borrow)]
    pub eventCategory: Option<Text<'a>>,
    /// A JSON boolean (eventVersion 1.06 on): false for data events.
    #[serde(borrow)]
    pub managementEvent: Option<Text<'a>>,
}

/// The request parameters that name what a write changed, in the order they are tried:
/// the thing acted on before what was attached to it (`AttachRolePolicy` changes the role,
/// not the policy). Read only for writes.
const CHANGED_NAME_KEYS: [&str; 24] = [
    "bucketName",
    "userName",
    "roleName",
    "groupName",
    "instanceProfileName",
    "functionName",
    "secretId",
    "name",
    "trailName",
    "policyArn",
    "policyName",
    "dBInstanceIdentifier",
    "dBSnapshotIdentifier",
    "snapshotId",
    "imageId",
    "volumeId",
    "vpcId",
    "subnetId",
    "routeTableId",
    "groupId",
    "internetGatewayId",
    "allocationId",
    "networkInterfaceId",
    "logGroupName",
];

/// Read, write or sign-in from CloudTrail's own fields (`eventType`, `readOnly`).
pub fn access_of(read_only: &str, event_type: &str) -> Access {
    if event_type == "AwsConsoleSignIn" {
        return Access::SignIn;
    }
    match read_only.trim() {
        r if r.eq_ignore_ascii_case("true") => Access::Read,
        r if r.eq_ignore_ascii_case("false") => Access::Write,
        _ => Access::Unknown,
    }
}

/// The first request parameter of [`CHANGED_NAME_KEYS`] that a write names, as text: the
/// parameters are read once, each key compared with every name (a key written exactly wins
/// over another case of it, as in `value::key`), instead of one look-up per name.
#[derive(Default)]
struct ChangedName {
    exact: [Option<String>; CHANGED_NAME_KEYS.len()],
    folded: [Option<String>; CHANGED_NAME_KEYS.len()],
}

impl ChangedName {
    /// One request parameter; `text` gives its scalar value, asked only for a wanted key.
    fn offer(&mut self, key: &str, text: impl FnOnce() -> Option<String>) {
        let Some(i) = CHANGED_NAME_KEYS
            .iter()
            .position(|k| k.eq_ignore_ascii_case(key))
        else {
            return;
        };
        let value = || text().unwrap_or_default();
        if CHANGED_NAME_KEYS[i] == key {
            self.exact[i] = Some(value());
        } else if self.folded[i].is_none() {
            self.folded[i] = Some(value());
        }
    }

    fn finish(self) -> String {
        for (exact, folded) in self.exact.into_iter().zip(self.folded) {
            let v = exact.or(folded).unwrap_or_default();
            let t = v.trim();
            if !t.is_empty() && t != "-" {
                return t.to_string();
            }
        }
        String::new()
    }
}

/// [`ChangedName`] over a parsed object (Sentinel's `RequestParameters` column).
fn changed_name(req: &Value) -> String {
    let mut found = ChangedName::default();
    for (k, v) in req.as_object().into_iter().flatten() {
        found.offer(k, || scalar(v));
    }
    found.finish()
}

/// [`ChangedName`] over raw CloudTrail's `requestParameters` text, without building the
/// object: only writes come here, but a trail has many.
fn changed_name_raw(raw: &str) -> String {
    use sonic_rs::JsonValueTrait;
    let mut found = ChangedName::default();
    for entry in sonic_rs::to_object_iter(raw) {
        let Ok((k, v)) = entry else {
            return String::new();
        };
        found.offer(&k, || {
            if let Some(s) = v.as_str() {
                Some(s.to_string())
            } else if let Some(b) = v.as_bool() {
                Some(b.to_string())
            } else {
                v.as_number().map(|n| n.to_string())
            }
        });
    }
    found.finish()
}

#[derive(Deserialize, Default)]
#[allow(non_snake_case)]
struct RequestParameters<'a> {
    #[serde(borrow)]
    bucketName: Option<Text<'a>>,
    /// An S3 data event's object key.
    #[serde(borrow)]
    key: Option<Text<'a>>,
    #[serde(borrow)]
    userName: Option<Text<'a>>,
    #[serde(borrow)]
    roleArn: Option<Text<'a>>,
}

#[derive(Deserialize, Default)]
#[allow(non_snake_case)]
struct AccessKey<'a> {
    #[serde(borrow)]
    accessKeyId: Option<Text<'a>>,
    #[serde(borrow)]
    userName: Option<Text<'a>>,
}

#[derive(Deserialize, Default)]
#[allow(non_snake_case)]
struct AdditionalEventData<'a> {
    #[serde(borrow)]
    MFAUsed: Option<Text<'a>>,
}

/// A console sign-in's `MFAUsed`: `Yes` or `No`.
fn mfa_used(v: &str) -> Option<bool> {
    if v.eq_ignore_ascii_case("yes") {
        Some(true)
    } else if v.eq_ignore_ascii_case("no") {
        Some(false)
    } else {
        None
    }
}

#[derive(Deserialize, Default)]
#[allow(non_snake_case)]
struct ResponseElements<'a> {
    #[serde(borrow)]
    ConsoleLogin: Option<Text<'a>>,
    #[serde(borrow)]
    accessKey: Option<AccessKey<'a>>,
}

/// Parses only a raw value's object form; other shapes (a string, an array) carry nothing
/// tripline reads, and are not an error.
fn parse_object<'a, T: Deserialize<'a> + Default>(raw: &'a Option<LazyValue<'_>>) -> T {
    match raw {
        Some(r) if r.as_raw_str().starts_with('{') => {
            sonic_rs::from_str(r.as_raw_str()).unwrap_or_default()
        }
        _ => T::default(),
    }
}

/// Maps a parser error to the skip reason: a type or field problem is an invalid record,
/// anything else is invalid JSON.
pub fn sonic_error(e: sonic_rs::Error) -> RecordError {
    let msg = e.to_string();
    let data = msg.contains("invalid type")
        || msg.contains("missing field")
        || msg.contains("invalid value");
    RecordError::new(
        if data {
            BadReason::InvalidRecord
        } else {
            BadReason::InvalidJson
        },
        msg,
    )
}

/// Whether a parsed record has what makes it a CloudTrail event.
pub fn is_cloudtrail(r: &RawCloudTrail<'_>) -> bool {
    r.eventName.is_some()
        && (r.eventSource.is_some() || r.userIdentity.is_some() || r.eventVersion.is_some())
}

pub fn from_raw(r: &RawCloudTrail<'_>, origin: Origin) -> Result<Event, RecordError> {
    let time_text = [&r.eventTime, &r.at_timestamp, &r.p_event_time]
        .into_iter()
        .map(s)
        .find(|t| !t.is_empty());
    let time = match time_text {
        Some(t) => Timestamp::parse(t).ok_or_else(|| {
            RecordError::new(
                BadReason::InvalidTime,
                format!("eventTime {t:?} is not a timestamp"),
            )
        })?,
        None => {
            return Err(RecordError::new(
                BadReason::InvalidTime,
                "no eventTime (nor @timestamp)",
            ))
        }
    };
    let mut e = Event::new(Provider::Aws, LogFormat::CloudTrail, time, origin);
    let ui = r.userIdentity.as_ref();
    e.action = owned(&r.eventName);
    e.service = owned(&r.eventSource);
    e.region = owned(&r.awsRegion);
    e.source_ip = owned(&r.sourceIPAddress);
    e.user_agent = owned(&r.userAgent);
    e.event_id = owned(&r.eventID);
    if let Some(ui) = ui {
        e.identity = owned(&ui.arn);
        e.identity_type = owned(&ui.kind);
        e.account = owned(&ui.accountId);
        e.key_id = owned(&ui.accessKeyId);
        if e.identity.is_empty() {
            // Failed console sign-ins carry the attempted user name but no ARN.
            e.identity = owned(&ui.userName);
        }
    }
    if e.account.is_empty() {
        e.account = owned(&r.recipientAccountId);
    }
    e.error_code = owned(&r.errorCode);
    e.outcome = if e.error_code.is_empty() {
        Outcome::Success
    } else {
        Outcome::Failure
    };
    e.access = access_of(s(&r.readOnly), s(&r.eventType));
    e.kind = LogKind::of_cloudtrail(s(&r.eventCategory), s(&r.managementEvent), s(&r.eventType));
    match e.action.as_str() {
        "ConsoleLogin" => {
            let resp: ResponseElements = parse_object(&r.responseElements);
            let extra: AdditionalEventData = parse_object(&r.additionalEventData);
            e.mfa = mfa_used(s(&extra.MFAUsed));
            let result = s(&resp.ConsoleLogin);
            e.status = result.to_string();
            if result.eq_ignore_ascii_case("Failure") {
                e.outcome = Outcome::Failure;
                if e.error_code.is_empty() {
                    e.error_code = owned(&r.errorMessage);
                }
            }
        }
        "CreateAccessKey" => {
            let req: RequestParameters = parse_object(&r.requestParameters);
            let resp: ResponseElements = parse_object(&r.responseElements);
            let responded = resp.accessKey.as_ref().map_or("", |k| s(&k.userName));
            e.target = aws_key_owner(
                &e.identity,
                &e.identity_type,
                &e.account,
                s(&req.userName),
                responded,
            );
            if let Some(k) = resp.accessKey {
                e.key_id = owned(&k.accessKeyId);
            }
        }
        _ => {
            if e.service == "s3.amazonaws.com" || e.action == "AssumeRole" {
                let req: RequestParameters = parse_object(&r.requestParameters);
                e.resource = if req.bucketName.is_some() {
                    owned(&req.bucketName)
                } else {
                    owned(&req.roleArn)
                };
                e.object = owned(&req.key);
            }
        }
    }
    if e.access == Access::Write && e.resource.is_empty() {
        // Only writes pay for a second look at the request (activity's "resources changed").
        if let Some(raw) = &r.requestParameters {
            e.resource = changed_name_raw(raw.as_raw_str());
        }
    }
    Ok(e)
}

/// Raw CloudTrail reached through the DOM (inside an envelope, or after the typed fast path
/// declined): the typed reader's own test, `is_cloudtrail`, on the keys as written.
pub fn matches_raw(r: &Record) -> bool {
    r.has_key("eventName")
        && (r.has_key("eventSource") || r.has_key("userIdentity") || r.has_key("eventVersion"))
}

/// Records with some of CloudTrail's own keys but not enough for `matches_raw`: read as
/// CloudTrail, so that the bad record says which keys a CloudTrail event needs.
pub fn matches_partial(r: &Record) -> bool {
    r.has_key("eventName") || r.has_key("eventVersion")
}

/// A CloudTrail record held as a `Value`, read by the typed reader like any raw record.
pub fn from_value(v: &Value, origin: Origin) -> Result<Event, RecordError> {
    let bytes = serde_json::to_vec(v).map_err(RecordError::json)?;
    from_bytes(&bytes, origin)
}

/// Raw CloudTrail bytes → event, validating the whole record.
pub fn from_bytes(bytes: &[u8], origin: Origin) -> Result<Event, RecordError> {
    let r: RawCloudTrail = sonic_rs::from_slice(bytes).map_err(sonic_error)?;
    if !is_cloudtrail(&r) {
        return Err(RecordError::new(
            BadReason::InvalidRecord,
            "expected a CloudTrail event (eventName, eventSource)",
        ));
    }
    from_raw(&r, origin)
}

/// Sentinel `AWSCloudTrail` rows: named by the table, or by its capitalised columns.
pub fn matches_sentinel(r: &Record) -> bool {
    r.table() == "AWSCloudTrail" || (r.has_key("EventName") && r.has_key("EventSource"))
}

/// The Sentinel `AWSCloudTrail` table: values taken as stored (SPEC §5).
pub fn from_sentinel(v: &Value, origin: Origin) -> Result<Event, RecordError> {
    let t = text(v, &["TimeGenerated", "EventTime"]);
    let time = Timestamp::parse(&t).ok_or_else(|| {
        RecordError::new(
            BadReason::InvalidTime,
            format!("TimeGenerated {t:?} is not a timestamp"),
        )
    })?;
    let mut e = Event::new(Provider::Aws, LogFormat::CloudTrail, time, origin);
    e.shape = Shape::Sentinel;
    e.action = text(v, &["EventName"]);
    e.service = text(v, &["EventSource"]);
    e.identity = text(v, &["UserIdentityArn"]);
    e.identity_type = text(v, &["UserIdentityType"]);
    e.account = text(v, &["UserIdentityAccountId"]);
    if e.account.is_empty() {
        e.account = text(v, &["RecipientAccountId"]);
    }
    e.region = text(v, &["AWSRegion", "AwsRegion"]);
    e.source_ip = text(v, &["SourceIpAddress", "SourceIPAddress"]);
    e.user_agent = text(v, &["UserAgent"]);
    e.error_code = text(v, &["ErrorCode"]);
    e.event_id = text(v, &["AwsEventId", "EventId"]);
    e.key_id = text(v, &["UserIdentityAccessKeyId"]);
    e.outcome = if e.error_code.is_empty() {
        Outcome::Success
    } else {
        Outcome::Failure
    };
    if e.identity.is_empty() {
        e.identity = text(v, &["UserIdentityUserName"]);
    }
    e.access = access_of(
        &text(v, &["ReadOnly"]),
        &text(v, &["EventTypeName", "EventType"]),
    );
    e.kind = LogKind::of_cloudtrail(
        &text(v, &["EventCategory"]),
        &text(v, &["ManagementEvent"]),
        &text(v, &["EventTypeName", "EventType"]),
    );
    if e.action == "ConsoleLogin" {
        if let Some(extra) = json_column(v, "AdditionalEventData") {
            e.mfa = mfa_used(&text(&extra, &["MFAUsed"]));
        }
        if let Some(resp) = json_column(v, "ResponseElements") {
            let r = text(&resp, &["ConsoleLogin"]);
            if r.eq_ignore_ascii_case("Failure") {
                e.outcome = Outcome::Failure;
                if e.error_code.is_empty() {
                    e.error_code = text(v, &["ErrorMessage"]);
                }
            }
            e.status = r;
        }
    }
    let mut requested_user = String::new();
    if let Some(req) = json_column(v, "RequestParameters") {
        if e.action == "CreateAccessKey" {
            requested_user = text(&req, &["userName"]);
        } else {
            e.resource = text(&req, &["bucketName"]);
            e.object = text(&req, &["key"]);
        }
        if e.access == Access::Write && e.resource.is_empty() {
            e.resource = changed_name(&req);
        }
    }
    if e.action == "CreateAccessKey" {
        let mut responded_user = String::new();
        // The created key, not the caller's (`UserIdentityAccessKeyId`), as for raw CloudTrail.
        if let Some(resp) = json_column(v, "ResponseElements") {
            let created = text(&resp, &["accessKey.accessKeyId"]);
            if !created.is_empty() {
                e.key_id = created;
            }
            responded_user = text(&resp, &["accessKey.userName"]);
        }
        e.target = aws_key_owner(
            &e.identity,
            &e.identity_type,
            &e.account,
            &requested_user,
            &responded_user,
        );
    }
    Ok(e)
}

/// Alert CSV exports: a column spelled with a space.
pub fn matches_alert_csv(r: &Record) -> bool {
    r.has_key("Event Name")
}

/// CSV exports of CloudTrail-derived tools (OTRF's S3 honey-bucket alerts):
/// `Event Name`, `Event DateTime`, `Source IP`, `Request User Agent`.
pub fn from_alert_csv(v: &Value, origin: Origin) -> Result<Event, RecordError> {
    let t = text(v, &["Event DateTime", "eventTime"]);
    let time = Timestamp::parse(&t).ok_or_else(|| {
        RecordError::new(
            BadReason::InvalidTime,
            format!("Event DateTime {t:?} is not a timestamp"),
        )
    })?;
    let mut e = Event::new(Provider::Aws, LogFormat::CloudTrail, time, origin);
    e.action = text(v, &["Event Name"]);
    e.source_ip = text(v, &["Source IP"]);
    e.user_agent = text(v, &["Request User Agent"]);
    e.event_id = text(v, &["Event ID"]);
    let params = text(v, &["Request Parameters"]);
    if let Some(b) = python_dict_value(&params, "bucketName") {
        e.resource = b;
        e.service = "s3.amazonaws.com".into();
    }
    let user = text(v, &["User ID"]);
    e.identity_type = python_dict_value(&user, "type").unwrap_or_default();
    e.account = python_dict_value(&user, "accountId").unwrap_or_default();
    e.outcome = Outcome::Unknown;
    Ok(e)
}

/// `{'bucketName': 'x', ...}` (a Python repr, as some tools write): value of one key.
fn python_dict_value(s: &str, key: &str) -> Option<String> {
    let pat = format!("'{key}': '");
    let start = s.find(&pat)? + pat.len();
    let end = s[start..].find('\'')? + start;
    Some(s[start..end].to_string()).filter(|v| !v.is_empty())
}

/// Insights events: no top-level `eventName` (it is under `insightDetails`), so only their
/// `eventType` says what they are.
pub fn matches_insight(r: &Record) -> bool {
    text(r.value, &["eventType"]) == "AwsCloudTrailInsight"
}

/// CloudTrail Insights events: the API in question is under `insightDetails`.
pub fn from_insight(v: &Value, origin: Origin) -> Result<Event, RecordError> {
    let t = text(v, &["eventTime"]);
    let time = Timestamp::parse(&t).ok_or_else(|| {
        RecordError::new(
            BadReason::InvalidTime,
            format!("eventTime {t:?} is not a timestamp"),
        )
    })?;
    let mut e = Event::new(Provider::Aws, LogFormat::CloudTrail, time, origin);
    e.action = text(v, &["insightDetails.eventName"]);
    e.service = text(v, &["insightDetails.eventSource"]);
    e.status = text(v, &["insightDetails.state"]);
    e.identity_type = "AwsCloudTrailInsight".into();
    e.region = text(v, &["awsRegion"]);
    e.account = text(v, &["recipientAccountId"]);
    e.event_id = text(v, &["eventID"]);
    e.outcome = Outcome::Unknown;
    Ok(e)
}

/// Panther's lower-cased CloudTrail columns.
pub fn matches_panther(r: &Record) -> bool {
    r.has_key("eventname") && r.has_key("eventsource")
}

/// A Panther record: its keys given CloudTrail's spelling, then read as raw CloudTrail.
pub fn from_panther(v: &Value, origin: Origin) -> Result<Event, RecordError> {
    from_value(&canonical_keys(v), origin)
}

/// Panther stores some CloudTrail tests with lower-cased keys (`eventname`, `useridentity`).
pub fn canonical_keys(v: &Value) -> Value {
    const TOP: &[&str] = &[
        "eventVersion",
        "eventTime",
        "eventName",
        "eventSource",
        "awsRegion",
        "sourceIPAddress",
        "userAgent",
        "errorCode",
        "errorMessage",
        "eventID",
        "eventType",
        "recipientAccountId",
        "userIdentity",
        "requestParameters",
        "responseElements",
    ];
    const IDENTITY: &[&str] = &[
        "type",
        "arn",
        "accountId",
        "userName",
        "accessKeyId",
        "invokedBy",
        "principalId",
    ];
    fn rename(v: &Value, names: &[&str], nested: Option<(&str, &[&str])>) -> Value {
        let Some(obj) = v.as_object() else {
            return v.clone();
        };
        let mut m = serde_json::Map::new();
        for (k, x) in obj {
            let canon = names
                .iter()
                .find(|n| n.eq_ignore_ascii_case(k))
                .map_or(k.as_str(), |n| *n);
            let x = match nested {
                Some((field, inner)) if canon == field => rename(x, inner, None),
                _ => x.clone(),
            };
            m.insert(canon.to_string(), x);
        }
        Value::Object(m)
    }
    rename(v, TOP, Some(("userIdentity", IDENTITY)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The raw reader and the parsed-object reader name the same changed resource: the list's
    /// order decides, an exact key beats another case of it even when empty, `-` and blanks
    /// name nothing, scalars print, objects and bad JSON name nothing.
    #[test]
    fn changed_name_reads_raw_parameters_as_the_parsed_object() {
        let cases = [
            (r#"{"roleName":"r1","userName":" u1 "}"#, "u1"),
            (r#"{"UserName":"folded","roleName":"r"}"#, "folded"),
            (r#"{"userName":"","UserName":"other","roleName":"r"}"#, "r"),
            (r#"{"bucketName":"-","groupName":"g"}"#, "g"),
            (r#"{"name":{"nested":"x"},"trailName":"t"}"#, "t"),
            (r#"{"snapshotId":12345}"#, "12345"),
            (r#"{"vpcId":true}"#, "true"),
            (
                r#"{"policyArn":"arn:aws:iam::aws:policy/A\u0042"}"#,
                "arn:aws:iam::aws:policy/AB",
            ),
            (r#"{"other":"x"}"#, ""),
            (r#"["userName","u"]"#, ""),
            (r#"null"#, ""),
        ];
        for (raw, want) in cases {
            let parsed: Value = serde_json::from_str(raw).unwrap();
            assert_eq!(changed_name_raw(raw), want, "raw {raw}");
            assert_eq!(changed_name(&parsed), want, "parsed {raw}");
        }
    }
}
