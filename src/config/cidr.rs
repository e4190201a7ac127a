//! IPv4 / IPv6 networks written as `10.0.0.0/8`, `2001:db8::/32` or a bare address (a /32 or
//! /128). Small on purpose: the config needs parsing, display and `contains`, nothing more.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// A network: an address with its host bits cleared, and a prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// The network of `addr` with `prefix` bits, host bits cleared. `None` when the prefix is
    /// longer than the address (33 for IPv4, 129 for IPv6).
    pub fn new(addr: IpAddr, prefix: u8) -> Option<Cidr> {
        match addr {
            IpAddr::V4(a) if prefix <= 32 => Some(Cidr {
                network: IpAddr::V4(Ipv4Addr::from(u32::from(a) & mask_v4(prefix))),
                prefix,
            }),
            IpAddr::V6(a) if prefix <= 128 => Some(Cidr {
                network: IpAddr::V6(Ipv6Addr::from(u128::from(a) & mask_v6(prefix))),
                prefix,
            }),
            _ => None,
        }
    }

    /// Parses `10.0.0.0/8`, `2001:db8::/32`, `192.0.2.7` or `::1`. Host bits set after the
    /// prefix (`10.1.2.3/8`) are an error rather than silently cleared: in a config file they
    /// are almost always a typo for a narrower or wider network.
    pub fn parse(s: &str) -> Result<Cidr, String> {
        let s = s.trim();
        let (addr_text, prefix_text) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr_text.parse().map_err(|_| {
            format!("invalid network {s:?}: {addr_text:?} is not an IPv4 or IPv6 address")
        })?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix_text {
            None => max,
            Some(p) => match p.parse::<u8>() {
                Ok(n) if n <= max && !p.starts_with('+') => n,
                _ => {
                    return Err(format!(
                        "invalid network {s:?}: prefix length must be 0 to {max}"
                    ))
                }
            },
        };
        let cidr = Cidr::new(addr, prefix).expect("prefix checked above");
        if cidr.network != addr {
            return Err(format!(
                "invalid network {s:?}: host bits are set after /{prefix}; did you mean {cidr}?"
            ));
        }
        Ok(cidr)
    }

    pub fn network(&self) -> IpAddr {
        self.network
    }

    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// Whether `ip` is inside the network. IPv4-mapped IPv6 addresses (`::ffff:10.1.2.3`, as
    /// dual-stack load balancers log them) are compared as the IPv4 address they carry.
    pub fn contains(&self, ip: &IpAddr) -> bool {
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(a)) => {
                u32::from(a) & mask_v4(self.prefix) == u32::from(net)
            }
            (IpAddr::V6(net), IpAddr::V6(a)) => {
                u128::from(a) & mask_v6(self.prefix) == u128::from(net)
            }
            _ => false,
        }
    }
}

fn mask_v4(prefix: u8) -> u32 {
    u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0)
}

fn mask_v6(prefix: u8) -> u128 {
    u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0)
}

impl FromStr for Cidr {
    type Err = String;
    fn from_str(s: &str) -> Result<Cidr, String> {
        Cidr::parse(s)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ipv4_networks() {
        let c = Cidr::parse("10.0.0.0/8").unwrap();
        assert!(c.contains(&ip("10.0.0.0")));
        assert!(c.contains(&ip("10.255.255.255")));
        assert!(!c.contains(&ip("11.0.0.0")));
        assert!(!c.contains(&ip("9.255.255.255")));
        assert_eq!(c.to_string(), "10.0.0.0/8");

        let host = Cidr::parse("192.0.2.7").unwrap();
        assert_eq!(host.prefix(), 32);
        assert!(host.contains(&ip("192.0.2.7")));
        assert!(!host.contains(&ip("192.0.2.8")));

        let all = Cidr::parse("0.0.0.0/0").unwrap();
        assert!(all.contains(&ip("203.0.113.9")));
        assert!(
            !all.contains(&ip("2001:db8::1")),
            "an IPv4 network never holds a real IPv6 address"
        );
    }

    #[test]
    fn ipv6_networks() {
        let c = Cidr::parse("2001:db8::/32").unwrap();
        assert!(c.contains(&ip("2001:db8::1")));
        assert!(c.contains(&ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")));
        assert!(!c.contains(&ip("2001:db9::1")));
        assert!(!c.contains(&ip("10.0.0.1")));
        assert_eq!(Cidr::parse("::1").unwrap().prefix(), 128);
        assert!(Cidr::parse("::/0").unwrap().contains(&ip("fe80::1")));
    }

    #[test]
    fn ipv4_mapped_addresses_match_ipv4_networks() {
        let c = Cidr::parse("10.0.0.0/8").unwrap();
        assert!(c.contains(&ip("::ffff:10.1.2.3")));
        assert!(!c.contains(&ip("::ffff:11.1.2.3")));
    }

    #[test]
    fn bad_networks_are_explained() {
        for bad in [
            "10.0.0.0/33",
            "2001:db8::/129",
            "10.0.0/8",
            "10.0.0.0/",
            "10.0.0.0/-1",
            "10.0.0.0/+8",
            "host",
            "",
        ] {
            assert!(Cidr::parse(bad).is_err(), "{bad:?} should not parse");
        }
        let e = Cidr::parse("10.1.2.3/8").unwrap_err();
        assert!(e.contains("did you mean 10.0.0.0/8"), "{e}");
        assert_eq!(
            Cidr::new(ip("10.1.2.3"), 8).unwrap().to_string(),
            "10.0.0.0/8"
        );
    }
}
