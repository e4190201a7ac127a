//! Inputs: paths, folders (recursive), stdin; gzip by magic bytes; records framed with a
//! size cap so that no line or record is ever held whole when it is too large.

pub mod batch;
pub mod csv;
pub mod frame;
pub mod json_framer;
pub mod lines;
pub mod ranges;
mod size_watch;
pub mod utf16;
mod walk;

use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::PathBuf;
use std::sync::Arc;

pub use batch::{Batch, FileError, RecordKind, RecordMeta};
pub use size_watch::SizeWatch;
pub use walk::{expand, walk_paths, Walk};

/// Default record size cap (SPEC §9): larger records are reported and skipped.
pub const DEFAULT_MAX_RECORD: usize = 1 << 20;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputPath {
    Stdin,
    File(PathBuf),
}

impl InputPath {
    pub fn name(&self) -> Arc<str> {
        match self {
            InputPath::Stdin => Arc::from("-"),
            InputPath::File(p) => Arc::from(p.to_string_lossy().as_ref()),
        }
    }
}

const READ_BUFFER: usize = 256 * 1024;

/// Opens an input; gzip is recognised by its magic bytes, never by the file name.
pub fn open(input: &InputPath) -> io::Result<Box<dyn BufRead + Send>> {
    open_input(input).map(|o| o.reader)
}

pub fn open_reader(raw: Box<dyn Read + Send>) -> io::Result<Box<dyn BufRead + Send>> {
    buffered(raw).map(|(reader, _)| reader)
}

/// `raw` behind a buffer, behind a gzip decoder when its magic bytes say so, and behind a
/// UTF-16 decoder when a UTF-16 byte-order mark begins the (decompressed) text. `true` when
/// the bytes read are not the file's own (positional reads cannot be used).
fn buffered(raw: Box<dyn Read + Send>) -> io::Result<(Box<dyn BufRead + Send>, bool)> {
    let mut buffered = BufReader::with_capacity(READ_BUFFER, raw);
    let head = fill_at_least(&mut buffered, 2)?;
    let (mut reader, gzip): (Box<dyn BufRead + Send>, bool) =
        if head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b {
            // MultiGzDecoder: concatenated members are common in log shippers' output.
            (
                Box::new(BufReader::with_capacity(
                    READ_BUFFER,
                    MultiGzDecoder::new(buffered),
                )),
                true,
            )
        } else {
            (Box::new(buffered), false)
        };
    // A read error here (a corrupt gzip stream) is reported by the framer that reads on.
    let Ok(head) = reader.fill_buf() else {
        return Ok((reader, gzip));
    };
    let big_endian = if head.starts_with(utf16::LE_BOM) {
        false
    } else if head.starts_with(utf16::BE_BOM) {
        true
    } else {
        return Ok((reader, gzip));
    };
    reader.consume(2);
    let decoded = utf16::Utf16Reader::new(reader, big_endian);
    Ok((
        Box::new(BufReader::with_capacity(READ_BUFFER, decoded)),
        true,
    ))
}

/// `fill_buf` may return fewer bytes than asked near a pipe boundary; retry a few times.
fn fill_at_least(r: &mut BufReader<Box<dyn Read + Send>>, n: usize) -> io::Result<&[u8]> {
    // BufReader cannot be asked for more than one read; for detection 2 bytes in the
    // first read is what every file and pipe gives in practice.
    let _ = n;
    r.fill_buf()
}

/// An opened input, and the file itself when its lines can also be read in parallel
/// ranges (`ranges`): a regular, uncompressed file.
pub struct Opened {
    pub reader: Box<dyn BufRead + Send>,
    pub splittable: Option<Arc<File>>,
    /// For a regular file: checked once the whole file has been read (`SizeWatch::changed`).
    pub watch: Option<SizeWatch>,
}

pub fn open_input(input: &InputPath) -> io::Result<Opened> {
    let mut watch = None;
    let (raw, positional): (Box<dyn Read + Send>, Option<Arc<File>>) = match input {
        InputPath::Stdin => (Box::new(io::stdin()), None),
        InputPath::File(p) => {
            let file = File::open(p)?;
            match file.metadata() {
                Ok(m) if m.is_file() => {
                    let positional = file.try_clone().ok().map(Arc::new);
                    match file.try_clone() {
                        Ok(handle) => {
                            let (w, counted) = SizeWatch::new(handle, m.len(), file);
                            watch = Some(w);
                            (Box::new(counted), positional)
                        }
                        Err(_) => (Box::new(file), positional),
                    }
                }
                _ => (Box::new(file), None),
            }
        }
    };
    let (reader, decoded) = buffered(raw)?;
    Ok(Opened {
        reader,
        splittable: positional.filter(|_| !decoded),
        watch,
    })
}
