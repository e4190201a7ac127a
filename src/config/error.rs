//! Config problems. Loading never stops at the first one: `config check` lists them all, each
//! with the line it is on, the way Vector's validation reports every broken component.
//!
//! These are values, not output: nothing in `config` prints. The binary decides how to show
//! them ([`ConfigErrors::for_terminal`] is the escaped rendering it uses on stderr).

use std::fmt;

/// What kind of problem a [`ConfigError`] is. Callers can branch on it (an editor
/// integration might underline unknown keys differently from bad values) without parsing
/// the message. New kinds may be added, so match with a wildcard arm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// The file could not be read; the message carries the operating system's reason.
    Read,
    /// The text is not TOML. `line` and `column` are where the parser gave up.
    Syntax,
    /// A key or table that the loader does not know: a misspelling, or a key of another tool.
    UnknownKey,
    /// A `[rules.<id>]` table or `[[suppress]] rule` naming no rule of the catalogue.
    UnknownRule,
    /// A required key is absent (`reason` of a suppression, `timezone` of working hours, ...).
    MissingKey,
    /// A value of the wrong TOML type: a string where a list belongs, a table where a string does.
    WrongType,
    /// A value of the right type that means nothing valid: a malformed duration, network, time
    /// zone or time of day, an empty pattern, a zero window, an end before its start.
    InvalidValue,
    /// A `[lists]` file that does not exist (checked by `config::load` only).
    MissingFile,
}

/// One problem in a config file. `line` and `column` are 1-based (the column counts
/// characters); both are `None` only when the problem has no place in the file (it could not
/// be read). The file name lives once on [`ConfigErrors`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConfigError {
    pub kind: ConfigErrorKind,
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// What is wrong and, where it helps, what to write instead. May quote text from the file
    /// verbatim, so escape it before it reaches a terminal.
    pub message: String,
}

impl ConfigError {
    pub(super) fn new(
        kind: ConfigErrorKind,
        place: Option<(usize, usize)>,
        message: impl Into<String>,
    ) -> ConfigError {
        ConfigError {
            kind,
            line: place.map(|p| p.0),
            column: place.map(|p| p.1),
            message: message.into(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Every problem found in one file, in file order; never empty. Displayed one per line as
/// `FILE:LINE: message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigErrors {
    /// The file name as given to `load` or `parse`.
    pub file: String,
    pub errors: Vec<ConfigError>,
}

impl ConfigErrors {
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, ConfigError> {
        self.errors.iter()
    }

    /// For stderr: one problem per line, each escaped on its own (a key or value quoted from
    /// the file may hold control characters, even a newline that would forge a problem line).
    pub fn for_terminal(&self) -> String {
        let mut out = String::new();
        for e in &self.errors {
            out.push_str(&crate::output::escape::terminal(&self.located(e)));
            out.push('\n');
        }
        out
    }

    /// `FILE:LINE: message`, or `FILE: message` for a problem with no line.
    fn located(&self, e: &ConfigError) -> String {
        match e.line {
            Some(_) => format!("{}:{e}", self.file),
            None => format!("{}: {e}", self.file),
        }
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            f.write_str(&self.located(e))?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}
