//! A streaming structural scanner for JSON input. It finds record boundaries without
//! parsing values, so memory stays flat however large a file is:
//! - a sequence of top-level values (JSON lines, or concatenated pretty-printed objects),
//!   each one a record;
//! - a top-level array, each element a record (`gcloud logging read --format=json`);
//! - a top-level object whose wrapper key (`Records`, `records`, `value`, `Events`,
//!   `logEvents`, ...) holds an array: each element a record (`file#Records[17]`), however
//!   many megabytes the file has.
//! Values are validated later, by the parser, record by record.

use super::frame::{bad, Batch, RecordKind};
use super::lines::{too_large, LineFramer};
use crate::event::{BadReason, Origin};
use std::io::{self, BufRead};
use std::sync::Arc;

/// Keys whose array value holds the records of an export envelope.
pub const WRAPPER_KEYS: &[&str] = &[
    "Records",          // CloudTrail S3 delivery
    "records",          // Azure diagnostic export (storage account, Event Hub)
    "Events",           // aws cloudtrail lookup-events
    "value",            // Azure REST, Microsoft Graph
    "logEvents",        // CloudWatch Logs subscription
    "QueryResultRows",  // CloudTrail Lake get-query-results
    "entries",          // Cloud Logging entries.list
    "receivedMessages", // Pub/Sub pull
    "tables",           // Log Analytics query API
];

struct Container {
    depth: u32,
    key: Arc<str>,
    index: u64,
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
    container: Option<Container>,
    // Wrapper detection inside a top-level object.
    top_object: bool,
    top_wrapped: bool,
    key_expected: bool,
    in_key: bool,
    key: Vec<u8>,
    wrapper_pending: Option<Arc<str>>,
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
            container: None,
            top_object: false,
            top_wrapped: false,
            key_expected: false,
            in_key: false,
            key: Vec::new(),
            wrapper_pending: None,
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
            batch.bytes += consumed as u64;
            self.consumed += consumed as u64;
            reader.consume(consumed);
            if batch.is_full() {
                emit(std::mem::replace(
                    &mut batch,
                    Batch::new(self.source.clone(), RecordKind::Json, None),
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
        if !batch.is_empty() {
            emit(batch);
        }
        Ok(Rest::Done)
    }

    fn finish_open_record(&mut self, batch: &mut Batch, why: &str) {
        if self.rec_open || self.depth > 0 || self.in_string {
            let origin = self.origin();
            if self.rec_open
                && self.rec_scalar
                && self.depth == self.container.as_ref().map_or(0, |c| c.depth)
            {
                self.close_record(batch);
            } else {
                batch.bad.push(bad(origin, BadReason::InvalidJson, why));
            }
            self.rec_open = false;
            self.rec.clear();
            self.depth = 0;
            self.in_string = false;
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

    fn open_record(&mut self, end_depth: u32, scalar: bool) {
        self.rec_open = true;
        self.rec_scalar = scalar;
        self.rec.clear();
        self.rec_oversize = 0;
        self.rec_line = self.line + 1;
        self.rec_end_depth = end_depth;
        self.rec_elem = match &mut self.container {
            Some(c) => {
                let e = (c.key.clone(), c.index);
                c.index += 1;
                Some(e)
            }
            None => None,
        };
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
                    if self.top_object && self.depth == 1 && self.key_expected {
                        self.in_key = true;
                        self.key.clear();
                        key_start = Some(i + 1);
                    } else if !self.rec_open {
                        if self
                            .container
                            .as_ref()
                            .is_some_and(|c| c.depth == self.depth)
                        {
                            self.open_record(self.depth, true);
                            seg = Some(i);
                        } else if self.depth == 0 {
                            self.open_record(0, true);
                            seg = Some(i);
                        }
                    } else if self.top_object && self.depth == 1 {
                        self.wrapper_pending = None;
                    }
                }
                b'{' | b'[' => {
                    if !self.rec_open {
                        if self.depth == 0 {
                            if b == b'[' {
                                self.rec_line = self.line + 1;
                                self.container = Some(Container {
                                    depth: 1,
                                    key: Arc::from(""),
                                    index: 0,
                                });
                            } else {
                                self.open_record(0, false);
                                seg = Some(i);
                                self.top_object = true;
                                self.top_wrapped = false;
                                self.key_expected = true;
                            }
                        } else if self
                            .container
                            .as_ref()
                            .is_some_and(|c| c.depth == self.depth)
                        {
                            self.open_record(self.depth, false);
                            seg = Some(i);
                        }
                        self.depth += 1;
                    } else if b == b'['
                        && self.top_object
                        && self.depth == 1
                        && self.wrapper_pending.is_some()
                    {
                        // `{"Records": [` — stream the elements, drop the envelope.
                        self.rec_open = false;
                        self.rec.clear();
                        self.rec_oversize = 0;
                        seg = None;
                        self.top_wrapped = true;
                        self.depth += 1;
                        self.container = Some(Container {
                            depth: self.depth,
                            key: self.wrapper_pending.take().unwrap(),
                            index: 0,
                        });
                    } else {
                        self.wrapper_pending = None;
                        self.depth += 1;
                    }
                }
                b'}' | b']' => {
                    if self.rec_open
                        && self.rec_scalar
                        && self
                            .container
                            .as_ref()
                            .is_some_and(|c| c.depth == self.depth)
                    {
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
                    if self
                        .container
                        .as_ref()
                        .is_some_and(|c| self.depth < c.depth)
                    {
                        self.container = None;
                    }
                    if self.rec_open && !self.rec_scalar && self.depth == self.rec_end_depth {
                        if let Some(s) = seg.take() {
                            self.append(&chunk[s..=i]);
                        }
                        let single_line = self.rec_line == self.line + 1;
                        let top_level = self.depth == 0;
                        self.close_record(batch);
                        if top_level {
                            self.top_object = false;
                            let first = !self.first_done;
                            self.first_done = true;
                            // A first record on one line, ending its line, means JSON lines:
                            // frame by newline from there, so one broken line never swallows
                            // the next.
                            self.lines_pending = first && single_line;
                        }
                    } else if self.depth == 0 {
                        self.top_object = false;
                        self.first_done = true;
                    }
                }
                b',' => {
                    if self.rec_open
                        && self.rec_scalar
                        && self
                            .container
                            .as_ref()
                            .is_some_and(|c| c.depth == self.depth)
                    {
                        if let Some(s) = seg.take() {
                            self.append(&chunk[s..i]);
                        }
                        self.close_record(batch);
                    } else if self.top_object && self.depth == 1 {
                        self.key_expected = true;
                        self.wrapper_pending = None;
                    }
                }
                b':' => {
                    if self.top_object && self.depth == 1 && !self.key_expected {
                        let k = std::str::from_utf8(&self.key).unwrap_or("");
                        self.wrapper_pending = WRAPPER_KEYS
                            .iter()
                            .find(|w| **w == k)
                            .map(|w| Arc::from(*w));
                    }
                }
                _ => {
                    if self.depth == 0 && !self.rec_open {
                        // Bare scalars at the top level are not records of any format.
                        if b.is_ascii_digit() || b == b'-' || b == b't' || b == b'f' || b == b'n' {
                            self.open_record(0, true);
                            seg = Some(i);
                        } else {
                            batch.bad.push(bad(
                                Origin::line(&self.source, self.line + 1),
                                BadReason::InvalidJson,
                                "unexpected text outside a JSON value",
                            ));
                            self.skipping_garbage = true;
                        }
                    } else if !self.rec_open
                        && self
                            .container
                            .as_ref()
                            .is_some_and(|c| c.depth == self.depth)
                    {
                        self.open_record(self.depth, true);
                        seg = Some(i);
                    } else if self.top_object && self.depth == 1 {
                        self.wrapper_pending = None;
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

    #[test]
    fn truncated_and_garbage_input() {
        let (recs, bads) = frame(b"[{\"a\":1},{\"b\":", 8, 100);
        assert_eq!(recs.len(), 1);
        assert_eq!(bads, vec!["f#[1] invalid JSON"]);
        let (_, bads) = frame(b"hello\n", 8, 100);
        assert_eq!(bads.len(), 1);
    }
}
