//! The planted story, in one place: every rule's attack once, and the routine jobs whose
//! history or benign bursts the story needs. Each function below says which rule its records
//! cross and at which threshold (the defaults of `tripline rules list`, SPEC §4).
//!
//! The attacks happen on day [`ATTACK_DAY`] (the eleventh), so the novelty rules'
//! `min_history` of 7 days is covered; outside working hours (London) so the key creation
//! escalates. Attackers use documentation addresses (RFC 5737): the AWS and GCP intruder
//! `203.0.113.77`, the Entra sprayer `198.51.100.23`, and a Tor exit `192.0.2.66` listed in
//! the demo's `tor-exits.txt`.
//!
//! Files: `aws` (the leaked access key story, the Terraform plan, the Wiz scanner, the S3
//! bucket guessing), `entra` (tenant enumeration, spray, legacy and Tor sign-ins, a credential
//! added; the Azure reads that follow), `gcp` (a leaked service-account key).

mod aws;
mod entra;
mod gcp;

use crate::cloudtrail::demo::AwsEstate;
use crate::org::Org;
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
    fn sort(&mut self) {
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

/// Everything planted, for a data set of `days` days starting at `start_ms`.
pub(crate) fn plant(seed: u64, start_ms: i64, days: i64, aws: &AwsEstate, org: &Org) -> Planted {
    let mut p = Planted::default();
    let mut ids = Rng::stream(seed, 200);
    let attack_day = start_ms + ATTACK_DAY.min(days - 1) * DAY_MS;
    aws::routine(&mut p, &mut ids, start_ms, days, aws);
    aws::leaked_key(&mut p, &mut ids, attack_day, aws);
    aws::bucket_guessing(&mut p, &mut ids, attack_day, aws);
    aws::terraform_plan(&mut p, &mut ids, attack_day, aws);
    entra::story(&mut p, &mut ids, attack_day, org);
    gcp::routine(&mut p, &mut ids, start_ms, days, org);
    gcp::leaked_key(&mut p, &mut ids, attack_day, org);
    p.sort();
    p
}

pub(crate) const DAY_MS: i64 = 86_400_000;
pub(crate) const MIN_MS: i64 = 60_000;

fn uuid(rng: &mut Rng) -> String {
    let mut s = String::with_capacity(36);
    push_uuid(&mut s, rng, None);
    s
}
