//! Builds the enabled rules from the catalogue, the config's overrides and `--rules` /
//! `--disable`.

use super::catalogue::{self, Params};
use super::cloud_discovery_burst::CloudDiscoveryBurst;
use super::cloud_discovery_sliding::CloudDiscoverySliding;
use super::rule::Rule;
use std::collections::BTreeMap;

#[derive(Debug)]
pub struct Selection {
    pub rules: Vec<Box<dyn Rule>>,
    /// Rules named or enabled by default whose evaluation has not landed yet.
    pub not_implemented: Vec<String>,
}

impl std::fmt::Debug for dyn Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// `only` empty means every implemented rule. Unknown ids are an error naming the known ones.
pub fn build(only: &[String], disable: &[String], overrides: &BTreeMap<String, toml::Table>) -> Result<Selection, String> {
    let all = catalogue::by_id();
    for id in only.iter().chain(disable) {
        if !all.contains_key(id) {
            return Err(format!("unknown rule `{id}`; known rules: {}", all.keys().cloned().collect::<Vec<_>>().join(", ")));
        }
    }
    let params = |id: &str| Params::new(&all[id], overrides.get(id));
    let enabled = |id: &str| (only.is_empty() || only.iter().any(|o| o == id)) && !disable.iter().any(|d| d == id);
    let mut rules: Vec<Box<dyn Rule>> = Vec::new();
    let mut not_implemented = Vec::new();
    for (id, spec) in &all {
        if !enabled(id) {
            continue;
        }
        match id.as_str() {
            "cloud-discovery-burst" => rules.push(Box::new(CloudDiscoveryBurst::new(spec.clone(), &params(id)))),
            "cloud-discovery-sliding" => {
                rules.push(Box::new(CloudDiscoverySliding::new(spec.clone(), &params(id), &params("cloud-discovery-burst"))))
            }
            _ => {
                if !only.is_empty() {
                    not_implemented.push(id.clone());
                }
            }
        }
    }
    Ok(Selection { rules, not_implemented })
}
