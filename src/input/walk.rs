//! From the paths named on the command line to the list of inputs: folders are walked
//! recursively in a stable (sorted) order.
//!
//! SPEC §9: a folder walk reads each file once, by device and inode, never follows a link
//! into a cycle, and skips FIFOs, sockets and devices with a note. Log buckets synced to disk
//! carry links such as `current -> .` or `latest -> 2024/05/06`: following them blindly read
//! every file once per level of the loop (an alert with 41 times the real count), two
//! self-links made the walk grow without end, and a FIFO inside a folder blocked the scan for
//! ever on `open`.
//!
//! SPEC §1: a path named on the command line that does not exist or cannot be read is a
//! `named_error` (exit status 2 whatever else happens); a file inside a folder that cannot be
//! read is an `error` (reported; exit status 2 only with `--strict`). A FIFO named on the
//! command line (`<(zcat x.gz)`) is the user's explicit choice and is read.

use super::{FileError, InputPath};
use crate::collections::HashSet;
use std::fs::{File, Metadata};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

/// What a walk found.
#[derive(Debug, Default)]
pub struct Walk {
    pub inputs: Vec<InputPath>,
    /// Paths named on the command line that do not exist or cannot be read.
    pub named_errors: Vec<FileError>,
    /// Files and folders inside folders that cannot be read.
    pub errors: Vec<FileError>,
    /// What was skipped on purpose, for the run's summary.
    pub notes: Vec<String>,
}

/// Walks `paths` (`-` is standard input).
pub fn walk_paths(paths: &[String]) -> Walk {
    let mut w = Walker::default();
    for p in paths {
        if p == "-" {
            w.out.inputs.push(InputPath::Stdin);
            continue;
        }
        w.named(Path::new(p));
    }
    w.finish()
}

/// The inputs and every error, named or not: for tools and tests.
pub fn expand(paths: &[String]) -> (Vec<InputPath>, Vec<FileError>) {
    let mut w = walk_paths(paths);
    w.named_errors.append(&mut w.errors);
    (w.inputs, w.named_errors)
}

/// (device, inode): the identity of a file or folder whatever the path it was reached by.
type FileId = (u64, u64);

fn id(m: &Metadata) -> FileId {
    (m.dev(), m.ino())
}

#[derive(Default)]
struct Walker {
    out: Walk,
    /// Every file and folder already taken: a second path to one of them (a link, a bind
    /// mount, the same file named twice) is skipped, which also ends every cycle.
    seen: HashSet<FileId>,
    /// Paths skipped because they lead to something already read.
    again: u64,
    first_again: Option<PathBuf>,
    /// FIFOs, sockets and devices found inside folders.
    special: u64,
    first_special: Option<PathBuf>,
}

fn error(path: &Path, detail: String) -> FileError {
    FileError::new(path.to_string_lossy().as_ref(), detail)
}

impl Walker {
    fn named(&mut self, path: &Path) {
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) => {
                let e = error(path, format!("cannot read: {e}"));
                self.out.named_errors.push(e);
                return;
            }
        };
        let ft = meta.file_type();
        if ft.is_file() {
            // Opened here once so that an unreadable named file is a named error (exit 2),
            // not a file error found later while reading. Never done for FIFOs: opening one
            // blocks until a writer comes.
            if let Err(e) = File::open(path) {
                let e = error(path, format!("cannot read: {e}"));
                self.out.named_errors.push(e);
                return;
            }
        } else if ft.is_dir() {
            if let Err(e) = std::fs::read_dir(path) {
                let e = error(path, format!("cannot list folder: {e}"));
                self.out.named_errors.push(e);
                return;
            }
        }
        self.visit(path, meta, true);
    }

    /// `meta` follows links: a link is walked as what it points to, once.
    fn visit(&mut self, path: &Path, meta: Metadata, named: bool) {
        let ft = meta.file_type();
        let special = ft.is_fifo() || ft.is_socket() || ft.is_block_device() || ft.is_char_device();
        if special && !named {
            self.special += 1;
            self.first_special.get_or_insert_with(|| path.to_path_buf());
            return;
        }
        if !self.seen.insert(id(&meta)) {
            self.again += 1;
            self.first_again.get_or_insert_with(|| path.to_path_buf());
            return;
        }
        if ft.is_dir() {
            self.folder(path);
        } else {
            self.out.inputs.push(InputPath::File(path.to_path_buf()));
        }
    }

    fn folder(&mut self, path: &Path) {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
            // The listing is collected and the handle closed before descending, so the walk
            // holds one folder descriptor at a time however deep or wide the tree.
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                self.out
                    .errors
                    .push(error(path, format!("cannot list folder: {e}")));
                return;
            }
        };
        entries.sort_unstable();
        for e in entries {
            // Hidden files (editor swap files, .DS_Store, .git) are never logs.
            if e.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            {
                continue;
            }
            match std::fs::metadata(&e) {
                Ok(m) => self.visit(&e, m, false),
                Err(err) => self
                    .out
                    .errors
                    .push(error(&e, format!("cannot read: {err}"))),
            }
        }
    }

    fn finish(mut self) -> Walk {
        if let Some(first) = &self.first_again {
            self.out.notes.push(format!(
                "{} paths skipped: a link or second name of a file or folder already read (first: {})",
                self.again,
                first.display()
            ));
        }
        if let Some(first) = &self.first_special {
            self.out.notes.push(format!(
                "{} FIFOs, sockets or devices inside folders skipped (first: {})",
                self.special,
                first.display()
            ));
        }
        self.out
    }
}
