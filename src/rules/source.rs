//! What a rule reads: the logs its catalogue entry declares under `sources`, so `coverage`
//! and the scan's coverage warning say which rules a missing log silences without a second
//! list that could drift from the rules (a test checks the declaration against what each
//! rule's `wants` accepts).
//!
//! A source is a format name (`s3-access`), or a format and the kind of log within it that
//! a part of the rule needs (`gcp-audit:data-access`: GCP `*.list` / `*.get` calls and
//! object reads are logged only in Data Access logs, which are off unless enabled).

use crate::event::{Event, LogFormat, LogKind};
use serde::{Deserialize, Deserializer};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Source {
    pub log: LogFormat,
    /// `None`: every record of the format.
    pub kind: Option<LogKind>,
}

impl Source {
    pub fn parse(s: &str) -> Result<Source, String> {
        let (log, kind) = match s.split_once(':') {
            Some((l, k)) => (l, Some(k)),
            None => (s, None),
        };
        let log = LogFormat::parse(log).ok_or_else(|| format!("unknown log format `{log}`"))?;
        let kind = match kind {
            None => None,
            Some(k) => match LogKind::parse(k) {
                Some(LogKind::Unknown) | None => return Err(format!("unknown log kind `{k}`")),
                Some(k) => Some(k),
            },
        };
        Ok(Source { log, kind })
    }

    /// Whether `e` is a record of this source. A record whose kind is unknown (an older
    /// export that does not say) matches every kind of its format: coverage must not call
    /// a log missing when the records cannot tell.
    pub fn matches(&self, e: &Event) -> bool {
        e.log() == self.log
            && match self.kind {
                None => true,
                Some(k) => e.kind == k || e.kind == LogKind::Unknown,
            }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            None => f.write_str(self.log.as_str()),
            Some(k) => write!(f, "{}:{}", self.log.as_str(), k.as_str()),
        }
    }
}

impl<'de> Deserialize<'de> for Source {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Source::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl serde::Serialize for Source {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_is_a_format_or_a_format_and_kind() {
        let s = Source::parse("gcp-audit:data-access").unwrap();
        assert_eq!(s.log, LogFormat::GcpAudit);
        assert_eq!(s.kind, Some(LogKind::DataAccess));
        assert_eq!(s.to_string(), "gcp-audit:data-access");
        assert_eq!(Source::parse("s3-access").unwrap().kind, None);
        assert!(Source::parse("s3").is_err());
        assert!(Source::parse("gcp-audit:unknown").is_err());
        assert!(Source::parse("gcp-audit:everything").is_err());
    }

    #[test]
    fn a_kind_source_matches_its_kind_and_records_that_do_not_say() {
        let s = Source::parse("cloudtrail:data").unwrap();
        let mut e = Event {
            kind: LogKind::Data,
            ..Event::default()
        };
        assert!(s.matches(&e));
        e.kind = LogKind::Management;
        assert!(!s.matches(&e));
        e.kind = LogKind::Unknown;
        assert!(s.matches(&e));
    }
}
