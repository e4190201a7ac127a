//! Enrichment: what the log does not say about an event's source, added between
//! `normalize` and the rules (SPEC §3 `country`, `asn`).
//!
//! Only real addresses are enriched ([`ip::parse_source_ip`]); `source_ip` itself is never
//! rewritten, and a `country` or `asn` the log already carries wins over the databases.
//!
//! ```no_run
//! use std::path::Path;
//! use tripline::enrich::{Enricher, GeoIp};
//! use tripline::event::Event;
//!
//! let geo = GeoIp::open(Some(Path::new("GeoLite2-Country.mmdb")), Some(Path::new("GeoLite2-ASN.mmdb")))?;
//! let enricher = Enricher::new(geo);
//! let mut e = Event { source_ip: "1.0.0.1".into(), ..Event::default() };
//! enricher.enrich(&mut e);
//! assert_eq!(enricher.block_of(&e.source_ip).as_deref(), Some("1.0.0.0/24"));
//! # Ok::<(), String>(())
//! ```

pub mod geoip;
pub mod ip;

pub use geoip::GeoIp;
pub use ip::{block, is_public, parse_source_ip};

use crate::event::Event;

/// The block sizes new-source-signin compares (SPEC §4: "/24, /48").
pub const DEFAULT_V4_PREFIX: u8 = 24;
pub const DEFAULT_V6_PREFIX: u8 = 48;

/// Adds country and ASN to events. Shared by reference between worker threads.
#[derive(Debug)]
pub struct Enricher {
    geo: GeoIp,
    v4_prefix: u8,
    v6_prefix: u8,
}

impl Enricher {
    pub fn new(geo: GeoIp) -> Self {
        Enricher {
            geo,
            v4_prefix: DEFAULT_V4_PREFIX,
            v6_prefix: DEFAULT_V6_PREFIX,
        }
    }

    /// No databases: events keep what the log says, and only blocks are known.
    pub fn none() -> Self {
        Enricher::new(GeoIp::default())
    }

    /// Other block sizes than /24 and /48 (clamped to 32 and 128).
    pub fn with_prefixes(mut self, v4_prefix: u8, v6_prefix: u8) -> Self {
        self.v4_prefix = v4_prefix.min(32);
        self.v6_prefix = v6_prefix.min(128);
        self
    }

    /// The databases, to ask which are configured.
    pub fn geo(&self) -> &GeoIp {
        &self.geo
    }

    /// Fills `country` and `asn` from the databases when `source_ip` is a real address and
    /// the log left them empty. Never touches `source_ip`.
    pub fn enrich(&self, e: &mut Event) {
        let want_country = e.country.is_empty();
        let want_asn = e.asn.is_none();
        if self.geo.is_empty() || (!want_country && !want_asn) {
            return;
        }
        let Some(ip) = parse_source_ip(&e.source_ip) else {
            return;
        };
        let (country, asn) = self.geo.lookup(ip);
        if want_country {
            if let Some(country) = country {
                e.country = country;
            }
        }
        if want_asn && asn.is_some() {
            e.asn = asn;
        }
    }

    /// The network block of a logged `source_ip` (`203.0.113.0/24`, `2001:db8:1::/48`), or
    /// `None` when it is not a real address.
    pub fn block_of(&self, source_ip: &str) -> Option<String> {
        parse_source_ip(source_ip).map(|ip| block(ip, self.v4_prefix, self.v6_prefix))
    }
}

impl Default for Enricher {
    fn default() -> Self {
        Enricher::none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enricher_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Enricher>();
    }

    #[test]
    fn without_databases_nothing_changes() {
        let enricher = Enricher::none();
        let mut e = Event {
            source_ip: "1.0.0.1".into(),
            ..Event::default()
        };
        let before = e.clone();
        enricher.enrich(&mut e);
        assert_eq!(e, before);
        assert_eq!(enricher.block_of("1.0.0.1").as_deref(), Some("1.0.0.0/24"));
        assert_eq!(
            enricher.block_of("035.249.253.232").as_deref(),
            Some("35.249.253.0/24")
        );
        assert_eq!(
            enricher.block_of("2001:db8:1:2::1").as_deref(),
            Some("2001:db8:1::/48")
        );
        assert_eq!(enricher.block_of("AWS Internal"), None);
    }

    #[test]
    fn prefixes_are_configurable() {
        let enricher = Enricher::none().with_prefixes(16, 64);
        assert_eq!(
            enricher.block_of("198.51.100.7").as_deref(),
            Some("198.51.0.0/16")
        );
        assert_eq!(
            enricher.block_of("2001:db8:1:2:3::1").as_deref(),
            Some("2001:db8:1:2::/64")
        );
    }
}

impl Enricher {
    /// The enricher the configuration's `[lists]` ask for: `None` without a GeoIP or ASN
    /// database; an error naming the file when one cannot be opened.
    pub fn from_lists(lists: &crate::config::Lists) -> Result<Option<Enricher>, String> {
        if lists.geoip_country.is_none() && lists.geoip_asn.is_none() {
            return Ok(None);
        }
        let geo = GeoIp::open(lists.geoip_country.as_deref(), lists.geoip_asn.as_deref())?;
        Ok(Some(Enricher::new(geo)))
    }
}
