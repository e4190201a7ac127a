//! `--output table`: the default, for a person at a terminal, in the spirit of Hayabusa's and
//! Chainsaw's tables, laid out for triage (issue 11, point 5):
//!
//! - incidents first, highest risk first, each with its risk reasons, stages and story, and
//!   its alerts under it; then a summary (incidents, alerts by rule and severity, suppressed);
//! - TIME is the alert's first event (`first_seen`) for every rule;
//! - lines fit the terminal width ([`Layout::width`]: `COLUMNS`, else the terminal's), by
//!   wrapping, never by cutting: the DETAILS cell puts the decisive facts first (see
//!   `output::details`) and only long non-decisive lists are shortened, saying how much;
//!   without a width (`--wide`, or output that is not a terminal) every row is one line and
//!   nothing is shortened.
//!
//! Everything that came from a log (group values, fields, reasons, notes, actors, stories)
//! goes through `escape::terminal` before it is measured or printed: an identity such as
//! "evil\x1b[2J" must not clear the analyst's screen. The only escape sequences written are
//! our own colours.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};

use super::details::{details, plain};
use super::display_time::DisplayZone;
use super::escape;
use super::sink::{AlertSink, Overview};
use super::wrap::{width, wrap};
use crate::event::{Alert, Severity};
use crate::incidents::{ActorType, Incident};

/// How the table is laid out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    /// Colour the severities (a terminal, or `CLICOLOR_FORCE`).
    pub color: bool,
    /// Fit lines to this many columns; `None`: one line per row, nothing shortened.
    pub width: Option<usize>,
    /// `--incidents`: the incidents and the summary, without their alert rows.
    pub incidents_only: bool,
}

/// Narrower than this, a terminal gets lines cut by characters as a last resort.
const MIN_WIDTH: usize = 20;
/// Rows are indented under their incident's header.
const INDENT: &str = "  ";
/// Continuation lines of a stacked row (narrow terminals).
const STACK_INDENT: &str = "      ";
/// Below this many columns for GROUP and DETAILS side by side, a row is stacked: its short
/// columns on one line, then the group, then the details, each wrapped to the full width.
const SIDE_BY_SIDE_MIN: usize = 60;

const HEADERS: [&str; 7] = [
    "TIME", "SEVERITY", "RISK", "RULE", "COUNT", "GROUP", "DETAILS",
];
/// Columns that never wrap: TIME, SEVERITY, RISK, RULE, COUNT.
const SHORT: usize = 5;
const RIGHT_ALIGNED: [bool; SHORT] = [false, false, true, false, true];

struct Row {
    id: String,
    incident: Option<String>,
    rule: String,
    /// TIME, SEVERITY, RISK, RULE, COUNT, GROUP, DETAILS, escaped.
    cells: [String; 7],
    severity: Severity,
    suppressed: bool,
}

pub struct TableSink<W: Write> {
    out: W,
    /// `--timezone`: the zone the TIME column is shown in.
    zone: DisplayZone,
    layout: Layout,
    rows: Vec<Row>,
    incidents: Vec<Incident>,
    hidden_suppressed: u64,
}

impl<W: Write> TableSink<W> {
    pub fn new(out: W, layout: Layout) -> Self {
        TableSink {
            out,
            zone: DisplayZone::UTC,
            layout,
            rows: Vec::new(),
            incidents: Vec::new(),
            hidden_suppressed: 0,
        }
    }

    /// Shows times in `zone` instead of UTC.
    pub fn in_zone(mut self, zone: DisplayZone) -> Self {
        self.zone = zone;
        self
    }

    fn width(&self) -> Option<usize> {
        self.layout.width.map(|w| w.max(MIN_WIDTH))
    }

    fn render(&self) -> String {
        if self.rows.is_empty() {
            return match self.hidden_suppressed {
                0 => "No alerts.\n".to_string(),
                n => format!("No alerts shown; {n} suppressed (--show-suppressed shows them).\n"),
            };
        }
        let widths = self.short_widths();
        let mut text = String::new();
        let mut placed = vec![false; self.rows.len()];
        let row_of: HashMap<&str, usize> = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.as_str(), i))
            .collect();
        for inc in &self.incidents {
            let members: Vec<usize> = inc
                .alerts
                .iter()
                .filter_map(|id| row_of.get(id.as_str()).copied())
                .filter(|&i| self.rows[i].incident.as_deref() == Some(inc.id.as_str()))
                .collect();
            if members.is_empty() {
                continue; // every alert of it is hidden (suppressed, or --new-only)
            }
            text += &self.incident_header(inc, members.len());
            if !self.layout.incidents_only {
                text += &self.rows_text(&members, &widths);
            }
            text.push('\n');
            for i in members {
                placed[i] = true;
            }
        }
        // Alerts outside any incident shown (incidents not built): one plain table.
        let rest: Vec<usize> = (0..self.rows.len()).filter(|&i| !placed[i]).collect();
        if !rest.is_empty() && !self.layout.incidents_only {
            text += &self.rows_text(&rest, &widths);
            text.push('\n');
        }
        text += &self.summary();
        self.fit(&text)
    }

    /// Widths of the short columns, from every row (so incidents line up with each other).
    fn short_widths(&self) -> [usize; SHORT] {
        std::array::from_fn(|i| {
            self.rows
                .iter()
                .map(|r| width(&r.cells[i]))
                .chain([HEADERS[i].len()])
                .max()
                .unwrap_or(0)
        })
    }

    fn incident_header(&self, inc: &Incident, shown: usize) -> String {
        let sev = pad(inc.severity.as_str().to_uppercase(), 8, false);
        let sev = self.paint(inc.severity, sev);
        let kind = match inc.actor_type {
            ActorType::Identity => "",
            ActorType::SourceIp => " (source address; no identity seen using it)",
        };
        let mut out = self.para(
            "",
            &format!(
                "INCIDENT {sev} {:>3}  {}{kind}",
                inc.risk_score,
                escape::terminal(&inc.actor)
            ),
        );
        let others = if inc.other_actors.is_empty() {
            String::new()
        } else {
            let names: Vec<String> = inc
                .other_actors
                .iter()
                .map(|a| escape::terminal(a))
                .collect();
            format!("  with {}", names.join(", "))
        };
        let hidden = inc.alerts.len() - shown;
        let count = if hidden > 0 {
            format!("{} alerts ({hidden} hidden)", inc.alerts.len())
        } else {
            plural(inc.alerts.len(), "alert")
        };
        out += &self.para(
            INDENT,
            &format!(
                "id {}  {} .. {}  {count}{others}",
                inc.id, inc.first_seen, inc.last_seen
            ),
        );
        let stages: Vec<&str> = inc.stages.iter().map(|s| s.label()).collect();
        out += &self.para(INDENT, &format!("stages: {}", stages.join(", ")));
        let reasons: Vec<String> = inc
            .reasons
            .iter()
            .map(|r| format!("{:+} {}", r.points, escape::terminal(&r.reason)))
            .collect();
        out += &self.para(INDENT, &format!("risk: {}", reasons.join("; ")));
        out += &self.para(INDENT, &format!("story: {}", escape::terminal(&inc.story)));
        out
    }

    /// One line of text after `indent`, wrapped to the width with continuation lines
    /// indented further; one line as it is without a width.
    fn para(&self, indent: &str, text: &str) -> String {
        let Some(total) = self.width() else {
            return format!("{indent}{text}\n");
        };
        let mut out = String::new();
        // Colour codes (the severity) are not visible: measure without them.
        let room = total.saturating_sub(STACK_INDENT.len());
        if visible_width(text) + indent.len() <= total {
            return format!("{indent}{text}\n");
        }
        let plain_text = strip_sgr(text);
        for (i, l) in wrap(&plain_text, room).into_iter().enumerate() {
            out += if i == 0 { indent } else { STACK_INDENT };
            out += &l;
            out.push('\n');
        }
        out
    }

    /// The header line and the rows `members`, laid out for the width.
    fn rows_text(&self, members: &[usize], w: &[usize; SHORT]) -> String {
        let short_total: usize = w.iter().sum::<usize>() + 2 * SHORT;
        let fixed = INDENT.len() + short_total;
        let mut out = String::new();
        match self.width() {
            None => {
                let g = members
                    .iter()
                    .map(|&i| width(&self.rows[i].cells[5]))
                    .chain([HEADERS[5].len()])
                    .max()
                    .unwrap_or(0);
                out += &self.header_line(w, Some(g));
                for &i in members {
                    let r = &self.rows[i];
                    out += &format!(
                        "{}{}  {}\n",
                        self.short_cells(r, w),
                        pad(r.cells[5].clone(), g, false),
                        r.cells[6]
                    );
                }
            }
            Some(total) if total >= fixed + SIDE_BY_SIDE_MIN => {
                let room = total - fixed - 2;
                let longest = members
                    .iter()
                    .map(|&i| width(&self.rows[i].cells[5]))
                    .chain([HEADERS[5].len()])
                    .max()
                    .unwrap_or(0);
                let g = longest.min((room * 2 / 5).max(20));
                let d = room - g;
                out += &self.header_line(w, Some(g));
                let blank = " ".repeat(fixed);
                for &i in members {
                    let r = &self.rows[i];
                    let group = wrap(&r.cells[5], g);
                    let det = wrap(&r.cells[6], d);
                    for k in 0..group.len().max(det.len()) {
                        let left = if k == 0 {
                            self.short_cells(r, w)
                        } else {
                            blank.clone()
                        };
                        let gc = pad(group.get(k).cloned().unwrap_or_default(), g, false);
                        let line = format!("{left}{gc}  {}", det.get(k).map_or("", |s| s.as_str()));
                        out += line.trim_end();
                        out.push('\n');
                    }
                }
            }
            Some(total) => {
                out += &self.header_line(w, None);
                let room = total.saturating_sub(STACK_INDENT.len());
                for &i in members {
                    let r = &self.rows[i];
                    out += self.short_cells(r, w).trim_end();
                    out.push('\n');
                    for cell in [&r.cells[5], &r.cells[6]] {
                        if cell.is_empty() {
                            continue;
                        }
                        for l in wrap(cell, room) {
                            out += &format!("{STACK_INDENT}{l}\n");
                        }
                    }
                }
            }
        }
        out
    }

    /// `  TIME  SEVERITY  RISK  RULE  COUNT  GROUP  DETAILS`; stacked rows (`group` None)
    /// name GROUP and DETAILS on a line of their own.
    fn header_line(&self, w: &[usize; SHORT], group: Option<usize>) -> String {
        let short: String = (0..SHORT)
            .map(|i| pad(HEADERS[i].to_string(), w[i], RIGHT_ALIGNED[i]) + "  ")
            .collect();
        match group {
            Some(g) => format!(
                "{INDENT}{short}{}  DETAILS\n",
                pad("GROUP".into(), g, false)
            ),
            None => format!(
                "{INDENT}{}\n{STACK_INDENT}GROUP, then DETAILS\n",
                short.trim_end()
            ),
        }
    }

    fn short_cells(&self, r: &Row, w: &[usize; SHORT]) -> String {
        let mut s = String::from(INDENT);
        for i in 0..SHORT {
            let cell = pad(r.cells[i].clone(), w[i], RIGHT_ALIGNED[i]);
            if i == 1 {
                s += &self.paint(r.severity, cell);
            } else {
                s += &cell;
            }
            s += "  ";
        }
        s
    }

    /// Colour wraps the padding too, so the codes never shift the columns.
    fn paint(&self, s: Severity, text: String) -> String {
        if self.layout.color {
            format!("{}{text}\x1b[0m", sgr(s))
        } else {
            text
        }
    }

    /// The last resort on terminals narrower than the short columns: lines longer than the
    /// width are cut into pieces by characters (colour codes do not count), never dropped.
    fn fit(&self, text: &str) -> String {
        let Some(total) = self.width() else {
            return text.to_string();
        };
        let mut out = String::with_capacity(text.len());
        for line in text.lines() {
            if visible_width(line) <= total {
                out += line;
                out.push('\n');
                continue;
            }
            let plain_line = strip_sgr(line);
            let chars: Vec<char> = plain_line.chars().collect();
            for piece in chars.chunks(total) {
                out.extend(piece);
                out.push('\n');
            }
        }
        out
    }

    fn summary(&self) -> String {
        let shown = self.rows.len();
        let mut incidents: Vec<&Incident> = Vec::new();
        for inc in &self.incidents {
            if self
                .rows
                .iter()
                .any(|r| r.incident.as_deref() == Some(inc.id.as_str()))
            {
                incidents.push(inc);
            }
        }
        let mut text = String::new();
        if !self.incidents.is_empty() {
            let by: Vec<Severity> = incidents.iter().map(|i| i.severity).collect();
            text += &format!(
                "{} ({})\n",
                plural(incidents.len(), "incident"),
                by_severity(&by)
            );
        }
        let sev: Vec<Severity> = self.rows.iter().map(|r| r.severity).collect();
        text += &format!("{} ({})", plural(shown, "alert"), by_severity(&sev));
        let suppressed_shown = self.rows.iter().filter(|r| r.suppressed).count() as u64;
        if suppressed_shown + self.hidden_suppressed > 0 {
            text += &format!(", {} suppressed", suppressed_shown + self.hidden_suppressed);
            if self.hidden_suppressed > 0 {
                text += &format!(
                    " ({} hidden; --show-suppressed shows them)",
                    self.hidden_suppressed
                );
            }
        }
        text.push('\n');
        let mut rules: BTreeMap<&str, Vec<Severity>> = BTreeMap::new();
        for r in &self.rows {
            rules.entry(r.rule.as_str()).or_default().push(r.severity);
        }
        if rules.len() > 1 || !self.incidents.is_empty() {
            let w = rules.keys().map(|k| width(k)).max().unwrap_or(0);
            for (rule, sevs) in &rules {
                text += &format!(
                    "{INDENT}{}  {:>4}  ({})\n",
                    pad(escape::terminal(rule), w, false),
                    sevs.len(),
                    by_severity(sevs)
                );
            }
        }
        text
    }
}

impl<W: Write> AlertSink for TableSink<W> {
    fn overview(&mut self, o: &Overview<'_>) -> io::Result<()> {
        self.incidents = o.incidents.to_vec();
        self.hidden_suppressed = o.hidden_suppressed;
        Ok(())
    }

    fn alert(&mut self, a: &Alert) -> io::Result<()> {
        let group = a
            .group
            .0
            .iter()
            .map(|(_, v)| plain(v))
            .collect::<Vec<_>>()
            .join(" / ");
        let cells = [
            self.zone.show(a.first_seen),
            a.severity.as_str().to_string(),
            a.risk_score.to_string(),
            escape::terminal(&a.rule),
            a.count.to_string(),
            if group.is_empty() {
                "-".to_string()
            } else {
                group
            },
            details(a, self.layout.width.is_none()),
        ];
        self.rows.push(Row {
            id: a.id.clone(),
            incident: a.incident.clone(),
            rule: a.rule.clone(),
            cells,
            severity: a.severity,
            suppressed: a.suppressed,
        });
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        let text = self.render();
        self.rows.clear();
        self.out.write_all(text.as_bytes())?;
        self.out.flush()
    }
}

fn pad(s: String, w: usize, right: bool) -> String {
    let n = width(&s);
    if n >= w {
        return s;
    }
    let fill = " ".repeat(w - n);
    if right {
        fill + &s
    } else {
        s + &fill
    }
}

fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// `1 critical, 2 low`, most severe first.
fn by_severity(s: &[Severity]) -> String {
    [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ]
    .into_iter()
    .filter_map(|sev| match s.iter().filter(|x| **x == sev).count() {
        0 => None,
        k => Some(format!("{k} {}", sev.as_str())),
    })
    .collect::<Vec<_>>()
    .join(", ")
}

fn sgr(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "\x1b[1;31m",
        Severity::High => "\x1b[31m",
        Severity::Medium => "\x1b[33m",
        Severity::Low => "\x1b[34m",
    }
}

const SGR_CODES: [&str; 5] = ["\x1b[1;31m", "\x1b[31m", "\x1b[33m", "\x1b[34m", "\x1b[0m"];

fn strip_sgr(s: &str) -> String {
    let mut out = s.to_string();
    for code in SGR_CODES {
        out = out.replace(code, "");
    }
    out
}

fn visible_width(s: &str) -> usize {
    width(&strip_sgr(s))
}

#[cfg(test)]
mod tests;
