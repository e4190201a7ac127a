//! Country and ASN of an address, from MaxMind DB files (SPEC §6: "GeoIP / ASN databases in
//! MaxMind DB format").
//!
//! Understood layouts:
//! - MaxMind GeoIP2 / GeoLite2 Country and City, DB-IP Country / City Lite:
//!   `country.iso_code`, falling back to `registered_country.iso_code` (the country the
//!   network is registered in, when the user's country is unknown).
//! - MaxMind GeoLite2-ASN, GeoIP2-ISP, DB-IP ASN Lite: `autonomous_system_number`.
//! - IPinfo Lite and IPinfo country/ASN files: top-level `country_code`, and `asn` as text
//!   (`"AS15169"`). One IPinfo Lite file carries both, so it may be given as either database;
//!   when only one database is configured, a field it happens to carry is used too.
//!
//! The files are user input. A missing, unreadable or corrupt file, or one of the wrong kind,
//! is a configuration error from [`GeoIp::open`] that names the file. `open` checks the
//! file's header and metadata only; damage deeper in (a broken data pointer, a cycle in the
//! search tree) is found by [`GeoIp::verify`], which reads the whole file. A lookup that
//! meets such damage gives "no data" for that address and is counted in
//! [`GeoIp::lookup_errors`]; a lookup never panics.

use std::fmt;
use std::marker::PhantomData;
use std::net::IpAddr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use maxminddb::{MaxMindDbError, Reader};
use serde::de::{self, Deserializer, IgnoredAny, Visitor};
use serde::Deserialize;

/// The configured GeoIP and ASN databases; either may be absent. Read-only once opened,
/// so one `GeoIp` is shared by reference between worker threads.
#[derive(Debug, Default)]
pub struct GeoIp {
    country: Option<Db>,
    asn: Option<Db>,
    lookup_errors: AtomicU64,
}

/// One opened file, with its name for messages.
#[derive(Debug)]
struct Db {
    reader: Reader<Vec<u8>>,
    path: PathBuf,
}

/// Which of the two configured databases a file was given as; it picks the error wording
/// and the `database_type` check.
#[derive(Clone, Copy)]
enum Kind {
    Country,
    Asn,
}

impl Kind {
    fn expected(self) -> &'static str {
        match self {
            Kind::Country => {
                "a country or city database (GeoIP2/GeoLite2 Country or City, DB-IP Country \
                 or City Lite, IPinfo Lite)"
            }
            Kind::Asn => "an ASN database (GeoLite2-ASN, GeoIP2-ISP, DB-IP ASN Lite, IPinfo Lite)",
        }
    }

    /// Whether a file whose metadata says `database_type` can answer this kind of question.
    /// The names are the vendors' own (`GeoIP2-City`, `GeoLite2-ASN`,
    /// `DBIP-ASN-Lite (compat=GeoLite2-ASN)`, `ipinfo generic_asn_free.mmdb`). A bare "Geo"
    /// is not enough for a country database: `GeoLite2-ASN`, `GeoIP2-Anonymous-IP` and
    /// `GeoIP2-Domain` carry no country, and accepting them would quietly enrich nothing.
    fn accepts(self, database_type: &str) -> bool {
        let t = database_type.to_ascii_lowercase();
        let ipinfo_combined = t.starts_with("ipinfo") && t.contains("lite");
        match self {
            Kind::Country => {
                ipinfo_combined
                    || ["country", "city", "location", "enterprise"]
                        .iter()
                        .any(|k| t.contains(k))
            }
            Kind::Asn => ipinfo_combined || t.contains("asn") || t.contains("isp"),
        }
    }
}

impl GeoIp {
    /// Opens the databases that are configured. `None` for both gives a `GeoIp` that knows
    /// nothing, which is how tripline runs without databases.
    ///
    /// Errors name the file: `GeoLite2-City.mmdb: not a MaxMind DB file (...)`,
    /// `x.mmdb: cannot read: No such file or directory`, or a `database_type` that is not
    /// the expected kind.
    pub fn open(country_db: Option<&Path>, asn_db: Option<&Path>) -> Result<GeoIp, String> {
        Ok(GeoIp {
            country: country_db.map(|p| open_one(p, Kind::Country)).transpose()?,
            asn: asn_db.map(|p| open_one(p, Kind::Asn)).transpose()?,
            lookup_errors: AtomicU64::new(0),
        })
    }

    /// Whether no database is configured: every lookup would answer nothing.
    pub fn is_empty(&self) -> bool {
        self.country.is_none() && self.asn.is_none()
    }

    /// Whether a country database is configured (without one, new-source-signin counts only
    /// blocks, SPEC §4).
    pub fn has_country(&self) -> bool {
        self.country.is_some()
    }

    /// Whether an ASN database is configured.
    pub fn has_asn(&self) -> bool {
        self.asn.is_some()
    }

    /// Checks every node and record of the opened databases: slow on a full-size database
    /// (it reads the whole file), so `open` does not, and `tripline config check` can. Finds
    /// damage that lookups would only meet for some addresses (a cycle in the search tree,
    /// a data pointer out of range).
    pub fn verify(&self) -> Result<(), String> {
        for db in self.country.iter().chain(&self.asn) {
            let checked = catch_unwind(AssertUnwindSafe(|| db.reader.verify()));
            match checked {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    return Err(format!(
                        "{}: damaged MaxMind DB file ({e})",
                        db.path.display()
                    ))
                }
                Err(_) => {
                    return Err(format!(
                        "{}: damaged MaxMind DB file (the reader failed on it)",
                        db.path.display()
                    ))
                }
            }
        }
        Ok(())
    }

    /// The ISO 3166-1 alpha-2 country code and the AS number of `ip`, each `None` when no
    /// configured database knows it.
    pub fn lookup(&self, ip: IpAddr) -> (Option<String>, Option<u32>) {
        let from_country = self
            .country
            .as_ref()
            .and_then(|db| self.record(&db.reader, ip));
        let from_asn = self.asn.as_ref().and_then(|db| self.record(&db.reader, ip));
        // Each answer comes from its own database; the other one is asked only when its own
        // is not configured (an IPinfo Lite file given once carries both).
        let country = match (&self.country, &from_country, &from_asn) {
            (Some(_), Some(rec), _) => rec.country(),
            (None, _, Some(rec)) => rec.country(),
            _ => None,
        };
        let asn = match (&self.asn, &from_asn, &from_country) {
            (Some(_), Some(rec), _) => rec.asn(),
            (None, _, Some(rec)) => rec.asn(),
            _ => None,
        };
        (country, asn)
    }

    /// Lookups that failed on a database fault since this `GeoIp` was opened. They gave
    /// "no data"; a count above zero means a database is damaged and should be replaced.
    pub fn lookup_errors(&self) -> u64 {
        self.lookup_errors.load(Ordering::Relaxed)
    }

    fn record<'a>(&self, reader: &'a Reader<Vec<u8>>, ip: IpAddr) -> Option<Record<'a>> {
        // An IPv4-only database has nothing on IPv6. The reader answers such a question with
        // an error, but it is no fault of the database and is not counted as one.
        if ip.is_ipv6() && reader.metadata().ip_version == 4 {
            return None;
        }
        // The reader is meant to return errors on corrupt data, and does on every damaged
        // database we have; the files are still untrusted input read on worker threads,
        // so a reader bug must cost one lookup, not the process. The reader is only read.
        let result = catch_unwind(AssertUnwindSafe(
            || -> Result<Option<Record<'a>>, MaxMindDbError> {
                reader.lookup(ip)?.decode::<Record<'a>>()
            },
        ));
        match result {
            Ok(Ok(record)) => record,
            Ok(Err(_)) | Err(_) => {
                self.lookup_errors.fetch_add(1, Ordering::Relaxed);
                None
            }
        }
    }
}

fn open_one(path: &Path, kind: Kind) -> Result<Db, String> {
    let name = path.display();
    let bytes = std::fs::read(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
    let reader = catch_unwind(AssertUnwindSafe(|| Reader::from_source(bytes)))
        .map_err(|_| format!("{name}: not a MaxMind DB file (the reader failed on it)"))?
        .map_err(|e| {
            format!(
                "{name}: not a MaxMind DB file ({e}); expected {}",
                kind.expected()
            )
        })?;
    let database_type = &reader.metadata().database_type;
    if !kind.accepts(database_type) {
        return Err(format!(
            "{name}: database type {database_type:?} is not {}",
            kind.expected()
        ));
    }
    Ok(Db {
        reader,
        path: path.to_path_buf(),
    })
}

/// The fields we read from a record of any supported layout; everything else is skipped
/// without being decoded. Every field takes a value of any type, so a database that writes
/// a field differently (IPinfo's `country` is the country's name, not a map) loses that
/// field, not the whole record.
#[derive(Deserialize)]
struct Record<'a> {
    /// MaxMind, DB-IP: `{"iso_code": "GB", ...}`.
    #[serde(borrow)]
    country: Option<Place<'a>>,
    #[serde(borrow)]
    registered_country: Option<Place<'a>>,
    /// IPinfo: `"GB"`.
    #[serde(borrow)]
    country_code: Option<Scalar<'a>>,
    /// MaxMind, DB-IP: 15169.
    #[serde(borrow)]
    autonomous_system_number: Option<Scalar<'a>>,
    /// IPinfo: `"AS15169"`.
    #[serde(borrow)]
    asn: Option<Scalar<'a>>,
}

impl Record<'_> {
    fn country(&self) -> Option<String> {
        [
            self.country.as_ref().and_then(|c| c.iso_code),
            self.registered_country.as_ref().and_then(|c| c.iso_code),
            self.country_code.as_ref().and_then(Scalar::text),
        ]
        .into_iter()
        .flatten()
        .find_map(iso_code)
    }

    fn asn(&self) -> Option<u32> {
        [&self.autonomous_system_number, &self.asn]
            .into_iter()
            .flatten()
            .find_map(Scalar::as_number)
    }
}

/// A two-letter code, upper-cased; anything else (IPinfo writes `""` for unknown) is none.
fn iso_code(code: &str) -> Option<String> {
    let code = code.trim();
    (code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic()))
        .then(|| code.to_ascii_uppercase())
}

/// An AS number from `15169`, `"AS15169"` or `"15169"`; 0 (IPinfo and DB-IP's "none") and
/// anything that is not a 32-bit number is none.
fn as_number(text: &str) -> Option<u32> {
    let t = text.trim();
    let digits = t
        .strip_prefix("AS")
        .or_else(|| t.strip_prefix("as"))
        .unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|&n| n != 0)
}

/// A map with an `iso_code`; a value of any other shape has none.
#[derive(Default)]
struct Place<'a> {
    iso_code: Option<&'a str>,
}

impl<'de: 'a, 'a> Deserialize<'de> for Place<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct PlaceVisitor<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for PlaceVisitor<'a> {
            type Value = Place<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Place<'a>, A::Error> {
                let mut place = Place::default();
                while let Some(key) = map.next_key::<Scalar<'a>>()? {
                    if key.text() == Some("iso_code") {
                        place.iso_code = map.next_value::<Scalar<'a>>()?.text();
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(place)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Place<'a>, A::Error> {
                IgnoredAny.visit_seq(seq).map(|_| Place::default())
            }
            fn visit_borrowed_str<E: de::Error>(self, _: &'de str) -> Result<Place<'a>, E> {
                Ok(Place::default())
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Place<'a>, E> {
                Ok(Place::default())
            }
            fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Place<'a>, E> {
                Ok(Place::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Place<'a>, E> {
                Ok(Place::default())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Place<'a>, E> {
                Ok(Place::default())
            }
            fn visit_u128<E: de::Error>(self, _: u128) -> Result<Place<'a>, E> {
                Ok(Place::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Place<'a>, E> {
                Ok(Place::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Place<'a>, E> {
                Ok(Place::default())
            }
        }
        d.deserialize_any(PlaceVisitor(PhantomData))
    }
}

/// A string borrowed from the database, a number, or something else (skipped).
enum Scalar<'a> {
    Text(&'a str),
    Number(u128),
    Other,
}

impl<'a> Scalar<'a> {
    fn text(&self) -> Option<&'a str> {
        match *self {
            Scalar::Text(s) => Some(s),
            _ => None,
        }
    }

    fn as_number(&self) -> Option<u32> {
        match *self {
            Scalar::Text(s) => as_number(s),
            Scalar::Number(n) => u32::try_from(n).ok().filter(|&n| n != 0),
            Scalar::Other => None,
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ScalarVisitor<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for ScalarVisitor<'a> {
            type Value = Scalar<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Scalar<'a>, E> {
                Ok(Scalar::Text(v))
            }
            // The reader lends every string from its buffer; a copied one would be a change
            // in the reader, and is treated as absent rather than allocated for.
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Scalar<'a>, E> {
                Ok(Scalar::Other)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar<'a>, E> {
                Ok(Scalar::Number(u128::from(v)))
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<Scalar<'a>, E> {
                Ok(Scalar::Number(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar<'a>, E> {
                Ok(u128::try_from(v).map_or(Scalar::Other, Scalar::Number))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Scalar<'a>, E> {
                Ok(Scalar::Other)
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Scalar<'a>, E> {
                Ok(Scalar::Other)
            }
            fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Scalar<'a>, E> {
                Ok(Scalar::Other)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Scalar<'a>, E> {
                Ok(Scalar::Other)
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Scalar<'a>, A::Error> {
                IgnoredAny.visit_map(map).map(|_| Scalar::Other)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Scalar<'a>, A::Error> {
                IgnoredAny.visit_seq(seq).map(|_| Scalar::Other)
            }
        }
        d.deserialize_any(ScalarVisitor(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_types() {
        for t in [
            "GeoIP2-Country",
            "GeoLite2-City",
            "GeoIP2-City-Shield",
            "DBIP-Country-Lite",
            "DBIP-City-Lite",
            "GeoIP2-Enterprise",
            "ipinfo lite.mmdb",
            "ipinfo generic_country_asn_free.mmdb",
        ] {
            assert!(Kind::Country.accepts(t), "{t}");
        }
        for t in [
            "GeoLite2-ASN",
            "GeoIP2-Anonymous-IP",
            "GeoIP2-Domain",
            "MaxMind DB Decoder Test",
        ] {
            assert!(!Kind::Country.accepts(t), "{t}");
        }
        for t in [
            "GeoLite2-ASN",
            "GeoIP2-ISP",
            "DBIP-ASN-Lite (compat=GeoLite2-ASN)",
            "ipinfo generic_asn_free.mmdb",
            "ipinfo lite.mmdb",
        ] {
            assert!(Kind::Asn.accepts(t), "{t}");
        }
        for t in ["GeoIP2-Country", "GeoIP2-City", "Test"] {
            assert!(!Kind::Asn.accepts(t), "{t}");
        }
    }

    #[test]
    fn iso_codes() {
        assert_eq!(iso_code("us").as_deref(), Some("US"));
        assert_eq!(iso_code(""), None);
        assert_eq!(iso_code("USA"), None);
        assert_eq!(iso_code("1A"), None);
    }

    #[test]
    fn as_numbers() {
        assert_eq!(as_number("AS15169"), Some(15169));
        assert_eq!(as_number("15169"), Some(15169));
        assert_eq!(as_number("as13335"), Some(13335));
        assert_eq!(as_number(""), None);
        assert_eq!(as_number("AS"), None);
        assert_eq!(as_number("AS0"), None);
        assert_eq!(as_number("AS99999999999"), None);
        assert_eq!(as_number("AS+1"), None);
        assert_eq!(Scalar::Number(15169).as_number(), Some(15169));
        assert_eq!(Scalar::Number(1 << 40).as_number(), None);
    }

    #[test]
    fn geoip_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<GeoIp>();
    }
}
