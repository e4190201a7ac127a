//! Framing: turns a byte stream into raw records (JSON values, text lines, CSV rows),
//! batched so that workers can normalize them in parallel.

pub use super::batch::{bad, Batch, FileError, RecordKind, RecordMeta};
pub use super::json_framer::Rest;
use super::{csv::CsvFramer, json_framer::JsonFramer, lines::LineFramer};
use crate::normalize::detect::{self, Head};
use std::io::{self, BufRead};
use std::sync::Arc;

/// Reads one input to its end, calling `emit` with each full batch. An I/O error (such as a
/// truncated gzip) ends this input; what was read before it is kept.
pub fn frame_input(
    reader: &mut dyn BufRead,
    source: Arc<str>,
    max_record: usize,
    emit: &mut dyn FnMut(Batch),
) -> Result<(), FileError> {
    frame_input_until_lines(reader, source, max_record, false, emit).map(|_| ())
}

/// `frame_input`, but with `hand_off_lines` it stops where a JSON input turns out to be
/// JSON lines and says where (`Rest::LinesFrom`), for the caller to read the lines in
/// parallel ranges.
pub fn frame_input_until_lines(
    reader: &mut dyn BufRead,
    source: Arc<str>,
    max_record: usize,
    hand_off_lines: bool,
    emit: &mut dyn FnMut(Batch),
) -> Result<Rest, FileError> {
    let io_err = |e: io::Error, src: &Arc<str>| FileError {
        source: src.clone(),
        detail: if e.kind() == io::ErrorKind::UnexpectedEof
            || e.to_string().contains("corrupt deflate")
        {
            format!("truncated or corrupt compressed data: {e}")
        } else {
            format!("read error: {e}")
        },
    };
    // A UTF-8 byte-order mark (Windows tools, PowerShell exports) is no part of the first
    // record: left in, it made the framers see text before the first JSON value and lose a
    // one-line file holding one envelope (all its records) whole.
    let bom = match reader.fill_buf() {
        Ok(h) if h.starts_with(UTF8_BOM) => UTF8_BOM.len(),
        Ok(_) => 0,
        Err(e) => return Err(io_err(e, &source)),
    };
    reader.consume(bom);
    let head = match reader.fill_buf() {
        Ok(h) => h,
        Err(e) => return Err(io_err(e, &source)),
    };
    if head.is_empty() {
        return Ok(Rest::Done);
    }
    let sniff = sniff(head);
    let result = match sniff {
        Sniff::Json => {
            let mut framer = JsonFramer::new(source.clone(), max_record);
            if hand_off_lines {
                framer = framer.handing_off_lines();
            }
            framer.run(reader, emit).map(|rest| match rest {
                // Offsets count from the file's first byte, the mark included.
                Rest::LinesFrom { offset, line } => Rest::LinesFrom {
                    offset: offset + bom as u64,
                    line,
                },
                Rest::Done => Rest::Done,
            })
        }
        Sniff::Csv => CsvFramer::new(source.clone(), max_record)
            .run(reader, emit)
            .map(|()| Rest::Done),
        Sniff::Text => {
            if let Some(first) = detect::no_text_log_line(head) {
                return Err(FileError {
                    source: source.clone(),
                    detail: format!(
                        "not a supported log format: no line is JSON, a CSV table export, an S3 server access log line or a combined HTTP log line ({:?}…)",
                        first.chars().take(60).collect::<String>()
                    ),
                });
            }
            LineFramer::new(source.clone(), max_record, RecordKind::Text)
                .run(reader, emit)
                .map(|()| Rest::Done)
        }
        Sniff::Binary => {
            return Err(FileError {
                source: source.clone(),
                detail:
                    "binary data: not a supported log format (expected JSON, CSV or text log lines)"
                        .into(),
            })
        }
    };
    result.map_err(|e| io_err(e, &source))
}

#[derive(Debug, PartialEq, Eq)]
enum Sniff {
    Json,
    Csv,
    Text,
    Binary,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// Binary data, not a log: this share of the first 4 KiB or more is control bytes or bytes
/// that are not UTF-8. Random or compressed data is about half; a log line carrying ESC or
/// BEL in one attacker-chosen field (a user agent, a failed sign-in's user name) a few
/// hundredths at most — and one such record must never get the whole file rejected.
const BINARY_PERCENT: usize = 10;

/// Binary data is told apart here, from the bytes alone; which log format the text is,
/// `normalize::detect` says.
fn sniff(head: &[u8]) -> Sniff {
    let probe = &head[..head.len().min(4096)];
    if suspicious_bytes(probe) * 100 >= BINARY_PERCENT * probe.len().max(1) {
        return Sniff::Binary;
    }
    match detect::file_head(probe) {
        Head::Json => Sniff::Json,
        Head::Csv => Sniff::Csv,
        Head::TextLines => Sniff::Text,
    }
}

/// Control bytes (but tab, newline, carriage return) and bytes of invalid UTF-8 sequences.
fn suspicious_bytes(probe: &[u8]) -> usize {
    let mut n = probe
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
        .count();
    let mut rest = probe;
    while let Err(e) = std::str::from_utf8(rest) {
        // `None`: a sequence cut by the end of the probe, not an error.
        let Some(bad) = e.error_len() else { break };
        n += bad;
        rest = &rest[e.valid_up_to() + bad..];
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn sniffs() {
        assert_eq!(sniff(b"  {\"a\":1}"), Sniff::Json);
        assert_eq!(sniff(b"[\n"), Sniff::Json);
        assert_eq!(
            sniff(b"TimeGenerated [UTC],EventName,EventSource\n"),
            Sniff::Csv
        );
        assert_eq!(
            sniff(b"79a59df9 bucket [01/Nov/2020:10:43:07 +0000] 1.2.3.4"),
            Sniff::Text
        );
        assert_eq!(sniff(b"\x00\x01\x02garbage\x00\x00"), Sniff::Binary);
        assert_eq!(
            sniff(b"{x} - - [01/Nov/2020:10:43:07 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" \"a\""),
            Sniff::Text
        );
    }
}
