//! The printers `--output` names, built behind one [`AlertSink`] (see `sink.rs`).

use std::io::{BufWriter, Write};

use super::display_time::DisplayZone;
use super::sink::AlertSink;
use super::table::Layout;
use super::{csv::CsvSink, json::JsonSink, jsonl::JsonlSink, ocsf::OcsfSink, table::TableSink};

/// The printers that `make_sink` can build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputKind {
    Table,
    Jsonl,
    Json,
    Ocsf,
    Csv,
}

/// How the printers present what they print; only the table reads these today.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PrinterOptions {
    /// The table's colour, width and content (never JSON, OCSF or CSV: those are for
    /// machines).
    pub layout: Layout,
    /// `--timezone`: the zone the table shows times in. JSON, OCSF and CSV stay UTC.
    pub zone: DisplayZone,
}

/// Builds the printer for `format` writing to `out`. `layout` (colour, width) only affects
/// the table; JSON output is for machines and never carries colour codes.
pub fn make_sink(
    format: OutputKind,
    out: Box<dyn Write + Send>,
    layout: Layout,
) -> Box<dyn AlertSink> {
    make_sink_with(
        format,
        out,
        PrinterOptions {
            layout,
            ..PrinterOptions::default()
        },
    )
}

/// `make_sink` with every presentation option.
pub fn make_sink_with(
    format: OutputKind,
    out: Box<dyn Write + Send>,
    options: PrinterOptions,
) -> Box<dyn AlertSink> {
    // Sinks flush when output must be visible (each JSON line, `finish`), so a buffer is safe
    // and spares a write syscall per line on stdout.
    let out = BufWriter::new(out);
    match format {
        OutputKind::Table => Box::new(TableSink::new(out, options.layout).in_zone(options.zone)),
        OutputKind::Jsonl => Box::new(JsonlSink::new(out)),
        OutputKind::Json => Box::new(JsonSink::new(out)),
        OutputKind::Ocsf => Box::new(OcsfSink::new(out)),
        OutputKind::Csv => Box::new(CsvSink::new(out)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Alert;
    use crate::output::sink::tests::{sample_alert, Shared};

    fn run(kind: OutputKind, alerts: &[Alert]) -> String {
        let buf = Shared::default();
        let mut sink = make_sink(kind, Box::new(buf.clone()), Layout::default());
        for a in alerts {
            sink.alert(a).unwrap();
        }
        sink.finish().unwrap();
        buf.text()
    }

    #[test]
    fn every_kind_prints_through_the_boxed_sink() {
        let a = sample_alert();
        let a2 = a.clone();
        assert!(run(OutputKind::Table, std::slice::from_ref(&a)).contains("cloud-discovery-burst"));
        assert_eq!(
            run(OutputKind::Jsonl, std::slice::from_ref(&a))
                .lines()
                .count(),
            1
        );
        assert!(run(OutputKind::Json, &[a]).starts_with("[\n"));
        assert_eq!(run(OutputKind::Json, &[]), "[]\n");
        assert_eq!(run(OutputKind::Table, &[]), "No alerts.\n");
        assert_eq!(
            run(OutputKind::Ocsf, std::slice::from_ref(&a2))
                .lines()
                .count(),
            1
        );
        assert_eq!(run(OutputKind::Csv, &[a2]).lines().count(), 2);
    }
}
