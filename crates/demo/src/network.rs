//! Source addresses: public ranges that look like ISPs, offices, cloud providers, CI runners
//! and hostile hosting, and private VPC addresses.

use crate::rng::Rng;

pub(crate) fn public_ip(rng: &mut Rng, prefixes: &[(u8, u8)]) -> String {
    let (a, b) = rng.pick(prefixes);
    format!("{a}.{b}.{}.{}", rng.range(0, 255), rng.range(1, 254))
}

/// Ranges that look like residential ISPs, office egress, cloud NAT and hostile hosting.
pub(crate) const ISP_PREFIXES: [(u8, u8); 8] = [
    (81, 164),
    (84, 17),
    (86, 142),
    (92, 184),
    (98, 207),
    (73, 92),
    (24, 56),
    (176, 58),
];
pub(crate) const AWS_PREFIXES: [(u8, u8); 6] =
    [(3, 85), (3, 227), (18, 206), (44, 203), (52, 14), (54, 172)];
pub(crate) const CI_PREFIXES: [(u8, u8); 4] = [(20, 171), (4, 175), (40, 84), (172, 183)];
pub(crate) const HOSTILE_PREFIXES: [(u8, u8); 6] = [
    (185, 220),
    (45, 137),
    (103, 75),
    (193, 142),
    (91, 92),
    (194, 165),
];

pub(crate) fn private_ip(rng: &mut Rng) -> String {
    format!(
        "10.{}.{}.{}",
        rng.range(0, 31),
        rng.range(0, 255),
        rng.range(4, 250)
    )
}
