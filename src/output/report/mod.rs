//! `--report FILE.html` (SPEC §8): one self-contained page — the scan summary, incidents
//! highest risk first with their story, reasons, stages and a timeline chart, the alerts with
//! evidence, fields, activity and next steps, and filters — that makes no request to any
//! network. Layout of this module, one concept per file:
//!
//! - `html.rs`: the only writer of markup; every string from outside is escaped there;
//! - `page.rs`: the document skeleton and its Content-Security-Policy (hashes of the inline
//!   `style.css` and `filter.js`);
//! - `summary.rs`, `filters.rs`, `incident.rs`, `alert.rs`, `activity.rs`: the sections;
//! - `timeline.rs`: an incident's inline SVG chart.
//!
//! `scan` calls [`write`]; `demo` can call it with its own scan's results.

mod activity;
mod alert;
mod filters;
mod html;
mod incident;
mod page;
mod summary;
#[cfg(test)]
mod tests;
mod timeline;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use anyhow::Context;

use crate::engine::Summary;
use crate::event::{Alert, Timestamp};
use crate::incidents::Incident;
use crate::output::display_time::DisplayZone;

pub use page::{content_security_policy, TITLE};

/// Everything a report shows. The caller decides which alerts: `scan` passes those it
/// prints plus the suppressed ones it hides (the report shows them collapsed, behind a
/// toggle).
pub struct ReportInput<'a> {
    /// The paths as named on the command line (`-` for standard input).
    pub inputs: &'a [String],
    /// What the run read and skipped, with the notes and coverage warnings it printed on
    /// stderr, and the event time range.
    pub summary: &'a Summary,
    /// Ids of the rules that ran.
    pub rules_run: &'a [String],
    /// Incidents, highest risk first (as `incidents::assign` returns them). Those with no
    /// alert among `alerts` are left out.
    pub incidents: &'a [Incident],
    /// The alerts, in the engine's order.
    pub alerts: &'a [&'a Alert],
    /// `--timezone`: the zone every time on the page is shown in.
    pub zone: DisplayZone,
    /// When the report was made (shown in the footer); `None` leaves it out, so tests get
    /// the same bytes every run.
    pub generated: Option<Timestamp>,
}

/// The alerts of one incident, and those in none, as the page lists them.
pub(crate) struct Grouped<'a> {
    pub incidents: Vec<(&'a Incident, Vec<&'a Alert>)>,
    pub unlinked: Vec<&'a Alert>,
}

fn group<'a>(r: &'a ReportInput<'a>) -> Grouped<'a> {
    let by_id: HashMap<&str, &Alert> = r.alerts.iter().map(|a| (a.id.as_str(), *a)).collect();
    let mut placed: HashSet<&str> = HashSet::new();
    let mut incidents: Vec<(&Incident, Vec<&Alert>)> = Vec::new();
    for inc in r.incidents {
        let members: Vec<&Alert> = inc
            .alerts
            .iter()
            .filter_map(|id| by_id.get(id.as_str()).copied())
            .collect();
        if members.is_empty() {
            continue;
        }
        placed.extend(members.iter().map(|a| a.id.as_str()));
        incidents.push((inc, members));
    }
    // Highest risk first whatever order the caller kept; ties by time, then id (stable).
    incidents.sort_by(|(a, _), (b, _)| {
        b.risk_score
            .cmp(&a.risk_score)
            .then(a.first_seen.cmp(&b.first_seen))
            .then(a.id.cmp(&b.id))
    });
    let unlinked = r
        .alerts
        .iter()
        .copied()
        .filter(|a| !placed.contains(a.id.as_str()))
        .collect();
    Grouped {
        incidents,
        unlinked,
    }
}

/// The page as a string.
pub fn render(r: &ReportInput<'_>) -> String {
    let grouped = group(r);
    let mut body = html::Html::new();
    body.append(summary::header(r, &grouped));
    body.markup("<main>\n");
    body.append(summary::summary(r, &grouped));
    body.append(filters::filters(r));
    body.append(incident::incidents(&grouped, r.zone));
    body.append(incident::unlinked(&grouped, r.zone));
    body.markup("</main>\n");
    body.append(summary::footer(r));
    page::page(body)
}

/// Writes the report to `path` (created or replaced), naming the file on error.
pub fn write(path: &Path, r: &ReportInput<'_>) -> anyhow::Result<()> {
    let text = render(r);
    std::fs::write(path, text)
        .with_context(|| format!("writing the HTML report {}", path.display()))
}
