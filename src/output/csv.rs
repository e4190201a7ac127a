//! `--output csv`: one alert per row under a fixed header, RFC 4180 (comma-separated,
//! double-quoted where needed, CRLF line ends), for spreadsheets and ticket attachments.
//!
//! Columns are fixed (README, "Output formats") so a saved sheet or a script keeps working
//! when rules change: scalars as text, nested values (`attack`, `group`, `fields`,
//! `evidence`, `notes`, and `incident`, `activity`, `next_steps` once alerts carry them) as
//! compact JSON in their cell, an absent value as an empty cell. Times are RFC 3339 UTC,
//! as in the JSON outputs.
//!
//! Values are written exactly as logged, but for one change: a cell a spreadsheet would
//! read as a formula gets a `'` in front (`escape::csv_formula_guard`). Reading the file
//! back with a CSV reader gives every value again, less that `'`.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Serializer};
use serde_json::Value;

use super::escape::csv_formula_guard;
use super::jsonl::TerminalSafe;
use super::sink::AlertSink;
use crate::event::Alert;

/// The header, in order. Each name is the alert's JSON key the cell comes from.
pub const COLUMNS: [&str; 21] = [
    "id",
    "rule",
    "title",
    "severity",
    "risk_score",
    "provider",
    "attack",
    "group",
    "window_start",
    "window_end",
    "first_seen",
    "last_seen",
    "count",
    "suppressed",
    "reason",
    "notes",
    "fields",
    "evidence",
    "incident",
    "activity",
    "next_steps",
];

pub struct CsvSink<W: Write> {
    out: ::csv::Writer<W>,
    header_written: bool,
}

impl<W: Write> CsvSink<W> {
    pub fn new(out: W) -> Self {
        let out = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::CRLF)
            .from_writer(out);
        CsvSink {
            out,
            header_written: false,
        }
    }

    fn header(&mut self) -> io::Result<()> {
        if !self.header_written {
            self.out.write_record(COLUMNS)?;
            self.header_written = true;
        }
        Ok(())
    }
}

impl<W: Write> AlertSink for CsvSink<W> {
    fn alert(&mut self, a: &Alert) -> io::Result<()> {
        self.header()?;
        let printed = serde_json::to_value(a)?;
        let row: Vec<String> = COLUMNS
            .iter()
            .map(|k| cell(printed.get(*k)))
            .collect::<io::Result<_>>()?;
        self.out.write_record(&row)?;
        // A row at a time, as JSON lines does a line: `watch` and pipes see it when raised.
        self.out.flush()
    }

    /// The header is written even when no alert fired, so an empty result is still a
    /// well-formed sheet with its columns.
    fn finish(&mut self) -> io::Result<()> {
        self.header()?;
        self.out.flush()
    }
}

/// One cell: strings as they are (formula-guarded), numbers and booleans as JSON writes
/// them, arrays and objects as compact JSON, absent or null as empty.
fn cell(v: Option<&Value>) -> io::Result<String> {
    Ok(match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => csv_formula_guard(s).into_owned(),
        Some(v @ (Value::Number(_) | Value::Bool(_))) => v.to_string(),
        Some(v) => {
            // The terminal-safe formatter, as for JSON lines: invisible characters inside
            // the JSON become `\u` escapes, which decode to the same value.
            let mut json = Vec::new();
            v.serialize(&mut Serializer::with_formatter(
                &mut json,
                TerminalSafe(CompactFormatter),
            ))?;
            let json = String::from_utf8(json).map_err(io::Error::other)?;
            // JSON text starts with `[` or `{`, so this never adds a quote; it is kept so
            // that no cell bypasses the guard.
            csv_formula_guard(&json).into_owned()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::sink::tests::{sample_alert, Shared};

    fn print(alerts: &[Alert]) -> String {
        let buf = Shared::default();
        let mut sink = CsvSink::new(buf.clone());
        for a in alerts {
            sink.alert(a).unwrap();
        }
        sink.finish().unwrap();
        buf.text()
    }

    fn read(text: &str) -> Vec<::csv::StringRecord> {
        ::csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap())
            .collect()
    }

    #[test]
    fn no_alert_is_a_header_alone() {
        assert_eq!(print(&[]), format!("{}\r\n", COLUMNS.join(",")));
    }

    #[test]
    fn a_row_holds_every_column_and_nested_values_as_json() {
        let a = sample_alert();
        let rows = read(&print(std::slice::from_ref(&a)));
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].iter().collect::<Vec<_>>(), COLUMNS);
        let row = &rows[1];
        let col = |name: &str| &row[COLUMNS.iter().position(|c| *c == name).unwrap()];
        assert_eq!(col("id"), a.id);
        assert_eq!(col("risk_score"), "50");
        assert_eq!(col("suppressed"), "false");
        assert_eq!(col("window_start"), "2024-05-06T10:00:00Z");
        assert_eq!(col("reason"), "");
        assert_eq!(col("incident"), "", "absent until alerts carry it");
        let fields: Value = serde_json::from_str(col("fields")).unwrap();
        assert_eq!(fields, serde_json::to_value(&a.fields).unwrap());
        let attack: Value = serde_json::from_str(col("attack")).unwrap();
        assert_eq!(attack, serde_json::json!(["T1580"]));
    }

    #[test]
    fn would_be_formulas_get_a_quote_and_nothing_else_changes() {
        let hostile = [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+1",
            "-1+2",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "\u{7}=1+1",
            "\u{1b}[2J@x",
            "a=1",
            "line\nbreak, \"quoted\"",
            "\u{202e}gpj.exe",
        ];
        let mut alerts = Vec::new();
        for h in hostile {
            let mut a = sample_alert();
            a.rule = h.to_string();
            alerts.push(a);
        }
        let rows = read(&print(&alerts));
        for (row, h) in rows[1..].iter().zip(hostile) {
            let got = &row[1];
            let formula = matches!(
                h.trim_start_matches(|c: char| c.is_control() && c != '\t' && c != '\r')
                    .chars()
                    .next(),
                Some('=' | '+' | '-' | '@' | '\t' | '\r')
            );
            if formula {
                assert_eq!(got, format!("'{h}"), "{h:?}");
            } else {
                assert_eq!(got, h, "{h:?}");
            }
        }
    }
}
