//! `tripline coverage`: read the inputs through the normal pipeline, tally what they hold,
//! and print it with the blind spots (`crate::coverage`).

use super::args::{CoverageArgs, CoverageOutput};
use super::normalize_cmd::{finish, pipeline_options};
use super::scan_cmd::load_config;
use crate::coverage::{render, Report, Tally};
use crate::engine;
use crate::input;
use crate::rules::catalogue::catalogue;
use anyhow::{Context, Result};

pub fn coverage(a: &CoverageArgs) -> Result<i32> {
    let cfg = load_config(a.config.as_deref())?;
    let mut walk = input::walk_paths(&a.paths);
    let inputs = std::mem::take(&mut walk.inputs);
    let mut tally = Tally::default();
    // Each worker tallies its batch; merging is order-free, so the sink only adds up.
    let summary = engine::run(
        inputs,
        &pipeline_options(&a.read),
        |events| {
            let mut t = Tally::default();
            events.iter().for_each(|e| t.add(e));
            t
        },
        |t| tally.merge(t),
    );
    // Every rule of the catalogue that runs: what a gap silences does not depend on
    // `--rules` (a coverage report is about the logs, not one scan's selection).
    let rules: Vec<_> = catalogue().into_iter().filter(|r| r.implemented).collect();
    let report = Report::new(tally, &cfg.organisation.regions, &rules);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = match a.output {
        CoverageOutput::Table => render::write_table(&mut out, &report),
        CoverageOutput::Json => render::write_json(&mut out, &report),
    }
    .and_then(|()| std::io::Write::flush(&mut out));
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(0),
        other => other.context("writing the coverage report")?,
    }
    Ok(finish(summary, walk, &a.read))
}
