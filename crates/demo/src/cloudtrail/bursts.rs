//! The planted attacks: discovery bursts by the enumerators, from hostile addresses and agents.

use super::identity::{Identity, REGIONS, US_EAST_1};
use super::ops::DISCOVERY;
use super::user_agents::{boto_ua, cli_ua};
use crate::network::{public_ip, HOSTILE_PREFIXES};
use crate::rng::Rng;
use crate::spec::CorpusSpec;

/// One planted discovery call.
#[derive(Clone, Copy)]
pub(crate) struct BurstCall {
    pub(crate) t_ms: i64,
    pub(crate) identity: u32,
    pub(crate) op: u8,
    pub(crate) region: u8,
    pub(crate) ip: u32,
    pub(crate) ua: u8,
    pub(crate) denied: bool,
}

pub(crate) struct Attackers {
    pub(crate) ips: Vec<String>,
    pub(crate) uas: Vec<(String, bool)>,
}

/// Lays out every enumerator's bursts over the corpus span. About 1.2 % of the corpus are burst
/// calls; bursts of one identity do not overlap and each fits in 15 minutes.
pub(crate) fn plan_bursts(
    spec: &CorpusSpec,
    rng: &mut Rng,
    identities: &[Identity],
    span_ms: i64,
    start_ms: i64,
) -> (Vec<BurstCall>, Attackers) {
    let mut attackers = Attackers {
        ips: Vec::new(),
        uas: Vec::new(),
    };
    for _ in 0..4 {
        attackers.uas.push((cli_ua(rng), true));
    }
    attackers.uas.push((boto_ua(rng, false), false));
    attackers.uas.push((boto_ua(rng, false), false));
    attackers.uas.push((
        format!(
            "aws-sdk-go-v2/1.26.{} os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64",
            rng.range(0, 9)
        ),
        false,
    ));

    let n_ident = identities.len();
    let enumerators = (spec.enumerators as usize).min(n_ident);
    if enumerators == 0 || spec.events == 0 {
        return (Vec::new(), attackers);
    }
    // Distinct enumerators: a random stride through the identities.
    let first = rng.index(n_ident);
    let mut stride = 1 + rng.index(n_ident.max(2) - 1);
    while gcd(stride, n_ident) != 1 {
        stride += 1;
    }
    let target_calls = spec.events * 12 / 1000;
    let per_enum = target_calls / enumerators as u64;
    let min_cycle_ms: i64 = 16 * 60 * 1000;
    let max_bursts = ((span_ms / min_cycle_ms) as u64).max(1);
    let mut calls = Vec::new();
    for e in 0..enumerators {
        let identity = ((first + e * stride) % n_ident) as u32;
        let pool_start = attackers.ips.len();
        for _ in 0..rng.range(2, 4) {
            attackers.ips.push(public_ip(rng, &HOSTILE_PREFIXES));
        }
        // Stolen credentials are sometimes also used from the owner's own address.
        attackers.ips.push(identities[identity as usize].ip.clone());
        let pool = pool_start..attackers.ips.len();
        let ua = rng.index(attackers.uas.len()) as u8;

        let bursts = ((per_enum + 23) / 46).clamp(1, max_bursts);
        let slot = span_ms / bursts as i64;
        for b in 0..bursts as i64 {
            let n_calls = rng.range(12, 80);
            let mut dur = rng.range(3 * 60_000, 14 * 60_000) as i64;
            dur = dur.min(slot * 3 / 4).max(1);
            let slack = (slot - dur).max(1);
            let t0 = start_ms + b * slot + rng.below(slack as u64) as i64;
            // A burst works through a subset of the list, in a few regions, from 1-3 addresses.
            let n_names = rng.range(4, 22) as usize;
            let mut names: Vec<u8> = (0..DISCOVERY.len() as u8).collect();
            for k in 0..n_names {
                let j = k + rng.index(names.len() - k);
                names.swap(k, j);
            }
            names.truncate(n_names);
            let mut regions: Vec<u8> = (0..REGIONS.len() as u8).collect();
            let n_regions = rng.range(2, 5) as usize;
            for k in 0..n_regions {
                let j = k + rng.index(regions.len() - k);
                regions.swap(k, j);
            }
            regions.truncate(n_regions);
            let n_ips = rng.range(1, 3).min(pool.len() as u64) as usize;
            let ip_base = pool.start + rng.index(pool.len());
            let denied_rate = rng.pick(&[0u64, 50, 150, 400]);
            for _ in 0..n_calls {
                let op = names[rng.index(names.len())];
                let region = if DISCOVERY[op as usize].info().global {
                    US_EAST_1 as u8
                } else {
                    regions[rng.index(regions.len())]
                };
                let ip = pool.start + (ip_base - pool.start + rng.index(n_ips)) % pool.len();
                calls.push(BurstCall {
                    t_ms: t0 + rng.below(dur as u64) as i64,
                    identity,
                    op,
                    region,
                    ip: ip as u32,
                    ua,
                    denied: rng.chance(denied_rate),
                });
            }
        }
    }
    calls.sort_by_key(|c| c.t_ms);
    calls.truncate(spec.events as usize);
    (calls, attackers)
}

pub(crate) fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}
