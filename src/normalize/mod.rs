//! Normalize: raw records → [`Event`]s. Only this module knows vendor field names.
//!
//! Raw CloudTrail, the bulk of real volume, goes through a typed borrowing parser
//! (`cloudtrail::RawCloudTrail`); every other shape through a `serde_json::Value`, where
//! envelopes (EventBridge, CloudWatch Logs, lookup-events, Pub/Sub, Log Analytics tables,
//! rule-test wrappers) are unwrapped recursively before the format is chosen by its keys.
//! What an envelope or a format looks like, and which wins when two could claim a record,
//! is decided in `detect`; this file only unwraps and reads.

pub mod azure_activity;
pub mod cloudtrail;
pub mod detect;
pub mod entra_audit;
pub mod entra_signin;
pub mod gcp_audit;
pub mod http_access;
pub mod key_target;
pub mod lenient;
pub mod nesting;
pub mod prefilter;
pub mod record_error;
pub mod s3_access;
pub mod value;

pub use record_error::RecordError;

use crate::event::{BadReason, BadRecord, Duration, Event, LogFormat, Origin, Timestamp};
use base64::Engine;
use detect::envelope::{self, Envelope};
use serde_json::{Map, Value};
use value::Record;

/// The event times a run accepts (SPEC §9): from 2000-01-01 to one day after the wall clock
/// at the start of the run. A record dated 1970 or 2199 is a bad record ("time out of
/// range"): left in, it would anchor `--since` (a duration back from the newest event) and
/// retention (counted from the newest stored event) and hide or prune every real event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValidTimes {
    pub from: Timestamp,
    /// Exclusive.
    pub until: Timestamp,
}

impl ValidTimes {
    /// 2000-01-01T00:00:00Z.
    pub const EARLIEST: Timestamp = Timestamp(946_684_800 * crate::event::time::NANOS_PER_SEC);

    /// The bounds for a run starting now.
    pub fn for_run_starting_now() -> ValidTimes {
        ValidTimes::for_run_starting_at(Timestamp::now())
    }

    pub fn for_run_starting_at(start: Timestamp) -> ValidTimes {
        ValidTimes {
            from: ValidTimes::EARLIEST,
            until: start.add(Duration::secs(86_400)),
        }
    }

    pub fn contains(&self, t: Timestamp) -> bool {
        self.from <= t && t < self.until
    }
}

impl Default for ValidTimes {
    fn default() -> Self {
        ValidTimes::for_run_starting_now()
    }
}

#[derive(Clone, Default)]
pub struct NormalizeOptions {
    /// `--format`: only records of this format are accepted.
    pub format: Option<LogFormat>,
    /// Event times outside are bad records (SPEC §9).
    pub valid_times: ValidTimes,
    /// `--csv-date-order`: the day/month order of CSV slash dates, instead of the order each
    /// file's first rows show.
    pub csv_date_order: Option<crate::event::time::DateOrder>,
    /// Records no enabled rule needs, skipped before parsing.
    pub prefilter: Option<std::sync::Arc<prefilter::Prefilter>>,
}

impl std::fmt::Debug for NormalizeOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NormalizeOptions")
            .field("format", &self.format)
            .field("prefilter", &self.prefilter.is_some())
            .finish()
    }
}

/// Envelopes nest (a rule-test case holding a CloudWatch Logs message holding CloudTrail);
/// more than this is not a real export.
const MAX_ENVELOPE_DEPTH: u32 = 8;

/// Normalizes one JSON record into `out`. An element of an envelope inside it (`Records`,
/// `value`, a table row, ...) that cannot be normalized goes to `bad` with its own origin;
/// its siblings are still read (SPEC §9).
pub fn normalize_json(
    bytes: &[u8],
    origin: &Origin,
    out: &mut Vec<Event>,
    bad: &mut Vec<BadRecord>,
) -> Result<(), RecordError> {
    if nesting::too_deep(bytes) {
        return Err(too_deep());
    }
    let (before, before_bad) = (out.len(), bad.len());
    match normalize_utf8_json(bytes, origin, out, bad) {
        // Text that is not UTF-8 inside an otherwise readable record is read lossily
        // (SPEC §9), on this error path only, so valid records pay nothing for it. The
        // prefilter agrees on raw bytes: a name with a bad byte matches no rule's name,
        // and neither does the same name with U+FFFD in its place.
        Err(_) if std::str::from_utf8(bytes).is_err() => {
            out.truncate(before);
            bad.truncate(before_bad);
            normalize_utf8_json(String::from_utf8_lossy(bytes).as_bytes(), origin, out, bad)
        }
        r => r,
    }
}

/// One row of a Log Analytics table streamed alone by the framer (`[cell, ...]`), named by
/// its table's `columns`.
pub fn normalize_table_row(
    bytes: &[u8],
    columns: &[String],
    origin: &Origin,
    out: &mut Vec<Event>,
    bad: &mut Vec<BadRecord>,
) -> Result<(), RecordError> {
    if nesting::too_deep(bytes) {
        return Err(too_deep());
    }
    let row: Value = match serde_json::from_slice(bytes) {
        Ok(v) => v,
        // Lossily, as `normalize_json` reads a record that is not UTF-8.
        Err(e) => match std::str::from_utf8(bytes) {
            Ok(_) => return Err(RecordError::json(e)),
            Err(_) => {
                serde_json::from_str(&String::from_utf8_lossy(bytes)).map_err(RecordError::json)?
            }
        },
    };
    table_row(columns, &row, origin, out, bad, 1)
}

fn normalize_utf8_json(
    bytes: &[u8],
    origin: &Origin,
    out: &mut Vec<Event>,
    bad: &mut Vec<BadRecord>,
) -> Result<(), RecordError> {
    // Fast path: one typed pass decides whether this is a plain CloudTrail event. UTF-8 is
    // checked first: sonic-rs checks it only once the whole value is read, and before that
    // hands the raw text of a skipped value (`requestParameters`) out as an unchecked `str`
    // — with a bad byte in it, a panic under debug assertions (found by fuzzing). `from_str`
    // does not check again, so this is still one pass.
    let raw = std::str::from_utf8(bytes)
        .ok()
        .and_then(|text| sonic_rs::from_str::<cloudtrail::RawCloudTrail>(text).ok());
    if let Some(raw) = raw {
        if cloudtrail::is_cloudtrail(&raw) && !envelope::may_wrap_cloudtrail(bytes) {
            out.push(cloudtrail::from_raw(&raw, origin.clone())?);
            return Ok(());
        }
    }
    let v: Value = serde_json::from_slice(bytes).map_err(RecordError::json)?;
    from_value(&v, origin, out, bad, 0)
}

fn too_deep() -> RecordError {
    RecordError::new(
        BadReason::InvalidJson,
        format!("nested more than {} levels deep", nesting::MAX_DEPTH),
    )
}

fn parse_embedded(s: &str) -> Result<Value, RecordError> {
    serde_json::from_str(s)
        .map_err(|e| RecordError::new(BadReason::InvalidJson, format!("embedded JSON: {e}")))
}

/// Chooses the format of one JSON record by its keys, unwrapping envelopes first.
pub fn from_value(
    v: &Value,
    origin: &Origin,
    out: &mut Vec<Event>,
    bad: &mut Vec<BadRecord>,
    depth: u32,
) -> Result<(), RecordError> {
    if depth > MAX_ENVELOPE_DEPTH {
        return Err(RecordError::new(
            BadReason::InvalidRecord,
            "envelopes nested too deep",
        ));
    }
    if let (Value::Array(_), Some((key, _))) = (v, &origin.element) {
        if envelope::is_lake_row_of(key) {
            return from_value(&lake_row(v), origin, out, bad, depth + 1);
        }
    }
    let Some(obj) = v.as_object() else {
        return Err(RecordError::new(
            BadReason::InvalidRecord,
            format!("expected a JSON object, found {}", kind_of(v)),
        ));
    };
    let sub = |i: usize| {
        if depth == 0 && origin.sub.is_none() {
            origin.with_sub(i as u32)
        } else {
            origin.clone()
        }
    };
    match envelope::envelope(v) {
        Some(Envelope::Records(items)) => {
            for (i, item) in items.iter().enumerate() {
                element(
                    |out, bad| from_value(item, &sub(i), out, bad, depth + 1),
                    &sub(i),
                    out,
                    bad,
                );
            }
            Ok(())
        }
        Some(Envelope::Tables(tables)) => log_analytics_tables(tables, origin, out, bad, depth),
        Some(Envelope::Table(table)) => {
            log_analytics_tables(std::slice::from_ref(table), origin, out, bad, depth)
        }
        Some(Envelope::Inner(inner)) => from_value(inner, origin, out, bad, depth + 1),
        Some(Envelope::Embedded(text)) => {
            from_value(&parse_embedded(text)?, origin, out, bad, depth + 1)
        }
        Some(Envelope::PubSub(data)) => {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(data.trim())
                .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(data.trim()))
                .map_err(|e| {
                    RecordError::new(
                        BadReason::InvalidRecord,
                        format!("Pub/Sub data is not base64: {e}"),
                    )
                })?;
            let inner: Value = serde_json::from_slice(&decoded).map_err(|e| {
                RecordError::new(BadReason::InvalidJson, format!("Pub/Sub data: {e}"))
            })?;
            from_value(&inner, origin, out, bad, depth + 1)
        }
        Some(Envelope::LakeRows(rows)) => {
            for (i, r) in rows.iter().enumerate() {
                element(
                    |out, bad| from_value(&lake_row(r), &sub(i), out, bad, depth + 1),
                    &sub(i),
                    out,
                    bad,
                );
            }
            Ok(())
        }
        None => {
            out.push(leaf(v, obj, origin)?);
            Ok(())
        }
    }
}

/// One element of an envelope array: if it cannot be normalized, it alone is a bad record,
/// with its own origin, and its siblings are still read.
fn element(
    f: impl FnOnce(&mut Vec<Event>, &mut Vec<BadRecord>) -> Result<(), RecordError>,
    origin: &Origin,
    out: &mut Vec<Event>,
    bad: &mut Vec<BadRecord>,
) {
    let (before, before_bad) = (out.len(), bad.len());
    if let Err(e) = f(out, bad) {
        out.truncate(before);
        bad.truncate(before_bad);
        bad.push(BadRecord {
            origin: origin.clone(),
            reason: e.reason,
            detail: e.detail,
        });
    }
}

/// A record with no envelope left: read by the first shape of `detect::PRECEDENCE` that
/// accepts it.
fn leaf(v: &Value, obj: &Map<String, Value>, origin: &Origin) -> Result<Event, RecordError> {
    if let Some(export) = detect::export_of(&Record::new(v, obj)) {
        return (export.read)(v, origin.clone());
    }
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).take(6).collect();
    keys.sort();
    Err(RecordError::new(
        BadReason::Unrecognised,
        format!("no supported format has these keys ({}…); expected CloudTrail, Azure Activity, Entra, GCP audit, S3 access or HTTP access", keys.join(", ")),
    ))
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Log Analytics query API: `{"tables":[{"columns":[{"name"}],"rows":[[...]]}]}`.
fn log_analytics_tables(
    tables: &[Value],
    origin: &Origin,
    out: &mut Vec<Event>,
    bad: &mut Vec<BadRecord>,
    depth: u32,
) -> Result<(), RecordError> {
    let mut n = 0u32;
    for t in tables {
        let (cols, rows) = match (envelope::table_columns(t), envelope::table_rows(t)) {
            (Ok(cols), Some(Value::Array(rows))) => (cols, rows),
            (Err(e), _) if tables.len() == 1 => return Err(e),
            (Ok(_), _) if tables.len() == 1 => {
                return Err(RecordError::new(
                    BadReason::InvalidRecord,
                    "tables[].rows: expected an array",
                ))
            }
            (r, _) => {
                // One broken table of several costs only itself.
                let detail = match r {
                    Err(e) => e.detail,
                    Ok(_) => "tables[].rows: expected an array".to_string(),
                };
                bad.push(BadRecord {
                    origin: origin.with_sub(n),
                    reason: BadReason::InvalidRecord,
                    detail,
                });
                n += 1;
                continue;
            }
        };
        for row in rows {
            let o = origin.with_sub(n);
            element(
                |out, bad| table_row(&cols, row, &o, out, bad, depth + 1),
                &o,
                out,
                bad,
            );
            n += 1;
        }
    }
    Ok(())
}

/// One row of a Log Analytics table, named by its table's columns.
fn table_row(
    cols: &[String],
    row: &Value,
    origin: &Origin,
    out: &mut Vec<Event>,
    bad: &mut Vec<BadRecord>,
    depth: u32,
) -> Result<(), RecordError> {
    let Value::Array(cells) = row else {
        return Err(RecordError::new(
            BadReason::InvalidRecord,
            format!("tables[].rows[]: expected an array, found {}", kind_of(row)),
        ));
    };
    let mut m = Map::new();
    for (c, cell) in cols.iter().zip(cells) {
        m.insert(c.clone(), cell.clone());
    }
    from_value(&Value::Object(m), origin, out, bad, depth)
}

/// CloudTrail Lake rows: `[{"eventTime":"..."},{"eventName":"..."}]`, columns possibly
/// dotted (`userIdentity.arn`).
fn lake_row(r: &Value) -> Value {
    let mut m = Map::new();
    if let Value::Array(cells) = r {
        for c in cells {
            if let Value::Object(kv) = c {
                for (k, v) in kv {
                    insert_dotted(&mut m, k, v.clone());
                }
            }
        }
    }
    if let Some(Value::String(t)) = m.get("eventTime").cloned() {
        // Lake writes `2023-02-08 23:01:28.000`, which Timestamp reads as UTC already.
        m.insert("eventTime".into(), Value::String(t));
    }
    Value::Object(m)
}

fn insert_dotted(m: &mut Map<String, Value>, k: &str, v: Value) {
    match k.split_once('.') {
        Some((head, rest)) => {
            let entry = m
                .entry(head.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(inner) = entry {
                insert_dotted(inner, rest, v);
            }
        }
        None => {
            m.insert(k.to_string(), v);
        }
    }
}

pub fn normalize_text(
    bytes: &[u8],
    origin: &Origin,
    out: &mut Vec<Event>,
    bad: &mut Vec<BadRecord>,
) -> Result<(), RecordError> {
    // One byte that is not UTF-8 (a bucket name, a user agent) must not cost the line.
    let line = String::from_utf8_lossy(bytes);
    let line = line.trim_end_matches('\r');
    if let Some(format) = detect::line_export(line) {
        out.push((format.read)(line, origin.clone())?);
    } else if line.trim_start().starts_with('{') {
        if nesting::too_deep(line.as_bytes()) {
            return Err(too_deep());
        }
        let v: Value = serde_json::from_str(line).map_err(RecordError::json)?;
        from_value(&v, origin, out, bad, 0)?;
    } else {
        return Err(RecordError::new(
            BadReason::Unrecognised,
            "expected an S3 server access log line or a combined HTTP log line",
        ));
    }
    Ok(())
}

pub fn normalize_csv(
    bytes: &[u8],
    header: &[String],
    origin: &Origin,
    out: &mut Vec<Event>,
    bad: &mut Vec<BadRecord>,
) -> Result<(), RecordError> {
    normalize_csv_in_order(bytes, header, None, origin, out, bad)
}

/// A CSV row whose zone-less slash dates are read in the file's day/month `order` (each one
/// guessed alone when `None`); a date that cannot be read in that order is a bad record.
pub fn normalize_csv_in_order(
    bytes: &[u8],
    header: &[String],
    order: Option<crate::event::time::DateOrder>,
    origin: &Origin,
    out: &mut Vec<Event>,
    bad: &mut Vec<BadRecord>,
) -> Result<(), RecordError> {
    use crate::event::time::{read_slash_date, SlashDate};
    let cells = split_csv_record(bytes);
    if cells.len() != header.len() {
        return Err(RecordError::new(
            BadReason::InvalidRecord,
            format!(
                "CSV row has {} cells, the header has {} columns",
                cells.len(),
                header.len()
            ),
        ));
    }
    let mut m = Map::new();
    for (h, c) in header.iter().zip(cells) {
        if c.is_empty() {
            continue;
        }
        let c = match order.map(|o| (o, read_slash_date(&c, o))) {
            Some((_, SlashDate::Read(t))) => t.to_string(),
            Some((order, SlashDate::Contradicts)) => {
                return Err(RecordError::new(
                    BadReason::InvalidTime,
                    format!(
                        "{h} {c:?} cannot be read in the file's day/month order ({}), decided from its first rows (see --csv-date-order)",
                        order.as_str()
                    ),
                ))
            }
            _ => c,
        };
        m.insert(h.clone(), Value::String(c));
    }
    from_value(&Value::Object(m), origin, out, bad, 0)
}

/// Splits one CSV record (RFC 4180: `"` quotes, `""` escapes) into cells.
pub fn split_csv_record(rec: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    let mut cell: Vec<u8> = Vec::new();
    let mut i = 0;
    let mut quoted = false;
    while i < rec.len() {
        let b = rec[i];
        if quoted {
            if b == b'"' {
                if rec.get(i + 1) == Some(&b'"') {
                    cell.push(b'"');
                    i += 1;
                } else {
                    quoted = false;
                }
            } else {
                cell.push(b);
            }
        } else if b == b'"' {
            quoted = true;
        } else if b == b',' {
            out.push(String::from_utf8_lossy(&cell).into_owned());
            cell.clear();
        } else {
            cell.push(b);
        }
        i += 1;
    }
    out.push(String::from_utf8_lossy(&cell).into_owned());
    out
}
