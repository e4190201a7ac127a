//! Small accessors over `serde_json::Value` for the formats that go through the DOM: real
//! exports disagree on key case (`httpRequest` / `httprequest`) and on scalar types
//! (`"Level": "4"` / `4`), so lookups are case-insensitive and scalars lenient.

use serde_json::Value;

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
