//! The one registration table, and building the enabled rules from it, the configuration
//! and `--rules` / `--disable`. Adding a rule: its catalogue file, its source file, and one
//! line here (plus its `mod` line in `rules/mod.rs`).

use super::access_key_created::AccessKeyCreated;
use super::anonymizer_signin::AnonymizerSignin;
use super::bucket_enumeration::BucketEnumeration;
use super::catalogue::RuleSpec;
use super::cloud_discovery_burst::CloudDiscoveryBurst;
use super::cloud_discovery_sliding::CloudDiscoverySliding;
use super::context::Setup;
use super::erased::{BuildError, DynRule, Registration};
use super::external_object_read::ExternalObjectRead;
use super::first_seen_api::FirstSeenApi;
use super::legacy_auth_signin::LegacyAuthSignin;
use super::new_source_signin::NewSourceSignin;
use super::password_spray::PasswordSpray;
use super::post_auth_enumeration::PostAuthEnumeration;
use super::rule::HistoryUse;
use super::tenant_enumeration::TenantEnumeration;
use super::unused_region_activity::UnusedRegionActivity;
use crate::config::Config;

/// Every rule, in catalogue order (the order of `rules list`).
pub const REGISTRY: &[Registration] = &[
    Registration::in_order::<CloudDiscoveryBurst>("cloud-discovery-burst"),
    Registration::in_order::<CloudDiscoverySliding>("cloud-discovery-sliding"),
    Registration::in_order::<PasswordSpray>("password-spray"),
    Registration::in_order::<BucketEnumeration>("bucket-enumeration"),
    Registration::in_order::<TenantEnumeration>("tenant-enumeration"),
    Registration::ahead::<NewSourceSignin>("new-source-signin"),
    Registration::ahead::<PostAuthEnumeration>("post-auth-enumeration"),
    Registration::in_order::<AccessKeyCreated>("access-key-created"),
    Registration::in_order::<LegacyAuthSignin>("legacy-auth-signin"),
    Registration::in_order::<AnonymizerSignin>("anonymizer-signin"),
    Registration::ahead::<UnusedRegionActivity>("unused-region-activity"),
    Registration::ahead::<FirstSeenApi>("first-seen-api"),
    Registration::in_order::<ExternalObjectRead>("external-object-read"),
];

/// Why the selection could not be built.
#[derive(Debug)]
pub enum SelectionError {
    UnknownRule {
        id: String,
        known: Vec<&'static str>,
    },
    Build(BuildError),
}

impl std::fmt::Display for SelectionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SelectionError::UnknownRule { id, known } => {
                write!(f, "unknown rule `{id}`; known rules: {}", known.join(", "))
            }
            SelectionError::Build(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for SelectionError {}

#[derive(Debug)]
pub struct Selection {
    pub rules: Vec<Box<dyn DynRule>>,
    /// Rules named (or enabled by default) whose evaluation has not landed yet.
    pub not_implemented: Vec<String>,
}

impl Selection {
    /// Whether an enabled rule reads or writes the baseline store.
    pub fn uses_history(&self) -> bool {
        self.rules
            .iter()
            .any(|r| r.history_use() != HistoryUse::None)
    }
}

pub fn registration(id: &str) -> Option<&'static Registration> {
    REGISTRY.iter().find(|r| r.id == id)
}

fn enabled(id: &str, only: &[String], disable: &[String]) -> bool {
    (only.is_empty() || only.iter().any(|o| o == id)) && !disable.iter().any(|d| d == id)
}

/// The rules that read or write the baseline store (what `baseline learn` runs).
pub fn history_rules() -> impl Iterator<Item = &'static str> {
    REGISTRY
        .iter()
        .filter(|r| r.history != HistoryUse::None)
        .map(|r| r.id)
}

/// `only` empty means every implemented rule. Unknown ids are an error naming the known
/// ones; a rule whose parameters or lists cannot be loaded is an error naming it.
pub fn build(
    only: &[String],
    disable: &[String],
    cfg: &Config,
) -> Result<Selection, SelectionError> {
    for id in only.iter().chain(disable) {
        if registration(id).is_none() {
            return Err(SelectionError::UnknownRule {
                id: id.clone(),
                known: REGISTRY.iter().map(|r| r.id).collect(),
            });
        }
    }
    let setup = Setup { config: cfg };
    let mut rules = Vec::new();
    let mut not_implemented = Vec::new();
    // Rules run, and report their notes, in id order: the order every earlier release used,
    // so summaries read the same from run to run.
    let mut registrations: Vec<&Registration> = REGISTRY.iter().collect();
    registrations.sort_by_key(|r| r.id);
    for r in registrations
        .into_iter()
        .filter(|r| enabled(r.id, only, disable))
    {
        if !RuleSpec::parse(r.catalogue).implemented {
            if !only.is_empty() {
                not_implemented.push(r.id.to_string());
            }
            continue;
        }
        rules.push((r.build)(&setup).map_err(SelectionError::Build)?);
    }
    Ok(Selection {
        rules,
        not_implemented,
    })
}
