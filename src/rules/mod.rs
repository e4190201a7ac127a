//! Rules: data (the catalogue) plus small evaluation code, one file per rule. A rule sees
//! events in event-time order through `observe`, and is told how far time has advanced
//! through `advance(watermark)`; it never reads the wall clock.

pub mod catalogue;
pub mod cloud_discovery_burst;
pub mod cloud_discovery_sliding;
pub mod discovery;
pub mod examples;
pub mod history;
pub mod registry;
pub mod rule;

pub use rule::{Interest, Needs, Rule};
pub mod access_key_created;
pub mod anonymizer_signin;
pub mod bucket_enumeration;
pub mod external_object_read;
pub mod first_seen_api;
pub mod legacy_auth_signin;
pub mod new_source_signin;
pub mod password_spray;
pub mod post_auth_enumeration;
pub mod tenant_enumeration;
pub mod unused_region_activity;
pub mod window;
