//! The TOML configuration (SPEC §6): organisation facts, working hours, per-rule thresholds,
//! suppressions and list files.
//!
//! Loading is parse, then validate everything: [`load`] and [`parse`] return every problem in
//! the file at once as [`ConfigErrors`], each a [`ConfigError`] with its [`ConfigErrorKind`],
//! line and column, so `tripline config check` can list them all. The text is parsed once, by
//! `toml_edit`, whose spans place each problem. Unknown keys are errors, because a misspelt
//! threshold that silently keeps its default is worse than a refusal to start. The keys the
//! loader knows are the ones [`default_annotated`] prints: both read `schema.rs` and the rule
//! catalogue. Nothing here prints; the binary decides how problems reach the user.
//!
//! ```
//! let cfg = tripline::config::parse("[rules.password-spray]\nwindow = \"5m\"\n", "tripline.toml").unwrap();
//! assert_eq!(cfg.rules["password-spray"]["window"].as_str(), Some("5m"));
//!
//! let err = tripline::config::parse("[rules.password-spray]\nwindow = \"5x\"\n", "tripline.toml").unwrap_err();
//! assert!(err.to_string().starts_with("tripline.toml:2: "));
//! ```
//!
//! Architecture invariant: nothing here reads the environment or the clock; a config is a
//! pure function of its text (plus, in [`load`], whether the list files it names exist).

mod annotated_default;
mod checker;
mod cidr;
mod error;
mod glob;
mod position;
mod schema;
mod toml_value;
mod validate;
mod working_hours;

pub use annotated_default::default_annotated;
pub use cidr::Cidr;
pub use error::{ConfigError, ConfigErrorKind, ConfigErrors};
pub use glob::glob_match;
pub use working_hours::{Weekday, WorkingHours};

use crate::event::Duration;
use crate::rules::catalogue::{Params, RuleSpec};
use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

/// A validated configuration. `Config::default()` is what runs without `--config`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    pub organisation: Organisation,
    /// Absent: no working-hours escalation.
    pub working_hours: Option<WorkingHours>,
    /// `[rules.<id>]` overrides, keyed by catalogue id, already checked against the rule's
    /// parameters. Apply them with [`Config::params`].
    pub rules: BTreeMap<String, toml::Table>,
    /// `[[suppress]]` entries, in file order.
    pub suppress: Vec<Suppression>,
    pub lists: Lists,
    /// `[state]`
    pub state: StateSettings,
    /// `[stream]`
    pub stream: StreamSettings,
}

/// `[organisation]`
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Organisation {
    /// Bucket-name prefixes that mark the organisation's buckets (`bucket-enumeration`).
    pub bucket_prefixes: Vec<String>,
    /// The organisation's own networks (`external-object-read`).
    pub internal_cidrs: Vec<Cidr>,
    /// Glob patterns for high-privilege identities (`access-key-created` escalation).
    pub high_privilege: Vec<String>,
    /// Where CI/CD and scanners run: with a catalogue identity, a source inside these is the
    /// second signal that suppresses a benign enumerator (SPEC §6).
    pub automation_cidrs: Vec<Cidr>,
    /// Regions in use (lower-cased): `unused-region-activity`'s configured set when its own
    /// `regions` parameter is empty.
    pub regions: Vec<String>,
}

/// One `[[suppress]]` entry: an alert matching every given field is kept but marked
/// `suppressed` with `reason`. Patterns are globs ([`glob_match`]): `user_agent`
/// case-insensitive, the others case-sensitive.
#[derive(Clone, Debug, PartialEq)]
pub struct Suppression {
    /// A catalogue id; `None` applies to every rule.
    pub rule: Option<String>,
    pub identity: Option<String>,
    pub user_agent: Option<String>,
    pub source_cidr: Option<Cidr>,
    pub account: Option<String>,
    pub reason: String,
}

impl Suppression {
    pub fn applies_to_rule(&self, rule: &str) -> bool {
        self.rule.as_deref().is_none_or(|r| r == rule)
    }
}

/// `[lists]`: files that enrichment reads. Relative paths given to [`load`] are resolved
/// against the config file's directory, so a config and its lists can move together.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lists {
    /// `tor_exits`: Tor exit addresses, one per line.
    pub tor_exits: Option<PathBuf>,
    /// `geoip`: a MaxMind DB (GeoLite2-Country or GeoIP2-Country format).
    pub geoip_country: Option<PathBuf>,
    /// `asn`: a MaxMind DB (GeoLite2-ASN format).
    pub geoip_asn: Option<PathBuf>,
}

/// `[state]`
#[derive(Clone, Debug, PartialEq)]
pub struct StateSettings {
    /// How much history the baseline store keeps, counted back from the newest event stored
    /// (SPEC §7: 30 days by default).
    pub retention: Duration,
}

impl Default for StateSettings {
    fn default() -> StateSettings {
        StateSettings {
            retention: Duration::parse("30d").expect("valid duration"),
        }
    }
}

/// `[stream]`
#[derive(Clone, Debug, PartialEq)]
pub struct StreamSettings {
    /// `watch` and `serve`: the watermark trails the newest event time by this much (SPEC §7:
    /// 15 minutes by default).
    pub lateness: Duration,
}

impl Default for StreamSettings {
    fn default() -> StreamSettings {
        StreamSettings {
            lateness: Duration::minutes(15),
        }
    }
}

impl Config {
    /// A rule's parameters: its catalogue defaults with this config's `[rules.<id>]` applied.
    pub fn params(&self, spec: &RuleSpec) -> Params {
        Params::new(spec, self.rules.get(&spec.id))
    }

    /// Whether `ip` is in one of `[organisation] internal_cidrs`.
    pub fn is_internal(&self, ip: &IpAddr) -> bool {
        self.organisation
            .internal_cidrs
            .iter()
            .any(|c| c.contains(ip))
    }

    /// Whether `identity` matches one of `[organisation] high_privilege` (case-sensitive).
    pub fn is_high_privilege(&self, identity: &str) -> bool {
        self.organisation
            .high_privilege
            .iter()
            .any(|p| glob_match(p, identity, false))
    }
}

/// Reads and validates a config file. Relative `[lists]` paths are resolved against the
/// file's directory and must exist.
pub fn load(path: impl AsRef<Path>) -> Result<Config, ConfigErrors> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ConfigErrors {
        file: name.clone(),
        errors: vec![ConfigError::new(
            ConfigErrorKind::Read,
            None,
            format!("cannot read the config file: {e}"),
        )],
    })?;
    let base = path.parent().unwrap_or(Path::new(""));
    validate::parse(&text, &name, Some(base))
}

/// Validates config text; `name` is used in messages. List files are neither resolved nor
/// checked for existence (that is [`load`]'s job, which knows where the file lives).
pub fn parse(text: &str, name: &str) -> Result<Config, ConfigErrors> {
    validate::parse(text, name, None)
}

#[cfg(test)]
mod drift_tests;
#[cfg(test)]
mod place_tests;
#[cfg(test)]
mod tests;
