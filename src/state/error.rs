//! Store failures. The binary adds the command's context with anyhow; the store says which
//! file and what went wrong with it.

use std::fmt;

/// What kind of failure a [`StoreError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreErrorKind {
    /// The file or its folder could not be created or read.
    Io,
    /// The file exists but is not a tripline baseline store: not SQLite at all, or a SQLite
    /// database that some other program made. tripline never writes into such a file.
    NotAStore,
    /// The store was written by a newer tripline with a schema this build does not know.
    NewerSchema,
    /// `PRAGMA integrity_check` found damage.
    Corrupt,
    /// Any other SQLite failure (disk full, locked by another writer past the busy timeout, ...).
    Database,
}

/// A failure of the baseline store, naming the store's path.
#[derive(Debug)]
pub struct StoreError {
    kind: StoreErrorKind,
    path: String,
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl StoreError {
    pub(crate) fn new(kind: StoreErrorKind, path: &str, message: impl Into<String>) -> StoreError {
        StoreError {
            kind,
            path: path.to_string(),
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> StoreError {
        self.source = Some(Box::new(source));
        self
    }

    pub(crate) fn database(path: &str, what: &str, e: rusqlite::Error) -> StoreError {
        let kind = match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => StoreErrorKind::NotAStore,
            Some(rusqlite::ErrorCode::DatabaseCorrupt) => StoreErrorKind::Corrupt,
            Some(rusqlite::ErrorCode::CannotOpen) => StoreErrorKind::Io,
            _ => StoreErrorKind::Database,
        };
        let message = match kind {
            StoreErrorKind::NotAStore => {
                "not a tripline baseline store (the file is not a SQLite database)".to_string()
            }
            _ => format!("{what}: {e}"),
        };
        StoreError::new(kind, path, message).with_source(e)
    }

    pub fn kind(&self) -> StoreErrorKind {
        self.kind
    }

    /// The store's path as given to [`Store::open`](super::Store::open).
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "baseline store {}: {}", self.path, self.message)
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}
