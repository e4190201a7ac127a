//! `tripline config default`: the default configuration, annotated. Sections whose default is
//! "off" and every `[rules.<id>]` table are printed commented out; a commented block starts at
//! its `# [header]` line and ends at the next blank line, with explanations above the header or
//! after the value, so removing the leading `# ` from a block gives a valid table. The rule
//! blocks are generated from the catalogue, so they never fall behind it.

use super::Config;
use crate::event::Duration;
use crate::rules::catalogue::{catalogue, RuleSpec};
use std::fmt::Write;
use toml::Value;

const WIDTH: usize = 96;

const HEAD: &str = r#"# tripline configuration (SPEC §6). Check a file with `tripline config check FILE`: it lists
# every problem with its line. Unknown keys are errors, so a misspelt threshold never keeps its
# default silently.
#
# Patterns (high_privilege and the [[suppress]] fields identity, user_agent, account) are globs
# matched against the whole value: `*` matches any run of characters, `/` included, and there
# is no other special character. Write `*Terraform/*` to match anywhere. User agents compare
# case-insensitively, everything else case-sensitively.
# Durations are an integer and a unit: 30s, 10m, 1h, 7d.

[organisation]
# Prefixes of your bucket names (lower case). bucket-enumeration counts 403/404 answers to
# listing requests only for buckets whose names start with one of these.
bucket_prefixes = []
# Your own networks, as "10.0.0.0/8", "2001:db8::/32" or a bare address. external-object-read
# ignores object reads from these.
internal_cidrs = []
# Identity patterns of high-privilege principals, such as "*admin*" or "arn:aws:iam::*:root".
# A new access key for one of them escalates access-key-created.
high_privilege = []

# Working hours: access-key-created escalates keys created outside them. Off when absent.
# [working_hours]
# timezone = "Europe/London"                   # IANA time zone name: Area/Location, or UTC
# days = ["mon", "tue", "wed", "thu", "fri"]   # mon .. sun; this list is the default
# start = "08:00"                              # HH:MM local time, inclusive
# end = "18:00"                                # HH:MM local time, exclusive, after start; "24:00" is midnight

[state]
retention = "30d"   # baseline history kept, counted back from the newest event stored (not the clock)

[stream]
lateness = "15m"    # watch / serve: the watermark trails the newest event by this; later events count as late

# List files for enrichment. Relative paths are resolved against this file's directory.
# [lists]
# tor_exits = "tor-exits.txt"           # Tor exit addresses, one per line (anonymizer-signin)
# geoip = "GeoLite2-Country.mmdb"       # MaxMind DB country database (new-source-signin countries)
# asn = "GeoLite2-ASN.mmdb"             # MaxMind DB ASN database (new-source-signin ASNs)

# Suppressions, any number. An alert that matches every field given is kept but marked
# `suppressed` with the reason (shown with --show-suppressed), never dropped. Give a reason and
# at least one of identity, user_agent, source_cidr, account.
# [[suppress]]
# rule = "cloud-discovery-burst"                  # a rule id; all rules when absent
# identity = "arn:aws:iam::*:role/terraform-*"    # identity glob, case-sensitive
# user_agent = "Terraform/*"                      # glob, case-insensitive; every contributing event must match
# source_cidr = "10.1.0.0/16"                     # network or address the activity came from
# account = "123456789012"                        # account, subscription or project glob
# reason = "nightly terraform plan"               # required: shown on the suppressed alert

# Rules. Each [rules.<id>] table overrides that rule's thresholds and lists key by key; keys
# left out keep the defaults shown. `tripline rules show ID` prints a rule's full definition.
"#;

/// The annotated default config, as printed by `tripline config default`.
pub fn default_annotated() -> String {
    // The live values above are the defaults; keep them honest.
    debug_assert_eq!(
        Config::default().state.retention,
        Duration::parse("30d").unwrap()
    );
    debug_assert_eq!(
        Config::default().stream.lateness,
        Duration::parse("15m").unwrap()
    );
    let mut out = String::from(HEAD);
    for spec in catalogue() {
        out.push('\n');
        rule_block(&mut out, &spec);
    }
    out
}

fn rule_block(out: &mut String, spec: &RuleSpec) {
    let attack = spec.attack.join(", ");
    let _ = writeln!(
        out,
        "# {}: {} (severity {}; ATT&CK {attack})",
        spec.id, spec.title, spec.severity
    );
    let summary = spec
        .summary
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for line in wrap(&summary, WIDTH - 2) {
        let _ = writeln!(out, "# {line}");
    }
    if !spec.implemented {
        out.push_str("# (Not evaluated yet in this build; its keys are accepted and checked.)\n");
    }
    let _ = writeln!(out, "# [rules.{}]", spec.id);
    for (key, value) in &spec.params {
        let hint = hint(key, value);
        match value {
            Value::Array(items) if render(value).len() + key.len() + 5 > WIDTH => {
                let _ = writeln!(out, "# {key} = [   # {hint}");
                let items: Vec<String> = items.iter().map(render).collect();
                for line in wrap(&(items.join(", ") + ","), WIDTH - 4) {
                    let _ = writeln!(out, "#   {line}");
                }
                out.push_str("# ]\n");
            }
            _ => {
                let _ = writeln!(out, "# {key} = {}   # {hint}", render(value));
            }
        }
    }
}

fn render(v: &Value) -> String {
    match v {
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(render).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}

/// A short note on a parameter: what the common names mean, else the value's kind.
fn hint(key: &str, value: &Value) -> &'static str {
    let is_duration = value.as_str().is_some_and(|s| Duration::parse(s).is_ok());
    match key {
        "window" => "duration: the counting window",
        "min_history" => "duration: history the environment needs before the rule alerts",
        "quiet_period" => "duration: no such activity by the identity for this long before",
        "after_new_source" => "duration: how soon after a new-source sign-in counts",
        "list_file" => "path of a list file; empty for none",
        k if k.starts_with("min_") => "integer: alert at or above this",
        k if k.starts_with("max_") => "integer: cap on values kept in the alert",
        _ if is_duration => "duration",
        _ => match value {
            Value::Integer(_) => "integer",
            Value::Boolean(_) => "true or false",
            Value::Array(_) => "list of strings",
            _ => "string",
        },
    }
}

/// Greedy word wrap; a word longer than `width` gets a line of its own.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}
