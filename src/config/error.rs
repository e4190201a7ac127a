//! Config problems. Loading never stops at the first one: `config check` lists them all, each
//! with the line it is on, the way Vector's validation reports every broken component.

use std::fmt;

/// One problem in a config file. `line` is 1-based; `None` when the problem has no place in
/// the file (it could not be read, or a required table is missing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub line: Option<usize>,
    pub message: String,
}

/// Every problem found in one file, in file order. Displayed one per line as
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
}

impl ConfigErrors {
    /// For stderr: one problem per line, each escaped on its own (a key or value quoted from
    /// the file may hold control characters, even a newline that would forge a problem line).
    pub fn for_terminal(&self) -> String {
        let mut out = String::new();
        for e in &self.errors {
            let line = match e.line {
                Some(line) => format!("{}:{line}: {}", self.file, e.message),
                None => format!("{}: {}", self.file, e.message),
            };
            out.push_str(&crate::output::escape::terminal(&line));
            out.push('\n');
        }
        out
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            match e.line {
                Some(line) => write!(f, "{}:{line}: {}", self.file, e.message)?,
                None => write!(f, "{}: {}", self.file, e.message)?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}
