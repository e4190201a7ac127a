//! Outputs: alert sinks and printers. Everything from the logs is escaped on the way out.

pub mod escape;
