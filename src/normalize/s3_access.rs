//! S3 server access log lines: 24 to 26 space-separated fields once `[time]` and quoted
//! fields are joined; `-` means empty. Also Panther's pre-parsed JSON of the same fields.

use super::record_error::RecordError;
use super::value::{status_code, text, Record};
use crate::event::{Access, BadReason, Event, LogFormat, Origin, Outcome, Provider, Timestamp};
use serde_json::Value;

/// Splits on spaces, keeping `[...]` and `"..."` together (without their delimiters).
pub fn tokens(line: &str) -> Vec<&str> {
    let b = line.as_bytes();
    let mut out = Vec::with_capacity(26);
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let (start, end, next) = match b[i] {
            b'"' => {
                // A closing quote is one followed by a space or the end of the line, so a
                // user agent with a quote inside stays one field.
                let mut j = i + 1;
                loop {
                    match memchr::memchr(b'"', &b[j..]) {
                        Some(off) => {
                            let q = j + off;
                            if q + 1 >= b.len() || b[q + 1] == b' ' {
                                break (i + 1, q, q + 1);
                            }
                            j = q + 1;
                        }
                        None => break (i + 1, b.len(), b.len()),
                    }
                }
            }
            b'[' => match memchr::memchr(b']', &b[i..]) {
                Some(off) => (i, i + off + 1, i + off + 1),
                None => (i, b.len(), b.len()),
            },
            _ => {
                let e = memchr::memchr(b' ', &b[i..]).map_or(b.len(), |off| i + off);
                (i, e, e)
            }
        };
        out.push(&line[start..end]);
        i = next;
    }
    out
}

fn dash(s: &str) -> String {
    if s == "-" {
        String::new()
    } else {
        s.to_string()
    }
}

/// Whether a line looks like S3 server access (owner id, bucket, `[time]`).
pub fn looks_like(line: &str) -> bool {
    let t: Vec<&str> = line.splitn(4, ' ').collect();
    t.len() == 4
        && t[2].starts_with('[')
        && t[0].len() >= 32
        && t[0].bytes().all(|c| c.is_ascii_hexdigit())
}

pub fn from_line(line: &str, origin: Origin) -> Result<Event, RecordError> {
    let t = tokens(line);
    if t.len() < 18 {
        return Err(RecordError::new(
            BadReason::InvalidRecord,
            format!(
                "S3 access log line has {} fields, expected at least 18",
                t.len()
            ),
        ));
    }
    let time = Timestamp::parse(t[2]).ok_or_else(|| {
        RecordError::new(
            BadReason::InvalidTime,
            format!("time {:?} is not a timestamp", t[2]),
        )
    })?;
    let mut e = Event::new(Provider::Aws, LogFormat::S3Access, time, origin);
    e.resource = dash(t[1]);
    e.source_ip = dash(t[3]);
    e.identity = dash(t[4]);
    e.event_id = dash(t[5]);
    e.action = dash(t[6]);
    e.request = dash(t[8]);
    e.http_status = t[9].parse().ok();
    e.error_code = dash(t[10]);
    e.user_agent = dash(t[16]);
    e.service = "s3.amazonaws.com".into();
    if let Some(host) = t.get(22) {
        if host.contains("amazonaws.com") {
            if let Some(region) = host
                .split('.')
                .find(|p| p.contains('-') && p.chars().last().is_some_and(|c| c.is_ascii_digit()))
            {
                e.region = region.to_string();
            }
        }
    }
    e.outcome = outcome_of(e.http_status);
    e.access = access_of(&e.action);
    Ok(e)
}

/// The operation's HTTP method (`REST.GET.OBJECT`, `REST.PUT.OBJECT`): GET and HEAD read,
/// PUT, POST and DELETE write, anything else (`BATCH.DELETE.OBJECT`, `S3.EXPIRE.OBJECT`,
/// lifecycle work by S3 itself) unknown.
fn access_of(operation: &str) -> Access {
    match operation
        .strip_prefix("REST.")
        .and_then(|r| r.split('.').next())
    {
        Some("GET" | "HEAD") => Access::Read,
        Some("PUT" | "POST" | "DELETE" | "COPY") => Access::Write,
        _ => Access::Unknown,
    }
}

fn outcome_of(status: Option<u16>) -> Outcome {
    match status {
        Some(s) if s < 400 => Outcome::Success,
        Some(_) => Outcome::Failure,
        None => Outcome::Unknown,
    }
}

/// Access log lines already split into named fields (`bucketowner`, `remoteip`, ...).
pub fn matches_fields(r: &Record) -> bool {
    r.has("bucketowner") || (r.has("remoteip") && r.has("bucket"))
}

/// Pre-parsed fields (`bucket`, `remoteip`, `operation`, `httpstatus`, ...).
pub fn from_fields(v: &Value, origin: Origin) -> Result<Event, RecordError> {
    let ts = text(v, &["time", "p_event_time"]);
    let time = Timestamp::parse(&ts).ok_or_else(|| {
        RecordError::new(
            BadReason::InvalidTime,
            format!("time {ts:?} is not a timestamp"),
        )
    })?;
    let mut e = Event::new(Provider::Aws, LogFormat::S3Access, time, origin);
    e.resource = text(v, &["bucket"]);
    e.source_ip = text(v, &["remoteip"]);
    e.identity = text(v, &["requester"]);
    e.event_id = text(v, &["requestid"]);
    e.action = text(v, &["operation"]);
    e.request = text(v, &["requesturi"]);
    e.http_status = status_code(v, &["httpstatus"]);
    e.error_code = text(v, &["errorcode"]);
    e.user_agent = text(v, &["useragent"]);
    e.service = "s3.amazonaws.com".into();
    e.outcome = outcome_of(e.http_status);
    e.access = access_of(&e.action);
    Ok(e)
}
