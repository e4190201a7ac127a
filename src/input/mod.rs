//! Inputs: paths, folders (recursive), stdin; gzip by magic bytes; records framed with a
//! size cap so that no line or record is ever held whole when it is too large.

pub mod csv;
pub mod frame;
pub mod json_framer;
pub mod lines;
pub mod ranges;
pub mod utf16;

use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use frame::{Batch, FileError, RecordKind, RecordMeta};

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

/// Expands folders recursively, in a stable (sorted) order. Paths that cannot be read are
/// returned as errors and the rest is still scanned.
pub fn expand(paths: &[String]) -> (Vec<InputPath>, Vec<FileError>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if p == "-" {
            out.push(InputPath::Stdin);
            continue;
        }
        walk(Path::new(p), &mut out, &mut errors);
    }
    (out, errors)
}

fn walk(path: &Path, out: &mut Vec<InputPath>, errors: &mut Vec<FileError>) {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            errors.push(FileError::new(
                path.to_string_lossy().as_ref(),
                format!("cannot read: {e}"),
            ));
            return;
        }
    };
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                errors.push(FileError::new(
                    path.to_string_lossy().as_ref(),
                    format!("cannot list folder: {e}"),
                ));
                return;
            }
        };
        entries.sort();
        for e in entries {
            // Hidden files (editor swap files, .DS_Store, .git) are never logs.
            if e.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            {
                continue;
            }
            walk(&e, out, errors);
        }
    } else {
        out.push(InputPath::File(path.to_path_buf()));
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
}

pub fn open_input(input: &InputPath) -> io::Result<Opened> {
    let (raw, positional): (Box<dyn Read + Send>, Option<Arc<File>>) = match input {
        InputPath::Stdin => (Box::new(io::stdin()), None),
        InputPath::File(p) => {
            let file = File::open(p)?;
            let positional = if file.metadata().is_ok_and(|m| m.is_file()) {
                file.try_clone().ok().map(Arc::new)
            } else {
                None
            };
            (Box::new(file), positional)
        }
    };
    let (reader, decoded) = buffered(raw)?;
    Ok(Opened {
        reader,
        splittable: positional.filter(|_| !decoded),
    })
}
