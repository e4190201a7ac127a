//! Outputs: alert sinks and printers. Everything from the logs is escaped on the way out.

pub mod activity_json;
pub mod attack;
pub mod csv;
pub mod details;
pub mod display_time;
pub mod escape;
pub mod event_json;
pub mod incident_json;
pub mod invisible;
pub mod json;
pub mod jsonl;
pub mod navigator;
pub mod ocsf;
pub mod printers;
pub mod report;
pub mod sink;
pub mod table;
pub mod wrap;

pub use printers::{make_sink, make_sink_with, OutputKind, PrinterOptions};
pub use sink::{AlertSink, Overview};
pub use table::Layout;
