//! What a run read and skipped: printed on stderr after `scan` and `normalize`.

use crate::coverage::CoverageWarning;
use crate::event::{BadReason, BadRecord, LogFormat};
use crate::input::FileError;
use std::collections::BTreeMap;
use std::fmt;

/// How many origins of each skip reason the summary names.
const FIRST_ORIGINS: usize = 3;
/// How many unreadable files the summary names before counting the rest.
const MAX_FILE_ERRORS: usize = 10;

#[derive(Default, Debug, Clone)]
pub struct Summary {
    pub files: u64,
    pub bytes: u64,
    pub records: u64,
    pub events: u64,
    pub events_by_format: BTreeMap<LogFormat, u64>,
    /// Records the prefilter skipped unparsed (no enabled rule needs them): CloudTrail was
    /// read even when `events_by_format` counts none.
    pub unparsed: u64,
    /// Enabled rules that could not have fired for lack of every log they read; printed as
    /// one `coverage:` line (`scan` fills it, `--report` shows it).
    pub coverage_warnings: Vec<CoverageWarning>,
    pub bad: BTreeMap<BadReason, (u64, Vec<String>)>,
    pub file_errors: Vec<FileError>,
    pub seconds: f64,
    /// Free-form lines other stages add (duplicates dropped, rules learning, ...).
    pub notes: Vec<String>,
    /// Peak resident memory of the process, when the platform tells (Linux).
    pub peak_rss_bytes: Option<u64>,
    /// The oldest and newest event time read (`scan`), for the HTML report's summary; the
    /// stderr summary says the same in a note.
    pub time_range: Option<(crate::event::Timestamp, crate::event::Timestamp)>,
}

/// Peak resident set size of this process (`VmHWM`), Linux only.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

impl Summary {
    pub fn add_bad(&mut self, b: &BadRecord) {
        let entry = self.bad.entry(b.reason.clone()).or_default();
        entry.0 += 1;
        if entry.1.len() < FIRST_ORIGINS {
            entry.1.push(format!("{} ({})", b.origin, b.detail));
        }
    }
    pub fn bad_total(&self) -> u64 {
        self.bad.values().map(|(n, _)| n).sum()
    }
    /// Why `--strict` fails this run, in one line: printed even with `--quiet`, so that a
    /// scheduled job's log says what went wrong, not only that something did.
    pub fn strict_reason(&self) -> String {
        let skipped: u64 = self
            .bad
            .iter()
            .filter(|(r, _)| **r != BadReason::Duplicate)
            .map(|(_, (n, _))| n)
            .sum();
        let mut parts = Vec::new();
        if skipped > 0 {
            let first = self
                .bad
                .iter()
                .filter(|(r, _)| **r != BadReason::Duplicate)
                .find_map(|(r, (_, firsts))| Some(format!("{}: {}", r.as_str(), firsts.first()?)));
            let first = first.map_or(String::new(), |f| format!(" (first: {f})"));
            parts.push(format!("{skipped} records skipped{first}"));
        }
        if let Some(e) = self.file_errors.first() {
            parts.push(format!(
                "{} file errors (first: {e})",
                self.file_errors.len()
            ));
        }
        crate::output::escape::terminal(&parts.join("; "))
    }

    /// Any skipped record or unreadable file: what `--strict` turns into exit 2.
    pub fn has_problems(&self) -> bool {
        self.bad
            .iter()
            .any(|(r, (n, _))| *r != BadReason::Duplicate && *n > 0)
            || !self.file_errors.is_empty()
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mb = self.bytes as f64 / 1e6;
        write!(
            f,
            "tripline: {} files, {:.1} MB, {} records, {} events",
            self.files, mb, self.records, self.events
        )?;
        if self.seconds > 0.0 {
            write!(
                f,
                " in {:.2}s ({:.0} MB/s, {:.0} events/s)",
                self.seconds,
                mb / self.seconds,
                self.events as f64 / self.seconds
            )?;
        }
        if let Some(rss) = self.peak_rss_bytes {
            write!(f, ", peak memory {:.0} MB", rss as f64 / 1e6)?;
        }
        writeln!(f)?;
        for (fmt_, n) in &self.events_by_format {
            writeln!(f, "  {:<16} {n} events", fmt_.as_str())?;
        }
        for (reason, (n, firsts)) in &self.bad {
            writeln!(f, "  skipped {n} records: {}", reason.as_str())?;
            for o in firsts {
                writeln!(f, "    {}", crate::output::escape::terminal(o))?;
            }
        }
        for e in self.file_errors.iter().take(MAX_FILE_ERRORS) {
            writeln!(
                f,
                "  file error: {}",
                crate::output::escape::terminal(&e.to_string())
            )?;
        }
        if self.file_errors.len() > MAX_FILE_ERRORS {
            writeln!(
                f,
                "  ... and {} more file errors",
                self.file_errors.len() - MAX_FILE_ERRORS
            )?;
        }
        // Rule ids and format names only: nothing from a log.
        if let Some(line) = crate::coverage::warning::line(&self.coverage_warnings) {
            writeln!(f, "  {line}")?;
        }
        // Notes may quote file names and log values.
        for n in &self.notes {
            writeln!(f, "  {}", crate::output::escape::terminal(n))?;
        }
        Ok(())
    }
}
