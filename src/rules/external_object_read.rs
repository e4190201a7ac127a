//! `external-object-read`: a successful object read (GCP `storage.objects.get`, CloudTrail
//! `GetObject`, S3 server access `REST.GET.OBJECT`) from a real IP address outside the
//! organisation's networks. One alert per (identity, source IP, bucket) per epoch-aligned
//! hour, emitted when the watermark passes the hour's end so it carries the hour's count.
//!
//! "Real" means the logged source parses as an address: `AWS Internal`,
//! `config.amazonaws.com` and `gce-internal-ip` are not addresses and never alert. Private,
//! loopback and link-local addresses are internal whatever the configuration says.

use super::catalogue::RuleSpec;
use super::context::{Context, Setup};
use super::discovery::MAX_EVIDENCE;
use super::keyed::Binned;
use super::rule::{Interest, Rule};
use crate::config::Cidr;
use crate::event::alert::Signals;
use crate::event::{Duration, Event, Fields, LogFormat, Outcome, Provider, Severity, Timestamp};
use serde::Deserialize;
use std::net::{IpAddr, Ipv4Addr};

/// Parses a logged source address. Besides what `std` accepts, IPv4 with zero-padded
/// octets (`035.249.253.232`, `0203.000.113.010`), which some AWS and GCP records carry, is
/// read as decimal (never octal), and `[v6]` brackets are removed. IPv4-mapped IPv6 becomes
/// the IPv4 address it carries, so one source has one spelling.
pub fn parse_address(s: &str) -> Option<IpAddr> {
    let s = s.trim();
    let s = s
        .strip_prefix('[')
        .and_then(|x| x.strip_suffix(']'))
        .unwrap_or(s);
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    let mut octets = [0u8; 4];
    let mut n = 0;
    for part in s.split('.') {
        // Up to four digits: one padding zero before a three-digit octet (`0203`).
        if n == 4 || part.is_empty() || part.len() > 4 || !part.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let digits = part.trim_start_matches('0');
        octets[n] = if digits.is_empty() {
            0
        } else {
            digits.parse().ok()?
        };
        n += 1;
    }
    (n == 4).then(|| IpAddr::V4(Ipv4Addr::from(octets)))
}

/// Addresses that cannot be an outside party on the internet: RFC 1918 and unique-local,
/// loopback, link-local, unspecified and broadcast.
pub fn is_private(ip: &IpAddr) -> bool {
    match ip.to_canonical() {
        IpAddr::V4(a) => {
            a.is_private()
                || a.is_loopback()
                || a.is_link_local()
                || a.is_unspecified()
                || a.is_broadcast()
        }
        IpAddr::V6(a) => {
            let first = a.segments()[0];
            a.is_loopback()
                || a.is_unspecified()
                || first & 0xfe00 == 0xfc00
                || first & 0xffc0 == 0xfe80
        }
    }
}

/// `projects/_/buckets/acme-data/objects/reports/q1.pdf` → `acme-data`; other resources
/// (CloudTrail `bucketName`, the S3 access log's bucket field) are the bucket already.
fn bucket_of(e: &Event) -> String {
    if e.log() == LogFormat::GcpAudit {
        if let Some(rest) = e.resource.split_once("/buckets/").map(|(_, r)| r) {
            return rest.split('/').next().unwrap_or("").to_string();
        }
    }
    e.resource.clone()
}

type Key = (String, String, String);

#[derive(serde::Serialize, serde::Deserialize)]
pub struct Agg {
    provider: Provider,
    objects: u64,
    first: Timestamp,
    last: Timestamp,
    evidence: Vec<String>,
    signals: Signals,
}

pub struct ExternalObjectRead {
    spec: RuleSpec,
    severity: Severity,
    bin: Duration,
    internal: Vec<Cidr>,
}

/// Reads per bin and (identity, normalized source address, bucket).
pub type State = Binned<Key, Agg>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub window: Duration,
}

impl ExternalObjectRead {
    fn is_object_read(e: &Event) -> bool {
        match e.log() {
            LogFormat::GcpAudit => e.action == "storage.objects.get",
            LogFormat::CloudTrail => e.action == "GetObject" && e.service == "s3.amazonaws.com",
            LogFormat::S3Access => e.action == "REST.GET.OBJECT",
            _ => false,
        }
    }

    fn external_address(&self, e: &Event) -> Option<IpAddr> {
        let ip = parse_address(&e.source_ip)?;
        (!is_private(&ip) && !self.internal.iter().any(|c| c.contains(&ip))).then_some(ip)
    }

    fn emit(&self, start: Timestamp, key: Key, agg: Agg, cx: &mut Context<'_>) {
        let (identity, ip, bucket) = key;
        let mut g = Fields::default();
        g.push("identity", identity.as_str());
        g.push("source_ip", ip.as_str());
        g.push("bucket", bucket.as_str());
        let end = start.add(self.bin);
        let mut f = Fields::default();
        f.push("Identity", identity);
        f.push("SourceIP", ip);
        f.push("Bucket", bucket);
        f.push("Objects", agg.objects);
        f.push("FirstSeen", agg.first.to_string());
        f.push("LastSeen", agg.last.to_string());
        let alert = self
            .spec
            .alert(g, start, end)
            .provider(agg.provider)
            .severity(self.severity)
            .seen(agg.first, agg.last, agg.objects)
            .fields(f)
            .evidence(agg.evidence)
            .signals(agg.signals)
            .build();
        cx.emit(alert);
    }
}

impl Rule for ExternalObjectRead {
    type Params = Params;
    type State = State;
    const CATALOGUE: &'static str = include_str!("catalogue/external-object-read.toml");

    fn build(spec: RuleSpec, p: Params, setup: &Setup<'_>) -> Result<Self, String> {
        Ok(ExternalObjectRead {
            severity: spec.default_severity().unwrap_or(Severity::Medium),
            spec,
            bin: p.window,
            internal: setup.config.organisation.internal_cidrs.clone(),
        })
    }

    fn spec(&self) -> &RuleSpec {
        &self.spec
    }

    fn interest(&self) -> Interest {
        Interest::All
    }

    fn wants(&self, e: &Event) -> bool {
        e.outcome == Outcome::Success
            && Self::is_object_read(e)
            && self.external_address(e).is_some()
    }

    fn observe(&self, st: &mut State, e: &Event, _: &mut Context<'_>) {
        let Some(ip) = self.external_address(e) else {
            return;
        };
        let key = (e.identity.clone(), ip.to_string(), bucket_of(e));
        let agg = st.get_or_insert_with(e.time.bin(self.bin), key, || Agg {
            provider: e.provider(),
            objects: 0,
            first: e.time,
            last: e.time,
            evidence: Vec::new(),
            signals: Signals::default(),
        });
        agg.objects += 1;
        agg.last = agg.last.max(e.time);
        if agg.evidence.len() < MAX_EVIDENCE {
            agg.evidence.push(e.origin.to_string());
        }
        agg.signals.add_event(e);
    }

    fn advance(&self, st: &mut State, watermark: Timestamp, cx: &mut Context<'_>) {
        for (start, k, agg) in st.take_closed(watermark, self.bin) {
            self.emit(start, k, agg, cx);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_as_logged() {
        assert_eq!(
            parse_address("035.249.253.232"),
            Some("35.249.253.232".parse().unwrap())
        );
        assert_eq!(
            parse_address("0203.000.113.010"),
            Some("203.0.113.10".parse().unwrap())
        );
        assert_eq!(
            parse_address("::ffff:10.1.2.3"),
            Some("10.1.2.3".parse().unwrap())
        );
        assert_eq!(
            parse_address("[2001:db8::1]"),
            Some("2001:db8::1".parse().unwrap())
        );
        for not in [
            "AWS Internal",
            "gce-internal-ip",
            "config.amazonaws.com",
            "",
            "1.2.3",
            "1.2.3.4.5",
            "256.1.1.1",
            "1.2.3.+4",
            "1..2.3",
            "00001.2.3.4",
        ] {
            assert_eq!(parse_address(not), None, "{not}");
        }
    }

    #[test]
    fn private_ranges() {
        for ip in [
            "10.0.0.5",
            "192.168.1.1",
            "172.16.0.1",
            "127.0.0.1",
            "169.254.1.1",
            "::1",
            "fd00::1",
            "fe80::1",
        ] {
            assert!(is_private(&ip.parse().unwrap()), "{ip}");
        }
        for ip in ["35.249.253.232", "172.32.0.1", "2001:db8::1"] {
            assert!(!is_private(&ip.parse().unwrap()), "{ip}");
        }
    }
}
