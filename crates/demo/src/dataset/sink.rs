//! Output files: a buffered writer that counts what it wrote, and the envelope (`{"records":[`
//! ... `]}`, `{"Records":[` ... `]}`) or line framing of each format.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Flush to the file once the buffer holds this much: large writes, few system calls.
const CHUNK: usize = 1 << 17;

/// How records are framed in a file.
#[derive(Clone, Copy)]
pub(crate) enum Framing {
    /// One record per line (JSON lines, S3 access and combined logs).
    Lines,
    /// `{"<key>":[r1,r2,...]}`: CloudTrail's S3 delivery, Azure diagnostic exports.
    Envelope(&'static str),
}

/// One output file being written.
pub(crate) struct RecordFile {
    file: BufWriter<File>,
    framing: Framing,
    buf: String,
    records: u64,
    pub(crate) bytes: u64,
    pub(crate) path: PathBuf,
}

impl RecordFile {
    pub(crate) fn create(path: &Path, framing: Framing) -> io::Result<RecordFile> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = File::create(path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        let mut buf = String::with_capacity(CHUNK + 16_384);
        if let Framing::Envelope(key) = framing {
            buf.push_str("{\"");
            buf.push_str(key);
            buf.push_str("\":[");
        }
        Ok(RecordFile {
            file: BufWriter::with_capacity(0, file),
            framing,
            buf,
            records: 0,
            bytes: 0,
            path: path.to_path_buf(),
        })
    }

    /// The buffer to append the next record to, its separator already written.
    pub(crate) fn next(&mut self) -> &mut String {
        if self.records > 0 {
            if let Framing::Envelope(_) = self.framing {
                self.buf.push(',');
            }
        }
        self.records += 1;
        &mut self.buf
    }

    /// Ends the record just appended; writes the buffer out when it is full.
    pub(crate) fn end_record(&mut self) -> io::Result<()> {
        if let Framing::Lines = self.framing {
            self.buf.push('\n');
        }
        if self.buf.len() >= CHUNK {
            self.file.write_all(self.buf.as_bytes())?;
            self.bytes += self.buf.len() as u64;
            self.buf.clear();
        }
        Ok(())
    }

    pub(crate) fn push(&mut self, record: &str) -> io::Result<()> {
        self.next().push_str(record);
        self.end_record()
    }

    pub(crate) fn records(&self) -> u64 {
        self.records
    }

    /// Closes the envelope and flushes; returns bytes written.
    pub(crate) fn finish(mut self) -> io::Result<u64> {
        if let Framing::Envelope(_) = self.framing {
            self.buf.push_str("]}\n");
        }
        self.file.write_all(self.buf.as_bytes())?;
        self.bytes += self.buf.len() as u64;
        self.file.flush()?;
        Ok(self.bytes)
    }
}

/// Files that follow the clock: a new file for each period (an hour of Azure diagnostic
/// export, a day of nginx log), named by `path_of(period start ms)`, opened on its first
/// record.
pub(crate) struct Rotating<'a> {
    period_ms: i64,
    framing: Framing,
    path_of: &'a dyn Fn(i64) -> PathBuf,
    current: Option<(i64, RecordFile)>,
    pub(crate) files: Vec<PathBuf>,
    pub(crate) bytes: u64,
    pub(crate) records: u64,
}

impl<'a> Rotating<'a> {
    pub(crate) fn new(
        period_ms: i64,
        framing: Framing,
        path_of: &'a dyn Fn(i64) -> PathBuf,
    ) -> Rotating<'a> {
        Rotating {
            period_ms,
            framing,
            path_of,
            current: None,
            files: Vec::new(),
            bytes: 0,
            records: 0,
        }
    }

    /// The file for a record at `ms` (records come in time order).
    pub(crate) fn at(&mut self, ms: i64) -> io::Result<&mut RecordFile> {
        let period = ms - ms.rem_euclid(self.period_ms);
        if self.current.as_ref().is_some_and(|(p, _)| *p != period) {
            self.close()?;
        }
        if self.current.is_none() {
            let file = RecordFile::create(&(self.path_of)(period), self.framing)?;
            self.current = Some((period, file));
        }
        self.records += 1;
        Ok(&mut self.current.as_mut().expect("opened above").1)
    }

    fn close(&mut self) -> io::Result<()> {
        if let Some((_, f)) = self.current.take() {
            self.files.push(f.path.clone());
            self.bytes += f.finish()?;
        }
        Ok(())
    }

    pub(crate) fn finish(mut self) -> io::Result<(Vec<PathBuf>, u64, u64)> {
        self.close()?;
        Ok((self.files, self.bytes, self.records))
    }
}
