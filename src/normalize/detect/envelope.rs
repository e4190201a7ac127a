//! Envelopes: the wrappers that exports, shippers and test tools put around records, with
//! every key that names one listed here and nowhere else. `input::json_framer` streams the
//! arrays among them without parsing (`array_key`, `TABLE_COLUMNS`, `TABLE_ROWS`,
//! `table_column_names`); `normalize` unwraps the rest, record by record (`envelope`).

use crate::event::BadReason;
use crate::normalize::record_error::RecordError;
use crate::normalize::value::{path, text};
use serde_json::{Map, Value};

/// What the array under an envelope key holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holds {
    /// Records (or envelopes of records).
    Records,
    /// CloudTrail Lake rows: arrays of one-key objects, named by their keys.
    LakeRows,
    /// Log Analytics tables, each with its `columns` and `rows`.
    Tables,
}

/// Keys whose array holds an export's records. The framer streams the first of them that
/// an object shows, whatever this order; `envelope` reads a parsed record that holds
/// several by `PRECEDENCE` below, and among the `Records` keys in this order.
pub const ARRAYS: [(&str, Holds); 9] = [
    ("Records", Holds::Records),          // CloudTrail S3 delivery
    ("records", Holds::Records),          // Azure diagnostic export (storage, Event Hub)
    ("value", Holds::Records),            // Azure REST, Microsoft Graph
    ("Events", Holds::Records),           // aws cloudtrail lookup-events
    ("logEvents", Holds::Records),        // CloudWatch Logs subscription
    ("entries", Holds::Records),          // Cloud Logging entries.list
    ("receivedMessages", Holds::Records), // Pub/Sub pull
    ("tables", Holds::Tables),            // Log Analytics query API
    ("QueryResultRows", Holds::LakeRows), // CloudTrail Lake get-query-results
];

/// Inside one Log Analytics table: the column descriptions (each with a `name`) and the
/// rows, one record each.
pub const TABLE_COLUMNS: &str = "columns";
pub const TABLE_ROWS: &str = "rows";
const COLUMN_NAME: &str = "name";

/// EventBridge: the event under `detail`, beside a `detail-type` string.
const EVENTBRIDGE_TYPE: &str = "detail-type";
const EVENTBRIDGE_DETAIL: &str = "detail";
/// `aws cloudtrail lookup-events`: each of `Events` holds the event as a JSON string.
const LOOKUP_EVENT: &str = "CloudTrailEvent";
/// CloudWatch Logs subscription: each of `logEvents` holds the event as a JSON string
/// under `message`, beside these keys.
const LOG_EVENT_MESSAGE: &str = "message";
const LOG_EVENT_KEYS: [&str; 2] = ["timestamp", "id"];
/// Pub/Sub: base64 JSON under `data`, in a push (`message.data`) or a bare `PubsubMessage`
/// (`data` beside one of the id keys).
const PUBSUB_PUSH_DATA: &str = "message.data";
const PUBSUB_ID_KEYS: [&str; 2] = ["messageId", "message_id"];
const PUBSUB_DATA: &str = "data";
/// Rule-test cases (Panther, StreamAlert): one of these keys marks the case, and the event
/// is under `log` (an object) or `data`.
const RULE_TEST_KEYS: [&str; 3] = ["rule_id", "trigger_rules", "classify_only"];
const RULE_TEST_EVENT: [&str; 2] = ["log", "data"];

/// The envelope key `key` (raw bytes of a JSON key, unescaped), and what its array holds.
pub fn array_key(key: &[u8]) -> Option<(&'static str, Holds)> {
    ARRAYS.iter().find(|(k, _)| k.as_bytes() == key).copied()
}

/// Whether a record streamed out of the array under `element_key` (its origin's element
/// key, `QueryResultRows` or `[2].QueryResultRows`) is a CloudTrail Lake row.
pub fn is_lake_row_of(element_key: &str) -> bool {
    ARRAYS
        .iter()
        .any(|(k, holds)| *holds == Holds::LakeRows && element_key.ends_with(k))
}

/// What wraps one parsed record.
#[derive(Debug)]
pub enum Envelope<'a> {
    /// An array of records, or of envelopes (`Records`, `value`, `logEvents`, ...).
    Records(&'a [Value]),
    /// Log Analytics query results: tables of `columns` and `rows`.
    Tables(&'a [Value]),
    /// One element of a `tables` array, framed on its own: the record itself.
    Table(&'a Value),
    /// One record inside, as a value (EventBridge `detail`, a rule-test case's event).
    Inner(&'a Value),
    /// One record inside, as JSON text (lookup-events, a CloudWatch Logs event).
    Embedded(&'a str),
    /// One record inside, as base64 JSON (Pub/Sub).
    PubSub(&'a str),
    /// CloudTrail Lake rows.
    LakeRows(&'a [Value]),
}

type Unwrap = for<'a> fn(&'a Value, &'a Map<String, Value>) -> Option<Envelope<'a>>;

/// Envelopes in the order they are tried on a parsed record: a record that two of them
/// could unwrap is read as the first. Arrays of records first: a delivery file or an API
/// page is the outermost wrapper there is, and its elements may be envelopes themselves.
/// The single-record wrappers each have keys of their own and no real record has two of
/// them; Lake rows come last, as they always have (a Lake result page has no other key
/// that any row above tests).
pub const PRECEDENCE: [(&str, Unwrap); 9] = [
    ("array of records", records),
    ("Log Analytics tables", tables),
    ("one Log Analytics table", one_table),
    ("EventBridge", eventbridge),
    ("lookup-events element", lookup_event),
    ("CloudWatch Logs event", log_event),
    ("Pub/Sub message", pubsub),
    ("rule-test case", rule_test),
    ("CloudTrail Lake rows", lake_rows),
];

/// The envelope around `v`, if any.
pub fn envelope(v: &Value) -> Option<Envelope<'_>> {
    let obj = v.as_object()?;
    PRECEDENCE.iter().find_map(|(_, unwrap)| unwrap(v, obj))
}

fn array_holding<'a>(obj: &'a Map<String, Value>, holds: Holds) -> Option<&'a [Value]> {
    ARRAYS
        .iter()
        .filter(|(_, h)| *h == holds)
        .find_map(|(k, _)| match obj.get(*k) {
            Some(Value::Array(items)) => Some(&items[..]),
            _ => None,
        })
}

fn records<'a>(_: &'a Value, obj: &'a Map<String, Value>) -> Option<Envelope<'a>> {
    array_holding(obj, Holds::Records).map(Envelope::Records)
}

fn tables<'a>(_: &'a Value, obj: &'a Map<String, Value>) -> Option<Envelope<'a>> {
    array_holding(obj, Holds::Tables).map(Envelope::Tables)
}

fn one_table<'a>(v: &'a Value, obj: &'a Map<String, Value>) -> Option<Envelope<'a>> {
    (obj.contains_key(TABLE_COLUMNS) && obj.contains_key(TABLE_ROWS)).then_some(Envelope::Table(v))
}

fn eventbridge<'a>(_: &'a Value, obj: &'a Map<String, Value>) -> Option<Envelope<'a>> {
    match (obj.get(EVENTBRIDGE_TYPE), obj.get(EVENTBRIDGE_DETAIL)) {
        (Some(Value::String(_)), Some(detail @ Value::Object(_))) => Some(Envelope::Inner(detail)),
        _ => None,
    }
}

fn lookup_event<'a>(_: &'a Value, obj: &'a Map<String, Value>) -> Option<Envelope<'a>> {
    match obj.get(LOOKUP_EVENT) {
        Some(Value::String(s)) => Some(Envelope::Embedded(s)),
        _ => None,
    }
}

fn log_event<'a>(_: &'a Value, obj: &'a Map<String, Value>) -> Option<Envelope<'a>> {
    match obj.get(LOG_EVENT_MESSAGE) {
        Some(Value::String(m)) if LOG_EVENT_KEYS.iter().all(|k| obj.contains_key(*k)) => {
            Some(Envelope::Embedded(m))
        }
        _ => None,
    }
}

fn pubsub<'a>(v: &'a Value, obj: &'a Map<String, Value>) -> Option<Envelope<'a>> {
    if let Some(Value::String(d)) = path(v, PUBSUB_PUSH_DATA) {
        return Some(Envelope::PubSub(d));
    }
    if PUBSUB_ID_KEYS.iter().any(|k| obj.contains_key(*k)) {
        if let Some(Value::String(d)) = obj.get(PUBSUB_DATA) {
            return Some(Envelope::PubSub(d));
        }
    }
    None
}

fn rule_test<'a>(_: &'a Value, obj: &'a Map<String, Value>) -> Option<Envelope<'a>> {
    if !RULE_TEST_KEYS.iter().any(|k| obj.contains_key(*k)) {
        return None;
    }
    let [log, data] = RULE_TEST_EVENT;
    obj.get(log)
        .filter(|l| l.is_object())
        .or_else(|| obj.get(data))
        .map(Envelope::Inner)
}

fn lake_rows<'a>(_: &'a Value, obj: &'a Map<String, Value>) -> Option<Envelope<'a>> {
    array_holding(obj, Holds::LakeRows).map(Envelope::LakeRows)
}

/// Whether raw record bytes may be an EventBridge envelope: `detail-type` in the first 64
/// bytes, where EventBridge writes it. The typed CloudTrail fast path (`normalize_json`)
/// takes a record whose top level has CloudTrail's keys only when this is false, so that an
/// envelope with such keys beside its `detail` is still unwrapped.
pub fn may_wrap_cloudtrail(bytes: &[u8]) -> bool {
    static FINDER: std::sync::OnceLock<memchr::memmem::Finder<'static>> =
        std::sync::OnceLock::new();
    let head = &bytes[..bytes.len().min(64)];
    FINDER
        .get_or_init(|| {
            memchr::memmem::Finder::new(format!("\"{EVENTBRIDGE_TYPE}\"").as_bytes()).into_owned()
        })
        .find(head)
        .is_some()
}

/// The column names of one Log Analytics table (`{"columns":[{"name":...}],...}`).
pub fn table_columns(table: &Value) -> Result<Vec<String>, RecordError> {
    match path(table, TABLE_COLUMNS) {
        Some(Value::Array(c)) => Ok(column_names(c)),
        _ => Err(RecordError::new(
            BadReason::InvalidRecord,
            "tables[].columns: expected an array",
        )),
    }
}

/// The rows of one Log Analytics table.
pub fn table_rows(table: &Value) -> Option<&Value> {
    path(table, TABLE_ROWS)
}

/// The column names of a Log Analytics table from its raw `columns` array, for the framer
/// that streams the table's rows one by one (`input::json_framer`).
pub fn table_column_names(columns: &[u8]) -> Option<Vec<String>> {
    match serde_json::from_slice(columns).ok()? {
        Value::Array(c) => Some(column_names(&c)),
        _ => None,
    }
}

fn column_names(columns: &[Value]) -> Vec<String> {
    columns.iter().map(|c| text(c, &[COLUMN_NAME])).collect()
}
