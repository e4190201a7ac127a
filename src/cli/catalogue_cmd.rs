//! `tripline rules list|show|test` and `tripline config check|default`.

use super::args::{ConfigCommand, RulesCommand};
use super::scan_cmd::load_config;
use crate::output::escape;
use crate::rules::catalogue::{catalogue, spec, Params};
use anyhow::{bail, Result};
use std::io::Write;

// Output goes through `writeln!(out, ..)?`, never `println!`: a reader that stops early
// (`| head`) ends the command quietly (see `cli::main`) instead of a panic.
pub fn rules(c: RulesCommand) -> Result<i32> {
    let mut out = std::io::stdout().lock();
    match c {
        RulesCommand::List { config } => {
            let cfg = load_config(config.as_deref())?;
            writeln!(
                out,
                "{:<26} {:<30} {:<14} status",
                "id", "ATT&CK", "severity"
            )?;
            for r in catalogue() {
                let status = if r.implemented { "enabled" } else { "planned" };
                let overridden = if cfg.rules.contains_key(&r.id) {
                    " (config overrides)"
                } else {
                    ""
                };
                writeln!(
                    out,
                    "{:<26} {:<30} {:<14} {status}{overridden}",
                    r.id,
                    r.attack.join(", "),
                    r.severity
                )?;
            }
            Ok(0)
        }
        RulesCommand::Show { id, config } => {
            let cfg = load_config(config.as_deref())?;
            let Some(r) = spec(&id) else {
                bail!("unknown rule `{id}`; see `tripline rules list`");
            };
            writeln!(out, "{} — {}", r.id, r.title)?;
            writeln!(out, "ATT&CK: {}", r.attack.join(", "))?;
            writeln!(out, "severity: {}", r.severity)?;
            writeln!(
                out,
                "status: {}",
                if r.implemented {
                    "enabled"
                } else {
                    "planned (keys accepted in config)"
                }
            )?;
            writeln!(out, "\n{}\n", r.summary.trim())?;
            if !r.false_positives.is_empty() {
                writeln!(out, "known false positives:")?;
                for f in &r.false_positives {
                    writeln!(out, "  - {f}")?;
                }
                writeln!(out)?;
            }
            let p = Params::new(&r, cfg.rules.get(&r.id));
            writeln!(out, "[rules.{}]", r.id)?;
            for (k, v) in &p.values {
                writeln!(out, "{k} = {}", escape::terminal(&v.to_string()))?;
            }
            Ok(0)
        }
        RulesCommand::Test => {
            eprintln!("tripline: `rules test` (the rules' own example cases) lands in a later release; the conformance suite runs with the test command in README.md");
            Ok(2)
        }
    }
}

pub fn config(c: ConfigCommand) -> Result<i32> {
    let mut out = std::io::stdout().lock();
    match c {
        ConfigCommand::Check { file } => match crate::config::load(&file) {
            Ok(_) => {
                writeln!(out, "{}: ok", file.display())?;
                Ok(0)
            }
            Err(e) => {
                eprint!("{}", e.for_terminal());
                Ok(2)
            }
        },
        ConfigCommand::Default => {
            write!(out, "{}", crate::config::default_annotated())?;
            Ok(0)
        }
    }
}
