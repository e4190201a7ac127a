//! `tripline normalize` and (for now) `tripline scan`: read, normalize, summarise.

use super::args::{NormalizeArgs, ReadArgs};
use crate::engine::{self, PipelineOptions, Summary};
use crate::input;
use crate::normalize::NormalizeOptions;
use anyhow::Result;
use std::io::Write;

pub fn pipeline_options(r: &ReadArgs) -> PipelineOptions {
    PipelineOptions {
        max_record: r.max_record_size,
        threads: r.threads,
        normalize: NormalizeOptions {
            format: r.format.log_format(),
            prefilter: None,
            ..NormalizeOptions::default()
        },
        ..PipelineOptions::default()
    }
}

pub fn finish(mut summary: Summary, file_errors: Vec<input::FileError>, r: &ReadArgs) -> i32 {
    summary.files += file_errors.len() as u64;
    summary.peak_rss_bytes = crate::engine::summary::peak_rss_bytes();
    summary.file_errors.splice(0..0, file_errors);
    if !r.quiet {
        eprint!("{summary}");
    }
    if r.strict && summary.has_problems() {
        if !r.quiet {
            eprintln!("tripline: --strict: records were skipped or files could not be read");
        }
        return 2;
    }
    0
}

pub fn normalize(a: &NormalizeArgs) -> Result<i32> {
    let (inputs, file_errors) = input::expand(&a.paths);
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
    Ok(finish(summary, file_errors, &a.read))
}
