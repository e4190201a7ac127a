//! `--incidents` with `--output jsonl` or `json`: one incident object per line (schema
//! `tripline.incident/1`), highest risk first. Strings are escaped as in the alert lines
//! (`jsonl::TerminalSafe`): the story and reasons carry values from the logs.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Serializer};

use super::jsonl::TerminalSafe;
use crate::incidents::Incident;

pub fn write_incidents<W: Write>(out: &mut W, incidents: &[&Incident]) -> io::Result<()> {
    let mut line = Vec::new();
    for inc in incidents {
        line.clear();
        inc.serialize(&mut Serializer::with_formatter(
            &mut line,
            TerminalSafe(CompactFormatter),
        ))?;
        line.push(b'\n');
        out.write_all(&line)?;
    }
    out.flush()
}
