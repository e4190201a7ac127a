//! `tripline scan`: read, normalize, order, run the enabled rules, print alerts.

use super::args::{OutputFormat, ScanArgs};
use super::normalize_cmd::pipeline_options;
use super::progress_bar::ProgressDisplay;
use crate::config::{self, Config};
use crate::engine::activity_read::gather_with;
use crate::engine::ledger::{self, ReportOptions};
use crate::engine::progress::ScanProgress;
use crate::engine::scan::{scan, Keep, ScanOptions, TimeBound};
use crate::event::Severity;
use crate::input;
use crate::output::display_time::DisplayZone;
use crate::output::navigator::NavigatorLayer;
use crate::output::{make_sink_with, OutputKind, PrinterOptions};
use crate::output::{Layout, Overview};
use crate::rules::registry;
use anyhow::{bail, Context, Result};
use std::io::IsTerminal;
use std::sync::atomic::Ordering;
use std::sync::Arc;

pub fn load_config(path: Option<&std::path::Path>) -> Result<Config> {
    match path {
        None => Ok(Config::default()),
        Some(p) => {
            config::load(p).map_err(|e| anyhow::Error::new(e).context("invalid configuration"))
        }
    }
}

/// The summary line of suppressed alerts, by reason (reasons come from the config and the
/// built-in catalogue, never from the logs).
fn suppressed_note(counts: &crate::tuning::SuppressedCounts, shown: bool) -> String {
    let total: u64 = counts.values().sum();
    let by_reason: Vec<String> = counts.iter().map(|(r, n)| format!("{n} {r}")).collect();
    let hint = if shown {
        "shown"
    } else {
        "hidden; --show-suppressed shows them"
    };
    format!("{total} suppressed ({hint}): {}", by_reason.join("; "))
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
    // Checked before reading anything: a typo in a zone must not cost a long scan.
    let zone = DisplayZone::named(&a.timezone)
        .map_err(anyhow::Error::msg)
        .context("--timezone")?;
    let cfg = load_config(a.config.as_deref())?;
    let selection = registry::build(&a.rules, &a.disable, &cfg)?;
    let rules_run: Vec<String> = selection.rules.iter().map(|r| r.id().to_string()).collect();
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
    let enabled_specs: Vec<crate::rules::catalogue::RuleSpec> =
        selection.rules.iter().map(|r| r.spec().clone()).collect();
    let enricher = crate::enrich::Enricher::from_lists(&cfg.lists)
        .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?
        .map(std::sync::Arc::new);
    let mut walk = input::walk_paths(&a.paths);
    let inputs = std::mem::take(&mut walk.inputs);
    let counters = Arc::new(ScanProgress::default());
    counters
        .files_found
        .store(inputs.len() as u64, Ordering::Relaxed);
    counters
        .disk_total
        .store(disk_size(&inputs), Ordering::Relaxed);
    let mut pipeline = pipeline_options(&a.read);
    // `--threads` bounds the steps after the scan as well as its workers.
    crate::cores::limit(a.read.threads);
    pipeline.progress = Some(counters.clone());
    let opts = ScanOptions {
        run_events: a.sort_budget,
        enricher,
        store: store.clone(),
        pipeline,
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
    let opts = ScanOptions {
        keep: if learn_only {
            Keep::Nothing
        } else {
            Keep::Everything
        },
        ..opts
    };
    let display = ProgressDisplay::start(a.read.progress, a.read.quiet, counters);
    let result = scan(inputs.clone(), selection.rules, &opts).context("scanning");
    display.finish();
    let mut result = result?;
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
    // Activity and next steps (SPEC §8): from the events the scan kept when it parsed every
    // record, else from a second read for the actors with alerts; it also gives each actor's
    // source-address runs, which link identity-less alerts to incidents. Tuning and incidents
    // need the runs but no activity: they run while the activity parts are worked out.
    let tuning = crate::tuning::Tuning::new(&cfg);
    let mut suppressed = Default::default();
    let mut incidents = Vec::new();
    let activity = gather_with(
        &inputs,
        result.kept.as_mut(),
        &mut result.alerts,
        &opts.pipeline,
        result.range,
        |alerts, address_runs| {
            // The alerts are final: mark known automation before the ledger records and
            // hides it.
            suppressed = tuning.apply(alerts);
            // Incidents group the tuned alerts: suppressed and likely-benign ones count for
            // less (SPEC §4), so tuning ran first.
            incidents = build_incidents(alerts, &cfg, store.as_ref(), address_runs);
        },
    )
    .context("gathering the alerts' activity")?;
    if activity.partial {
        result.summary.notes.push(
            "activity from standard input is partial: it cannot be read twice, so only the records the rules needed were seen".into(),
        );
    }
    let alerts = result.alerts;

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
        OutputFormat::Json => OutputKind::Json,
        OutputFormat::Ocsf => OutputKind::Ocsf,
        OutputFormat::Csv => OutputKind::Csv,
    };
    let layout = Layout {
        color,
        width: if a.wide {
            None
        } else {
            table_width(stdout.is_terminal())
        },
        incidents_only: a.incidents,
    };
    let sink_options = PrinterOptions { layout, zone };
    let report = ledger::report(
        &alerts,
        store.as_ref(),
        ReportOptions {
            new_only: a.new_only,
            show_suppressed: a.show_suppressed,
        },
    );
    // Written first, so that a reader closing stdout early (`| head`) still gets the layer.
    if let Some(path) = &a.navigator {
        let mut layer = NavigatorLayer::default();
        for alert in &report.shown {
            layer.add(alert);
        }
        layer.write(path)?;
    }
    let hidden_suppressed = alerts
        .iter()
        .filter(|x| x.suppressed)
        .count()
        .saturating_sub(report.shown.iter().filter(|x| x.suppressed).count())
        as u64;
    let written = if a.incidents && kind != OutputKind::Table {
        // Incidents of at least one shown alert, as JSON lines.
        let shown: std::collections::HashSet<&str> =
            report.shown.iter().map(|x| x.id.as_str()).collect();
        let list: Vec<&crate::incidents::Incident> = incidents
            .iter()
            .filter(|i| i.alerts.iter().any(|id| shown.contains(id.as_str())))
            .collect();
        let mut out = std::io::BufWriter::new(stdout.lock());
        crate::output::incident_json::write_incidents(&mut out, &list)
    } else {
        let mut sink = make_sink_with(kind, Box::new(stdout), sink_options);
        write_alerts(
            &mut sink,
            &report.shown,
            &Overview {
                incidents: &incidents,
                hidden_suppressed,
            },
        )
    };
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(0),
        Err(e) => return Err(e).context("writing alerts"),
        Ok(()) => {}
    }
    if let Some(st) = &store {
        st.lock()
            .unwrap_or_else(|p| p.into_inner())
            .commit()
            .context("committing the baseline store")?;
    }
    let mut summary = result.summary;
    summary.notes.insert(0, format!("{} alerts", alerts.len()));
    let specs: Vec<&crate::rules::catalogue::RuleSpec> = enabled_specs.iter().collect();
    summary.coverage_warnings =
        crate::coverage::warning::warnings(&summary.events_by_format, summary.unparsed, &specs);
    if !suppressed.is_empty() {
        summary
            .notes
            .insert(1, suppressed_note(&suppressed, a.show_suppressed));
    }
    if report.already_reported > 0 {
        summary.notes.insert(
            1,
            format!(
                "{} alerts already reported in an earlier run (--new-only)",
                report.already_reported
            ),
        );
    }
    let named_errors = super::normalize_cmd::absorb_walk(&mut summary, walk);
    if let Some(path) = &a.report {
        write_report(
            path,
            a,
            &summary,
            &named_errors,
            &rules_run,
            &incidents,
            &report.for_report(&alerts),
            zone,
        )?;
    }
    let code = super::normalize_cmd::finish_absorbed(summary, &named_errors, &a.read);
    let failed = a
        .fail_on
        .zip(report.worst)
        .is_some_and(|(threshold, worst)| worst >= Severity::from(threshold));
    // The process exits next (`scan` runs once per process): the alerts and their activity
    // are hundreds of thousands of small allocations (15,000 alerts at 1,000,000 events),
    // and freeing them one by one only delays the exit.
    std::mem::forget(alerts);
    std::mem::forget(incidents);
    Ok(if code != 0 {
        code
    } else if failed {
        1
    } else {
        0
    })
}

/// `--report FILE.html`: the page of this scan (`output::report`), with the summary as
/// stderr shows it, paths named on the command line that could not be read among its file
/// errors.
#[allow(clippy::too_many_arguments)]
fn write_report(
    path: &std::path::Path,
    a: &ScanArgs,
    summary: &crate::engine::Summary,
    named_errors: &[input::FileError],
    rules_run: &[String],
    incidents: &[crate::incidents::Incident],
    alerts: &[&crate::event::Alert],
    zone: DisplayZone,
) -> Result<()> {
    let mut summary = summary.clone();
    summary.file_errors.extend(named_errors.iter().cloned());
    crate::output::report::write(
        path,
        &crate::output::report::ReportInput {
            inputs: &a.paths,
            summary: &summary,
            rules_run,
            incidents,
            alerts,
            zone,
            generated: Some(crate::event::Timestamp::now()),
        },
    )
}

/// The on-disk bytes of the inputs, for the progress bar's total (stdin counts 0; a file
/// that cannot be stat'ed counts 0 and is reported when it is read).
fn disk_size(inputs: &[input::InputPath]) -> u64 {
    inputs
        .iter()
        .map(|i| match i {
            input::InputPath::File(p) => std::fs::metadata(p).map_or(0, |m| m.len()),
            input::InputPath::Stdin => 0,
        })
        .sum()
}

fn write_alerts(
    sink: &mut dyn crate::output::AlertSink,
    shown: &[&crate::event::Alert],
    overview: &Overview<'_>,
) -> std::io::Result<()> {
    sink.overview(overview)?;
    sink.alerts(shown)?;
    sink.finish()
}

/// Groups the final alerts into incidents (SPEC §4) and writes each alert's `incident`.
/// Address uses are the actors' source-address runs from the activity read, plus the alerts'
/// own sources (the only ones a `baseline learn` or an alert-less actor has).
fn build_incidents(
    alerts: &mut [crate::event::Alert],
    cfg: &Config,
    store: Option<&crate::state::SharedStore>,
    runs: &[crate::event::activity::AddressRun],
) -> Vec<crate::incidents::Incident> {
    use crate::enrich::ip::{is_public, parse_source_ip};
    use crate::incidents;
    let internal = &cfg.organisation.internal_cidrs;
    let facts = incidents::facts(alerts, internal);
    let mut uses = incidents::address::uses_from_alerts(alerts, &facts);
    uses.extend(runs.iter().filter_map(|r| {
        let ip = parse_source_ip(&r.ip)?;
        (is_public(ip) && !internal.iter().any(|c| c.contains(&ip))).then(|| {
            incidents::AddressUse {
                actor: r.actor.clone(),
                ip,
                first: r.first,
                last: r.last,
            }
        })
    }));
    match store {
        Some(st) => {
            let guard = crate::state::lock(st);
            incidents::assign(alerts, &facts, uses, Some(&*guard))
        }
        None => incidents::assign(alerts, &facts, uses, None),
    }
}

/// The table's width: `COLUMNS` when set (as shells export it), else the terminal's; `None`
/// (one line per row) when stdout is not a terminal, so pipes and files get whole rows.
fn table_width(stdout_is_terminal: bool) -> Option<usize> {
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
    {
        return Some(n);
    }
    if !stdout_is_terminal {
        return None;
    }
    terminal_size::terminal_size().map(|(w, _)| usize::from(w.0))
}
