//! Rules: data (the catalogue) plus small evaluation code, one file per rule, written
//! against the SDK in `rule.rs` (the trait), `context.rs` (what the engine lends a rule),
//! `params.rs` (typed parameters), `alert_builder.rs` and `keyed.rs` (windows per key with
//! expiry). `erased.rs` is the one adapter the engine drives them through, and
//! `registry.rs` the one table that lists them. A rule sees events in event-time order
//! through `observe`, and is told how far time has advanced through
//! `advance(watermark)`; it never reads the wall clock.

pub mod alert_builder;
pub mod catalogue;
pub mod context;
pub mod discovery;
pub mod erased;
pub mod examples;
pub mod history;
pub mod keyed;
pub mod params;
pub mod registry;
pub mod rule;
pub mod source;
pub mod stage;
pub mod window;

pub use erased::DynRule;
pub use rule::{Interest, Needs, Rule, WorkAhead, END};

pub mod access_key_created;
pub mod anonymizer_signin;
pub mod bucket_enumeration;
pub mod cloud_discovery_burst;
pub mod cloud_discovery_sliding;
pub mod external_object_read;
pub mod first_seen_api;
pub mod legacy_auth_signin;
pub mod new_source_signin;
pub mod password_spray;
pub mod post_auth_enumeration;
pub mod tenant_enumeration;
pub mod unused_region_activity;
