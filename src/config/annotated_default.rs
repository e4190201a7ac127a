//! `tripline config default`: the default configuration, annotated, generated from the same
//! definitions the loader checks against: the fixed sections and keys from `schema`, one
//! `[rules.<id>]` block per catalogue rule with every parameter. A key added to either is
//! printed here without touching this file.
//!
//! Sections whose default is "off" and every `[rules.<id>]` table are printed commented out; a
//! commented block starts at its `# [header]` line and ends at the next blank line, with
//! explanations above the header or after the value, so removing the leading `# ` from a block
//! gives a valid table.

use super::schema::{Section, SECTIONS};
use crate::event::Duration;
use crate::rules::catalogue::{catalogue, RuleSpec};
use std::fmt::Write;
use toml::Value;

/// Prose is wrapped to this width.
const WIDTH: usize = 96;
/// A note after a value may run to here before it wraps.
const NOTE_WIDTH: usize = 120;

const HEAD: &str = r#"# tripline configuration (SPEC §6). Check a file with `tripline config check FILE`: it lists
# every problem with its line. Unknown keys are errors, so a misspelt threshold never keeps its
# default silently.
#
# Patterns (high_privilege and the [[suppress]] fields identity, user_agent, account) are globs
# matched against the whole value: `*` matches any run of characters, `/` included, and there
# is no other special character. Write `*Terraform/*` to match anywhere. User agents compare
# case-insensitively, everything else case-sensitively.
# Durations are an integer and a unit: 30s, 10m, 1h, 7d.
"#;

const RULES_INTRO: &str = "Rules. Each [rules.<id>] table overrides that rule's thresholds and \
lists key by key; keys left out keep the defaults shown. `tripline rules show ID` prints a rule's \
full definition.";

/// The annotated default config, as printed by `tripline config default`.
pub fn default_annotated() -> String {
    let mut out = String::from(HEAD);
    for section in SECTIONS {
        out.push('\n');
        section_block(&mut out, section);
    }
    out.push('\n');
    comment(&mut out, RULES_INTRO);
    for spec in catalogue() {
        out.push('\n');
        rule_block(&mut out, &spec);
    }
    out
}

/// A fixed section: its explanation, the header, each key with its value and note. A note
/// that does not fit after its value goes above it in a live section; in a commented one it
/// wraps into comment lines that stay comments once the block's `# ` is removed.
fn section_block(out: &mut String, s: &Section) {
    comment(out, s.about);
    let prefix = if s.off_by_default { "# " } else { "" };
    let header = if s.many {
        format!("[[{}]]", s.name)
    } else {
        format!("[{}]", s.name)
    };
    let _ = writeln!(out, "{prefix}{header}");
    let code = |k: &super::schema::Key| format!("{prefix}{} = {}", k.name, k.value);
    let align = s.keys.iter().map(|k| code(k).len()).max().unwrap_or(0) + 3;
    for key in s.keys {
        let code = code(key);
        if !s.off_by_default && align + 2 + key.about.len() > NOTE_WIDTH {
            comment(out, key.about);
            let _ = writeln!(out, "{code}");
            continue;
        }
        let notes = wrap(key.about, NOTE_WIDTH - align - 2);
        for (i, note) in notes.iter().enumerate() {
            let lead = if i == 0 { code.as_str() } else { prefix };
            let _ = writeln!(out, "{lead:<align$}# {note}");
        }
    }
}

/// Prose as `# ` lines; nothing for empty prose.
fn comment(out: &mut String, prose: &str) {
    for line in wrap(prose, WIDTH - 2) {
        let _ = writeln!(out, "# {line}");
    }
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
