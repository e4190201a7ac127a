//! `tripline scan`: read, normalize, order, run the enabled rules, print alerts.

use super::args::{OutputFormat, Progress, ScanArgs};
use super::normalize_cmd::pipeline_options;
use crate::config::{self, Config};
use crate::engine::activity_read::gather;
use crate::engine::ledger::{self, ReportOptions};
use crate::engine::scan::{scan, ScanOptions, TimeBound};
use crate::event::Severity;
use crate::input;
use crate::output::{make_sink, OutputKind};
use crate::rules::registry;
use anyhow::{bail, Context, Result};
use std::io::IsTerminal;

pub fn load_config(path: Option<&std::path::Path>) -> Result<Config> {
    match path {
        None => Ok(Config::default()),
        Some(p) => {
            config::load(p).map_err(|e| anyhow::Error::new(e).context("invalid configuration"))
        }
    }
}

/// Refuses, clearly, the options whose feature has not landed yet.
fn check_later_features(a: &ScanArgs) -> Result<()> {
    let later =
        |what: &str| anyhow::anyhow!("{what} lands in a later release (see README, \"Status\")");
    if a.report.is_some() {
        return Err(later("--report (the HTML report)"));
    }
    if matches!(a.output, OutputFormat::Ocsf | OutputFormat::Csv) {
        return Err(later("--output ocsf / csv"));
    }
    if a.read.progress == Progress::Always {
        eprintln!("tripline: note: --progress always: the progress bar lands in a later release");
    }
    Ok(())
}

/// `baseline learn`: run the rules for their side effect on the store, print no alert.
pub fn learn(a: &ScanArgs) -> Result<i32> {
    run(a, true)
}

pub fn scan_cmd(a: &ScanArgs) -> Result<i32> {
    run(a, false)
}

fn run(a: &ScanArgs, learn_only: bool) -> Result<i32> {
    if a.paths.is_empty() {
        bail!("scan needs at least one PATH (a file, a folder, or - for standard input)");
    }
    check_later_features(a)?;
    let cfg = load_config(a.config.as_deref())?;
    let selection = registry::build(&a.rules, &a.disable, &cfg)?;
    // The store holds the baseline (history rules) and the ledger behind --new-only.
    let store = if a.new_only || selection.uses_history() {
        let path = a.state.clone().unwrap_or_else(|| {
            crate::state::Store::default_path()
                .to_string_lossy()
                .into_owned()
        });
        let st = crate::state::Store::open_shared(&path)
            .with_context(|| format!("opening the baseline store {path}"))?;
        Some(st)
    } else {
        None
    };
    if !selection.not_implemented.is_empty() && !a.read.quiet {
        eprintln!(
            "tripline: note: rules not implemented yet, skipped: {}",
            selection.not_implemented.join(", ")
        );
    }
    if selection.rules.is_empty() {
        bail!("no implemented rule is enabled (see `tripline rules list`)");
    }
    if !cfg.suppress.is_empty() && !a.read.quiet {
        eprintln!("tripline: note: {} [[suppress]] entries validated; applying them lands with tuning (see README, \"Status\")", cfg.suppress.len());
    }
    let enricher = crate::enrich::Enricher::from_lists(&cfg.lists)
        .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?
        .map(std::sync::Arc::new);
    let opts = ScanOptions {
        run_events: a.sort_budget,
        enricher,
        store: store.clone(),
        pipeline: pipeline_options(&a.read),
        since: a
            .since
            .as_deref()
            .map(TimeBound::parse)
            .transpose()
            .map_err(anyhow::Error::msg)
            .context("--since")?,
        until: a
            .until
            .as_deref()
            .map(TimeBound::parse)
            .transpose()
            .map_err(anyhow::Error::msg)
            .context("--until")?,
        full_validation: a.read.strict,
        ..ScanOptions::default()
    };
    let mut walk = input::walk_paths(&a.paths);
    let inputs = std::mem::take(&mut walk.inputs);
    let opts = ScanOptions {
        keep_stdin: !learn_only && inputs.contains(&input::InputPath::Stdin),
        ..opts
    };
    let mut result = scan(inputs.clone(), selection.rules, &opts).context("scanning")?;
    if !learn_only {
        // Activity and next steps (SPEC §8): a second read for the actors with alerts.
        let activity = gather(
            &inputs,
            result.kept.as_mut(),
            &mut result.alerts,
            &opts.pipeline,
        )
        .context("gathering the alerts' activity (second read)")?;
        if activity.partial {
            result.summary.notes.push(
                "activity from standard input is partial: it cannot be read twice, so only the records the rules needed were seen".into(),
            );
        }
    }
    if learn_only {
        let mut summary = result.summary;
        summary.notes.insert(
            0,
            format!(
                "learned from the input; {} alerts not reported (baseline learn)",
                result.alerts.len()
            ),
        );
        return Ok(super::normalize_cmd::finish(summary, walk, &a.read));
    }

    let stdout = std::io::stdout();
    // CLICOLOR_FORCE (the bixense.com/clicolors convention) colours a table that is not on a
    // terminal, as for `less -R`; tests use it to print exactly what a terminal gets.
    let force = std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0");
    let color = a.output == OutputFormat::Table
        && (stdout.is_terminal() || force)
        && std::env::var_os("NO_COLOR").is_none();
    let kind = match a.output {
        OutputFormat::Table => OutputKind::Table,
        OutputFormat::Jsonl => OutputKind::Jsonl,
        _ => OutputKind::Json,
    };
    let mut sink = make_sink(kind, Box::new(stdout), color);
    let report = ledger::report(
        &result.alerts,
        store.as_ref(),
        ReportOptions {
            new_only: a.new_only,
            show_suppressed: a.show_suppressed,
        },
    );
    for alert in &report.shown {
        if let Err(e) = sink.alert(alert) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return Ok(0);
            }
            return Err(e).context("writing alerts");
        }
    }
    match sink.finish() {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(e).context("writing alerts")
        }
        _ => {}
    }
    if let Some(st) = &store {
        st.lock()
            .unwrap_or_else(|p| p.into_inner())
            .commit()
            .context("committing the baseline store")?;
    }
    let mut summary = result.summary;
    summary
        .notes
        .insert(0, format!("{} alerts", result.alerts.len()));
    if report.already_reported > 0 {
        summary.notes.insert(
            1,
            format!(
                "{} alerts already reported in an earlier run (--new-only)",
                report.already_reported
            ),
        );
    }
    let code = super::normalize_cmd::finish(summary, walk, &a.read);
    if code != 0 {
        return Ok(code);
    }
    if let (Some(threshold), Some(worst)) = (a.fail_on, report.worst) {
        if worst >= Severity::from(threshold) {
            return Ok(1);
        }
    }
    Ok(0)
}
