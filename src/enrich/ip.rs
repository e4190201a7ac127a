//! Source addresses as the logs write them: which strings are real IP addresses, which
//! network block an address belongs to, and whether it is an internet address.
//!
//! `source_ip` is kept as logged (SPEC §3). AWS writes service names there
//! (`config.amazonaws.com`, `AWS Internal`), GCP writes `gce-internal-ip`, and anonymised
//! data sets write dotted quads with leading zeros (`035.249.253.232`, PROVENANCE §7).
//! Only what [`parse_source_ip`] accepts is enriched or grouped into blocks.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The address in a logged `source_ip`, or `None` when the value is not a real address.
///
/// Accepted: IPv4 dotted quads, also with leading zeros in an octet, read as decimal
/// (`0203.000.113.010` is 203.0.113.10: the Stratus anonymiser padded decimal octets, it
/// did not mean octal); IPv6 without a zone (`::1`, `2001:db8::7`); IPv4-mapped IPv6
/// (`::ffff:198.51.100.7`), returned as the IPv4 address so that the same client counts
/// once. Surrounding white space is ignored.
///
/// Rejected: service and host names, `AWS Internal`, `gce-internal-ip`, `-`, the empty
/// string, masked values (`XX.XX.XX.XX`), CIDRs, zones (`fe80::1%eth0`), brackets and ports
/// (`[2001:db8::1]:443`, `198.51.100.7:443`): the source fields never carry a port, so such
/// a value is something else and is not guessed at.
pub fn parse_source_ip(s: &str) -> Option<IpAddr> {
    let s = crate::text::trim(s);
    // Shortest real address is `::`; the longest IPv6 text with an embedded IPv4 part is 45
    // characters, plus room for padded octets. Anything longer is not an address.
    if s.len() < 2 || s.len() > 64 {
        return None;
    }
    if s.contains(':') {
        return parse_v6(s).map(canonical);
    }
    parse_v4_decimal(s).map(IpAddr::V4)
}

/// A dotted quad with 1 to 4 decimal digits per octet, leading zeros allowed. Four digits
/// admit one padding zero before a three-digit octet (`0203`). One pass over the bytes: every
/// rule that looks at an address parses it, several times an event.
fn parse_v4_decimal(s: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let (mut n, mut value, mut digits) = (0, 0u16, 0);
    for &b in s.as_bytes() {
        match b {
            b'0'..=b'9' if digits < 4 => {
                value = value * 10 + u16::from(b - b'0');
                digits += 1;
            }
            b'.' if digits > 0 && n < 3 => {
                octets[n] = u8::try_from(value).ok()?;
                (n, value, digits) = (n + 1, 0, 0);
            }
            _ => return None,
        }
    }
    if digits == 0 || n != 3 {
        return None;
    }
    octets[3] = u8::try_from(value).ok()?;
    Some(Ipv4Addr::from(octets))
}

fn parse_v6(s: &str) -> Option<Ipv6Addr> {
    if let Ok(ip) = s.parse::<Ipv6Addr>() {
        return Some(ip);
    }
    // `::ffff:035.249.253.232`: the embedded IPv4 part may be padded like a plain one.
    let (head, tail) = s.rsplit_once(':')?;
    if !tail.contains('.') {
        return None;
    }
    let v4 = parse_v4_decimal(tail)?;
    format!("{head}:{v4}").parse().ok()
}

/// IPv4-mapped IPv6 becomes IPv4; everything else is unchanged. The deprecated
/// IPv4-compatible form (`::a.b.c.d`) is left alone, or `::1` would become 0.0.0.1.
fn canonical(ip: Ipv6Addr) -> IpAddr {
    match ip.to_ipv4_mapped() {
        Some(v4) => IpAddr::V4(v4),
        None => IpAddr::V6(ip),
    }
}

/// The network block containing `ip`, as CIDR text: `203.0.113.0/24`, `2001:db8:1::/48`.
/// Prefixes longer than the address are clamped (33 → 32, 129 → 128). An IPv4-mapped IPv6
/// address is blocked as IPv4.
pub fn block(ip: IpAddr, v4_prefix: u8, v6_prefix: u8) -> String {
    match ip {
        IpAddr::V4(v4) => block_v4(v4, v4_prefix),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => block_v4(v4, v4_prefix),
            None => {
                let prefix = v6_prefix.min(128);
                let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
                format!("{}/{prefix}", Ipv6Addr::from(u128::from(v6) & mask))
            }
        },
    }
}

fn block_v4(ip: Ipv4Addr, prefix: u8) -> String {
    let prefix = prefix.min(32);
    let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
    // Called for every event with an address by the history rules: no `format!` machinery.
    let mut out = String::with_capacity(18);
    for (i, octet) in Ipv4Addr::from(u32::from(ip) & mask)
        .octets()
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            out.push('.');
        }
        push_decimal(&mut out, u32::from(octet));
    }
    out.push('/');
    push_decimal(&mut out, u32::from(prefix));
    out
}

fn push_decimal(out: &mut String, n: u32) {
    if n >= 10 {
        push_decimal(out, n / 10);
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}

/// Whether `ip` is an internet address: false for private, shared (CGNAT), loopback,
/// link-local, unspecified, multicast, benchmarking and reserved ranges, and for IPv6
/// unique local (fc00::/7), link-local, site-local and discard-only addresses.
///
/// The documentation ranges (TEST-NET-1/2/3: 192.0.2.0/24, 198.51.100.0/24,
/// 203.0.113.0/24; and 2001:db8::/32) count as public on purpose: SPEC examples, the demo
/// generator and our tests use them to stand for internet clients, and treating them as
/// internal would silence the rules those examples are meant to trigger.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, _, _] = ip.octets();
    let not_public = a == 0 // "this network"
        || ip.is_private() // 10/8, 172.16/12, 192.168/16
        || ip.is_loopback()
        || ip.is_link_local()
        || (a == 100 && (b & 0xc0) == 64) // shared address space (CGNAT), 100.64/10
        || (a == 198 && (b & 0xfe) == 18) // benchmarking, 198.18/15
        || ip.is_multicast()
        || a >= 240; // reserved 240/4 and the broadcast address
    !not_public
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    let not_public = ip.is_unspecified()
        || ip.is_loopback()
        || (first & 0xfe00) == 0xfc00 // unique local, fc00::/7
        || (first & 0xffc0) == 0xfe80 // link-local, fe80::/10
        || (first & 0xffc0) == 0xfec0 // site-local (deprecated), fec0::/10
        || (first & 0xff00) == 0xff00 // multicast, ff00::/8
        || (u128::from(ip) >> 64) == 0x0100_0000_0000_0000; // discard-only, 100::/64
    !not_public
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn plain_addresses_parse() {
        assert_eq!(parse_source_ip("198.51.100.7"), Some(ip("198.51.100.7")));
        assert_eq!(parse_source_ip("0.0.0.0"), Some(ip("0.0.0.0")));
        assert_eq!(
            parse_source_ip("255.255.255.255"),
            Some(ip("255.255.255.255"))
        );
        assert_eq!(parse_source_ip("::1"), Some(ip("::1")));
        assert_eq!(parse_source_ip("::"), Some(ip("::")));
        assert_eq!(parse_source_ip("2001:DB8:1::7"), Some(ip("2001:db8:1::7")));
        assert_eq!(parse_source_ip(" 198.51.100.7\n"), Some(ip("198.51.100.7")));
    }

    #[test]
    fn leading_zeros_are_decimal() {
        // PROVENANCE §7: Stratus Red Team detonation logs.
        assert_eq!(
            parse_source_ip("035.249.253.232"),
            Some(ip("35.249.253.232"))
        );
        assert_eq!(parse_source_ip("253.252.51.07"), Some(ip("253.252.51.7")));
        assert_eq!(
            parse_source_ip("0203.000.113.010"),
            Some(ip("203.0.113.10"))
        );
        assert_eq!(parse_source_ip("010.0.0.08"), Some(ip("10.0.0.8")));
        assert_eq!(
            parse_source_ip("::ffff:035.249.253.232"),
            Some(ip("35.249.253.232"))
        );
        assert_eq!(parse_source_ip("256.1.1.1"), None);
        assert_eq!(parse_source_ip("0256.1.1.1"), None);
        assert_eq!(parse_source_ip("00035.1.1.1"), None);
    }

    #[test]
    fn ipv4_mapped_becomes_ipv4() {
        assert_eq!(
            parse_source_ip("::ffff:198.51.100.7"),
            Some(ip("198.51.100.7"))
        );
        assert_eq!(
            parse_source_ip("::ffff:c633:6407"),
            Some(ip("198.51.100.7"))
        );
        // IPv4-compatible is not mapped: `::1` stays loopback.
        assert_eq!(parse_source_ip("::1"), Some(ip("::1")));
    }

    #[test]
    fn non_addresses_are_rejected() {
        for s in [
            "",
            " ",
            "-",
            "AWS Internal",
            "config.amazonaws.com",
            "secretsmanager.amazonaws.com",
            "gce-internal-ip",
            "XX.XX.XX.XX",
            "1.2.3",
            "1.2.3.4.5",
            "1.2.3.",
            ".1.2.3",
            "1..2.3",
            "0x7f.0.0.1",
            "+1.2.3.4",
            "1.2.3.-4",
            "198.51.100.7:443",
            "[2001:db8::1]",
            "[2001:db8::1]:443",
            "fe80::1%eth0",
            "198.51.100.0/24",
            "2001:db8::/32",
            "localhost",
            "１.２.３.４", // full-width digits
        ] {
            assert_eq!(parse_source_ip(s), None, "{s:?}");
        }
    }

    #[test]
    fn blocks() {
        assert_eq!(block(ip("203.0.113.77"), 24, 48), "203.0.113.0/24");
        assert_eq!(block(ip("2001:db8:1:2:3::9"), 24, 48), "2001:db8:1::/48");
        assert_eq!(block(ip("::ffff:203.0.113.77"), 24, 48), "203.0.113.0/24");
        assert_eq!(block(ip("203.0.113.77"), 32, 128), "203.0.113.77/32");
        assert_eq!(block(ip("203.0.113.77"), 0, 0), "0.0.0.0/0");
        assert_eq!(block(ip("2001:db8::1"), 24, 0), "::/0");
        assert_eq!(block(ip("203.0.113.77"), 40, 200), "203.0.113.77/32");
        assert_eq!(block(ip("2001:db8::1"), 40, 200), "2001:db8::1/128");
        assert_eq!(block(ip("10.20.30.40"), 16, 48), "10.20.0.0/16");
    }

    #[test]
    fn public_and_internal() {
        for s in [
            "8.8.8.8",
            "35.249.253.232",
            "198.51.100.7",
            "203.0.113.10",
            "192.0.2.1",
        ] {
            assert!(is_public(ip(s)), "{s}");
        }
        for s in ["2001:4860:4860::8888", "2001:db8::1", "::ffff:8.8.8.8"] {
            assert!(is_public(ip(s)), "{s}");
        }
        for s in [
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "127.0.0.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.254",
            "0.0.0.0",
            "224.0.0.1",
            "240.0.0.1",
            "255.255.255.255",
            "198.18.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_public(ip(s)), "{s}");
        }
        assert!(is_public(ip("172.32.0.1")));
        assert!(is_public(ip("100.128.0.1")));
        for s in [
            "::",
            "::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "100::1",
        ] {
            assert!(!is_public(ip(s)), "{s}");
        }
    }

    /// The one-pass parser reads exactly the dotted quads the split-and-parse one did
    /// (kept here as the reference): 1 to 4 digits an octet, at most 255, four octets.
    #[test]
    fn one_pass_v4_parser_agrees_with_split_and_parse() {
        use proptest::prelude::*;
        fn reference(s: &str) -> Option<std::net::Ipv4Addr> {
            let mut octets = [0u8; 4];
            let mut parts = s.split('.');
            for octet in &mut octets {
                let part = parts.next()?;
                if part.is_empty() || part.len() > 4 || !part.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                *octet = u8::try_from(part.parse::<u16>().ok()?).ok()?;
            }
            parts
                .next()
                .is_none()
                .then(|| std::net::Ipv4Addr::from(octets))
        }
        for s in [
            "0203.0.113.7",
            "255.255.255.255",
            "256.1.1.1",
            "1.2.3",
            "1.2.3.4.",
            ".1.2.3",
            "1..2.3",
            "00000.1.1.1",
            "9999.1.1.1",
            "1.2.3.4",
        ] {
            assert_eq!(parse_v4_decimal(s), reference(s), "{s}");
        }
        proptest!(ProptestConfig::with_cases(5000), |(s in "[0-9.]{0,20}", t in "[0-9]{1,4}\\.[0-9]{1,4}\\.[0-9]{1,4}\\.[0-9]{1,5}x?")| {
            prop_assert_eq!(parse_v4_decimal(&s), reference(&s));
            prop_assert_eq!(parse_v4_decimal(&t), reference(&t));
        });
    }
}
