//! `tripline normalize` and (for now) `tripline scan`: read, normalize, summarise.

use super::args::{NormalizeArgs, ReadArgs};
use crate::engine::{self, PipelineOptions, Summary};
use crate::input;
use crate::normalize::NormalizeOptions;
use crate::output::escape;
use anyhow::Result;
use std::io::Write;

pub fn pipeline_options(r: &ReadArgs) -> PipelineOptions {
    PipelineOptions {
        max_record: r.max_record_size,
        threads: r.threads,
        normalize: NormalizeOptions {
            format: r.format.log_format(),
            prefilter: None,
            csv_date_order: r.csv_date_order.forced(),
            ..NormalizeOptions::default()
        },
        ..PipelineOptions::default()
    }
}

/// Prints the run's summary and gives the exit status for what the run read (SPEC §1): 2 when
/// a path named on the command line does not exist or cannot be read (said on stderr even
/// with `--quiet`: a scheduled job must never mistake "I read nothing" for "nothing
/// happened"), 2 with `--strict` when records were skipped or files inside folders could not
/// be read (the reason also said with `--quiet`), else 0.
pub fn finish(mut summary: Summary, walk: input::Walk, r: &ReadArgs) -> i32 {
    let named_errors = absorb_walk(&mut summary, walk);
    finish_absorbed(summary, &named_errors, r)
}

/// Moves what the folder walk found (unreadable files inside folders, skipped FIFOs) into
/// the summary, so that it is complete before anyone shows it (stderr, the HTML report);
/// returns the unreadable paths named on the command line, which decide the exit status.
pub fn absorb_walk(summary: &mut Summary, walk: input::Walk) -> Vec<input::FileError> {
    let input::Walk {
        named_errors,
        errors,
        notes,
        ..
    } = walk;
    summary.files += (named_errors.len() + errors.len()) as u64;
    summary.peak_rss_bytes = crate::engine::summary::peak_rss_bytes();
    summary.file_errors.splice(0..0, errors);
    summary.notes.extend(notes);
    named_errors
}

/// [`finish`] for a summary that [`absorb_walk`] completed.
pub fn finish_absorbed(summary: Summary, named_errors: &[input::FileError], r: &ReadArgs) -> i32 {
    if !r.quiet {
        eprint!("{summary}");
    }
    let mut code = 0;
    for e in named_errors {
        eprintln!("tripline: error: {}", escape::terminal(&e.to_string()));
        code = 2;
    }
    if r.strict && summary.has_problems() {
        eprintln!("tripline: --strict: {}", summary.strict_reason());
        code = 2;
    }
    code
}

pub fn normalize(a: &NormalizeArgs) -> Result<i32> {
    let mut walk = input::walk_paths(&a.paths);
    let inputs = std::mem::take(&mut walk.inputs);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
    let mut write_error: Option<std::io::Error> = None;
    let summary = engine::run(
        inputs,
        &pipeline_options(&a.read),
        |events| {
            let mut buf = Vec::with_capacity(events.len() * 700);
            for e in &events {
                crate::output::event_json::write_event(e, &mut buf);
                buf.push(b'\n');
            }
            buf
        },
        |buf| {
            if write_error.is_none() {
                if let Err(e) = out.write_all(&buf) {
                    write_error = Some(e);
                }
            }
        },
    );
    if let Some(e) = write_error.or_else(|| out.flush().err()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(anyhow::anyhow!("writing standard output: {e}"));
        }
    }
    Ok(finish(summary, walk, &a.read))
}
