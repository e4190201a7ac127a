//! Tuning (SPEC §6): after the rules, before the ledger. Marks the alerts that known
//! automation raised — `[[suppress]]` entries from the config, and a built-in catalogue of
//! benign enumerators (Terraform, Pulumi, CloudFormation, Wiz, Prisma Cloud, Orca,
//! CloudHealth, Spot.io, Veeam, Cohesity, CI/CD deploy roles) — as `suppressed` with the
//! reason, and notes `likely_benign` where only one catalogue signal agrees.
//!
//! ```text
//! rules ─► alerts ─► tuning::Tuning::apply ─► engine::ledger (hides suppressed) ─► outputs
//! ```
//!
//! It reads an alert's group, fields and `signals` (the contributing events' user agents,
//! sources and keys, which every rule fills), never the events themselves, so it costs
//! nothing per event and works the same on alerts from any mode.
//!
//! Architecture invariant: tuning never changes an alert's fields, id, severity or order —
//! the seed rule's rows stay the seed's rows; it only sets `suppressed`, `reason` and `notes`.

mod apply;
mod catalogue;
mod matcher;

pub use apply::{suppression_matches, SuppressedCounts, Tuning, LIKELY_BENIGN};
pub use catalogue::{benign_tools, BenignTool};
pub use matcher::principal_names;

#[cfg(test)]
mod tests;
