//! The printers `--output` names, built behind one [`AlertSink`] (see `sink.rs`).

use std::io::{BufWriter, Write};

use super::sink::AlertSink;
use super::table::Layout;
use super::{json::JsonSink, jsonl::JsonlSink, table::TableSink};

/// The printers that `make_sink` can build.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputKind {
    Table,
    Jsonl,
    Json,
}

/// Builds the printer for `format` writing to `out`. `layout` (colour, width) only affects
/// the table; JSON output is for machines and never carries colour codes.
pub fn make_sink(
    format: OutputKind,
    out: Box<dyn Write + Send>,
    layout: Layout,
) -> Box<dyn AlertSink> {
    // Sinks flush when output must be visible (each JSON line, `finish`), so a buffer is safe
    // and spares a write syscall per line on stdout.
    let out = BufWriter::new(out);
    match format {
        OutputKind::Table => Box::new(TableSink::new(out, layout)),
        OutputKind::Jsonl => Box::new(JsonlSink::new(out)),
        OutputKind::Json => Box::new(JsonSink::new(out)),
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
        assert!(run(OutputKind::Table, &[a.clone()]).contains("cloud-discovery-burst"));
        assert_eq!(run(OutputKind::Jsonl, &[a.clone()]).lines().count(), 1);
        assert!(run(OutputKind::Json, &[a]).starts_with("[\n"));
        assert_eq!(run(OutputKind::Json, &[]), "[]\n");
        assert_eq!(run(OutputKind::Table, &[]), "No alerts.\n");
    }
}
