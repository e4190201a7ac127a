//! `--output jsonl`: one alert per line, flushed as it is emitted so `watch` and pipes
//! (`| jq`) see each alert when its window closes, not when a buffer fills.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, Serializer};

use super::activity_json;
use super::invisible::needs_escape;
use super::sink::AlertSink;
use crate::event::alert::AlertHead;
use crate::event::Alert;

pub struct JsonlSink<W: Write> {
    out: W,
    line: Vec<u8>,
}

impl<W: Write> JsonlSink<W> {
    pub fn new(out: W) -> Self {
        JsonlSink {
            out,
            line: Vec::new(),
        }
    }
}

/// Alerts rendered per window by [`JsonlSink::alerts`]: enough to share out among the
/// threads, few enough that a window's lines stay a few megabytes.
const RENDER_WINDOW: usize = 512;

/// Writes `value` as one terminal-safe JSON line into `out`, through the reused buffer
/// `line`: one write per line, flushed, so concurrent readers never see half an object and
/// `watch` and pipes see each one when it is raised.
pub(crate) fn write_json_line<W: Write, T: Serialize + ?Sized>(
    out: &mut W,
    line: &mut Vec<u8>,
    value: &T,
) -> io::Result<()> {
    line.clear();
    value.serialize(&mut Serializer::with_formatter(
        &mut *line,
        TerminalSafe(CompactFormatter),
    ))?;
    line.push(b'\n');
    out.write_all(line)?;
    out.flush()
}

/// [`write_json_line`] for an alert, byte for byte: its head through serde_json, then its
/// `activity` and `next_steps`, most of its bytes, by hand (`activity_json`).
pub(crate) fn write_alert_line<W: Write>(
    out: &mut W,
    line: &mut Vec<u8>,
    a: &Alert,
) -> io::Result<()> {
    line.clear();
    AlertHead(a).serialize(&mut Serializer::with_formatter(
        &mut *line,
        TerminalSafe(CompactFormatter),
    ))?;
    // The head is an object: its closing brace goes after the last two keys.
    line.pop();
    if let Some(activity) = &a.activity {
        line.extend_from_slice(b",\"activity\":");
        activity_json::write_activity(activity, line);
    }
    if !a.next_steps.is_empty() {
        line.extend_from_slice(b",\"next_steps\":");
        activity_json::write_strings(&a.next_steps, line);
    }
    line.extend_from_slice(b"}\n");
    out.write_all(line)?;
    out.flush()
}

impl<W: Write> AlertSink for JsonlSink<W> {
    fn alert(&mut self, a: &Alert) -> io::Result<()> {
        write_alert_line(&mut self.out, &mut self.line, a)
    }

    /// Rendered on a thread per core, a window of alerts at a time (memory stays bounded
    /// however many alerts there are), and written in order, a window per write: the
    /// alerts of an all-rules scan are tens of megabytes of JSON, which one thread wrote
    /// after the scan while the other cores idled.
    fn alerts(&mut self, alerts: &[&Alert]) -> io::Result<()> {
        let threads = crate::cores::threads();
        // A buffer per thread, reused from window to window.
        let mut buffers: Vec<(Vec<u8>, Vec<u8>)> = vec![Default::default(); threads];
        for window in alerts.chunks(RENDER_WINDOW) {
            let per_thread = window.len().div_ceil(threads);
            let rendered: Vec<io::Result<()>> = std::thread::scope(|scope| {
                let workers: Vec<_> = window
                    .chunks(per_thread)
                    .zip(buffers.iter_mut())
                    .map(|(part, (out, line))| {
                        scope.spawn(move || {
                            out.clear();
                            for a in part {
                                write_alert_line(out, line, a)?;
                            }
                            Ok(())
                        })
                    })
                    .collect();
                workers
                    .into_iter()
                    .map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                    .collect()
            });
            for (done, (lines, _)) in rendered.into_iter().zip(&buffers) {
                done?;
                self.out.write_all(lines)?;
            }
            self.out.flush()?;
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// A JSON formatter that writes as `\uXXXX` the characters serde_json leaves raw but a
/// terminal or a line-splitting reader would act on (`invisible::needs_escape`: DEL, C1
/// controls such as CSI and NEL, bidi and invisible characters, U+2028 / U+2029). JSON
/// output is often read on a terminal or split on line separators, and the decoded values
/// stay exactly what the logs held.
pub(crate) struct TerminalSafe<F>(pub F);

/// Whether every byte is below DEL (0x7f), eight at a time: fragments are mostly keys and
/// short values, too short for a vector search to pay for its set-up, and a byte loop cost as
/// much. Adding one to each byte sets its top bit exactly when the byte is DEL; bytes from
/// 0x80 up have it already (0xff, whose carry would spill into the next byte, is never in
/// UTF-8, and is flagged itself anyway).
fn below_del(b: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const TOPS: u64 = 0x8080_8080_8080_8080;
    let mut chunks = b.chunks_exact(8);
    let mut flags = 0;
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().unwrap_or_default());
        flags |= w | w.wrapping_add(ONES);
    }
    flags & TOPS == 0 && chunks.remainder().iter().all(|&b| b < 0x7f)
}

impl<F: Formatter> Formatter for TerminalSafe<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // ASCII without DEL is most of every alert and needs nothing (serde_json has already
        // escaped the C0 controls out of every fragment).
        if below_del(fragment.as_bytes()) {
            return w.write_all(fragment.as_bytes());
        }
        let mut start = 0;
        for (i, c) in fragment.char_indices().filter(|&(_, c)| needs_escape(c)) {
            w.write_all(&fragment.as_bytes()[start..i])?;
            let mut utf16 = [0u16; 2];
            // Beyond the BMP (tag characters): a surrogate pair, as JSON requires.
            for unit in c.encode_utf16(&mut utf16) {
                write!(w, "\\u{:04x}", unit)?;
            }
            start = i + c.len_utf8();
        }
        w.write_all(&fragment.as_bytes()[start..])
    }

    // Layout is the inner formatter's (compact or pretty): delegate every hook that
    // `PrettyFormatter` overrides.
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::escape;
    use crate::output::sink::tests::sample_alert;
    use serde::de::{Deserializer as _, IgnoredAny, MapAccess, Visitor};

    /// The top-level keys in the order they were written (serde_json's `Value` sorts them).
    fn key_order(line: &str) -> Vec<String> {
        struct Keys;
        impl<'de> Visitor<'de> for Keys {
            type Value = Vec<String>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut m: M) -> Result<Vec<String>, M::Error> {
                let mut keys = Vec::new();
                while let Some((k, IgnoredAny)) = m.next_entry::<String, IgnoredAny>()? {
                    keys.push(k);
                }
                Ok(keys)
            }
        }
        serde_json::Deserializer::from_str(line)
            .deserialize_map(Keys)
            .unwrap()
    }

    fn print(alerts: &[Alert]) -> String {
        let mut out = Vec::new();
        let mut sink = JsonlSink::new(&mut out);
        for a in alerts {
            sink.alert(a).unwrap();
        }
        sink.finish().unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn one_line_per_alert_in_spec_field_order() {
        let a = sample_alert();
        let mut b = sample_alert();
        b.suppressed = true;
        b.reason = Some("nightly terraform plan".into());
        let text = print(&[a.clone(), b.clone()]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(text.ends_with('\n'));

        let spec = "schema,id,rule,title,attack,severity,risk_score,provider,group,window_start,window_end,\
                    first_seen,last_seen,count,fields,evidence,suppressed";
        assert_eq!(key_order(lines[0]).join(","), spec);
        assert_eq!(key_order(lines[1]).join(","), format!("{spec},reason"));

        for (line, alert) in lines.iter().zip([&a, &b]) {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(v, serde_json::to_value(alert).unwrap());
        }
        let v: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(v["schema"], "tripline.alert/2");
        assert_eq!(v["window_start"], "2024-05-06T10:00:00Z");
        assert_eq!(v["fields"]["APIList"][1], "ListBuckets");
    }

    /// The JSON-lines writer (head through serde, activity and next steps by hand) writes
    /// each alert byte for byte as serde_json writes the whole alert, with and without
    /// the optional keys, hostile values included.
    #[test]
    fn alert_lines_are_what_serde_writes_for_the_whole_alert() {
        use crate::event::activity::{ActionCount, ActivityPart, Bounded};
        use crate::event::{Access, Activity};
        let hostile = "x\u{1b}[2J\"\\\u{202e}\u{7f}\n😀\u{e0041}";
        let mut with_all = sample_alert();
        with_all.reason = Some(hostile.into());
        with_all.notes = vec!["likely_benign".into(), hostile.into()];
        with_all.incident = Some("inc-1".into());
        with_all.next_steps = vec![format!("aws iam list-users # {hostile}"), "b".into()];
        let part = ActivityPart {
            events: 3,
            first: Some(with_all.first_seen),
            reads: 2,
            actions: vec![ActionCount {
                action: hostile.into(),
                access: Access::SignIn,
                count: 2,
                failed: 1,
                denied: 0,
                first: with_all.first_seen,
            }],
            actions_total: 1,
            user_agents: Bounded {
                values: vec![hostile.into()],
                total: 1,
            },
            ..ActivityPart::default()
        };
        with_all.activity = Some(Activity {
            actor: hostile.into(),
            partial: true,
            before: part.clone(),
            after: ActivityPart::default(),
        });
        let mut only_activity = with_all.clone();
        only_activity.next_steps.clear();
        only_activity.reason = None;
        let mut only_steps = with_all.clone();
        only_steps.activity = None;
        for a in [sample_alert(), with_all, only_activity, only_steps] {
            let (mut mine, mut line) = (Vec::new(), Vec::new());
            write_alert_line(&mut mine, &mut line, &a).unwrap();
            let mut whole = Vec::new();
            write_json_line(&mut whole, &mut line, &a).unwrap();
            assert_eq!(
                String::from_utf8(mine).unwrap(),
                String::from_utf8(whole).unwrap()
            );
        }
    }

    #[test]
    fn terminal_controls_are_escaped_but_values_survive() {
        let mut a = sample_alert();
        let hostile = "evil\u{1b}[2J\u{9b}31m\u{7f}\u{202e}gpj.exe";
        a.group.0[0].1 = hostile.into();
        a.fields.push("ua\u{9b}", hostile);
        let line = print(&[a]);
        assert!(
            !line.contains(|c: char| c != '\n' && needs_escape(c)),
            "{line:?}"
        );
        let v: serde_json::Value = serde_json::from_str(line.trim_end()).unwrap();
        assert_eq!(v["group"]["identity"], hostile);
        assert_eq!(v["fields"]["ua\u{9b}"], hostile);
    }

    #[test]
    fn escapes_exactly_what_the_terminal_escaper_does_and_decodes_back() {
        let planes = (0..0x3100).chain(0xfe00..0x1_0000).chain(0xe0000..0xe0200);
        for c in planes
            .filter_map(char::from_u32)
            .filter(|c| *c as u32 >= 0x20)
        {
            let s = c.to_string();
            let mut json = Vec::new();
            s.serialize(&mut Serializer::with_formatter(
                &mut json,
                TerminalSafe(CompactFormatter),
            ))
            .unwrap();
            let json = String::from_utf8(json).unwrap();
            assert_eq!(
                !json.contains(c),
                escape::terminal(&s) != s,
                "U+{:04X}: {json}",
                c as u32
            );
            assert_eq!(serde_json::from_str::<String>(&json).unwrap(), s);
        }
    }

    /// The eight-at-a-time test is the byte test, wherever DEL or a non-ASCII byte sits.
    /// (Watched failing with the top-bit mask shifted by one byte.)
    #[test]
    fn below_del_is_every_byte_below_del() {
        use proptest::prelude::*;
        proptest!(ProptestConfig::with_cases(4000), |(s in "[ -~\u{7f}\u{80}-\u{7ff}\u{ffff}]{0,40}")| {
            prop_assert_eq!(below_del(s.as_bytes()), s.bytes().all(|b| b < 0x7f));
        });
        for n in 0..24 {
            let mut s = "a".repeat(n);
            assert!(below_del(s.as_bytes()));
            s.push('\u{7f}');
            assert!(!below_del(s.as_bytes()), "DEL at {n}");
        }
    }

    /// Rendering on threads, window by window, writes exactly what one alert at a time
    /// does, in the same order, whatever the count against the window. (Watched failing
    /// with the threads' parts written in the order they finished.)
    #[test]
    fn alerts_rendered_on_threads_are_the_lines_one_at_a_time() {
        for n in [
            0,
            1,
            2,
            3,
            RENDER_WINDOW - 1,
            RENDER_WINDOW,
            2 * RENDER_WINDOW + 7,
        ] {
            let alerts: Vec<Alert> = (0..n)
                .map(|i| {
                    let mut a = sample_alert();
                    a.id = format!("alert-{i}");
                    a
                })
                .collect();
            let refs: Vec<&Alert> = alerts.iter().collect();
            let mut one = JsonlSink::new(Vec::new());
            for a in &refs {
                one.alert(a).unwrap();
            }
            let mut many = JsonlSink::new(Vec::new());
            many.alerts(&refs).unwrap();
            assert_eq!(many.out, one.out, "{n} alerts");
            assert_eq!(many.out.iter().filter(|b| **b == b'\n').count(), n);
        }
    }
}
