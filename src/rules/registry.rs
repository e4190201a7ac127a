//! Builds the enabled rules from the catalogue, the configuration and `--rules` /
//! `--disable`.

use super::access_key_created::AccessKeyCreated;
use super::anonymizer_signin::AnonymizerSignin;
use super::bucket_enumeration::BucketEnumeration;
use super::catalogue::{self, Params};
use super::cloud_discovery_burst::CloudDiscoveryBurst;
use super::cloud_discovery_sliding::CloudDiscoverySliding;
use super::external_object_read::ExternalObjectRead;
use super::first_seen_api::FirstSeenApi;
use super::history::SharedStore;
use super::legacy_auth_signin::LegacyAuthSignin;
use super::new_source_signin::NewSourceSignin;
use super::password_spray::PasswordSpray;
use super::post_auth_enumeration::PostAuthEnumeration;
use super::rule::Rule;
use super::tenant_enumeration::TenantEnumeration;
use super::unused_region_activity::UnusedRegionActivity;
use crate::config::Config;

#[derive(Debug)]
pub struct Selection {
    pub rules: Vec<Box<dyn Rule>>,
    /// Rules named (or enabled by default) whose evaluation has not landed yet.
    pub not_implemented: Vec<String>,
}

impl std::fmt::Debug for dyn Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// Rules that read and write the baseline store.
pub const HISTORY_RULES: &[&str] = &[
    "new-source-signin",
    "post-auth-enumeration",
    "access-key-created",
    "unused-region-activity",
    "first-seen-api",
];

/// Whether the selection needs the baseline store.
pub fn needs_store(only: &[String], disable: &[String]) -> bool {
    HISTORY_RULES.iter().any(|id| {
        (only.is_empty() || only.iter().any(|o| o == id)) && !disable.iter().any(|d| d == id)
    })
}

/// `only` empty means every implemented rule. Unknown ids are an error naming the known
/// ones; a rule whose lists cannot be loaded is an error naming the file. History rules share
/// `store` (an in-memory store when none is given).
pub fn build(only: &[String], disable: &[String], cfg: &Config) -> Result<Selection, String> {
    let store: SharedStore = std::sync::Arc::new(std::sync::Mutex::new(
        crate::state::Store::open(":memory:").map_err(|e| e.to_string())?,
    ));
    build_with_store(only, disable, cfg, store)
}

pub fn build_with_store(
    only: &[String],
    disable: &[String],
    cfg: &Config,
    store: SharedStore,
) -> Result<Selection, String> {
    let all = catalogue::by_id();
    for id in only.iter().chain(disable) {
        if !all.contains_key(id) {
            return Err(format!(
                "unknown rule `{id}`; known rules: {}",
                all.keys().cloned().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    let params = |id: &str| Params::new(&all[id], cfg.rules.get(id));
    let enabled = |id: &str| {
        (only.is_empty() || only.iter().any(|o| o == id)) && !disable.iter().any(|d| d == id)
    };
    let mut rules: Vec<Box<dyn Rule>> = Vec::new();
    let mut not_implemented = Vec::new();
    for (id, spec) in &all {
        if !enabled(id) {
            continue;
        }
        let (s, p) = (spec.clone(), params(id));
        match id.as_str() {
            "cloud-discovery-burst" => rules.push(Box::new(CloudDiscoveryBurst::new(s, &p))),
            "cloud-discovery-sliding" => rules.push(Box::new(CloudDiscoverySliding::new(
                s,
                &p,
                &params("cloud-discovery-burst"),
            ))),
            "password-spray" => rules.push(Box::new(PasswordSpray::new(s, &p, cfg))),
            "bucket-enumeration" => rules.push(Box::new(BucketEnumeration::new(s, &p, cfg))),
            "tenant-enumeration" => rules.push(Box::new(TenantEnumeration::new(s, &p, cfg))),
            "legacy-auth-signin" => rules.push(Box::new(LegacyAuthSignin::new(s, &p, cfg))),
            "anonymizer-signin" => rules.push(Box::new(AnonymizerSignin::new(s, &p, cfg)?)),
            "external-object-read" => rules.push(Box::new(ExternalObjectRead::new(s, &p, cfg))),
            "new-source-signin" => {
                rules.push(Box::new(NewSourceSignin::new(s, &p, cfg, store.clone())))
            }
            "post-auth-enumeration" => rules.push(Box::new(PostAuthEnumeration::new(
                s,
                &p,
                cfg,
                store.clone(),
            ))),
            "access-key-created" => {
                rules.push(Box::new(AccessKeyCreated::new(s, &p, cfg, store.clone())))
            }
            "unused-region-activity" => rules.push(Box::new(UnusedRegionActivity::new(
                s,
                &p,
                cfg,
                store.clone(),
            ))),
            "first-seen-api" => rules.push(Box::new(FirstSeenApi::new(s, &p, cfg, store.clone()))),
            _ => {
                if !only.is_empty() || spec.implemented {
                    not_implemented.push(id.clone());
                }
            }
        }
    }
    Ok(Selection {
        rules,
        not_implemented,
    })
}
