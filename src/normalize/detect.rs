//! Format detection, in one place: what a file's head is (JSON, a CSV table export, text
//! log lines), which line format a text line is (`LINE_PRECEDENCE`), what envelope wraps a
//! record (`envelope`), and which exported shape a JSON record is (`PRECEDENCE`). The vendor
//! keys these answers rest on are here, in `envelope`, and in the format files' `matches_*`
//! functions; `input` has none.
//!
//! `input` calls this module (one way: nothing here or elsewhere in `normalize` imports
//! `input`) rather than being handed the keys as data. The framers need behaviour as well
//! as names — is this line an S3 access log line, what are a table's column names — so the
//! data would be a table of functions mirroring this module, and every caller of
//! `input::frame::frame_input` would fetch it from here anyway. `import_circles.py` checks
//! that the dependency stays one way.

pub mod envelope;

use super::record_error::RecordError;
use super::value::Record;
use super::{azure_activity, cloudtrail, entra_audit, entra_signin, gcp_audit};
use super::{http_access, s3_access};
use crate::event::{Event, LogFormat, Origin};
use serde_json::Value;
use LogFormat::{
    AzureActivity, CloudTrail, EntraAudit, EntraSignin, GcpAudit, HttpAccess, S3Access,
};

/// What the head of a text file says its records are. (Binary data is told apart before,
/// by `input`, from the bytes alone.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Head {
    Json,
    /// A table export with a header row (Sentinel's portal and API exports).
    Csv,
    /// Text log lines (S3 server access, combined HTTP).
    TextLines,
}

/// `probe`: the first few KiB of a text file.
pub fn file_head(probe: &[u8]) -> Head {
    let first_line = probe.split(|&b| b == b'\n').next().unwrap_or(probe);
    let line = String::from_utf8_lossy(first_line);
    match probe.iter().find(|b| !b.is_ascii_whitespace()) {
        // A text log line whose first field starts with a brace is still a text log line.
        Some(b'{') | Some(b'[')
            if first_field_is_not_json(&line) && is_text_log_line(line.trim_end()) =>
        {
            Head::TextLines
        }
        Some(b'{') | Some(b'[') => Head::Json,
        _ if looks_like_csv_header(&line) => Head::Csv,
        _ => Head::TextLines,
    }
}

/// `{203.0.113.50}` may be a text log's first field; `{"eventVersion":`, `[{"a":`, `[` or
/// `{` never are (the probe may cut a JSON line, so it is not parsed to decide).
fn first_field_is_not_json(line: &str) -> bool {
    let field = line.trim_start().split(' ').next().unwrap_or("");
    field.len() > 1 && !field.contains('"') && !field[1..].starts_with(['{', '['])
}

/// Columns that mark a first line as the header of a table export: Sentinel's
/// `AWSCloudTrail`, `AzureActivity`, `SigninLogs` and `AuditLogs` tables (`$table` in the
/// portal's exports), CloudTrail alert exports (`Event Name`) and CloudTrail as CSV.
const CSV_HEADER_COLUMNS: [&str; 7] = [
    "TimeGenerated",
    "EventName",
    "OperationName",
    "$table",
    "Event Name",
    "eventTime",
    "UserPrincipalName",
];

fn looks_like_csv_header(line: &str) -> bool {
    let commas = line.matches(',').count();
    commas >= 2 && CSV_HEADER_COLUMNS.iter().any(|k| line.contains(k))
}

/// The first non-blank line of `head` (the first bytes read of a text file), when no
/// complete line of it is a text log line. A file is rejected whole only when nothing in it
/// is a log; one odd line, even the first, is counted as one unrecognised record instead.
pub fn no_text_log_line(head: &[u8]) -> Option<String> {
    let complete = match memchr::memrchr(b'\n', head) {
        Some(i) => &head[..i],
        None => head,
    };
    let mut first = None;
    for line in complete.split(|&b| b == b'\n') {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let text = String::from_utf8_lossy(line);
        let text = text.trim_end();
        if is_text_log_line(text) {
            return None;
        }
        first.get_or_insert_with(|| text.to_string());
    }
    first
}

/// One text-line format: how to recognise a line of it and how to read one.
pub struct LineExport {
    pub format: LogFormat,
    pub name: &'static str,
    pub matches: fn(&str) -> bool,
    pub read: fn(&str, Origin) -> Result<Event, RecordError>,
}

/// The line formats, in the order a line is tried.
pub static LINE_PRECEDENCE: [LineExport; 2] = [
    // S3 first: the combined test finds its `[time]` in any field after the third, so an S3
    // line with a later field starting with `[` (an object key, a user agent: both chosen
    // by whoever sends the request) passes it too; S3's own head (a 64-hex owner id, the
    // bucket, then `[time]`) is never a combined line's host, ident and user.
    LineExport {
        format: LogFormat::S3Access,
        name: "S3 server access log line",
        matches: s3_access::looks_like,
        read: s3_access::from_line,
    },
    LineExport {
        format: LogFormat::HttpAccess,
        name: "combined HTTP log line",
        matches: http_access::looks_like_combined,
        read: http_access::from_combined,
    },
];

/// The line format of `line` (without its line ending), if any.
pub fn line_export(line: &str) -> Option<&'static LineExport> {
    LINE_PRECEDENCE.iter().find(|l| (l.matches)(line))
}

/// Whether a text line is one of the line formats (used to reject whole non-log files once,
/// instead of reporting every line).
pub fn is_text_log_line(line: &str) -> bool {
    line_export(line).is_some()
}

/// One shape a format is exported in: how to recognise a JSON record of it (the format
/// file's `matches_*`) and how to read one.
pub struct Export {
    pub format: LogFormat,
    pub name: &'static str,
    pub matches: fn(&Record) -> bool,
    pub read: fn(&Value, Origin) -> Result<Event, RecordError>,
}

const fn export(
    format: LogFormat,
    name: &'static str,
    matches: fn(&Record) -> bool,
    read: fn(&Value, Origin) -> Result<Event, RecordError>,
) -> Export {
    Export {
        format,
        name,
        matches,
        read,
    }
}

/// The shapes of a JSON record (envelopes removed), in the order they are tried: a record
/// that two rows accept is read by the first. Each row says why it sits where it does;
/// `tests/format_precedence.rs` pins the order and shows every pair that real records can
/// make ambiguous.
pub static PRECEDENCE: [Export; 20] = [
    // First, the bulk of real volume, so the common case costs one test: `eventName` with
    // `eventSource`, `userIdentity` or `eventVersion`, spelled so by no other shape. (The
    // typed fast path in `normalize_json` applies this test to raw bytes.)
    export(
        CloudTrail,
        "CloudTrail",
        cloudtrail::matches_raw,
        cloudtrail::from_value,
    ),
    // Insights events carry `eventVersion` without `eventName`: before "partial CloudTrail"
    // (last), which would take them and reject them for the missing name.
    export(
        CloudTrail,
        "CloudTrail Insights",
        cloudtrail::matches_insight,
        cloudtrail::from_insight,
    ),
    // Panther's lower-cased CloudTrail: keys in a case no other row tests exactly, and that
    // no case-blind test below looks for.
    export(
        CloudTrail,
        "Panther CloudTrail",
        cloudtrail::matches_panther,
        cloudtrail::from_panther,
    ),
    // The Sentinel tables, before every non-Sentinel row: their exports have `OperationName`,
    // `Category` and `ResourceId` columns, which pass the case-blind tests of the diagnostic
    // rows below when filled (`AzureActivity` rows, and `AWSCloudTrail` rows, then look like
    // Azure Activity diagnostic records; `SigninLogs` rows, whose `Category` is `SignInLogs`,
    // like sign-in diagnostic records too).
    export(
        CloudTrail,
        "Sentinel AWSCloudTrail",
        cloudtrail::matches_sentinel,
        cloudtrail::from_sentinel,
    ),
    // Alert CSVs: a column with a space in its name, which no other row tests.
    export(
        CloudTrail,
        "CloudTrail alert CSV",
        cloudtrail::matches_alert_csv,
        cloudtrail::from_alert_csv,
    ),
    // Before Sentinel `AuditLogs`: `AzureActivity` rows have `OperationName` and
    // `InitiatedBy` columns too.
    export(
        AzureActivity,
        "Sentinel AzureActivity",
        azure_activity::matches_sentinel,
        azure_activity::from_sentinel,
    ),
    // Before Sentinel `AuditLogs` for the same reason: `SigninLogs` rows have `OperationName`
    // and `InitiatedBy` columns.
    export(
        EntraSignin,
        "Sentinel SigninLogs",
        entra_signin::matches_sentinel,
        entra_signin::from_sentinel,
    ),
    // After the two tables above, whose rows can have its columns too.
    export(
        EntraAudit,
        "Sentinel AuditLogs",
        entra_audit::matches_sentinel,
        entra_audit::from_sentinel,
    ),
    // Before the load balancer row: an audit `LogEntry` may carry an `httpRequest` beside
    // the `logName`, `resource` and `insertId` every LogEntry has.
    export(
        GcpAudit,
        "GCP audit LogEntry",
        gcp_audit::matches_log_entry,
        gcp_audit::from_log_entry,
    ),
    // WAF and load balancer records share only `httpRequest`, and neither has the other's
    // keys, so no real record is claimed by both; the more specific test (`webaclId`,
    // `terminatingRuleId`) is tried first.
    export(
        HttpAccess,
        "AWS WAF",
        http_access::matches_aws_waf,
        http_access::from_aws_waf,
    ),
    export(
        HttpAccess,
        "GCP load balancer LogEntry",
        http_access::matches_gcp_lb,
        http_access::from_gcp_lb,
    ),
    // Named S3 fields: no row around it accepts `bucketowner` or `remoteip` with `bucket`.
    export(
        S3Access,
        "S3 access log fields",
        s3_access::matches_fields,
        s3_access::from_fields,
    ),
    // The diagnostic categories, before "Azure Activity diagnostic": every diagnostic
    // record has `operationName` and `category`, so the Activity test accepts sign-in, Front
    // Door and audit records too. Their categories do not overlap one another.
    export(
        EntraSignin,
        "Entra sign-in diagnostic",
        entra_signin::matches_diagnostic,
        entra_signin::from_diagnostic,
    ),
    export(
        HttpAccess,
        "Front Door / Application Gateway diagnostic",
        http_access::matches_azure,
        http_access::from_azure,
    ),
    export(
        EntraAudit,
        "Entra audit diagnostic",
        entra_audit::matches_diagnostic,
        entra_audit::from_diagnostic,
    ),
    // Graph objects have no `operationName`, so their place among the Azure rows only
    // matters between the two of them: a record with `createdDateTime`, a user or app name
    // and `activityDisplayName` passes both tests and is read as a sign-in.
    export(
        EntraSignin,
        "Graph signIns",
        entra_signin::matches_graph,
        entra_signin::from_graph,
    ),
    export(
        EntraAudit,
        "Graph directoryAudits",
        entra_audit::matches_graph,
        entra_audit::from_graph,
    ),
    // Before "Azure Activity diagnostic": REST events have `operationName` and `category`
    // (objects, which only the REST reader reads) and `resourceId` too. Before "partial
    // CloudTrail": they have an `eventName` object.
    export(
        AzureActivity,
        "Azure Activity REST",
        azure_activity::matches_rest,
        azure_activity::from_rest,
    ),
    // The most general Azure test: after every Azure shape whose records also pass it.
    export(
        AzureActivity,
        "Azure Activity diagnostic",
        azure_activity::matches_diagnostic,
        azure_activity::from_diagnostic,
    ),
    // Last, the catch-all: anything else with CloudTrail's `eventName` or `eventVersion` is
    // read as CloudTrail, so that its bad record says what a CloudTrail event lacks (a record
    // that gets here has no more than part of one). Raw CloudTrail passes this test too,
    // with the same reader: the first row only saves it the extra test.
    export(
        CloudTrail,
        "partial CloudTrail",
        cloudtrail::matches_partial,
        cloudtrail::from_value,
    ),
];

/// The shape of a JSON record (an object, envelopes removed): the first row that accepts it.
pub fn export_of(record: &Record) -> Option<&'static Export> {
    PRECEDENCE.iter().find(|e| (e.matches)(record))
}
