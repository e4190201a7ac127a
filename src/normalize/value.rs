//! Small accessors over `serde_json::Value` for the formats that go through the DOM: real
//! exports disagree on key case (`httpRequest` / `httprequest`) and on scalar types
//! (`"Level": "4"` / `4`), so lookups are case-insensitive and scalars lenient.

use serde_json::{Map, Value};
use std::cell::OnceCell;

/// Key lookup: exact first, then ASCII case-insensitive.
pub fn key<'a>(v: &'a Value, k: &str) -> Option<&'a Value> {
    let obj = v.as_object()?;
    if let Some(x) = obj.get(k) {
        return Some(x);
    }
    obj.iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(k))
        .map(|(_, x)| x)
}

/// Dotted path lookup: `properties.status.errorCode`.
pub fn path<'a>(v: &'a Value, p: &str) -> Option<&'a Value> {
    let mut cur = v;
    for part in p.split('.') {
        cur = match cur {
            Value::Array(a) => a.get(part.parse::<usize>().ok()?)?,
            _ => key(cur, part)?,
        };
    }
    Some(cur)
}

/// A scalar as text: strings as they are, numbers and booleans printed; null, objects and
/// arrays are not text.
pub fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The first of several paths that holds a non-empty scalar.
pub fn text(v: &Value, paths: &[&str]) -> String {
    for p in paths {
        if let Some(s) = path(v, p).and_then(scalar) {
            let t = s.trim();
            if !t.is_empty() && t != "-" {
                return t.to_string();
            }
        }
    }
    String::new()
}

/// A JSON column that may be stored as an object or as a JSON string (Sentinel CSV,
/// Activity `responseBody`): returns the parsed object either way.
pub fn json_column(v: &Value, p: &str) -> Option<Value> {
    match path(v, p)? {
        Value::String(s) => {
            let t = s.trim();
            if t.starts_with('{') || t.starts_with('[') {
                serde_json::from_str(t).ok()
            } else {
                None
            }
        }
        Value::Null => None,
        other => Some(other.clone()),
    }
}

pub fn has(v: &Value, k: &str) -> bool {
    key(v, k).is_some()
}

/// HTTP status from a number or a numeric string.
pub fn status_code(v: &Value, paths: &[&str]) -> Option<u16> {
    let t = text(v, paths);
    t.parse::<u16>().ok().filter(|s| (100..=999).contains(s))
}

/// A JSON object as the format matchers of `detect::PRECEDENCE` see it. Several matchers ask
/// for Sentinel's table name or the diagnostic-settings category; each is looked up once per
/// record (a lookup that misses scans every key, case-insensitively), and only when asked.
pub struct Record<'a> {
    pub value: &'a Value,
    pub object: &'a Map<String, Value>,
    table: OnceCell<String>,
    category: OnceCell<String>,
}

impl<'a> Record<'a> {
    pub fn new(value: &'a Value, object: &'a Map<String, Value>) -> Record<'a> {
        Record {
            value,
            object,
            table: OnceCell::new(),
            category: OnceCell::new(),
        }
    }

    /// The key exactly as written: formats told apart by key case (Panther's `eventname`,
    /// Sentinel's `EventName`, raw `eventName`) need the exact spelling.
    pub fn has_key(&self, k: &str) -> bool {
        self.object.contains_key(k)
    }

    /// The key in any ASCII case, as the readers look it up.
    pub fn has(&self, k: &str) -> bool {
        has(self.value, k)
    }

    /// Sentinel's table name: `Type` in API and JSON exports, `$table` in the portal's CSV.
    pub fn table(&self) -> &str {
        self.table
            .get_or_init(|| text(self.value, &["Type", "$table"]))
    }

    /// The diagnostic-settings `category`, lower-cased (`SignInLogs`, `FrontDoorAccessLog`).
    pub fn category(&self) -> &str {
        self.category
            .get_or_init(|| text(self.value, &["category"]).to_ascii_lowercase())
    }
}
