//! `tripline rules list|show|test` and `tripline config check|default`.

use super::args::{ConfigCommand, RulesCommand};
use super::scan_cmd::load_config;
use crate::engine::rule_examples::run_rule;
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
            writeln!(out, "stage: {}", r.stage.label())?;
            writeln!(out, "severity: {}", r.severity)?;
            let reads: Vec<String> = r.sources.iter().map(|s| s.to_string()).collect();
            writeln!(out, "reads: {}", reads.join(", "))?;
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
            let positives = r
                .examples
                .iter()
                .filter(|e| e.expect == crate::rules::examples::Expect::Alert)
                .count();
            let negatives = r.examples.len() - positives;
            let s = |n: usize| if n == 1 { "" } else { "s" };
            writeln!(
                out,
                "examples: {positives} true positive{}, {negatives} true negative{} (`tripline rules test {}`)\n",
                s(positives),
                s(negatives),
                r.id
            )?;
            let p = Params::new(&r, cfg.rules.get(&r.id));
            writeln!(out, "[rules.{}]", r.id)?;
            for (k, v) in &p.values {
                writeln!(out, "{k} = {}", escape::terminal(&v.to_string()))?;
            }
            Ok(0)
        }
        RulesCommand::Test { ids, config } => {
            let cfg = load_config(config.as_deref())?;
            test(&ids, &cfg, &mut out)
        }
    }
}

/// `rules test`: every named rule's examples (all rules when none is named), PASS or FAIL
/// per rule with each failing example and what differed, then a summary line. Values in the
/// differences come from log records: escaped for the terminal.
fn test(ids: &[String], cfg: &crate::config::Config, out: &mut impl Write) -> Result<i32> {
    let all = catalogue();
    let unknown: Vec<&String> = ids
        .iter()
        .filter(|id| !all.iter().any(|r| &r.id == *id))
        .collect();
    if !unknown.is_empty() {
        let known: Vec<&str> = all.iter().map(|r| r.id.as_str()).collect();
        eprintln!(
            "tripline: unknown rule {}; known rules: {}",
            unknown
                .iter()
                .map(|u| format!("`{}`", escape::terminal(u)))
                .collect::<Vec<_>>()
                .join(", "),
            known.join(", ")
        );
        return Ok(2);
    }
    let chosen = all.iter().filter(|r| ids.is_empty() || ids.contains(&r.id));
    let (mut rules_failed, mut rules_run, mut examples_failed, mut examples_run) = (0, 0, 0, 0);
    for spec in chosen {
        let result = run_rule(spec, cfg);
        rules_run += 1;
        examples_run += result.examples.len();
        examples_failed += result.failed_examples();
        if result.passed() {
            writeln!(
                out,
                "PASS {} ({} examples)",
                result.rule,
                result.examples.len()
            )?;
            continue;
        }
        rules_failed += 1;
        writeln!(
            out,
            "FAIL {} ({} of {} examples failed)",
            result.rule,
            result.failed_examples(),
            result.examples.len()
        )?;
        for m in &result.malformed {
            writeln!(out, "  {}", escape::terminal(m))?;
        }
        for ex in result.examples.iter().filter(|e| !e.passed()) {
            writeln!(
                out,
                "  example `{}` (expect {}):",
                escape::terminal(&ex.name),
                ex.expect.as_str()
            )?;
            for p in &ex.problems {
                writeln!(out, "    {}", escape::terminal(p))?;
            }
        }
    }
    writeln!(
        out,
        "{} rules: {} passed, {rules_failed} failed; {examples_run} examples: {} passed, {examples_failed} failed",
        rules_run,
        rules_run - rules_failed,
        examples_run - examples_failed
    )?;
    Ok(if rules_failed == 0 { 0 } else { 1 })
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
