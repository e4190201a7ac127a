//! An identity's sessions: when each starts, which address and which access key it uses, and
//! the extra addresses a profile gives each identity.

use super::identity::Identity;
use super::personas::Persona;
use super::realism::Realism;
use crate::network::{private_ip, public_ip, AWS_PREFIXES, CI_PREFIXES, ISP_PREFIXES};
use crate::rng::{mix, Rng, BASE32};

/// Start of the session that holds `t_secs`, for an identity whose sessions begin at
/// `phase` (0..3600, scaled to the session's length).
pub(crate) fn session_start(realism: &Realism, id: &Identity, t_secs: i64) -> i64 {
    let len = realism.session_secs(id.persona);
    let phase = id.session_phase * len / 3600;
    t_secs - (t_secs + phase).rem_euclid(len)
}

/// Gives each identity its extra addresses: offices and home or mobile ISPs for people, more
/// runner ranges for CI, other subnets for instances, other AWS ranges for managed services.
pub(crate) fn add_addresses(
    identities: &mut [Identity],
    office: &[String],
    realism: &Realism,
    rng: &mut Rng,
) {
    let (lo, hi) = realism.extra_addresses;
    if hi == 0 {
        return;
    }
    for id in identities.iter_mut() {
        let n = rng.range(lo, hi);
        while (id.more_ips.len() as u64) < n {
            let ip = match id.persona {
                Persona::Developer | Persona::ConsoleUser | Persona::Admin => {
                    if rng.chance(300) {
                        rng.pick_str(office)
                    } else {
                        public_ip(rng, &ISP_PREFIXES)
                    }
                }
                Persona::Terraform => public_ip(rng, &CI_PREFIXES),
                Persona::AppInstance | Persona::Etl => private_ip(rng),
                Persona::SsmAgent | Persona::Lambda => public_ip(rng, &AWS_PREFIXES),
            };
            let block = |a: &str| a.rsplit_once('.').map(|(b, _)| b.to_string());
            let taken = std::iter::once(&id.ip)
                .chain(&id.more_ips)
                .any(|a| block(a) == block(&ip));
            if !taken {
                id.more_ips.push(ip);
            }
        }
    }
}

/// The identity's address during the session that starts at `session_start`: one of its
/// addresses, the same for the whole session.
pub(crate) fn session_address(
    id: &Identity,
    identity: usize,
    session_start: i64,
    seed: u64,
) -> &str {
    if id.more_ips.is_empty() {
        return &id.ip;
    }
    let k = mix(seed ^ mix(identity as u64 ^ mix(session_start as u64 ^ 0xADD5)));
    match (k % (id.more_ips.len() as u64 + 1)) as usize {
        0 => &id.ip,
        i => &id.more_ips[i - 1],
    }
}

/// Appends the access key the identity uses in the session that starts at `session_start`:
/// its own key, or with sessions on, a temporary key of that session's.
pub(crate) fn push_session_key(
    buf: &mut String,
    id: &Identity,
    identity: usize,
    session_start: i64,
    realism: &Realism,
    seed: u64,
) {
    if !realism.sessions || !id.access_key.starts_with("ASIA") {
        buf.push_str(&id.access_key);
        return;
    }
    buf.push_str("ASIA");
    let mut bits = mix(seed ^ mix(identity as u64 ^ mix(session_start as u64 ^ 0x5E55)));
    for i in 0..16 {
        if i == 8 {
            bits = mix(bits);
        }
        buf.push(BASE32[(bits & 31) as usize] as char);
        bits >>= 5;
    }
}
