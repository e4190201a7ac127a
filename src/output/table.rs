//! `--output table`: the default, for a person at a terminal, in the spirit of Hayabusa's and
//! Chainsaw's tables. Column widths come from the content, so alerts are held until `finish`.
//!
//! Everything that came from a log (group values, fields, reasons, notes) goes through
//! `escape::terminal` before it is measured or printed: an identity such as "evil\x1b[2J" must
//! not clear the analyst's screen. The only escape sequences written are our own colours.

use std::io::{self, Write};

use serde_json::Value;

use super::display_time::DisplayZone;
use super::escape;
use super::sink::AlertSink;
use crate::event::{Alert, Severity};

struct Column {
    name: &'static str,
    /// Longer cells are cut to this many characters, ending in `…`.
    max: usize,
    right: bool,
}

const fn col(name: &'static str, max: usize, right: bool) -> Column {
    Column { name, max, right }
}

// Times with nanoseconds are 30 characters; the limits on the rest keep a row on a wide
// terminal with an assumed-role ARN in the group.
const COLUMNS: [Column; 8] = [
    col("TIME", 30, false),
    col("SEVERITY", 8, false),
    col("RISK", 4, true),
    col("RULE", 32, false),
    col("PROVIDER", 8, false),
    col("GROUP", 64, false),
    col("COUNT", 10, true),
    col("DETAILS", 100, false),
];
const SEVERITY: usize = 1;

/// Fields of the seed rule that repeat a column (time, provider, count, risk) or are too
/// long to help in a summary line. Fields equal to a group value are dropped as well.
const REPEATS_A_COLUMN: [&str; 6] = [
    "TimeGenerated",
    "CloudProvider",
    "FirstSeen",
    "LastSeen",
    "RiskScore",
    "DiscoveryCount",
];

/// Shorter labels for the seed's column names, so more of the API list fits.
const SHORT_LABELS: [(&str, &str); 2] = [("DistinctRegions", "Regions"), ("APIList", "APIs")];

struct Row {
    cells: [String; 8],
    severity: Severity,
    suppressed: bool,
}

pub struct TableSink<W: Write> {
    out: W,
    color: bool,
    /// `--timezone`: the zone the TIME column is shown in.
    zone: DisplayZone,
    rows: Vec<Row>,
}

impl<W: Write> TableSink<W> {
    pub fn new(out: W, color: bool) -> Self {
        TableSink {
            out,
            color,
            zone: DisplayZone::UTC,
            rows: Vec::new(),
        }
    }

    /// Shows times in `zone` instead of UTC.
    pub fn in_zone(mut self, zone: DisplayZone) -> Self {
        self.zone = zone;
        self
    }

    fn render(&self) -> String {
        if self.rows.is_empty() {
            return "No alerts.\n".to_string();
        }
        let widths: Vec<usize> = (0..COLUMNS.len())
            .map(|i| {
                self.rows
                    .iter()
                    .map(|r| width(&r.cells[i]))
                    .chain([COLUMNS[i].name.len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut text = line(&COLUMNS.map(|c| c.name.to_string()), &widths, None);
        for r in &self.rows {
            text += &line(&r.cells, &widths, self.color.then_some(r.severity));
        }
        text.push('\n');
        text += &summary(&self.rows);
        text.push('\n');
        text
    }
}

impl<W: Write> AlertSink for TableSink<W> {
    fn alert(&mut self, a: &Alert) -> io::Result<()> {
        let group = a
            .group
            .0
            .iter()
            .map(|(_, v)| plain(v))
            .collect::<Vec<_>>()
            .join(" / ");
        let cells = [
            self.zone.show(a.window_start),
            a.severity.as_str().to_string(),
            a.risk_score.to_string(),
            escape::terminal(&a.rule),
            a.provider.as_str().to_string(),
            if group.is_empty() {
                "-".to_string()
            } else {
                group
            },
            a.count.to_string(),
            details(a),
        ];
        let cells = cells
            .into_iter()
            .zip(&COLUMNS)
            .map(|(c, col)| truncate(c, col.max));
        let cells: [String; 8] = cells
            .collect::<Vec<_>>()
            .try_into()
            .expect("one cell per column");
        self.rows.push(Row {
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

/// One line of the table. The last column is not padded, so lines carry no trailing blanks.
fn line(cells: &[String; 8], widths: &[usize], color: Option<Severity>) -> String {
    let mut out = String::new();
    for (i, (cell, col)) in cells.iter().zip(&COLUMNS).enumerate() {
        if i > 0 {
            out.push_str("  ");
        }
        let w = if i + 1 == cells.len() { 0 } else { widths[i] };
        let padded = if col.right {
            format!("{cell:>w$}")
        } else {
            format!("{cell:<w$}")
        };
        match color.filter(|_| i == SEVERITY) {
            // Colour wraps the padding too, so the codes never shift the columns.
            Some(sev) => out.push_str(&format!("{}{padded}\x1b[0m", sgr(sev))),
            None => out.push_str(&padded),
        }
    }
    out.push('\n');
    out
}

fn sgr(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "\x1b[1;31m",
        Severity::High => "\x1b[31m",
        Severity::Medium => "\x1b[33m",
        Severity::Low => "\x1b[34m",
    }
}

/// `3 alerts (1 high, 2 low)`, most severe first.
fn summary(rows: &[Row]) -> String {
    let n = rows.len();
    let by_severity: Vec<String> = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ]
    .into_iter()
    .filter_map(|s| match rows.iter().filter(|r| r.severity == s).count() {
        0 => None,
        k => Some(format!("{k} {}", s.as_str())),
    })
    .collect();
    let mut text = format!(
        "{n} alert{} ({})",
        if n == 1 { "" } else { "s" },
        by_severity.join(", ")
    );
    let suppressed = rows.iter().filter(|r| r.suppressed).count();
    if suppressed > 0 {
        text += &format!(", {suppressed} suppressed");
    }
    text
}

/// A short, escaped summary of the rule's fields: markers first so truncation never hides
/// them, then scalars (`DistinctAPIs=6`), then lists (`APIs: A, B`), which are the longest.
fn details(a: &Alert) -> String {
    let mut parts = Vec::new();
    if a.suppressed {
        parts.push(match &a.reason {
            Some(r) => format!("(suppressed: {})", escape::terminal(r)),
            None => "(suppressed)".to_string(),
        });
    }
    parts.extend(a.notes.iter().map(|n| format!("({})", escape::terminal(n))));
    let mut lists = Vec::new();
    for (key, value) in &a.fields.0 {
        let in_group = a
            .group
            .0
            .iter()
            .any(|(_, g)| g == value && value.is_string());
        if in_group || REPEATS_A_COLUMN.contains(&key.as_str()) {
            continue;
        }
        let label = SHORT_LABELS
            .iter()
            .find(|(long, _)| long == key)
            .map_or(key.as_str(), |(_, short)| short);
        let label = escape::terminal(label);
        match value {
            Value::Null => {}
            Value::Array(items) if items.is_empty() => {}
            Value::Array(items) => lists.push(format!(
                "{label}: {}",
                items.iter().map(plain).collect::<Vec<_>>().join(", ")
            )),
            v => parts.push(format!("{label}={}", plain(v))),
        }
    }
    if !lists.is_empty() {
        parts.push(lists.join("; "));
    }
    parts.join(" ")
}

/// A value as a person reads it: strings without quotes, anything else as compact JSON.
fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => escape::terminal(s),
        other => escape::terminal(&other.to_string()),
    }
}

/// Display width, counted in characters: no crate for East Asian widths, and every value
/// has already been escaped, so no control character is counted.
fn width(s: &str) -> usize {
    s.chars().count()
}

fn truncate(s: String, max: usize) -> String {
    if width(&s) <= max {
        return s;
    }
    let mut cut: String = s.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::sink::tests::sample_alert;

    fn print(alerts: &[Alert], color: bool) -> String {
        let mut out = Vec::new();
        let mut sink = TableSink::new(&mut out, color);
        for a in alerts {
            sink.alert(a).unwrap();
        }
        sink.finish().unwrap();
        String::from_utf8(out).unwrap()
    }

    fn hostile() -> Alert {
        let mut a = sample_alert();
        a.severity = Severity::High;
        a.group.0[0].1 = "evil\u{1b}[2J".into();
        a.fields
            .push("UserAgent", "curl\u{1b}]0;pwned\u{7}\u{9b}31m");
        a.suppressed = true;
        a.reason = Some("ci\u{1b}[5m".into());
        a
    }

    #[test]
    fn empty_run() {
        assert_eq!(print(&[], false), "No alerts.\n");
        assert_eq!(print(&[], true), "No alerts.\n");
    }

    #[test]
    fn header_rows_and_summary() {
        let mut low2 = sample_alert();
        low2.rule = "x".into();
        let mut high = sample_alert();
        high.severity = Severity::High;
        let text = print(&[sample_alert(), high, low2], false);
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[0].starts_with("TIME                  SEVERITY  RISK  RULE"),
            "{text}"
        );
        assert_eq!(lines.len(), 6);
        assert_eq!(lines[4], "");
        assert_eq!(lines[5], "3 alerts (1 high, 2 low)");
        // Columns line up: the rule starts where its header does, in every row.
        let at = |l: &str, pat: &str| l.find(pat).map(|b| l[..b].chars().count());
        assert_eq!(at(lines[0], "RULE"), at(lines[1], "cloud-discovery-burst"));
        assert_eq!(at(lines[0], "DETAILS"), at(lines[3], "DistinctAPIs"));
        assert!(lines.iter().all(|l| !l.ends_with(' ')));
        assert!(lines[1].contains("arn:aws:iam::123456789012:user/alice / 123456789012"));
        assert!(
            lines[1].contains("  2024-05-06T10:00:00Z  ")
                || lines[1].starts_with("2024-05-06T10:00:00Z  ")
        );
    }

    #[test]
    fn details_skip_repeated_columns_and_shorten_labels() {
        let d = details(&sample_alert());
        assert!(
            d.starts_with("DistinctAPIs=6 Regions=2 APIs: DescribeInstances, ListBuckets, "),
            "{d}"
        );
        assert!(d.ends_with("; SourceIPs: 198.51.100.7"), "{d}");
        for gone in [
            "RiskScore",
            "TimeGenerated",
            "Identity",
            "AccountId",
            "DiscoveryCount",
            "FirstSeen",
        ] {
            assert!(!d.contains(&format!("{gone}=")), "{gone} in {d}");
        }
    }

    #[test]
    fn suppressed_alerts_say_why_first() {
        let mut a = sample_alert();
        a.suppressed = true;
        a.reason = Some("nightly terraform plan".into());
        assert!(details(&a).starts_with("(suppressed: nightly terraform plan) DistinctAPIs=6"));
        a.reason = None;
        assert!(details(&a).starts_with("(suppressed) "));
        assert!(print(&[a], false).ends_with("1 alert (1 low), 1 suppressed\n"));
    }

    #[test]
    fn log_values_cannot_emit_escape_sequences() {
        let text = print(&[hostile()], false);
        assert!(!text.contains('\u{1b}'), "{text:?}");
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{text:?}"
        );
        assert!(text.contains("evil\\u{1b}[2J / 123456789012"));
        assert!(text.contains("(suppressed: ci\\u{1b}[5m)"));
    }

    #[test]
    fn with_colour_only_our_sgr_codes_appear() {
        let mut crit = hostile();
        crit.severity = Severity::Critical;
        let mut medium = sample_alert();
        medium.severity = Severity::Medium;
        let alerts = [hostile(), crit, medium, sample_alert()];
        let text = print(&alerts, true);
        for code in [
            "\x1b[31mhigh    \x1b[0m",
            "\x1b[1;31mcritical\x1b[0m",
            "\x1b[33mmedium  \x1b[0m",
            "\x1b[34mlow     \x1b[0m",
        ] {
            assert!(text.contains(code), "{code:?} missing in {text:?}");
        }
        let mut rest = text.clone();
        for code in ["\x1b[1;31m", "\x1b[31m", "\x1b[33m", "\x1b[34m", "\x1b[0m"] {
            rest = rest.replace(code, "");
        }
        assert!(!rest.contains('\u{1b}'), "{rest:?}");
        // Colour wraps cells without shifting them.
        assert_eq!(rest, print(&alerts, false));
    }

    #[test]
    fn long_values_are_cut_by_characters() {
        assert_eq!(truncate("abcdef".into(), 6), "abcdef");
        assert_eq!(truncate("abcdefg".into(), 6), "abcde…");
        assert_eq!(truncate("ééééééé".into(), 4), "ééé…");

        let mut a = sample_alert();
        a.group.0[0].1 = format!(
            "arn:aws:sts::123456789012:assumed-role/{}/session",
            "r".repeat(200)
        )
        .into();
        let apis: Vec<String> = (0..50).map(|i| format!("DescribeThing{i}")).collect();
        a.fields.0.retain(|(k, _)| k != "APIList");
        a.fields.push("APIList", apis);
        let text = print(&[a], false);
        let row = text.lines().nth(1).unwrap();
        let cells: Vec<&str> = row
            .split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect();
        let group = cells.iter().find(|c| c.starts_with("arn:aws:sts")).unwrap();
        assert_eq!(width(group), 64);
        assert!(group.ends_with('…'));
        let details = cells.last().unwrap();
        assert_eq!(width(details), 100);
        assert!(details.ends_with('…'));
    }
}
