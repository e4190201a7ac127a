//! An alert's `activity` (and `next_steps`) as compact JSON, written by hand for the
//! JSON-lines sink: byte for byte what serde_json writes through `jsonl::TerminalSafe`
//! (tested against it), for a fraction of the cost. Activity is most of an all-rules scan's
//! output (two bounded parts per alert, about 8 kB), and serde_json scanned every key and
//! value a byte at a time for escapes; here the keys are constants and a value is copied
//! whole once a quick check finds nothing to escape in it.

use super::invisible::needs_escape;
use crate::event::activity::{ActionCount, ActivityPart, Bounded, ChangedResource};
use crate::event::{Activity, Timestamp};

/// `activity`'s value.
pub fn write_activity(a: &Activity, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"actor\":");
    string(&a.actor, out);
    if a.partial {
        out.extend_from_slice(b",\"partial\":true");
    }
    out.extend_from_slice(b",\"before\":");
    part(&a.before, out);
    out.extend_from_slice(b",\"after\":");
    part(&a.after, out);
    out.push(b'}');
}

/// A list of strings (`next_steps`, a part's bounded values).
pub fn write_strings<S: AsRef<str>>(values: &[S], out: &mut Vec<u8>) {
    list(values, out, |v, out| string(v.as_ref(), out));
}

fn part(p: &ActivityPart, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"events\":");
    number(p.events, out);
    for (key, t) in [(&b",\"first\":"[..], p.first), (b",\"last\":", p.last)] {
        if let Some(t) = t {
            out.extend_from_slice(key);
            time(t, out);
        }
    }
    for (key, n) in [
        (&b",\"reads\":"[..], p.reads),
        (b",\"writes\":", p.writes),
        (b",\"sign_ins\":", p.sign_ins),
        (b",\"unclassified\":", p.unclassified),
        (b",\"denied\":", p.denied),
        (b",\"failed_sign_ins\":", p.failed_sign_ins),
        (b",\"mfa_sign_ins\":", p.mfa_sign_ins),
        (b",\"single_factor_sign_ins\":", p.single_factor_sign_ins),
    ] {
        out.extend_from_slice(key);
        number(n, out);
    }
    out.extend_from_slice(b",\"actions\":");
    list(&p.actions, out, action);
    out.extend_from_slice(b",\"actions_total\":");
    number(p.actions_total as u64, out);
    out.extend_from_slice(b",\"notable\":");
    list(&p.notable, out, action);
    out.extend_from_slice(b",\"changed\":");
    list(&p.changed, out, changed);
    out.extend_from_slice(b",\"changed_total\":");
    number(p.changed_total as u64, out);
    for (key, b) in [
        (&b",\"objects_read\":"[..], &p.objects_read),
        (b",\"source_ips\":", &p.source_ips),
        (b",\"regions\":", &p.regions),
        (b",\"user_agents\":", &p.user_agents),
    ] {
        out.extend_from_slice(key);
        bounded(b, out);
    }
    out.push(b'}');
}

fn action(a: &ActionCount, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"action\":");
    string(&a.action, out);
    out.extend_from_slice(b",\"access\":\"");
    out.extend_from_slice(a.access.as_str().as_bytes());
    out.extend_from_slice(b"\",\"count\":");
    number(a.count, out);
    // Zero counts of failures are left out, as the alert's serde attributes say.
    if a.failed != 0 {
        out.extend_from_slice(b",\"failed\":");
        number(a.failed, out);
    }
    if a.denied != 0 {
        out.extend_from_slice(b",\"denied\":");
        number(a.denied, out);
    }
    out.extend_from_slice(b",\"first\":");
    time(a.first, out);
    out.push(b'}');
}

fn changed(c: &ChangedResource, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"resource\":");
    string(&c.resource, out);
    out.extend_from_slice(b",\"action\":");
    string(&c.action, out);
    out.extend_from_slice(b",\"first\":");
    time(c.first, out);
    out.extend_from_slice(b",\"count\":");
    number(c.count, out);
    out.push(b'}');
}

fn bounded(b: &Bounded, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"values\":");
    write_strings(&b.values, out);
    out.extend_from_slice(b",\"total\":");
    number(b.total as u64, out);
    out.push(b'}');
}

fn list<T>(items: &[T], out: &mut Vec<u8>, each: impl Fn(&T, &mut Vec<u8>)) {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        each(item, out);
    }
    out.push(b']');
}

fn number(n: u64, out: &mut Vec<u8>) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

fn time(t: Timestamp, out: &mut Vec<u8>) {
    match t.rfc3339_bytes() {
        Some((b, len)) => {
            out.push(b'"');
            out.extend_from_slice(&b[..len]);
            out.push(b'"');
        }
        // The ends of time: written as their text is, through the general formatter.
        None => string(&t.to_string(), out),
    }
}

/// A JSON string: serde_json's escapes (`\"`, `\\`, `\b` `\t` `\n` `\f` `\r`, other C0
/// controls as `\u00XX`), then `TerminalSafe`'s (`invisible::needs_escape` as `\uXXXX`, a
/// surrogate pair beyond the BMP), lower-case hex as both write it.
fn string(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    // Printable ASCII without a quote or backslash is nearly every value: copied whole.
    if plain(s.as_bytes()) {
        out.extend_from_slice(s.as_bytes());
    } else {
        for c in s.chars() {
            match c {
                '"' => out.extend_from_slice(b"\\\""),
                '\\' => out.extend_from_slice(b"\\\\"),
                '\u{8}' => out.extend_from_slice(b"\\b"),
                '\t' => out.extend_from_slice(b"\\t"),
                '\n' => out.extend_from_slice(b"\\n"),
                '\u{c}' => out.extend_from_slice(b"\\f"),
                '\r' => out.extend_from_slice(b"\\r"),
                c if needs_escape(c) => {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        out.extend_from_slice(b"\\u");
                        for shift in [12, 8, 4, 0] {
                            out.push(b"0123456789abcdef"[usize::from(*unit >> shift & 0xf)]);
                        }
                    }
                }
                c => {
                    let mut utf8 = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
                }
            }
        }
    }
    out.push(b'"');
}

/// Whether every byte is printable ASCII (0x20 to 0x7e) other than `"` and `\`: nothing to
/// escape. Eight bytes at a time (a byte loop was half of this writer's time): a byte below
/// 0x20 borrows out of its top bit when 0x20 is taken from it, a quote or backslash is a zero
/// byte once XORed with copies of it, and DEL or anything from 0x80 up has its top bit set
/// once one is added (0xff's carry spills, but 0xff has it set already).
fn plain(b: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const TOPS: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |v: u64| v.wrapping_sub(ONES) & !v;
    let mut chunks = b.chunks_exact(8);
    let mut flags = 0;
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
        flags |= w
            | w.wrapping_add(ONES)
            | (w.wrapping_sub(ONES * 0x20) & !w)
            | zero_byte(w ^ (ONES * u64::from(b'"')))
            | zero_byte(w ^ (ONES * u64::from(b'\\')));
    }
    flags & TOPS == 0
        && chunks
            .remainder()
            .iter()
            .all(|&b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Access;
    use crate::output::jsonl::TerminalSafe;
    use proptest::prelude::*;
    use serde::Serialize;
    use serde_json::ser::{CompactFormatter, Serializer};

    /// What serde_json writes through `TerminalSafe`, the reference.
    fn by_serde<T: Serialize>(v: &T) -> String {
        let mut out = Vec::new();
        v.serialize(&mut Serializer::with_formatter(
            &mut out,
            TerminalSafe(CompactFormatter),
        ))
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    fn text() -> impl Strategy<Value = String> {
        let hostile = proptest::sample::select(vec![
            "\"",
            "\\",
            "\u{8}",
            "\t",
            "\n",
            "\u{c}",
            "\r",
            "\u{0}",
            "\u{1b}[2J",
            "\u{1f}",
            "\u{7f}",
            "\u{85}",
            "\u{9b}",
            "\u{ad}",
            "\u{202e}",
            "\u{200b}",
            "\u{2028}",
            "\u{feff}",
            "\u{e0041}",
            "é",
            "中",
            "😀",
            "/",
            "a",
            "arn:aws:iam::1:user/x",
        ]);
        prop_oneof![
            "[ -~]{0,12}",
            proptest::collection::vec(hostile, 0..6).prop_map(|v| v.concat()),
        ]
    }

    fn time_strategy() -> impl Strategy<Value = Timestamp> {
        prop_oneof![
            (0i64..4_000_000_000_000_000_000).prop_map(Timestamp),
            Just(Timestamp(i64::MIN)),
            Just(Timestamp(i64::MAX)),
        ]
    }

    fn part_strategy() -> impl Strategy<Value = ActivityPart> {
        let action = || {
            let access = proptest::sample::select(Access::ALL.to_vec());
            (text(), access, 0u64..5, 0u64..3, 0u64..3, time_strategy()).prop_map(
                |(action, access, count, failed, denied, first)| ActionCount {
                    action: action.into(),
                    access,
                    count,
                    failed,
                    denied,
                    first,
                },
            )
        };
        let changed = (text(), text(), time_strategy(), any::<u64>()).prop_map(
            |(resource, action, first, count)| ChangedResource {
                resource: resource.into(),
                action: action.into(),
                first,
                count,
            },
        );
        let bounded = (proptest::collection::vec(text(), 0..3), any::<usize>()).prop_map(
            |(values, total)| Bounded {
                values: values.into_iter().map(Into::into).collect(),
                total,
            },
        );
        (
            (
                any::<u64>(),
                proptest::option::of(time_strategy()),
                proptest::option::of(time_strategy()),
                proptest::array::uniform8(any::<u64>()),
            ),
            (
                proptest::collection::vec(action(), 0..3),
                proptest::collection::vec(action(), 0..2),
                proptest::collection::vec(changed, 0..3),
                any::<usize>(),
                any::<usize>(),
            ),
            proptest::array::uniform4(bounded),
        )
            .prop_map(
                |((events, first, last, n), (actions, notable, changed, at, ct), b)| {
                    let [objects_read, source_ips, regions, user_agents] = b;
                    ActivityPart {
                        events,
                        first,
                        last,
                        reads: n[0],
                        writes: n[1],
                        sign_ins: n[2],
                        unclassified: n[3],
                        denied: n[4],
                        failed_sign_ins: n[5],
                        mfa_sign_ins: n[6],
                        single_factor_sign_ins: n[7],
                        actions,
                        actions_total: at,
                        notable,
                        changed,
                        changed_total: ct,
                        objects_read,
                        source_ips,
                        regions,
                        user_agents,
                    }
                },
            )
    }

    /// The word-at-a-time test answers as a byte loop does, for any bytes at any offset.
    #[test]
    fn plain_is_the_byte_test() {
        let byte = |b: &u8| (0x20..0x7f).contains(b) && *b != b'"' && *b != b'\\';
        let interesting = proptest::sample::select(vec![
            0x00u8, 0x08, 0x1f, 0x20, 0x21, b'"', 0x23, b'\\', 0x5b, 0x5d, b'a', 0x7e, 0x7f, 0x80,
            0xc3, 0xfe, 0xff,
        ]);
        let bytes =
            proptest::collection::vec(prop_oneof![interesting, any::<u8>(), Just(b'x')], 0..40);
        proptest!(ProptestConfig::with_cases(5000), |(b in bytes)| {
            for start in 0..b.len().min(8) {
                prop_assert_eq!(plain(&b[start..]), b[start..].iter().all(byte), "{:?}", &b[start..]);
            }
        });
    }

    /// The hand-written activity is serde_json's through `TerminalSafe`, byte for byte,
    /// whatever the values hold (controls, quotes, bidi and invisible characters, characters
    /// beyond the BMP), the optional keys present or not, the ends of time included.
    #[test]
    fn activity_is_what_serde_writes() {
        proptest!(ProptestConfig::with_cases(1500), |(
            actor in text(),
            partial in any::<bool>(),
            before in part_strategy(),
            after in part_strategy(),
            steps in proptest::collection::vec(text(), 0..3),
        )| {
            let a = Activity { actor, partial, before, after };
            let mut mine = Vec::new();
            write_activity(&a, &mut mine);
            prop_assert_eq!(String::from_utf8(mine).unwrap(), by_serde(&a));
            let mut mine = Vec::new();
            write_strings(&steps, &mut mine);
            prop_assert_eq!(String::from_utf8(mine).unwrap(), by_serde(&steps));
        });
    }
}
