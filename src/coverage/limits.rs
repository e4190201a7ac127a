//! What no log in this input can show, whatever is enabled (SPEC §1): printed by
//! `tripline coverage` after the blind spots, so a clean report is not read as "we would
//! have seen it".

use serde::Serialize;

#[derive(Clone, Copy, Debug, Serialize)]
pub struct Limit {
    pub topic: &'static str,
    pub text: &'static str,
}

pub const LIMITS: &[Limit] = &[
    Limit {
        topic: "Azure enumeration",
        text: "Azure's Activity Log records writes and actions, rarely reads: enumeration of Azure resources (*/read) mostly leaves no trace there and needs other sources",
    },
    Limit {
        topic: "buckets that do not exist",
        text: "requests for S3 buckets that do not exist never reach your S3 access logs or CloudTrail: guesses at names you do not own are invisible to you",
    },
    Limit {
        topic: "GetCredentialType",
        text: "tenant enumeration through GetCredentialType goes to Microsoft's endpoint and never crosses your own perimeter unless you proxy it; Entra writes no sign-in log for it",
    },
];
