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

/// `file:line` text in alerts and `normalize` output; the parts themselves in binary rule
/// state checkpoints, which must give back the same origin (text is not parsed back).
impl Serialize for Origin {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(self)
        } else {
            let element = self.element.as_ref().map(|(k, i)| (&**k, *i));
            (&*self.source, self.line, element, self.sub).serialize(s)
        }
    }
}

impl<'de> serde::Deserialize<'de> for Origin {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Origin, D::Error> {
        if d.is_human_readable() {
            return Err(serde::de::Error::custom(
                "an origin is read back only from a binary checkpoint",
            ));
        }
        type Parts = (String, u64, Option<(String, u64)>, Option<u32>);
        let (source, line, element, sub) = Parts::deserialize(d)?;
        Ok(Origin {
            source: Arc::from(source),
            line,
            element: element.map(|(k, i)| (Arc::from(k), i)),
            sub,
        })
    }
}
