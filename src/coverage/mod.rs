//! What the logs can and cannot show (SPEC §1, `tripline coverage`): which providers,
//! accounts, regions and logs an input holds ([`Tally`]), the blind spots the seed guide
//! warns about and the rules each one silences ([`blind_spots`]), what no log here can
//! show ([`limits`]), and the one-line warning a scan prints when an enabled rule's logs
//! are all missing ([`warning`]).
//!
//! It sits after `normalize`, beside the engine: it reads normalized events (the tally is
//! folded on the pipeline's workers and merged in input order) and the rule catalogue's
//! `sources`, and never the engine, so the engine's summary can carry its warnings.
//! Printing is [`render`]'s, and every log value goes through `output::escape` there.

pub mod blind_spots;
pub mod limits;
pub mod render;
pub mod tally;
pub mod warning;

pub use blind_spots::{BlindSpot, Gap, Silenced};
pub use tally::{Tally, Volume};
pub use warning::CoverageWarning;

use crate::rules::catalogue::RuleSpec;
use serde::Serialize;

/// Everything `tripline coverage` reports: the tally, and what it cannot show.
#[derive(Debug, Serialize)]
pub struct Report {
    #[serde(flatten)]
    pub tally: Tally,
    /// The AWS regions CloudTrail was expected in, and where that list came from.
    pub expected_regions: Vec<String>,
    pub expected_regions_from: &'static str,
    pub blind_spots: Vec<BlindSpot>,
    pub cannot_show: Vec<limits::Limit>,
}

impl Report {
    /// `regions`: `[organisation] regions` (empty: every AWS region seen in any log);
    /// `rules`: the catalogue entries whose `sources` say what a gap silences.
    pub fn new(tally: Tally, regions: &[String], rules: &[RuleSpec]) -> Report {
        let (expected_regions, expected_regions_from) = if regions.is_empty() {
            (
                tally.aws_regions_seen().into_iter().collect(),
                "every AWS region seen in any log; [organisation] regions is not set",
            )
        } else {
            (regions.to_vec(), "[organisation] regions")
        };
        let blind_spots = blind_spots::find(&tally, &expected_regions, rules);
        Report {
            tally,
            expected_regions,
            expected_regions_from,
            blind_spots,
            cannot_show: limits::LIMITS.to_vec(),
        }
    }
}
