//! The engine: source → normalize → (enrich → rules) → alert sinks.

pub mod activity_read;
pub mod ahead;
pub mod deferred;
pub mod driver;
pub mod kept;
pub mod ledger;
pub mod normalize_batch;
pub mod order;
pub mod pipeline;
pub mod progress;
pub mod rule_examples;
pub mod scan;
pub mod scratch;
pub mod summary;

pub use pipeline::{collect, run, PipelineOptions};
pub use summary::Summary;
