//! Deterministic, seeded cloud-log data sets: the benchmark corpus of `tripline-bench` and,
//! later, `tripline demo`.
//!
//! Today the generator writes AWS CloudTrail (`cloudtrail`): everyday background traffic by
//! IAM users and assumed-role sessions over three accounts and six regions, with discovery
//! bursts planted by a few of those identities. The same [`CorpusSpec`] gives the same bytes
//! on every machine and in every version that does not say otherwise: everything is drawn
//! from splitmix64 streams seeded by [`CorpusSpec::seed`], one stream per purpose.
//!
//! The modules follow what a log is made of: `spec` (what to generate, and the presets),
//! `rng` (randomness and random text), `time` (calendar text), `population` (the company's
//! people and applications) and `network` (address ranges), shared by every cloud; then one
//! folder per log family (`cloudtrail/`), which alone knows its vendor's field names.
//!
//! ```
//! use tripline_demo::{write_cloudtrail_jsonl, CorpusSpec};
//! let spec = CorpusSpec { events: 1_000, ..CorpusSpec::default() };
//! let mut out = Vec::new();
//! let bytes = write_cloudtrail_jsonl(&spec, &mut out).unwrap();
//! assert_eq!(bytes as usize, out.len());
//! assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 1_000);
//! ```

mod attacks;
mod azure_activity;
pub mod cloudtrail;
pub mod dataset;
mod entra;
mod gcp_audit;
mod network;
mod org;
mod perimeter;
mod population;
mod rng;
mod s3_access;
pub mod spec;
mod time;

pub use cloudtrail::{write_cloudtrail_delivery, write_cloudtrail_jsonl};
pub use dataset::{write_demo, DemoOutput, DemoSpec};
pub use spec::{CorpusSpec, Profile};
