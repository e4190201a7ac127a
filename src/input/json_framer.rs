//! A streaming structural scanner for JSON input. It finds record boundaries without
//! parsing values, so memory stays flat however large a file is:
//! - a sequence of top-level values (JSON lines, or concatenated pretty-printed objects),
//!   each one a record;
//! - a top-level array, each element a record (`gcloud logging read --format=json`);
//! - a top-level object whose wrapper key holds an array of records (an envelope key of
//!   `normalize::detect::envelope`): each element a record (`file#KEY[17]`), however many
//!   megabytes the file has;
//! - the same envelopes as elements of a top-level array (`jq -s` merging CloudTrail
//!   delivery files): each inner element a record (`file#[1].KEY[5]`);
//! - Log Analytics query results (an envelope key whose array holds tables, each with its
//!   columns and rows): each row a record (`file#KEY[0].ROWS[17]`), carrying its table's
//!   column names in its batch's `header`.
//! The nesting is followed with a small explicit stack of the wrapper levels above the
//! records (at most three: array, tables, rows), never by recursing on the input's depth.
//! Values are validated later, by the parser, record by record.
//!
//! The framer knows no key by name: it asks `normalize::detect::envelope` whether a key it
//! meets opens an envelope, as the format's owner is the one to say (ARCHITECTURE.md).

use super::batch::too_large;
use super::batch::{bad, Batch, RecordKind};
use super::lines::LineFramer;
use crate::event::{BadReason, Origin};
use crate::normalize::detect::envelope::{self, Holds, TABLE_COLUMNS, TABLE_ROWS};
use std::io::{self, BufRead};
use std::sync::Arc;

/// What the elements of an array holding records are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Elements {
    /// Records.
    Records,
    /// Records, or envelopes whose own wrapper array is streamed (a top-level array).
    RecordsOrEnvelopes,
    /// Log Analytics tables, whose rows are streamed once their columns are known.
    Tables,
    /// Rows of one table.
    Rows,
}

impl Elements {
    /// What the framer streams out of the array under an envelope key: Lake rows are
    /// records to it, read as such by `normalize`.
    fn under(holds: Holds) -> Elements {
        match holds {
            Holds::Records | Holds::LakeRows => Elements::Records,
            Holds::Tables => Elements::Tables,
        }
    }
}

struct Container {
    depth: u32,
    key: Arc<str>,
    index: u64,
    elements: Elements,
    /// For `Rows`: the table's column names.
    columns: Option<Arc<Vec<String>>>,
}

/// The object being captured whose own keys are watched for a wrapper to stream.
struct Watch {
    /// Depth of its keys.
    depth: u32,
    table: bool,
}

/// The value the last key seen under a `Watch` introduces.
enum Pending {
    Wrapper(&'static str, Elements),
    Columns,
    Rows,
}

pub struct JsonFramer {
    source: Arc<str>,
    max: usize,
    line: u64,
    depth: u32,
    in_string: bool,
    escape: bool,
    // The record being captured.
    rec: Vec<u8>,
    rec_open: bool,
    rec_scalar: bool,
    rec_oversize: usize,
    rec_line: u64,
    rec_end_depth: u32,
    rec_elem: Option<(Arc<str>, u64)>,
    /// The wrapper levels above the records, innermost last (at most three).
    containers: Vec<Container>,
    // Wrapper detection inside the captured object.
    watch: Option<Watch>,
    key_expected: bool,
    in_key: bool,
    key: Vec<u8>,
    pending: Option<Pending>,
    /// Where a table's `columns` value lies in `rec`: its start, and its end once closed.
    columns_at: Option<(usize, Option<usize>)>,
    /// Batches completed inside a chunk (the column names changed), to emit before `batch`.
    finished: Vec<Batch>,
    skipping_garbage: bool,
    first_done: bool,
    /// The first record fit on one line: JSON lines if a newline follows it, concatenated
    /// values (Firehose) if another value follows on the same line.
    lines_pending: bool,
    /// Bytes consumed from the reader so far.
    consumed: u64,
    /// Stop at the switch to JSON lines and say where (`run` returns `LinesFrom`), because
    /// the caller reads the lines itself (`ranges`).
    hand_off_lines: bool,
}

/// Where framing stopped: at the end of the input, or where JSON lines begin when the
/// caller asked to read those itself.
#[derive(Debug, PartialEq, Eq)]
pub enum Rest {
    Done,
    /// The rest of the input is JSON lines from byte `offset`, whose first line is line
    /// `line + 1` (it may begin mid-line: after the first record's closing brace).
    LinesFrom {
        offset: u64,
        line: u64,
    },
}

enum Step {
    Continue,
    SwitchToLines,
}

impl JsonFramer {
    pub fn new(source: Arc<str>, max: usize) -> JsonFramer {
        JsonFramer {
            source,
            max,
            line: 0,
            depth: 0,
            in_string: false,
            escape: false,
            rec: Vec::new(),
            rec_open: false,
            rec_scalar: false,
            rec_oversize: 0,
            rec_line: 0,
            rec_end_depth: 0,
            rec_elem: None,
            containers: Vec::new(),
            watch: None,
            key_expected: false,
            in_key: false,
            key: Vec::new(),
            pending: None,
            columns_at: None,
            finished: Vec::new(),
            skipping_garbage: false,
            first_done: false,
            lines_pending: false,
            consumed: 0,
            hand_off_lines: false,
        }
    }

    pub fn handing_off_lines(mut self) -> JsonFramer {
        self.hand_off_lines = true;
        self
    }

    pub fn run(
        &mut self,
        reader: &mut dyn BufRead,
        emit: &mut dyn FnMut(Batch),
    ) -> io::Result<Rest> {
        let mut batch = Batch::new(self.source.clone(), RecordKind::Json, None);
        loop {
            let chunk = match reader.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.finish_open_record(&mut batch, "input ended early");
                    self.emit_finished(emit);
                    if !batch.is_empty() {
                        emit(batch);
                    }
                    return Err(e);
                }
            };
            if chunk.is_empty() {
                break;
            }
            let (consumed, step) = self.scan(chunk, &mut batch);
            self.emit_finished(emit);
            batch.bytes += consumed as u64;
            self.consumed += consumed as u64;
            reader.consume(consumed);
            if batch.is_full() {
                // A record open across the chunk is a row of the same table, if any.
                let header = batch.header.clone();
                emit(std::mem::replace(
                    &mut batch,
                    Batch::new(self.source.clone(), RecordKind::Json, header),
                ));
            }
            if let Step::SwitchToLines = step {
                if !batch.is_empty() {
                    emit(batch);
                }
                if self.hand_off_lines {
                    return Ok(Rest::LinesFrom {
                        offset: self.consumed,
                        line: self.line,
                    });
                }
                return LineFramer::new(self.source.clone(), self.max, RecordKind::Json)
                    .starting_at(self.line)
                    .run(reader, emit)
                    .map(|()| Rest::Done);
            }
        }
        self.finish_open_record(
            &mut batch,
            "input ended inside a JSON value (truncated file?)",
        );
        self.emit_finished(emit);
        if !batch.is_empty() {
            emit(batch);
        }
        Ok(Rest::Done)
    }

    fn emit_finished(&mut self, emit: &mut dyn FnMut(Batch)) {
        for b in self.finished.drain(..) {
            emit(b);
        }
    }

    /// The innermost wrapper array, when the scanner is right inside it.
    fn container_here(&self) -> Option<&Container> {
        self.containers.last().filter(|c| c.depth == self.depth)
    }

    /// Keys of the watched object are read at this depth.
    fn watching(&self) -> bool {
        self.watch.as_ref().is_some_and(|w| w.depth == self.depth)
    }

    /// Where byte `i` of the chunk lands in `rec`, while the record is kept.
    fn rec_pos(&self, i: usize, seg: Option<usize>) -> Option<usize> {
        match seg {
            Some(s) if self.rec_oversize == 0 => Some(self.rec.len() + (i - s)),
            _ => None,
        }
    }

    fn finish_open_record(&mut self, batch: &mut Batch, why: &str) {
        if self.rec_open || self.depth > 0 || self.in_string {
            let origin = self.origin();
            if self.rec_open
                && self.rec_scalar
                && self.depth == self.containers.last().map_or(0, |c| c.depth)
            {
                self.close_record(batch);
            } else {
                batch.bad.push(bad(origin, BadReason::InvalidJson, why));
            }
            self.rec_open = false;
            self.rec.clear();
            self.depth = 0;
            self.in_string = false;
            self.containers.clear();
            self.watch = None;
        }
    }

    fn origin(&self) -> Origin {
        Origin {
            source: self.source.clone(),
            line: self.rec_line,
            element: self.rec_elem.clone(),
            sub: None,
        }
    }

    fn append(&mut self, piece: &[u8]) {
        if self.rec_oversize > 0 {
            self.rec_oversize += piece.len();
        } else if self.rec.len() + piece.len() > self.max {
            self.rec_oversize = self.rec.len() + piece.len();
            self.rec = Vec::new();
        } else {
            self.rec.extend_from_slice(piece);
        }
    }

    /// Opens a record at `end_depth` (the depth its value starts at). A `{` opened right
    /// inside a top-level array or an array of tables, or at the top level, is watched for a
    /// wrapper key whose array is streamed instead.
    fn open_record(&mut self, end_depth: u32, scalar: bool, object: bool, batch: &mut Batch) {
        self.rec_open = true;
        self.rec_scalar = scalar;
        self.rec.clear();
        self.rec_oversize = 0;
        self.rec_line = self.line + 1;
        self.rec_end_depth = end_depth;
        self.watch = None;
        self.pending = None;
        self.columns_at = None;
        let mut columns = None;
        let mut elements = None;
        self.rec_elem = match self.containers.last_mut().filter(|c| c.depth == end_depth) {
            Some(c) => {
                let e = (c.key.clone(), c.index);
                c.index += 1;
                columns = c.columns.clone();
                elements = Some(c.elements);
                Some(e)
            }
            None => None,
        };
        if object {
            let table = match elements {
                None | Some(Elements::RecordsOrEnvelopes) => Some(false),
                Some(Elements::Tables) => Some(true),
                Some(Elements::Records) | Some(Elements::Rows) => None,
            };
            if let Some(table) = table {
                self.watch = Some(Watch {
                    depth: end_depth + 1,
                    table,
                });
                self.key_expected = true;
            }
        }
        // A batch holds the rows of one table, or no rows: its header names their cells.
        let same = match (&batch.header, &columns) {
            (None, None) => true,
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            _ => false,
        };
        if !same {
            if batch.is_empty() {
                batch.header = columns;
            } else {
                let done = std::mem::replace(
                    batch,
                    Batch::new(self.source.clone(), RecordKind::Json, columns),
                );
                self.finished.push(done);
            }
        }
    }

    /// The path of the captured record, as the prefix of a wrapper inside it.
    fn elem_path(&self, key: &str) -> Arc<str> {
        match &self.rec_elem {
            Some((k, i)) => Arc::from(format!("{k}[{i}].{key}")),
            None => Arc::from(key),
        }
    }

    /// Drops the captured envelope and streams the elements of its wrapper array, whose
    /// `[` is at the current depth.
    fn stream_wrapper(&mut self, key: Arc<str>, elements: Elements, columns: Option<Vec<String>>) {
        self.rec_open = false;
        self.rec.clear();
        self.rec_oversize = 0;
        self.watch = None;
        self.pending = None;
        self.columns_at = None;
        self.depth += 1;
        self.containers.push(Container {
            depth: self.depth,
            key,
            index: 0,
            elements,
            columns: columns.map(Arc::new),
        });
    }

    fn close_record(&mut self, batch: &mut Batch) {
        let origin = self.origin();
        if self.rec_oversize > 0 {
            batch
                .bad
                .push(too_large(origin, self.rec_oversize, self.max));
        } else {
            let r = std::mem::take(&mut self.rec);
            let trimmed = trim_ascii(&r);
            batch.push(trimmed, origin);
            self.rec = r;
            self.rec.clear();
        }
        self.rec_open = false;
        self.rec_oversize = 0;
        self.watch = None;
        self.pending = None;
        self.columns_at = None;
    }

    /// Scans one chunk; returns the bytes consumed.
    fn scan(&mut self, chunk: &[u8], batch: &mut Batch) -> (usize, Step) {
        let len = chunk.len();
        let mut seg: Option<usize> = if self.rec_open { Some(0) } else { None };
        let mut key_start: Option<usize> = if self.in_key { Some(0) } else { None };
        let mut i = 0;
        while i < len {
            if self.lines_pending {
                match chunk[i] {
                    b' ' | b'\t' | b'\r' => {
                        i += 1;
                        continue;
                    }
                    b'\n' => {
                        self.line += 1;
                        return (i + 1, Step::SwitchToLines);
                    }
                    // `{...}{...}`: Kinesis Firehose writes EventBridge events without a
                    // separator. Framing by newline would make the whole file one record.
                    _ => self.lines_pending = false,
                }
            }
            if self.skipping_garbage {
                match memchr::memchr(b'\n', &chunk[i..]) {
                    Some(off) => {
                        i += off;
                        self.skipping_garbage = false;
                        continue;
                    }
                    None => break,
                }
            }
            if self.in_string {
                if self.escape {
                    self.escape = false;
                    i += 1;
                    continue;
                }
                match memchr::memchr3(b'"', b'\\', b'\n', &chunk[i..]) {
                    None => break,
                    Some(off) => {
                        i += off;
                        match chunk[i] {
                            b'\\' => self.escape = true,
                            b'\n' => self.line += 1,
                            _ => {
                                self.in_string = false;
                                if self.in_key {
                                    self.key
                                        .extend_from_slice(&chunk[key_start.unwrap_or(0)..i]);
                                    key_start = None;
                                    self.in_key = false;
                                    self.key_expected = false;
                                }
                            }
                        }
                        i += 1;
                        continue;
                    }
                }
            }
            let b = chunk[i];
            match b {
                b'\n' => self.line += 1,
                b' ' | b'\t' | b'\r' => {}
                b'"' => {
                    self.in_string = true;
                    if self.watching() && self.key_expected {
                        self.in_key = true;
                        self.key.clear();
                        key_start = Some(i + 1);
                    } else if !self.rec_open {
                        if self.container_here().is_some() || self.depth == 0 {
                            self.open_record(self.depth, true, false, batch);
                            seg = Some(i);
                        }
                    } else if self.watching() {
                        self.pending = None;
                    }
                }
                b'{' | b'[' => {
                    if !self.rec_open {
                        if self.depth == 0 && b == b'[' {
                            self.rec_line = self.line + 1;
                            self.containers.push(Container {
                                depth: 1,
                                key: Arc::from(""),
                                index: 0,
                                elements: Elements::RecordsOrEnvelopes,
                                columns: None,
                            });
                        } else if self.depth == 0 || self.container_here().is_some() {
                            self.open_record(self.depth, false, b == b'{', batch);
                            seg = Some(i);
                        }
                        self.depth += 1;
                    } else if b == b'[' && self.watching() && self.pending.is_some() {
                        match self.pending.take().unwrap() {
                            // An envelope key's `[`: stream the elements, drop the envelope.
                            Pending::Wrapper(key, elements) => {
                                seg = None;
                                let key = self.elem_path(key);
                                self.stream_wrapper(key, elements, None);
                            }
                            Pending::Columns => {
                                self.columns_at = self.rec_pos(i, seg).map(|p| (p, None));
                                self.depth += 1;
                            }
                            // The rows' `[` after the columns: stream the rows, each named
                            // by the columns. Without columns the table stays one record.
                            Pending::Rows => {
                                if let Some(s) = seg {
                                    self.append(&chunk[s..i]);
                                    seg = Some(i);
                                }
                                let columns = match self.columns_at {
                                    Some((a, Some(z))) if self.rec_oversize == 0 => {
                                        self.rec.get(a..z).and_then(envelope::table_column_names)
                                    }
                                    _ => None,
                                };
                                if columns.is_some() {
                                    seg = None;
                                    let key = self.elem_path(TABLE_ROWS);
                                    self.stream_wrapper(key, Elements::Rows, columns);
                                } else {
                                    self.depth += 1;
                                }
                            }
                        }
                    } else {
                        self.pending = None;
                        self.depth += 1;
                    }
                }
                b'}' | b']' => {
                    if self.rec_open && self.rec_scalar && self.container_here().is_some() {
                        if let Some(s) = seg.take() {
                            self.append(&chunk[s..i]);
                        }
                        self.close_record(batch);
                    }
                    if self.depth == 0 {
                        batch.bad.push(bad(
                            Origin::line(&self.source, self.line + 1),
                            BadReason::InvalidJson,
                            format!("unexpected '{}' outside a JSON value", b as char),
                        ));
                        self.skipping_garbage = true;
                        i += 1;
                        continue;
                    }
                    self.depth -= 1;
                    while self.containers.last().is_some_and(|c| self.depth < c.depth) {
                        self.containers.pop();
                    }
                    if let Some((_, end @ None)) = &mut self.columns_at {
                        if self.watch.as_ref().is_some_and(|w| w.depth == self.depth) {
                            *end = match seg {
                                Some(s) if self.rec_oversize == 0 => {
                                    Some(self.rec.len() + (i - s) + 1)
                                }
                                _ => None,
                            };
                            if end.is_none() {
                                self.columns_at = None;
                            }
                        }
                    }
                    if self.rec_open && !self.rec_scalar && self.depth == self.rec_end_depth {
                        if let Some(s) = seg.take() {
                            self.append(&chunk[s..=i]);
                        }
                        let single_line = self.rec_line == self.line + 1;
                        let top_level = self.depth == 0;
                        self.close_record(batch);
                        if top_level {
                            let first = !self.first_done;
                            self.first_done = true;
                            // A first record on one line, ending its line, means JSON lines:
                            // frame by newline from there, so one broken line never swallows
                            // the next.
                            self.lines_pending = first && single_line;
                        }
                    } else if self.depth == 0 {
                        self.first_done = true;
                    }
                }
                b',' => {
                    if self.rec_open && self.rec_scalar && self.container_here().is_some() {
                        if let Some(s) = seg.take() {
                            self.append(&chunk[s..i]);
                        }
                        self.close_record(batch);
                    } else if self.watching() {
                        self.key_expected = true;
                        self.pending = None;
                    }
                }
                b':' => {
                    if self.watching() && !self.key_expected {
                        let k = &self.key[..];
                        self.pending = if self.watch.as_ref().is_some_and(|w| w.table) {
                            if k == TABLE_COLUMNS.as_bytes() {
                                Some(Pending::Columns)
                            } else if k == TABLE_ROWS.as_bytes() {
                                Some(Pending::Rows)
                            } else {
                                None
                            }
                        } else {
                            envelope::array_key(k)
                                .map(|(w, holds)| Pending::Wrapper(w, Elements::under(holds)))
                        };
                    }
                }
                _ => {
                    if self.depth == 0 && !self.rec_open {
                        // Bare scalars at the top level are not records of any format.
                        if b.is_ascii_digit() || b == b'-' || b == b't' || b == b'f' || b == b'n' {
                            self.open_record(0, true, false, batch);
                            seg = Some(i);
                        } else {
                            batch.bad.push(bad(
                                Origin::line(&self.source, self.line + 1),
                                BadReason::InvalidJson,
                                "unexpected text outside a JSON value",
                            ));
                            self.skipping_garbage = true;
                        }
                    } else if !self.rec_open && self.container_here().is_some() {
                        self.open_record(self.depth, true, false, batch);
                        seg = Some(i);
                    } else if self.watching() {
                        self.pending = None;
                    }
                }
            }
            if self.rec_open && self.rec_scalar && self.depth == 0 && b == b'\n' {
                if let Some(s) = seg.take() {
                    self.append(&chunk[s..i]);
                }
                self.close_record(batch);
            }
            i += 1;
        }
        if self.rec_open {
            if let Some(s) = seg {
                self.append(&chunk[s..len]);
            }
        }
        if self.in_key {
            if let Some(k) = key_start {
                self.key.extend_from_slice(&chunk[k..len]);
            }
        }
        (len, Step::Continue)
    }
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &b[start..end.max(start)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufReader;

    fn frame(input: &[u8], chunk: usize, max: usize) -> (Vec<(String, String)>, Vec<String>) {
        let mut reader = BufReader::with_capacity(chunk, input);
        let mut recs = Vec::new();
        let mut bads = Vec::new();
        let mut framer = JsonFramer::new(Arc::from("f"), max);
        framer
            .run(&mut reader, &mut |mut b: Batch| {
                b.split();
                for (i, m) in b.records.iter().enumerate() {
                    recs.push((
                        m.origin.to_string(),
                        String::from_utf8_lossy(b.record(i)).into_owned(),
                    ));
                }
                for x in &b.bad {
                    bads.push(format!("{} {}", x.origin, x.reason.as_str()));
                }
            })
            .unwrap();
        (recs, bads)
    }

    #[test]
    fn wrapper_elements_stream_out_at_any_chunk_size() {
        let input = br#"{"Records":[{"a":"x\"}]"},{"b":[1,2]}] , "other": 1}"#;
        for chunk in [1, 2, 3, 7, 64] {
            let (recs, bads) = frame(input, chunk, 1000);
            assert_eq!(bads, Vec::<String>::new(), "chunk {chunk}");
            assert_eq!(
                recs,
                vec![
                    ("f#Records[0]".to_string(), r#"{"a":"x\"}]"}"#.to_string()),
                    ("f#Records[1]".to_string(), r#"{"b":[1,2]}"#.to_string())
                ],
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn late_wrapper_key_and_non_wrapper_objects() {
        let input = b"{\"owner\":\"1\",\"logEvents\":[{\"message\":\"m\"}]}\n";
        let (recs, _) = frame(input, 5, 1000);
        assert_eq!(
            recs,
            vec![(
                "f#logEvents[0]".to_string(),
                r#"{"message":"m"}"#.to_string()
            )]
        );
        let input = b"{\n  \"eventName\": \"X\",\n  \"Records\": 5\n}\n{\n \"b\": 1\n}";
        let (recs, _) = frame(input, 4, 1000);
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].0, "f:1");
        assert_eq!(recs[1].0, "f:5");
    }

    #[test]
    fn top_level_array_and_json_lines() {
        let (recs, _) = frame(b"[\n {\"a\":1},\n {\"a\":2}\n]\n", 3, 1000);
        assert_eq!(
            recs.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
            vec!["f#[0]", "f#[1]"]
        );
        let (recs, bads) = frame(b"{\"a\":1}\n{\"a\":\n{\"a\":3}\n", 4, 1000);
        assert_eq!(
            recs.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
            vec!["f:1", "f:2", "f:3"]
        );
        assert!(bads.is_empty());
    }

    #[test]
    fn oversize_records_are_reported_not_kept() {
        let big = format!(
            "{{\"Records\":[{{\"a\":\"{}\"}},{{\"b\":1}}]}}",
            "x".repeat(5000)
        );
        let (recs, bads) = frame(big.as_bytes(), 64, 100);
        assert_eq!(
            recs,
            vec![("f#Records[1]".to_string(), "{\"b\":1}".to_string())]
        );
        assert_eq!(bads, vec!["f#Records[0] record too large"]);
    }

    /// Records, origins and each record's header (the table's columns) at every chunk size.
    fn frame_with_headers(input: &[u8], chunk: usize, max: usize) -> Vec<String> {
        let mut reader = BufReader::with_capacity(chunk, input);
        let mut out = Vec::new();
        let mut framer = JsonFramer::new(Arc::from("f"), max);
        framer
            .run(&mut reader, &mut |b: Batch| {
                for (i, m) in b.records.iter().enumerate() {
                    out.push(format!(
                        "{} {} {:?}",
                        m.origin,
                        String::from_utf8_lossy(b.record(i)),
                        b.header.as_deref()
                    ));
                }
                for x in &b.bad {
                    out.push(format!("{} {}", x.origin, x.reason.as_str()));
                }
            })
            .unwrap();
        out
    }

    #[test]
    fn log_analytics_rows_stream_with_their_columns() {
        let input = br#"{"tables":[{"name":"PrimaryResult","columns":[{"name":"A","type":"string"},{"name":"B]","type":"long"}],"rows":[["x",1],["y]",2],null,["z",3]]},
          {"name":"Second","columns":[{"name":"C"}],"rows":[["c"]]},{"rows":[["r"]],"columns":[{"name":"D"}]}]}"#;
        let ab = r#"Some(["A", "B]"])"#;
        for chunk in [1, 2, 5, 16, 4096] {
            assert_eq!(
                frame_with_headers(input, chunk, 1000),
                vec![
                    format!(r#"f#tables[0].rows[0] ["x",1] {ab}"#),
                    format!(r#"f#tables[0].rows[1] ["y]",2] {ab}"#),
                    format!(r#"f#tables[0].rows[2] null {ab}"#),
                    format!(r#"f#tables[0].rows[3] ["z",3] {ab}"#),
                    r#"f#tables[1].rows[0] ["c"] Some(["C"])"#.to_string(),
                    // Rows before columns: the table stays one record, as before.
                    r#"f#tables[2] {"rows":[["r"]],"columns":[{"name":"D"}]} None"#.to_string(),
                ],
                "chunk {chunk}"
            );
        }
        // Each row is capped alone.
        let big = format!(
            r#"{{"tables":[{{"columns":[{{"name":"A"}}],"rows":[["{}"],["ok"]]}}]}}"#,
            "x".repeat(5000)
        );
        assert_eq!(
            frame_with_headers(big.as_bytes(), 64, 100),
            vec![
                r#"f#tables[0].rows[1] ["ok"] Some(["A"])"#.to_string(),
                "f#tables[0].rows[0] record too large".to_string(),
            ]
        );
    }

    #[test]
    fn jq_slurped_envelopes_stream_their_elements() {
        let input = b"[\n {\"Records\": [{\"a\":1}, {\"a\":2}]},\n {\"other\":1,\"Records\":[{\"a\":3}]},\n {\"eventName\":\"X\"}\n]\n{\"b\":1}\n";
        for chunk in [1, 3, 8, 4096] {
            let (recs, bads) = frame(input, chunk, 1000);
            assert!(bads.is_empty(), "{bads:?}");
            assert_eq!(
                recs,
                vec![
                    ("f#[0].Records[0]".to_string(), r#"{"a":1}"#.to_string()),
                    ("f#[0].Records[1]".to_string(), r#"{"a":2}"#.to_string()),
                    ("f#[1].Records[0]".to_string(), r#"{"a":3}"#.to_string()),
                    ("f#[2]".to_string(), r#"{"eventName":"X"}"#.to_string()),
                    ("f:6".to_string(), r#"{"b":1}"#.to_string()),
                ],
                "chunk {chunk}"
            );
        }
    }

    #[test]
    fn truncated_and_garbage_input() {
        let (recs, bads) = frame(b"[{\"a\":1},{\"b\":", 8, 100);
        assert_eq!(recs.len(), 1);
        assert_eq!(bads, vec!["f#[1] invalid JSON"]);
        let (_, bads) = frame(b"hello\n", 8, 100);
        assert_eq!(bads.len(), 1);
    }
}
