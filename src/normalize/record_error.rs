//! Why one record could not be normalized: what every format's parser returns, in a file of
//! its own so that the parsers and the dispatcher in `mod.rs` do not import each other.

use crate::event::BadReason;

/// Why one record could not be normalized.
#[derive(Debug, Clone)]
pub struct RecordError {
    pub reason: BadReason,
    pub detail: String,
}

impl RecordError {
    pub fn new(reason: BadReason, detail: impl Into<String>) -> RecordError {
        RecordError {
            reason,
            detail: detail.into(),
        }
    }
    pub fn json(e: serde_json::Error) -> RecordError {
        let reason = if e.is_data() {
            BadReason::InvalidRecord
        } else {
            BadReason::InvalidJson
        };
        RecordError::new(reason, e.to_string())
    }
}
