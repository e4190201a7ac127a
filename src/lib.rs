//! tripline: detection of cloud reconnaissance and initial access in AWS, Azure / Entra ID
//! and GCP logs. The modules follow the data: inputs → normalize → enrich → rules/state →
//! alerts → tuning → outputs (see ARCHITECTURE.md).

pub mod activity;
pub mod cli;
pub mod collections;
pub mod config;
pub mod cores;
pub mod coverage;
pub mod engine;
pub mod enrich;
pub mod event;
pub mod incidents;
pub mod input;
pub mod normalize;
pub mod output;
pub mod rules;
pub mod state;
pub mod text;
pub mod tuning;
