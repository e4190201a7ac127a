//! Where a record came from, so that every alert leads back to its raw line.

use serde::Serialize;
use std::fmt;
use std::sync::Arc;

/// `file:line` for line-oriented input, `file#Records[17]` for an element of a wrapper
/// array (the line is kept too, for pretty-printed files), `stream#seq` for a stream.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Origin {
    pub source: Arc<str>,
    /// 1-based line where the record starts.
    pub line: u64,
    /// Wrapper key and 0-based index, when the record is an element of an array.
    pub element: Option<(Arc<str>, u64)>,
    /// Sub-record inside the record (CloudWatch `logEvents[i]`, a table row), when one
    /// raw record carries several events.
    pub sub: Option<u32>,
}

impl Origin {
    pub fn line(source: &Arc<str>, line: u64) -> Origin {
        Origin {
            source: source.clone(),
            line,
            element: None,
            sub: None,
        }
    }
    pub fn with_sub(&self, sub: u32) -> Origin {
        Origin {
            sub: Some(sub),
            ..self.clone()
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.element {
            Some((key, i)) if key.is_empty() => write!(f, "{}#[{}]", self.source, i)?,
            Some((key, i)) => write!(f, "{}#{}[{}]", self.source, key, i)?,
            None => write!(f, "{}:{}", self.source, self.line)?,
        }
        if let Some(s) = self.sub {
            write!(f, "/{s}")?;
        }
        Ok(())
    }
}

impl Serialize for Origin {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
