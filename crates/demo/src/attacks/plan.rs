//! What the planted story is made of: the attackers' addresses, the day, and the records
//! planted per source ([`Planted`]).

use crate::rng::{push_uuid, Rng};

/// Day (0-based) of the attacks.
pub(crate) const ATTACK_DAY: i64 = 10;

/// The AWS and GCP intruder's address.
pub(crate) const INTRUDER_IP: &str = "203.0.113.77";
/// The Entra sprayer's address.
pub(crate) const SPRAYER_IP: &str = "198.51.100.23";
/// A Tor exit, listed in the demo's `tor-exits.txt` with other documentation addresses.
pub(crate) const TOR_EXIT_IP: &str = "192.0.2.66";
/// What the demo writes as its Tor exit list.
pub(crate) const TOR_EXITS: [&str; 4] = [
    "192.0.2.66",
    "192.0.2.67",
    "192.0.2.140",
    "2001:db8:7:1::66",
];

/// Planted records per source, each `(time ms, record text)`, sorted by time.
#[derive(Default)]
pub(crate) struct Planted {
    pub(crate) cloudtrail: Vec<(i64, String)>,
    pub(crate) signin: Vec<(i64, String)>,
    pub(crate) audit: Vec<(i64, String)>,
    pub(crate) azure: Vec<(i64, String)>,
    pub(crate) gcp_activity: Vec<(i64, String)>,
    pub(crate) gcp_data: Vec<(i64, String)>,
    pub(crate) s3: Vec<(i64, String)>,
    pub(crate) perimeter: Vec<(i64, String)>,
}

impl Planted {
    pub(crate) fn sort(&mut self) {
        for list in [
            &mut self.cloudtrail,
            &mut self.signin,
            &mut self.audit,
            &mut self.azure,
            &mut self.gcp_activity,
            &mut self.gcp_data,
            &mut self.s3,
            &mut self.perimeter,
        ] {
            // Stable: records planted at the same millisecond keep their story order.
            list.sort_by_key(|(t, _)| *t);
        }
    }

    /// The records of `list` in `[from, to)`.
    pub(crate) fn within(list: &[(i64, String)], from: i64, to: i64) -> &[(i64, String)] {
        let a = list.partition_point(|(t, _)| *t < from);
        let b = list.partition_point(|(t, _)| *t < to);
        &list[a..b]
    }
}

pub(crate) const DAY_MS: i64 = 86_400_000;
pub(crate) const MIN_MS: i64 = 60_000;

pub(crate) fn uuid(rng: &mut Rng) -> String {
    let mut s = String::with_capacity(36);
    push_uuid(&mut s, rng, None);
    s
}
