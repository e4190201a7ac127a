//! The one event model. Parsers in `normalize` produce [`Event`]; nothing after them reads
//! vendor JSON. No I/O here.

pub mod activity;
pub mod alert;
pub mod codec;
pub mod kind;
pub mod local_time;
pub mod origin;
pub mod time;

use serde::{Deserialize, Serialize};

pub use activity::{Activity, ActivityPart, AddressRun};
pub use alert::{alert_id, Alert, Fields, Severity};
pub use kind::LogKind;
pub use origin::Origin;
pub use time::{Duration, Timestamp};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Aws,
    Azure,
    Gcp,
    Other,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Aws => "aws",
            Provider::Azure => "azure",
            Provider::Gcp => "gcp",
            Provider::Other => "other",
        }
    }
}

/// The input formats of SPEC §2; the value of `--format` and of the event's `log` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum LogFormat {
    #[serde(rename = "cloudtrail")]
    CloudTrail,
    #[serde(rename = "azure-activity")]
    AzureActivity,
    #[serde(rename = "entra-signin")]
    EntraSignin,
    #[serde(rename = "entra-audit")]
    EntraAudit,
    #[serde(rename = "gcp-audit")]
    GcpAudit,
    #[serde(rename = "s3-access")]
    S3Access,
    #[serde(rename = "http-access")]
    HttpAccess,
}

impl LogFormat {
    pub const ALL: [LogFormat; 7] = [
        LogFormat::CloudTrail,
        LogFormat::AzureActivity,
        LogFormat::EntraSignin,
        LogFormat::EntraAudit,
        LogFormat::GcpAudit,
        LogFormat::S3Access,
        LogFormat::HttpAccess,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            LogFormat::CloudTrail => "cloudtrail",
            LogFormat::AzureActivity => "azure-activity",
            LogFormat::EntraSignin => "entra-signin",
            LogFormat::EntraAudit => "entra-audit",
            LogFormat::GcpAudit => "gcp-audit",
            LogFormat::S3Access => "s3-access",
            LogFormat::HttpAccess => "http-access",
        }
    }
    pub fn parse(s: &str) -> Option<LogFormat> {
        LogFormat::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Success,
    Failure,
    #[default]
    Unknown,
}

/// What a call did, as the log itself says (SPEC §8): CloudTrail `readOnly` (and `eventType`
/// for console sign-ins), the Azure operation's last segment (`read` against `write`,
/// `delete`, `action`), GCP Admin Activity against Data Access audit logs, Entra audit
/// operations (writes) and sign-in logs. `Unknown` when the record does not say: activity
/// never guesses from an action's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    #[default]
    Unknown,
    Read,
    Write,
    /// An authentication (Entra sign-in, AWS console sign-in): neither reads nor changes.
    SignIn,
}

impl Access {
    pub const ALL: [Access; 4] = [Access::Unknown, Access::Read, Access::Write, Access::SignIn];
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Unknown => "unknown",
            Access::Read => "read",
            Access::Write => "write",
            Access::SignIn => "sign-in",
        }
    }
    pub fn is_unknown(&self) -> bool {
        *self == Access::Unknown
    }
}

/// Which table or API shape a record came in. Rules that reproduce a vendor query
/// (the seed's Sentinel KQL) need to know whether values were "taken as stored".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shape {
    /// The vendor's own export (CloudTrail delivery file, diagnostic export, LogEntry...).
    #[default]
    Native,
    /// A Microsoft Sentinel table (JSON lines, CSV, Log Analytics API).
    Sentinel,
    /// A REST / CLI listing (Azure Activity Log REST, Graph).
    Rest,
}

/// One normalized log record (SPEC §3). Empty strings mean "absent" and are omitted when printed.
/// Serialised field by field in `normalize` output and in rule-state checkpoints; absent
/// fields come back empty.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Event {
    pub time: Timestamp,
    pub provider: ProviderField,
    pub log: LogField,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub identity: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub identity_type: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub account: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub source_ip: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub user_agent: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub action: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub service: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub region: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub resource: String,
    /// The HTTP request (method and URI) for S3 access and perimeter logs.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub request: String,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub error_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub client_app: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub country: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asn: Option<u32>,
    /// The result as the vendor (or Sentinel's connector) stores it: `Success`, `Succeeded`,
    /// `Start`, `0`, `50126`... Kept verbatim for rules that match it literally.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub status: String,
    /// Azure resource group (the seed counts these as its "regions" for Azure).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub resource_group: String,
    /// For credential events: the identity whose key or credential was acted on.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub target: String,
    /// Access key id: the key used (AWS `userIdentity.accessKeyId`) or created.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub key_id: String,
    #[serde(skip_serializing_if = "is_native")]
    pub shape: Shape,
    /// Read, write or sign-in, from the record itself. Not printed by `normalize` (SPEC §3
    /// fixes its fields); activity and `investigate` read it.
    #[serde(skip_serializing_if = "Access::is_unknown")]
    pub access: Access,
    /// For sign-ins: whether multi-factor authentication was used (CloudTrail `MFAUsed`)
    /// or required (Entra `authenticationRequirement`); `None` when the log does not say.
    /// Not printed by `normalize` (SPEC §3 fixes its fields); activity reads it.
    #[serde(skip)]
    pub mfa: Option<bool>,
    /// For object-level storage events: the object key as the log names it (CloudTrail S3
    /// data events' `requestParameters.key`), `resource` being its bucket. Not printed by
    /// `normalize` either; activity lists the objects read.
    #[serde(skip)]
    pub object: String,
    /// Which log of its format the record came from (CloudTrail data events, GCP Data
    /// Access, Entra non-interactive sign-ins...), as the record says. Not printed by
    /// `normalize` either; `coverage` reads it.
    #[serde(skip_serializing_if = "LogKind::is_unknown")]
    pub kind: LogKind,
    pub origin: Origin,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub event_id: String,
}

fn is_native(s: &Shape) -> bool {
    *s == Shape::Native
}

/// `Provider` with a default, so `Event` can derive `Default` for builders and tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ProviderField(pub Provider);
impl Default for ProviderField {
    fn default() -> Self {
        ProviderField(Provider::Other)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct LogField(pub LogFormat);
impl Default for LogField {
    fn default() -> Self {
        LogField(LogFormat::CloudTrail)
    }
}

impl Event {
    pub fn new(provider: Provider, log: LogFormat, time: Timestamp, origin: Origin) -> Event {
        Event {
            provider: ProviderField(provider),
            log: LogField(log),
            time,
            origin,
            ..Event::default()
        }
    }
    pub fn provider(&self) -> Provider {
        self.provider.0
    }
    pub fn log(&self) -> LogFormat {
        self.log.0
    }

    /// What tells a second delivery of an event from a different event (SPEC §3): the
    /// provider and event id, and a 128-bit digest of every other field but `origin`;
    /// `None` without an event id. Test and replay tooling reuses ids for different
    /// events, which must both count, so the id alone is not enough.
    ///
    /// The digest keys are drawn once per process: a record crafted to collide with another
    /// (and so hide it as a "duplicate") would have to guess them. Nothing stored or printed
    /// depends on the digest, only whether two events of one run are the same.
    pub fn delivery_key(&self) -> Option<DeliveryKey> {
        if self.event_id.is_empty() {
            return None;
        }
        use std::hash::{BuildHasher, Hasher};
        let (k1, k2) = crate::collections::process_keys();
        let mut a = k1.build_hasher();
        let mut b = k2.build_hasher();
        self.hash_content(&mut a);
        self.hash_content(&mut b);
        Some(DeliveryKey {
            id: DIGEST_KEYS.hash_one((self.provider(), &self.event_id)),
            content: ((a.finish() as u128) << 64) | b.finish() as u128,
        })
    }

    /// A 64-bit keyed digest of every field a copy written with `kept` drops (`origin`
    /// aside), to carry in that copy's id (`engine::deferred`): with the kept fields, which
    /// the copy holds itself, it tells apart events that share an id, so it need not hash
    /// them again. Half the [`delivery_key`](Self::delivery_key)'s width does: it only has
    /// to separate events that share an id and every kept field. The key is drawn once per
    /// process, as there.
    /// `scratch` lends room for the dropped fields' bytes (`codec::encode_dropped`); it is
    /// given back as it came.
    pub fn dropped_digest(&self, kept: codec::KeepFields, scratch: &mut Vec<u8>) -> u64 {
        let at = scratch.len();
        codec::encode_dropped(self, kept, scratch);
        let digest = crate::collections::process_keys()
            .0
            .hash_one(&scratch[at..]);
        scratch.truncate(at);
        digest
    }

    fn hash_content<H: std::hash::Hasher>(&self, h: &mut H) {
        use std::hash::Hash;
        // Destructured so that a field added to `Event` cannot be forgotten here.
        let Event {
            time,
            provider,
            log,
            identity,
            identity_type,
            account,
            source_ip,
            user_agent,
            action,
            service,
            region,
            resource,
            request,
            outcome,
            error_code,
            http_status,
            client_app,
            country,
            asn,
            status,
            resource_group,
            target,
            key_id,
            shape,
            access,
            mfa,
            kind,
            object,
            origin: _,
            event_id,
        } = self;
        (time, provider, log, identity, identity_type, account).hash(h);
        (source_ip, user_agent, action, service, region, resource).hash(h);
        (
            request,
            outcome,
            error_code,
            http_status,
            client_app,
            country,
        )
            .hash(h);
        (asn, status, resource_group, target, key_id, shape, event_id).hash(h);
        (access, kind, mfa, object).hash(h);
    }
}

/// See [`Event::delivery_key`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DeliveryKey {
    pub id: u64,
    pub content: u128,
}

/// Fixed keys: digests are the same in every run.
const DIGEST_KEYS: ahash::RandomState =
    ahash::RandomState::with_seeds(0x7472, 0x6970, 0x6c69, 0x6e65);

/// Why a record was skipped. Reported with its origin and counted by reason.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BadReason {
    /// Larger than the record size cap; skipped without being held in memory.
    TooLarge,
    /// Not valid JSON (syntax, invalid UTF-8, nesting too deep, truncated).
    InvalidJson,
    /// Valid JSON, but a field has the wrong type or a required field is missing.
    InvalidRecord,
    /// No timestamp, or one that cannot be read.
    InvalidTime,
    /// A text line that no supported format recognises.
    Unrecognised,
    /// Duplicate delivery of an event already seen (same provider and event id).
    Duplicate,
    /// A time before 2000 or more than a day after the start of the run (SPEC §9): such a
    /// record would anchor `--since` and retention, so it is set aside, never stored.
    TimeOutOfRange,
}

impl BadReason {
    pub fn as_str(&self) -> &'static str {
        match self {
            BadReason::TooLarge => "record too large",
            BadReason::InvalidJson => "invalid JSON",
            BadReason::InvalidRecord => "invalid record",
            BadReason::InvalidTime => "missing or invalid time",
            BadReason::Unrecognised => "unrecognised format",
            BadReason::Duplicate => "duplicate",
            BadReason::TimeOutOfRange => "time out of range",
        }
    }
}

#[derive(Clone, Debug)]
pub struct BadRecord {
    pub origin: Origin,
    pub reason: BadReason,
    pub detail: String,
}

impl std::fmt::Display for BadRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {}: {}",
            self.origin,
            self.reason.as_str(),
            self.detail
        )
    }
}
