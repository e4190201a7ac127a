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
mod plan;

use crate::cloudtrail::demo::AwsEstate;
use crate::org::Org;
use crate::rng::Rng;
pub(crate) use plan::{Planted, TOR_EXITS};
use plan::{ATTACK_DAY, DAY_MS};

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
