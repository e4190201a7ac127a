//! Marking alerts (SPEC §6): `[[suppress]]` entries first, then the benign-enumerator
//! catalogue. A suppressed alert keeps every field and gains `suppressed: true` and the
//! reason; nothing is dropped here (the ledger hides suppressed alerts unless
//! `--show-suppressed`). The catalogue needs two signals to suppress — the identity's name
//! and, besides it, the user agent or the automation network — because either alone is easy
//! to fake: an attacker can send Terraform's user agent, or steal a role named `terraform`.

use super::catalogue::{benign_tools, BenignTool};
use super::matcher::{
    accounts, all_match, all_sources_inside, identities, source_addresses, user_agents,
    CatalogueMatches,
};
use crate::config::{glob_match, Cidr, Config, Suppression};
use crate::event::Alert;
use std::collections::BTreeMap;

/// The note an alert gets when one catalogue signal agrees and the other does not.
pub const LIKELY_BENIGN: &str = "likely_benign";

/// The suppressions of one run: the config's `[[suppress]]` entries, the built-in catalogue
/// and `[organisation] automation_cidrs`.
pub struct Tuning {
    suppress: Vec<Suppression>,
    tools: Vec<BenignTool>,
    automation: Vec<Cidr>,
}

/// How many alerts each reason suppressed (the run summary prints it).
pub type SuppressedCounts = BTreeMap<String, u64>;

impl Tuning {
    pub fn new(cfg: &Config) -> Tuning {
        Tuning {
            suppress: cfg.suppress.clone(),
            tools: benign_tools(),
            automation: cfg.organisation.automation_cidrs.clone(),
        }
    }

    /// Marks the alerts a suppression or the catalogue matches, adds `likely_benign` notes,
    /// and counts the suppressed ones by reason. Fields, ids and order are left alone.
    pub fn apply(&self, alerts: &mut [Alert]) -> SuppressedCounts {
        let mut counts = SuppressedCounts::new();
        let mut catalogue = CatalogueMatches::new(&self.tools);
        for a in alerts.iter_mut() {
            if !a.suppressed {
                self.mark(a, &mut catalogue);
            }
            if a.suppressed {
                let reason = a.reason.clone().unwrap_or_default();
                *counts.entry(reason).or_default() += 1;
            }
        }
        counts
    }

    fn mark(&self, a: &mut Alert, catalogue: &mut CatalogueMatches<'_>) {
        if let Some(s) = self
            .suppress
            .iter()
            .find(|s| s.applies_to_rule(&a.rule) && suppression_matches(s, a))
        {
            a.suppressed = true;
            a.reason = Some(s.reason.clone());
            return;
        }
        let named_by = catalogue.named(&identities(a));
        let agent_of = catalogue.agents(a);
        let network = all_sources_inside(a, &self.automation);
        let mut notes = Vec::new();
        for (i, tool) in self.tools.iter().enumerate() {
            let named = named_by & 1 << i != 0;
            let agent = agent_of & 1 << i != 0;
            if named && (agent || network) {
                let why = if agent {
                    "user agent"
                } else {
                    "automation network"
                };
                a.suppressed = true;
                a.reason = Some(format!(
                    "benign enumerator: {} (identity and {why})",
                    tool.name
                ));
                return;
            }
            if named {
                notes.push(format!("{LIKELY_BENIGN}: {} identity only", tool.name));
            } else if agent {
                notes.push(format!("{LIKELY_BENIGN}: {} user agent only", tool.name));
            }
        }
        for n in notes {
            if !a.notes.contains(&n) {
                a.notes.push(n);
            }
        }
    }
}

/// Whether every field the entry gives matches the alert (SPEC §6). `identity` and `account`
/// are matched against every identity or account of the alert, `source_cidr` against every
/// real source address, `user_agent` against the user agent of every contributing event;
/// what the alert does not show (no identity, cut-short lists) never matches.
pub fn suppression_matches(s: &Suppression, a: &Alert) -> bool {
    if let Some(p) = &s.identity {
        if !all_match(&identities(a), p) {
            return false;
        }
    }
    if let Some(p) = &s.account {
        if !all_match(&accounts(a), p) {
            return false;
        }
    }
    if let Some(c) = &s.source_cidr {
        let inside = source_addresses(a).is_some_and(|ips| ips.iter().all(|ip| c.contains(ip)));
        if !inside {
            return false;
        }
    }
    if let Some(p) = &s.user_agent {
        let all = user_agents(a).is_some_and(|uas| uas.iter().all(|ua| glob_match(p, ua, true)));
        if !all {
            return false;
        }
    }
    true
}
