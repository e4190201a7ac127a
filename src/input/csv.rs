//! CSV framing for Sentinel table exports: quoted cells may hold pretty-printed JSON with
//! embedded newlines, so a record ends at a newline outside quotes, not at every newline.

use super::batch::too_large;
use super::batch::{Batch, RecordKind};
use crate::event::time::{slash_date_evidence, DateOrder};
use crate::event::Origin;
use crate::normalize::split_csv_record as split_record;
use std::io::{self, BufRead};
use std::sync::Arc;

pub struct CsvFramer {
    source: Arc<str>,
    max: usize,
}

impl CsvFramer {
    pub fn new(source: Arc<str>, max: usize) -> CsvFramer {
        CsvFramer { source, max }
    }

    pub fn run(&mut self, reader: &mut dyn BufRead, emit: &mut dyn FnMut(Batch)) -> io::Result<()> {
        let mut gate = DateGate::default();
        let result = self.frame(reader, &mut |b: Batch| gate.pass(b, emit));
        // Rows read before an error are still scanned, in the order their rows show.
        gate.finish(emit);
        result
    }

    fn frame(&mut self, reader: &mut dyn BufRead, emit: &mut dyn FnMut(Batch)) -> io::Result<()> {
        let mut header: Option<Arc<Vec<String>>> = None;
        let mut batch: Option<Batch> = None;
        let mut rec: Vec<u8> = Vec::new();
        let mut oversize = 0usize;
        let mut in_quotes = false;
        let mut line: u64 = 1;
        let mut rec_line: u64 = 1;
        let mut bytes = 0u64;
        let finish = |rec: &mut Vec<u8>,
                      oversize: &mut usize,
                      rec_line: u64,
                      header: &mut Option<Arc<Vec<String>>>,
                      batch: &mut Option<Batch>,
                      emit: &mut dyn FnMut(Batch)| {
            let origin = Origin::line(&self.source, rec_line);
            if *oversize > 0 {
                let b = batch.get_or_insert_with(|| {
                    Batch::new(self.source.clone(), RecordKind::Csv, header.clone())
                });
                b.bad.push(too_large(origin, *oversize, self.max));
                *oversize = 0;
            } else {
                let r = rec.strip_suffix(b"\r").unwrap_or(rec);
                if r.iter().all(u8::is_ascii_whitespace) {
                    rec.clear();
                    return;
                }
                match header {
                    None => {
                        let cols = split_record(r)
                            .into_iter()
                            .map(|c| clean_column(&c))
                            .collect();
                        *header = Some(Arc::new(cols));
                    }
                    Some(h) => {
                        let b = batch.get_or_insert_with(|| {
                            Batch::new(self.source.clone(), RecordKind::Csv, Some(h.clone()))
                        });
                        b.push(r, origin);
                        if b.is_full() {
                            emit(batch.take().unwrap());
                        }
                    }
                }
            }
            rec.clear();
        };
        loop {
            let chunk = reader.fill_buf()?;
            if chunk.is_empty() {
                break;
            }
            let len = chunk.len();
            bytes += len as u64;
            let mut start = 0;
            let mut i = 0;
            while i < len {
                let Some(off) = memchr::memchr2(b'"', b'\n', &chunk[i..]) else {
                    break;
                };
                i += off;
                if chunk[i] == b'"' {
                    in_quotes = !in_quotes;
                    i += 1;
                    continue;
                }
                line += 1;
                if in_quotes {
                    i += 1;
                    continue;
                }
                append(&mut rec, &mut oversize, &chunk[start..i], self.max);
                finish(
                    &mut rec,
                    &mut oversize,
                    rec_line,
                    &mut header,
                    &mut batch,
                    emit,
                );
                i += 1;
                start = i;
                rec_line = line;
            }
            append(&mut rec, &mut oversize, &chunk[start..len], self.max);
            reader.consume(len);
        }
        if !rec.is_empty() || oversize > 0 {
            finish(
                &mut rec,
                &mut oversize,
                rec_line,
                &mut header,
                &mut batch,
                emit,
            );
        }
        if let Some(mut b) = batch {
            b.bytes = bytes;
            emit(b);
        }
        Ok(())
    }
}

/// Rows read before the day/month order of a file is decided (SPEC §9).
pub const DATE_ORDER_ROWS: usize = 10_000;
/// ... or this many bytes of them, whichever comes first: held rows are memory, and a file
/// of near-cap rows must not make 10,000 of them resident.
const DATE_ORDER_BYTES: usize = 64 << 20;

/// Holds a CSV file's first batches until its slash dates show their day/month order, then
/// stamps every batch with it. Vendor-blind: any cell shaped like `21/04/2025, 09:45` counts.
/// The order with more rows that only it can read wins; with none, day first (Sentinel's
/// 24-hour exports outside the US), and `--csv-date-order` overrides it in `normalize`.
#[derive(Default)]
struct DateGate {
    held: Vec<Batch>,
    rows: usize,
    bytes: usize,
    dmy: u64,
    mdy: u64,
    decided: Option<DateOrder>,
}

impl DateGate {
    fn pass(&mut self, mut b: Batch, emit: &mut dyn FnMut(Batch)) {
        if let Some(order) = self.decided {
            b.date_order = Some(order);
            emit(b);
            return;
        }
        for i in 0..b.records.len() {
            let cells = split_record(b.record(i));
            let mut says = cells.iter().filter_map(|c| slash_date_evidence(c));
            if let Some(first) = says.next() {
                if says.all(|o| o == first) {
                    match first {
                        DateOrder::Dmy => self.dmy += 1,
                        DateOrder::Mdy => self.mdy += 1,
                    }
                }
            }
        }
        self.rows += b.records.len();
        self.bytes += b.data.len();
        self.held.push(b);
        if self.rows >= DATE_ORDER_ROWS || self.bytes >= DATE_ORDER_BYTES {
            self.finish(emit);
        }
    }

    fn finish(&mut self, emit: &mut dyn FnMut(Batch)) {
        let order = *self.decided.get_or_insert(if self.mdy > self.dmy {
            DateOrder::Mdy
        } else {
            DateOrder::Dmy
        });
        for mut b in self.held.drain(..) {
            b.date_order = Some(order);
            emit(b);
        }
    }
}

fn append(rec: &mut Vec<u8>, oversize: &mut usize, piece: &[u8], max: usize) {
    if *oversize > 0 {
        *oversize += piece.len();
    } else if rec.len() + piece.len() > max {
        *oversize = rec.len() + piece.len();
        *rec = Vec::new();
    } else {
        rec.extend_from_slice(piece);
    }
}

/// `Name [UTC]` → `Name`: Sentinel's portal export adds the zone to a time column's name.
fn clean_column(c: &str) -> String {
    let c = c.trim().trim_start_matches('\u{feff}');
    match c.find(" [") {
        Some(i) if c.ends_with(']') => c[..i].to_string(),
        _ => c.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn splits_quoted_cells_with_commas_quotes_and_newlines() {
        let r = split_record(b"a,\"b,c\",\"{\"\"k\"\":\n1}\",");
        assert_eq!(r, vec!["a", "b,c", "{\"k\":\n1}", ""]);
    }
    #[test]
    fn cleans_sentinel_column_names() {
        assert_eq!(clean_column("TimeGenerated [UTC]"), "TimeGenerated");
        assert_eq!(clean_column("\u{feff}$table"), "$table");
    }
}
