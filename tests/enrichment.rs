//! Enrichment with MaxMind DB files: real lookups in MaxMind's own test databases
//! (tests/fixtures/maxmind, see its README.md), addresses as the logs write them, and
//! damaged or wrong files, which must be configuration errors naming the file or lookups
//! that answer nothing — never a panic.
//!
//! The addresses come from the JSON the test databases were built from
//! (maxmind/MaxMind-DB `source-data/`): GeoLite2-ASN-Test has 1.0.0.0/24 → AS15169 and
//! 2001:1700::/27 → AS6730; GeoIP2-Country-Test and GeoIP2-City-Test have 81.2.69.142/127
//! → GB (registered in US), 89.160.20.128/121 → SE (and AS29518 in the ASN database),
//! 2001:218::/32 → JP.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use tripline::enrich::{block, parse_source_ip, Enricher, GeoIp};
use tripline::event::Event;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/maxmind")
        .join(name)
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn both() -> GeoIp {
    GeoIp::open(
        Some(&fixture("GeoIP2-Country-Test.mmdb")),
        Some(&fixture("GeoLite2-ASN-Test.mmdb")),
    )
    .unwrap()
}

fn event(source_ip: &str) -> Event {
    Event {
        source_ip: source_ip.to_string(),
        ..Event::default()
    }
}

#[test]
fn country_and_asn_from_maxmind_test_databases() {
    let geo = both();
    assert!(geo.has_country() && geo.has_asn());
    assert_eq!(geo.lookup(ip("81.2.69.142")), (Some("GB".into()), None));
    // In both: the country from one database, the ASN from the other.
    assert_eq!(
        geo.lookup(ip("89.160.20.130")),
        (Some("SE".into()), Some(29518))
    );
    assert_eq!(geo.lookup(ip("2001:218::1")), (Some("JP".into()), None));
    assert_eq!(geo.lookup(ip("1.0.0.1")), (None, Some(15169)));
    assert_eq!(geo.lookup(ip("2001:1700::1")), (None, Some(6730)));
    assert_eq!(geo.lookup_errors(), 0);
}

#[test]
fn city_database_gives_countries_too() {
    let geo = GeoIp::open(Some(&fixture("GeoIP2-City-Test.mmdb")), None).unwrap();
    assert_eq!(geo.lookup(ip("81.2.69.142")), (Some("GB".into()), None));
    assert_eq!(geo.lookup(ip("216.160.83.56")), (Some("US".into()), None));
    // Mapped IPv6 is looked up as IPv4.
    assert_eq!(
        geo.lookup(ip("::ffff:81.2.69.142")).0.as_deref(),
        Some("GB")
    );
}

#[test]
fn address_not_in_database_is_none() {
    let geo = both();
    assert_eq!(geo.lookup(ip("198.51.100.7")), (None, None));
    assert_eq!(geo.lookup(ip("10.0.0.1")), (None, None));
    assert_eq!(geo.lookup(ip("2001:db8::1")), (None, None));
    // In the Country DB with only `traits`, no country at all.
    assert_eq!(geo.lookup(ip("214.1.1.1")).0, None);
    assert_eq!(geo.lookup_errors(), 0);
}

#[test]
fn enricher_fills_what_the_log_left_empty() {
    let enricher = Enricher::new(both());
    let mut e = event("1.0.0.1");
    enricher.enrich(&mut e);
    assert_eq!((e.country.as_str(), e.asn), ("", Some(15169)));
    assert_eq!(e.source_ip, "1.0.0.1");

    let mut e = event("81.2.69.142");
    enricher.enrich(&mut e);
    assert_eq!((e.country.as_str(), e.asn), ("GB", None));

    // What the log says wins (Entra sign-ins carry their own location).
    let mut e = Event {
        country: "FR".into(),
        asn: Some(3215),
        ..event("81.2.69.142")
    };
    enricher.enrich(&mut e);
    assert_eq!((e.country.as_str(), e.asn), ("FR", Some(3215)));
    let mut e = Event {
        country: "FR".into(),
        ..event("1.0.0.1")
    };
    enricher.enrich(&mut e);
    assert_eq!((e.country.as_str(), e.asn), ("FR", Some(15169)));
}

#[test]
fn leading_zero_addresses_are_enriched_as_decimal() {
    let enricher = Enricher::new(both());
    let mut e = event("001.000.000.001");
    enricher.enrich(&mut e);
    assert_eq!(e.asn, Some(15169));
    assert_eq!(
        e.source_ip, "001.000.000.001",
        "source_ip is kept as logged"
    );

    let mut e = event("081.002.069.0142");
    enricher.enrich(&mut e);
    assert_eq!(e.country, "GB");

    assert_eq!(
        parse_source_ip("035.249.253.232"),
        Some(ip("35.249.253.232"))
    );
    assert_eq!(
        parse_source_ip("0203.000.113.010"),
        Some(ip("203.0.113.10"))
    );
}

#[test]
fn non_addresses_are_not_enriched() {
    let enricher = Enricher::new(both());
    for s in [
        "AWS Internal",
        "config.amazonaws.com",
        "gce-internal-ip",
        "",
        "-",
        "XX.XX.XX.XX",
        "1.0.0.1:443",
    ] {
        let mut e = event(s);
        let before = e.clone();
        enricher.enrich(&mut e);
        assert_eq!(e, before, "{s:?}");
        assert_eq!(enricher.block_of(s), None, "{s:?}");
    }
}

#[test]
fn blocks() {
    assert_eq!(block(ip("203.0.113.77"), 24, 48), "203.0.113.0/24");
    assert_eq!(block(ip("2001:db8:1:ffff::1"), 24, 48), "2001:db8:1::/48");
    let enricher = Enricher::none();
    assert_eq!(
        enricher.block_of("0203.000.113.077").as_deref(),
        Some("203.0.113.0/24")
    );
    assert_eq!(
        enricher.block_of("::ffff:203.0.113.77").as_deref(),
        Some("203.0.113.0/24")
    );
    assert_eq!(
        enricher.block_of("2001:db8:1:ffff::1").as_deref(),
        Some("2001:db8:1::/48")
    );
}

#[test]
fn missing_file_is_an_error_naming_it() {
    let err = GeoIp::open(Some(&fixture("no-such.mmdb")), None).unwrap_err();
    assert!(
        err.contains("no-such.mmdb") && err.contains("cannot read"),
        "{err}"
    );
    let err = GeoIp::open(None, Some(&fixture("no-such-asn.mmdb"))).unwrap_err();
    assert!(err.contains("no-such-asn.mmdb"), "{err}");
}

#[test]
fn text_file_is_not_a_database() {
    for name in ["README.md", "LICENSE-MIT"] {
        let err = GeoIp::open(Some(&fixture(name)), None).unwrap_err();
        assert!(
            err.contains(name) && err.contains("not a MaxMind DB file"),
            "{err}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.mmdb");
    std::fs::write(&empty, b"").unwrap();
    let err = GeoIp::open(None, Some(&empty)).unwrap_err();
    assert!(
        err.contains("empty.mmdb") && err.contains("not a MaxMind DB file"),
        "{err}"
    );
}

#[test]
fn wrong_kind_of_database_is_an_error() {
    let err = GeoIp::open(Some(&fixture("GeoLite2-ASN-Test.mmdb")), None).unwrap_err();
    assert!(
        err.contains("GeoLite2-ASN-Test.mmdb") && err.contains("\"GeoLite2-ASN\""),
        "{err}"
    );
    assert!(err.contains("country or city database"), "{err}");
    let err = GeoIp::open(None, Some(&fixture("GeoIP2-Country-Test.mmdb"))).unwrap_err();
    assert!(
        err.contains("GeoIP2-Country-Test.mmdb") && err.contains("ASN database"),
        "{err}"
    );
}

/// MaxMind's generic test databases say `database_type` "Test", which `open` refuses as the
/// wrong kind before any lookup. To walk the lookup path over their damage, a copy gets the
/// four-letter type "City" instead (same length, so nothing else in the file moves).
fn renamed_to_city(name: &str, dir: &Path) -> PathBuf {
    let mut bytes = std::fs::read(fixture(name)).unwrap();
    let marker = b"\xAB\xCD\xEFMaxMind.com";
    let meta = bytes
        .windows(marker.len())
        .rposition(|w| w == marker)
        .unwrap()
        + marker.len();
    // A UTF-8 string of four bytes is control byte 0x44 followed by the text.
    let at = meta
        + bytes[meta..]
            .windows(5)
            .position(|w| w == b"\x44Test")
            .unwrap();
    bytes[at + 1..at + 5].copy_from_slice(b"City");
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn generic_test_databases_are_the_wrong_kind() {
    let name = "MaxMind-DB-test-broken-pointers-24.mmdb";
    let err = GeoIp::open(Some(&fixture(name)), None).unwrap_err();
    assert!(err.contains(name) && err.contains("\"Test\""), "{err}");
}

#[test]
fn cyclic_data_is_refused_at_open() {
    for (country, asn) in [
        (Some(fixture("cyclic-data-structure.mmdb")), None),
        (None, Some(fixture("cyclic-data-structure.mmdb"))),
    ] {
        let err = GeoIp::open(country.as_deref(), asn.as_deref()).unwrap_err();
        assert!(
            err.contains("cyclic-data-structure.mmdb") && err.contains("not a MaxMind DB file"),
            "{err}"
        );
    }
}

#[test]
fn broken_data_gives_no_data_and_counts_errors() {
    let geo = GeoIp::open(
        Some(&fixture("GeoIP2-City-Test-Broken-Double-Format.mmdb")),
        None,
    )
    .unwrap();
    // Records whose `location` holds a damaged double fail as a whole.
    for p in [
        "2.125.160.216",
        "216.160.83.56",
        "89.160.20.128",
        "2001:218::1",
    ] {
        assert_eq!(geo.lookup(ip(p)), (None, None), "{p}");
    }
    assert_eq!(geo.lookup_errors(), 4);
    let enricher = Enricher::new(geo);
    let mut e = event("216.160.83.56");
    enricher.enrich(&mut e);
    assert_eq!((e.country.as_str(), e.asn), ("", None));
}

#[test]
fn broken_pointers_give_no_data_and_count_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = renamed_to_city("MaxMind-DB-test-broken-pointers-24.mmdb", dir.path());
    let geo = GeoIp::open(Some(&path), None).unwrap();
    // 1.1.1.16 and 1.1.1.32 point outside the data section.
    assert_eq!(geo.lookup(ip("1.1.1.16")), (None, None));
    assert_eq!(geo.lookup(ip("1.1.1.32")), (None, None));
    assert_eq!(geo.lookup_errors(), 2);
    // A sound record of this database has no country (it is `{"ip": ...}`): none, no error.
    assert_eq!(geo.lookup(ip("1.1.1.1")), (None, None));
    assert_eq!(geo.lookup_errors(), 2);
    let err = geo.verify().unwrap_err();
    assert!(
        err.contains("MaxMind-DB-test-broken-pointers-24.mmdb"),
        "{err}"
    );
}

#[test]
fn broken_search_tree_is_found_by_verify() {
    let dir = tempfile::tempdir().unwrap();
    let path = renamed_to_city("MaxMind-DB-test-broken-search-tree-24.mmdb", dir.path());
    // Its cycle is deeper than any lookup goes: lookups end, with nothing to enrich with.
    let geo = GeoIp::open(Some(&path), None).unwrap();
    for p in [
        "1.1.1.1",
        "1.1.1.3",
        "1.1.1.32",
        "1.1.255.255",
        "255.255.255.255",
        "0.0.0.0",
    ] {
        assert_eq!(geo.lookup(ip(p)), (None, None), "{p}");
    }
    let err = geo.verify().unwrap_err();
    assert!(
        err.contains("MaxMind-DB-test-broken-search-tree-24.mmdb") && err.contains("damaged"),
        "{err}"
    );
}

#[test]
fn sound_databases_verify() {
    both().verify().unwrap();
    GeoIp::open(Some(&fixture("GeoIP2-City-Test.mmdb")), None)
        .unwrap()
        .verify()
        .unwrap();
    GeoIp::default().verify().unwrap();
}

#[test]
fn usable_from_worker_threads() {
    let enricher = Enricher::new(both());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let mut e = event("1.0.0.7");
                enricher.enrich(&mut e);
                assert_eq!(e.asn, Some(15169));
            });
        }
    });
}

/// Layouts we have no vendor test file for (IPinfo Lite's `country_code` and `"AS15169"`,
/// `registered_country` without `country`, odd value types) are checked on tiny databases
/// written here with [`mmdb::write`].
mod other_layouts {
    use super::*;
    use mmdb::Value::{Map, Str, U16, U32};

    fn open_built(
        dir: &Path,
        name: &str,
        db_type: &'static str,
        records: &[(&str, mmdb::Value)],
    ) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, mmdb::write(db_type, records)).unwrap();
        path
    }

    #[test]
    fn ipinfo_lite_gives_country_and_asn_from_one_file() {
        let dir = tempfile::tempdir().unwrap();
        let record = Map(vec![
            ("asn", Str("AS15169")),
            ("as_name", Str("Google LLC")),
            ("as_domain", Str("google.com")),
            ("country_code", Str("US")),
            ("country", Str("United States")),
            ("continent_code", Str("NA")),
        ]);
        let unknown = Map(vec![("asn", Str("")), ("country_code", Str(""))]);
        let path = open_built(
            dir.path(),
            "ipinfo_lite.mmdb",
            "ipinfo lite.mmdb",
            &[("8.0.0.0/8", record), ("9.0.0.0/8", unknown)],
        );
        for geo in [
            GeoIp::open(Some(&path), None).unwrap(),
            GeoIp::open(None, Some(&path)).unwrap(),
            GeoIp::open(Some(&path), Some(&path)).unwrap(),
        ] {
            assert_eq!(geo.lookup(ip("8.8.8.8")), (Some("US".into()), Some(15169)));
            assert_eq!(geo.lookup(ip("9.9.9.9")), (None, None));
            assert_eq!(geo.lookup(ip("7.7.7.7")), (None, None));
            // IPv4-only database: IPv6 has no data, and that is not a database fault.
            assert_eq!(geo.lookup(ip("2001:4860::8888")), (None, None));
            assert_eq!(geo.lookup_errors(), 0);
        }
    }

    #[test]
    fn registered_country_when_country_is_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let path = open_built(
            dir.path(),
            "country.mmdb",
            "GeoLite2-Country",
            &[
                (
                    "8.0.0.0/8",
                    Map(vec![(
                        "registered_country",
                        Map(vec![("iso_code", Str("de"))]),
                    )]),
                ),
                (
                    "9.0.0.0/8",
                    Map(vec![
                        (
                            "country",
                            Map(vec![("iso_code", Str("FR")), ("geoname_id", U32(3017382))]),
                        ),
                        ("registered_country", Map(vec![("iso_code", Str("DE"))])),
                    ]),
                ),
            ],
        );
        let geo = GeoIp::open(Some(&path), None).unwrap();
        assert_eq!(geo.lookup(ip("8.1.2.3")).0.as_deref(), Some("DE"));
        assert_eq!(geo.lookup(ip("9.1.2.3")).0.as_deref(), Some("FR"));
    }

    #[test]
    fn odd_value_types_lose_the_field_not_the_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = open_built(
            dir.path(),
            "asn.mmdb",
            "DBIP-ASN-Lite (compat=GeoLite2-ASN)",
            &[
                // A 16-bit number where GeoLite2 writes 32 bits.
                (
                    "8.0.0.0/8",
                    Map(vec![("autonomous_system_number", U16(3320))]),
                ),
                // A string, and a map where a number was expected.
                (
                    "9.0.0.0/8",
                    Map(vec![("autonomous_system_number", Str("AS13335"))]),
                ),
                (
                    "10.0.0.0/8",
                    Map(vec![("autonomous_system_number", Map(vec![("x", U32(1))]))]),
                ),
                // A record that is not a map at all.
                ("11.0.0.0/8", Str("AS64500")),
            ],
        );
        let geo = GeoIp::open(None, Some(&path)).unwrap();
        assert_eq!(geo.lookup(ip("8.1.1.1")).1, Some(3320));
        assert_eq!(geo.lookup(ip("9.1.1.1")).1, Some(13335));
        assert_eq!(geo.lookup(ip("10.1.1.1")).1, None);
        assert_eq!(geo.lookup_errors(), 0);
        assert_eq!(geo.lookup(ip("11.1.1.1")).1, None);
        assert_eq!(
            geo.lookup_errors(),
            1,
            "a record of the wrong shape is a database fault"
        );
    }
}

/// A minimal MaxMind DB writer for the tests above: IPv4 only, 24-bit records, the value
/// types the tests need. Format: maxmind.github.io/MaxMind-DB (search tree, 16-byte
/// separator, data section, `\xAB\xCD\xEFMaxMind.com`, metadata map).
mod mmdb {
    #[derive(Clone)]
    pub enum Value {
        Str(&'static str),
        U16(u16),
        U32(u32),
        U64(u64),
        Map(Vec<(&'static str, Value)>),
        Array(Vec<Value>),
    }

    fn control(out: &mut Vec<u8>, type_num: u8, size: usize) {
        assert!(size < 29 + 256, "tiny writer: short values only");
        let size_bits = size.min(29) as u8;
        if type_num <= 7 {
            out.push((type_num << 5) | size_bits);
        } else {
            out.push(size_bits);
            out.push(type_num - 7);
        }
        if size >= 29 {
            out.push((size - 29) as u8);
        }
    }

    fn uint(out: &mut Vec<u8>, type_num: u8, v: u64) {
        let bytes = v.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        control(out, type_num, 8 - skip);
        out.extend_from_slice(&bytes[skip..]);
    }

    fn encode(out: &mut Vec<u8>, v: &Value) {
        match v {
            Value::Str(s) => {
                control(out, 2, s.len());
                out.extend_from_slice(s.as_bytes());
            }
            Value::U16(n) => uint(out, 5, u64::from(*n)),
            Value::U32(n) => uint(out, 6, u64::from(*n)),
            Value::U64(n) => uint(out, 9, *n),
            Value::Map(entries) => {
                control(out, 7, entries.len());
                for (k, v) in entries {
                    encode(out, &Value::Str(k));
                    encode(out, v);
                }
            }
            Value::Array(items) => {
                control(out, 11, items.len());
                for item in items {
                    encode(out, item);
                }
            }
        }
    }

    #[derive(Clone, Copy, PartialEq)]
    enum Rec {
        Empty,
        Node(usize),
        Data(usize),
    }

    pub fn write(database_type: &'static str, records: &[(&str, Value)]) -> Vec<u8> {
        let mut data = Vec::new();
        let mut nodes: Vec<[Rec; 2]> = vec![[Rec::Empty; 2]];
        for (cidr, value) in records {
            let (addr, len) = cidr.split_once('/').unwrap();
            let addr = u32::from(addr.parse::<std::net::Ipv4Addr>().unwrap());
            let len: u32 = len.parse().unwrap();
            let offset = data.len();
            encode(&mut data, value);
            let mut node = 0;
            for depth in 0..len {
                let bit = ((addr >> (31 - depth)) & 1) as usize;
                if depth == len - 1 {
                    nodes[node][bit] = Rec::Data(offset);
                } else {
                    node = match nodes[node][bit] {
                        Rec::Node(n) => n,
                        _ => {
                            nodes.push([Rec::Empty; 2]);
                            nodes[node][bit] = Rec::Node(nodes.len() - 1);
                            nodes.len() - 1
                        }
                    };
                }
            }
        }
        let node_count = nodes.len();
        let mut out = Vec::new();
        for node in &nodes {
            for rec in node {
                let v = match *rec {
                    Rec::Empty => node_count,
                    Rec::Node(n) => n,
                    Rec::Data(off) => node_count + 16 + off,
                };
                out.extend_from_slice(&(v as u32).to_be_bytes()[1..]);
            }
        }
        out.extend_from_slice(&[0; 16]);
        out.extend_from_slice(&data);
        out.extend_from_slice(b"\xAB\xCD\xEFMaxMind.com");
        encode(
            &mut out,
            &Value::Map(vec![
                ("binary_format_major_version", Value::U16(2)),
                ("binary_format_minor_version", Value::U16(0)),
                ("build_epoch", Value::U64(1_700_000_000)),
                ("database_type", Value::Str(database_type)),
                (
                    "description",
                    Value::Map(vec![("en", Value::Str("tripline test"))]),
                ),
                ("ip_version", Value::U16(4)),
                ("languages", Value::Array(vec![Value::Str("en")])),
                ("node_count", Value::U32(node_count as u32)),
                ("record_size", Value::U16(24)),
            ]),
        );
        out
    }
}
