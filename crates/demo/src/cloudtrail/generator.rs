//! The schedule: background calls spread evenly over the corpus span, merged in time order
//! with the planted bursts, each handed to the record writer.

use super::bursts::{plan_bursts, BurstCall};
use super::identity::{
    build_accounts, build_identity, Identity, REGIONS, REGION_WEIGHTS, US_EAST_1,
};
use super::ops::{Op::*, DISCOVERY};
use super::personas::{habits, Persona};
use super::realism::Realism;
use super::record::{Call, Cast, RecordWriter};
use super::sessions::add_addresses;
use crate::network::{public_ip, ISP_PREFIXES};
use crate::rng::{mix, Rng, BASE62};
use crate::spec::CorpusSpec;
use crate::time::civil;
use std::fmt::Write as _;

/// Background discovery (the chance per event is the profile's `discovery_per_mille`): the
/// per-identity cap per 15-minute epoch bin (2 names × 4 calls stays under 10 calls and 5
/// distinct APIs even when a sliding window spans two bins).
const BACKGROUND_DISCOVERY_CAP: u8 = 4;
const BIN_MS: i64 = 15 * 60 * 1000;

pub(crate) struct Generator {
    seed: u64,
    realism: Realism,
    rng: Rng,
    cast: Cast,
    writer: RecordWriter,
    /// Cumulative activity weights for picking the identity of a background event.
    cumulative: Vec<u64>,
    bursts: Vec<BurstCall>,
    next_burst: usize,
    background_total: u64,
    background_done: u64,
    start_ms: i64,
    span_ms: i64,
    emitted: u64,
    seq_base: u64,
    events: u64,
    /// Background event whose time was drawn but not yet emitted.
    pending_background: Option<i64>,
    /// Account and region of the last record, for delivery file names.
    last_account: usize,
    last_region: usize,
    last_ms: i64,
}

impl Generator {
    pub(crate) fn new(spec: &CorpusSpec) -> Generator {
        let realism = Realism::of(spec.profile);
        let mut pop = Rng::stream(spec.seed, 1);
        let accounts = build_accounts(&mut pop);
        let office: Vec<String> = (0..4).map(|_| public_ip(&mut pop, &ISP_PREFIXES)).collect();
        let n_ident = spec.identities.max(1) as usize;
        let mut identities: Vec<Identity> = (0..n_ident)
            .map(|i| build_identity(i, &mut pop, &accounts, &office, &realism))
            .collect();
        add_addresses(
            &mut identities,
            &office,
            &realism,
            &mut Rng::stream(spec.seed, 4),
        );
        let mut cumulative = Vec::with_capacity(n_ident);
        let mut acc = 0u64;
        for id in &identities {
            acc += id.weight;
            cumulative.push(acc);
        }
        let span_ms = match spec.span_secs {
            Some(secs) => secs.saturating_mul(1000),
            None => (spec.events as i64).saturating_mul(realism.spacing_ms),
        }
        .max(1);
        let start_ms = spec.start_epoch_secs.saturating_mul(1000);
        // Part 0 keeps the streams it always had (classic bytes never change); other parts
        // draw their schedule from streams of their own.
        let stream = |n: u64| match spec.part {
            0 => Rng::stream(spec.seed, n),
            part => Rng::stream(spec.seed, (part << 8) | n),
        };
        let mut sched = stream(2);
        let (bursts, attackers) = plan_bursts(spec, &mut sched, &identities, span_ms, start_ms);
        Generator {
            seed: spec.seed,
            realism,
            rng: stream(3),
            // Event ids mix the record's sequence number: parts number from disjoint ranges.
            seq_base: spec.part << 40,
            writer: RecordWriter::new(spec.seed, realism),
            cumulative,
            background_total: spec.events - bursts.len() as u64,
            bursts,
            cast: Cast {
                accounts,
                identities,
                attackers,
            },
            next_burst: 0,
            background_done: 0,
            start_ms,
            span_ms,
            emitted: 0,
            events: spec.events,
            pending_background: None,
            last_account: 0,
            last_region: 0,
            last_ms: start_ms,
        }
    }

    /// Time of background event `k`: evenly spaced slots with jitter inside the slot, so the
    /// sequence never goes back.
    fn background_time(&mut self, k: u64) -> i64 {
        let n = self.background_total.max(1) as i128;
        let base = self.start_ms + (k as i128 * self.span_ms as i128 / n) as i64;
        let width = (self.span_ms as i128 / n) as u64;
        base + self.rng.below(width) as i64
    }

    /// Time of the record [`Generator::next_record`] writes next, milliseconds since the
    /// epoch; `None` when the corpus is complete. Lets a caller merge records of its own in.
    pub(crate) fn peek_ms(&mut self) -> Option<i64> {
        if self.emitted >= self.events {
            return None;
        }
        if self.pending_background.is_none() && self.background_done < self.background_total {
            self.pending_background = Some(self.background_time(self.background_done));
        }
        let burst = self.bursts.get(self.next_burst).map(|b| b.t_ms);
        match (self.pending_background, burst) {
            (Some(t), Some(b)) => Some(t.min(b)),
            (t, b) => t.or(b),
        }
    }

    /// The accounts and identities the records are made by.
    pub(crate) fn cast(&self) -> &Cast {
        &self.cast
    }

    /// Appends the next record (no separator) to `buf`; false when the corpus is complete.
    pub(crate) fn next_record(&mut self, buf: &mut String) -> bool {
        if self.emitted >= self.events {
            return false;
        }
        if self.pending_background.is_none() && self.background_done < self.background_total {
            self.pending_background = Some(self.background_time(self.background_done));
        }
        let burst = self.bursts.get(self.next_burst).copied();
        let call = match (self.pending_background, burst) {
            (Some(t), Some(b)) if b.t_ms < t => self.burst_call(b),
            (None, Some(b)) => self.burst_call(b),
            (Some(t), _) => {
                self.pending_background = None;
                self.background_done += 1;
                self.background_call(t)
            }
            (None, None) => return false,
        };
        self.writer.write(
            buf,
            &mut self.rng,
            &self.cast,
            &call,
            self.seq_base + self.emitted,
        );
        self.last_account = self.cast.identities[call.identity].account;
        self.last_region = call.region;
        self.last_ms = call.t_ms;
        self.emitted += 1;
        true
    }

    fn burst_call(&mut self, b: BurstCall) -> Call {
        self.next_burst += 1;
        Call {
            identity: b.identity as usize,
            op: DISCOVERY[b.op as usize],
            region: b.region as usize,
            t_ms: b.t_ms,
            attacker_ip: Some(b.ip as usize),
            attacker_ua: Some(b.ua as usize),
            denied: b.denied,
        }
    }

    fn background_call(&mut self, t_ms: i64) -> Call {
        let total = *self.cumulative.last().unwrap_or(&1);
        let x = self.rng.below(total);
        let identity = self
            .cumulative
            .partition_point(|&c| c <= x)
            .min(self.cast.identities.len() - 1);
        let id = &mut self.cast.identities[identity];
        let prof = habits(id.persona);
        let mut op = None;
        if id.discovery_len > 0 && self.rng.chance(self.realism.discovery_per_mille) {
            let bin = t_ms.div_euclid(BIN_MS);
            if id.discovery_bin != bin {
                id.discovery_bin = bin;
                id.discovery_count = 0;
            }
            if id.discovery_count < BACKGROUND_DISCOVERY_CAP {
                id.discovery_count += 1;
                op = Some(id.discovery[self.rng.index(id.discovery_len)]);
            }
        }
        let op = op.unwrap_or_else(|| {
            let mut x = self
                .rng
                .below(prof.ops.iter().map(|&(_, w)| w as u64).sum());
            let mut chosen = prof.ops[0].0;
            for &(o, w) in prof.ops {
                if x < w as u64 {
                    chosen = o;
                    break;
                }
                x -= w as u64;
            }
            chosen
        });
        let human = matches!(
            id.persona,
            Persona::Developer | Persona::ConsoleUser | Persona::Admin
        );
        let region = if op.info().global {
            US_EAST_1
        } else if human && self.rng.chance(100) {
            self.rng.weighted(&REGION_WEIGHTS)
        } else {
            id.region
        };
        let denied = self.rng.chance(if op == ConsoleLogin {
            40
        } else {
            self.realism.denied_per_mille
        });
        Call {
            identity,
            op,
            region,
            t_ms,
            attacker_ip: None,
            attacker_ua: None,
            denied,
        }
    }

    pub(crate) fn delivery_name(&self, index: u64) -> String {
        let mut s = String::with_capacity(80);
        s.push_str(&self.cast.accounts[self.last_account].id);
        s.push_str("_CloudTrail_");
        s.push_str(REGIONS[self.last_region]);
        s.push('_');
        let secs = self.last_ms.div_euclid(1000);
        let c = civil(secs - secs.rem_euclid(300));
        let _ = write!(
            s,
            "{:04}{:02}{:02}T{:02}{:02}Z_",
            c.year, c.month, c.day, c.hour, c.minute
        );
        // 16 base-62 digits of a bijective mix of the index: unique names.
        let mut v = mix(index ^ mix(self.seed));
        let mut tmp = [0u8; 16];
        for slot in tmp.iter_mut().rev() {
            *slot = BASE62[(v % 62) as usize];
            v /= 62;
        }
        s.push_str(std::str::from_utf8(&tmp).unwrap_or(""));
        s.push_str(".json");
        s
    }
}
