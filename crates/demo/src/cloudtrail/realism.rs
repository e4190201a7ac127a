//! What a [`Profile`] changes in the CloudTrail corpus.
//!
//! `Classic` is the corpus the benchmark table has used since the engine issue; every knob
//! here has its classic value there, so classic bytes never change. `Realistic` gives the
//! cardinality of a mid-sized organisation: each identity calls from a few address blocks,
//! assumed-role and console sessions get a fresh access key per session (as STS issues them),
//! the seed list's Describe/List/Get calls are a large share of everyday traffic, and the
//! calls are spread over days rather than hours. The realistic draws come from a stream of
//! their own, so they never shift the classic ones.

use super::personas::Persona;
use crate::spec::Profile;

/// The knobs a profile sets.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Realism {
    /// Mean time between two records.
    pub(crate) spacing_ms: i64,
    /// Offset of the Zipf-like activity weight `1 / (rank + offset)`: a larger offset makes
    /// the busiest identities less dominant.
    pub(crate) zipf_offset: u64,
    /// Every identity (not only a share of each persona) has one or two discovery names.
    pub(crate) everyone_discovers: bool,
    /// Chance per background call, per mille, that an identity with discovery names uses one
    /// (still capped per 15-minute bin, so that only planted bursts reach the thresholds).
    pub(crate) discovery_per_mille: u64,
    /// Chance per background call, per mille, of an access-denied error (sign-ins apart).
    pub(crate) denied_per_mille: u64,
    /// Sessions last as long as their kind does (else one hour), and temporary (`ASIA`)
    /// keys are issued anew for each.
    pub(crate) sessions: bool,
    /// Extra source addresses per identity, each in its own /24, besides its first one.
    pub(crate) extra_addresses: (u64, u64),
}

impl Realism {
    pub(crate) fn of(profile: Profile) -> Realism {
        match profile {
            Profile::Classic => Realism {
                spacing_ms: 20,
                zipf_offset: 20,
                everyone_discovers: false,
                discovery_per_mille: 50,
                denied_per_mille: 8,
                sessions: false,
                extra_addresses: (0, 0),
            },
            Profile::Realistic => Realism {
                spacing_ms: 100,
                zipf_offset: 100,
                everyone_discovers: true,
                discovery_per_mille: 350,
                denied_per_mille: 20,
                sessions: true,
                extra_addresses: (1, 3),
            },
        }
    }

    /// How long one session of `persona` lasts, seconds: instance-profile credentials are
    /// rotated every few hours, Terraform assumes its role per run, console sessions last a
    /// working day.
    pub(crate) fn session_secs(&self, persona: Persona) -> i64 {
        if !self.sessions {
            return 3600;
        }
        3600 * match persona {
            Persona::Developer | Persona::Etl => 4,
            Persona::ConsoleUser => 12,
            Persona::Admin => 8,
            Persona::Terraform => 1,
            Persona::AppInstance | Persona::SsmAgent => 6,
            Persona::Lambda => 2,
        }
    }
}
