//! `tripline rules list|show|test` and `tripline config check|default`.

use super::args::{ConfigCommand, RulesCommand};
use super::scan_cmd::load_config;
use crate::output::escape;
use crate::rules::catalogue::{catalogue, spec, Params};
use anyhow::{bail, Result};

pub fn rules(c: RulesCommand) -> Result<i32> {
    match c {
        RulesCommand::List { config } => {
            let cfg = load_config(config.as_deref())?;
            println!("{:<26} {:<30} {:<14} status", "id", "ATT&CK", "severity");
            for r in catalogue() {
                let status = if r.implemented { "enabled" } else { "planned" };
                let overridden = if cfg.rules.contains_key(&r.id) {
                    " (config overrides)"
                } else {
                    ""
                };
                println!(
                    "{:<26} {:<30} {:<14} {status}{overridden}",
                    r.id,
                    r.attack.join(", "),
                    r.severity
                );
            }
            Ok(0)
        }
        RulesCommand::Show { id, config } => {
            let cfg = load_config(config.as_deref())?;
            let Some(r) = spec(&id) else {
                bail!("unknown rule `{id}`; see `tripline rules list`");
            };
            println!("{} — {}", r.id, r.title);
            println!("ATT&CK: {}", r.attack.join(", "));
            println!("severity: {}", r.severity);
            println!(
                "status: {}",
                if r.implemented {
                    "enabled"
                } else {
                    "planned (keys accepted in config)"
                }
            );
            println!("\n{}\n", r.summary.trim());
            if !r.false_positives.is_empty() {
                println!("known false positives:");
                for f in &r.false_positives {
                    println!("  - {f}");
                }
                println!();
            }
            let p = Params::new(&r, cfg.rules.get(&r.id));
            println!("[rules.{}]", r.id);
            for (k, v) in &p.values {
                println!("{k} = {}", escape::terminal(&v.to_string()));
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
    match c {
        ConfigCommand::Check { file } => match crate::config::load(&file) {
            Ok(_) => {
                println!("{}: ok", file.display());
                Ok(0)
            }
            Err(e) => {
                eprintln!("{}", escape::terminal(&e.to_string()));
                Ok(2)
            }
        },
        ConfigCommand::Default => {
            print!("{}", crate::config::default_annotated());
            Ok(0)
        }
    }
}
