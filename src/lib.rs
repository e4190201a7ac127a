//! tripline: detection of cloud reconnaissance and initial access in AWS, Azure / Entra ID
//! and GCP logs. The modules follow the data: inputs → normalize → enrich → rules/state →
//! alerts → outputs (see ARCHITECTURE.md).

pub mod event;
pub mod input;
pub mod normalize;
pub mod engine;
pub mod output;
pub mod cli;
pub mod demo;
pub mod rules;
pub mod config;
pub mod enrich;
pub mod state;
