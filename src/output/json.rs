//! `--output json`: one pretty-printed JSON array of every alert. Alerts are streamed as they
//! arrive rather than collected, so a long scan holds none of them; the array is only valid
//! once `finish` has closed it.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{PrettyFormatter, Serializer};

use super::jsonl::TerminalSafe;
use super::sink::AlertSink;
use crate::event::Alert;

pub struct JsonSink<W: Write> {
    out: W,
    written: usize,
    buf: Vec<u8>,
}

impl<W: Write> JsonSink<W> {
    pub fn new(out: W) -> Self {
        JsonSink {
            out,
            written: 0,
            buf: Vec::new(),
        }
    }
}

impl<W: Write> AlertSink for JsonSink<W> {
    fn alert(&mut self, a: &Alert) -> io::Result<()> {
        self.buf.clear();
        a.serialize(&mut Serializer::with_formatter(
            &mut self.buf,
            TerminalSafe(PrettyFormatter::new()),
        ))?;
        self.out
            .write_all(if self.written == 0 { b"[\n" } else { b",\n" })?;
        // Indent by one level so the output is byte for byte what pretty-printing the whole
        // array would give. JSON strings cannot hold a raw newline, so every `\n` is layout.
        for (i, line) in self.buf.split(|&b| b == b'\n').enumerate() {
            if i > 0 {
                self.out.write_all(b"\n")?;
            }
            self.out.write_all(b"  ")?;
            self.out.write_all(line)?;
        }
        self.written += 1;
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out
            .write_all(if self.written == 0 { b"[]\n" } else { b"\n]\n" })?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::sink::tests::sample_alert;

    fn print(alerts: &[Alert]) -> String {
        let mut out = Vec::new();
        let mut sink = JsonSink::new(&mut out);
        for a in alerts {
            sink.alert(a).unwrap();
        }
        sink.finish().unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn empty_run_is_an_empty_array() {
        assert_eq!(print(&[]), "[]\n");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&print(&[])).unwrap(),
            serde_json::json!([])
        );
    }

    #[test]
    fn streamed_array_equals_pretty_printing_the_whole_vec() {
        let mut b = sample_alert();
        b.rule = "password-spray".into();
        b.fields = Default::default();
        let alerts = vec![sample_alert(), b];
        let text = print(&alerts);
        assert_eq!(text, serde_json::to_string_pretty(&alerts).unwrap() + "\n");

        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let arr = v.as_array().unwrap();
        assert_eq!(arr.len(), 2);
        assert_eq!(arr[1]["rule"], "password-spray");
        assert_eq!(arr[1]["fields"], serde_json::json!({}));
    }

    #[test]
    fn one_alert_parses_as_an_array() {
        let v: serde_json::Value = serde_json::from_str(&print(&[sample_alert()])).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 1);
        assert_eq!(v[0]["count"], 12);
    }
}
