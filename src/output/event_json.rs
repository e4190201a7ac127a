//! `normalize` output: events as JSON lines, written by hand because this is the hot path
//! of `tripline normalize` (serde_json's generic escaping was 15 % of its time). Field
//! names and order are those of SPEC §3 (and of `Event`'s `Serialize`, which tests compare
//! against). Every character `invisible::needs_escape` names (controls, DEL, C1 controls,
//! bidi and invisible characters, U+2028 / U+2029) is written as `\uXXXX`, so that no log
//! value reaches a terminal raw, even through `jq -r`, and no line-splitting reader cuts a
//! line in two.

use super::invisible::needs_escape;
use crate::event::{Event, Outcome, Shape};
use std::io::Write;

/// Bytes that end a run of characters that can be copied as they are.
const fn special_table() -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t[0x7f] = true;
    // Every lead byte of a multi-byte character: it is decoded and checked against the one
    // list (`needs_escape`). Log values are overwhelmingly ASCII, so this costs little.
    let mut lead = 0xc2;
    while lead < 0x100 {
        t[lead] = true;
        lead += 1;
    }
    t
}
static SPECIAL: [bool; 256] = special_table();

/// The length of the character at `i` (a character boundary) if it must be written as
/// `\uXXXX`.
fn needs_escape_at(s: &str, i: usize) -> Option<usize> {
    let c = s.as_bytes()[i];
    if c < 0x80 {
        return Some(1);
    }
    let ch = s[i..].chars().next()?;
    needs_escape(ch).then(|| ch.len_utf8())
}

/// Whether any of 8 bytes is < 0x20, `"`, `\\`, DEL or non-ASCII (SWAR: one test per word
/// instead of one table lookup per byte; log values are overwhelmingly plain ASCII).
#[inline]
fn word_has_special(w: u64) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let below_20 = w.wrapping_sub(LO * 0x20) & !w & HI;
    let eq = |c: u8| {
        let x = w ^ (LO * c as u64);
        x.wrapping_sub(LO) & !x & HI
    };
    (below_20 | eq(b'"') | eq(b'\\') | eq(0x7f) | (w & HI)) != 0
}

pub fn write_str(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    out.push(b'"');
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        if i + 8 <= b.len()
            && !word_has_special(u64::from_le_bytes(b[i..i + 8].try_into().unwrap()))
        {
            i += 8;
            continue;
        }
        if !SPECIAL[b[i] as usize] {
            i += 1;
            continue;
        }
        let Some(len) = needs_escape_at(s, i) else {
            i += 1;
            continue;
        };
        out.extend_from_slice(&b[start..i]);
        match b[i] {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            _ => {
                let ch = s[i..i + len].chars().next().unwrap_or('\u{fffd}');
                let mut utf16 = [0u16; 2];
                // Beyond the BMP (tag characters): a surrogate pair, as JSON requires.
                for unit in ch.encode_utf16(&mut utf16) {
                    let _ = write!(out, "\\u{:04x}", unit);
                }
            }
        }
        i += len;
        start = i;
    }
    out.extend_from_slice(&b[start..]);
    out.push(b'"');
}

fn field(out: &mut Vec<u8>, name: &str, value: &str) {
    if !value.is_empty() {
        out.push(b',');
        out.push(b'"');
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"\":");
        write_str(out, value);
    }
}

/// RFC 3339 without `fmt`: this runs once per event on the hot path.
fn write_time(out: &mut Vec<u8>, t: crate::event::Timestamp) {
    use crate::event::time::{civil_from_days, NANOS_PER_SEC};
    let secs = t.0.div_euclid(NANOS_PER_SEC);
    let nanos = t.0.rem_euclid(NANOS_PER_SEC);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    if !(0..=9999).contains(&y) {
        let _ = write!(out, "{t}");
        return;
    }
    let sod = secs.rem_euclid(86_400) as u32;
    let two = |out: &mut Vec<u8>, v: u32| {
        out.extend_from_slice(&[b'0' + (v / 10) as u8, b'0' + (v % 10) as u8])
    };
    two(out, (y / 100) as u32);
    two(out, (y % 100) as u32);
    out.push(b'-');
    two(out, m);
    out.push(b'-');
    two(out, d);
    out.push(b'T');
    two(out, sod / 3600);
    out.push(b':');
    two(out, sod % 3600 / 60);
    out.push(b':');
    two(out, sod % 60);
    if nanos != 0 {
        let mut digits = [0u8; 9];
        let mut n = nanos;
        for d in digits.iter_mut().rev() {
            *d = b'0' + (n % 10) as u8;
            n /= 10;
        }
        let len = 9 - digits.iter().rev().take_while(|&&c| c == b'0').count();
        out.push(b'.');
        out.extend_from_slice(&digits[..len]);
    }
    out.push(b'Z');
}

/// One event as a JSON object (no newline).
pub fn write_event(e: &Event, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"time\":\"");
    write_time(out, e.time);
    out.push(b'"');
    out.extend_from_slice(b",\"provider\":\"");
    out.extend_from_slice(e.provider().as_str().as_bytes());
    out.extend_from_slice(b"\",\"log\":\"");
    out.extend_from_slice(e.log().as_str().as_bytes());
    out.push(b'"');
    field(out, "identity", &e.identity);
    field(out, "identity_type", &e.identity_type);
    field(out, "account", &e.account);
    field(out, "source_ip", &e.source_ip);
    field(out, "user_agent", &e.user_agent);
    field(out, "action", &e.action);
    field(out, "service", &e.service);
    field(out, "region", &e.region);
    field(out, "resource", &e.resource);
    field(out, "request", &e.request);
    out.extend_from_slice(match e.outcome {
        Outcome::Success => b",\"outcome\":\"success\"" as &[u8],
        Outcome::Failure => b",\"outcome\":\"failure\"",
        Outcome::Unknown => b",\"outcome\":\"unknown\"",
    });
    field(out, "error_code", &e.error_code);
    if let Some(s) = e.http_status {
        let _ = write!(out, ",\"http_status\":{s}");
    }
    field(out, "client_app", &e.client_app);
    field(out, "country", &e.country);
    if let Some(a) = e.asn {
        let _ = write!(out, ",\"asn\":{a}");
    }
    field(out, "status", &e.status);
    field(out, "resource_group", &e.resource_group);
    field(out, "target", &e.target);
    field(out, "key_id", &e.key_id);
    match e.shape {
        Shape::Native => {}
        Shape::Sentinel => out.extend_from_slice(b",\"shape\":\"sentinel\""),
        Shape::Rest => out.extend_from_slice(b",\"shape\":\"rest\""),
    }
    out.extend_from_slice(b",\"origin\":");
    write_str(out, &e.origin.to_string());
    field(out, "event_id", &e.event_id);
    out.push(b'}');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{LogFormat, Origin, Provider, Timestamp};
    use std::sync::Arc;

    #[test]
    fn same_json_as_serde_for_ordinary_values_and_escapes_hostile_ones() {
        let src: Arc<str> = Arc::from("f.json");
        let mut e = Event::new(
            Provider::Aws,
            LogFormat::CloudTrail,
            Timestamp(1_700_000_000_123_000_000),
            Origin::line(&src, 3),
        );
        e.identity = "arn:aws:iam::1:user/a\"b\\c".into();
        e.user_agent = "ua\t\u{e9}\u{1f600}".into();
        e.http_status = Some(403);
        e.asn = Some(15169);
        e.shape = Shape::Sentinel;
        let mut mine = Vec::new();
        write_event(&e, &mut mine);
        let a: serde_json::Value = serde_json::from_slice(&mine).unwrap();
        let b = serde_json::to_value(&e).unwrap();
        assert_eq!(a, b);
        assert_eq!(
            String::from_utf8(mine).unwrap(),
            serde_json::to_string(&e).unwrap(),
            "same field order"
        );
        e.user_agent = "x\u{1b}[2J\u{7f}\u{85}\u{202e}\u{2066}\u{61c}y".into();
        let mut hostile = Vec::new();
        write_event(&e, &mut hostile);
        let text = String::from_utf8(hostile.clone()).unwrap();
        assert!(
            text.contains("x\\u001b[2J\\u007f\\u0085\\u202e\\u2066\\u061cy"),
            "{text}"
        );
        let back: serde_json::Value = serde_json::from_slice(&hostile).unwrap();
        assert_eq!(back["user_agent"], serde_json::json!(e.user_agent));
        // Invisible characters, line separators and tags (a surrogate pair); other non-ASCII
        // text is copied as it is.
        e.user_agent = "a\u{200b}\u{2028}\u{2029}\u{feff}é中\u{e0041}z".into();
        let mut out = Vec::new();
        write_event(&e, &mut out);
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(
            text.contains("a\\u200b\\u2028\\u2029\\ufeffé中\\udb40\\udc41z"),
            "{text}"
        );
        let back: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(back["user_agent"], serde_json::json!(e.user_agent));
    }
}

#[cfg(test)]
mod time_and_swar {
    use super::*;
    use crate::event::Timestamp;

    #[test]
    fn times_match_display() {
        for s in [
            "2024-05-06T10:03:12Z",
            "1999-12-31T23:59:59.9999999Z",
            "2024-02-29T00:00:00.5Z",
            "0001-01-01T00:00:00Z",
        ] {
            let t = Timestamp::parse(s).unwrap();
            let mut out = Vec::new();
            write_time(&mut out, t);
            assert_eq!(String::from_utf8(out).unwrap(), t.to_string());
        }
    }

    #[test]
    fn every_special_byte_is_found_in_every_position() {
        for special in [0u8, 0x1f, b'"', b'\\', 0x7f, 0x80, 0xff] {
            for pos in 0..8 {
                let mut w = [b'a'; 8];
                w[pos] = special;
                assert!(
                    word_has_special(u64::from_le_bytes(w)),
                    "{special:#x} at {pos}"
                );
            }
        }
        assert!(!word_has_special(u64::from_le_bytes(*b"aZ09 ~!/")));
    }
}
