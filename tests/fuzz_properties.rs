//! The fuzz targets' entry points as property tests, so that every change runs them (CI runs
//! `cargo test`); `scripts/fuzz.sh` explores the same entry points with coverage guidance.
//! `tests/no_panic.rs` covers random bytes and shape fragments through the readers; this
//! file adds the config loader, the timestamp parsers, and byte mutations of the real seed
//! files (`fuzz/seeds/`, cut from `tests/fixtures/`) through the detector and the readers.

use proptest::prelude::*;
use std::io::BufReader;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use tripline::engine::normalize_batch::normalize_batch;
use tripline::event::time::{
    days_from_civil, parse_slash_date, slash_date_evidence, DateOrder, NANOS_PER_SEC,
};
use tripline::event::{BadRecord, Event, Timestamp};
use tripline::input::{self, frame::frame_input, frame::frame_input_until_lines, Batch};
use tripline::normalize::NormalizeOptions;

fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no seeds in {}", dir.display());
    out
}

/// Every file seed of the readers and the detector.
fn reader_seeds() -> &'static [(String, Vec<u8>)] {
    static SEEDS: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut all = seeds("read_any");
        all.extend(seeds("detect"));
        all.extend(seeds("normalize_text"));
        all
    })
}

fn config_seeds() -> &'static [(String, Vec<u8>)] {
    static SEEDS: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    SEEDS.get_or_init(|| seeds("config"))
}

/// The `read_any` target: open, sniff, frame, split, normalize.
fn read_all(bytes: &[u8], max: usize) -> (Result<(), String>, usize, usize) {
    let mut reader = input::open_reader(Box::new(std::io::Cursor::new(bytes.to_vec()))).unwrap();
    let mut batches: Vec<Batch> = Vec::new();
    let framed = frame_input(&mut *reader, Arc::from("prop"), max, &mut |mut b: Batch| {
        b.split();
        batches.push(b)
    })
    .map_err(|e| e.detail);
    let mut events: Vec<Event> = Vec::new();
    let mut bad: Vec<BadRecord> = Vec::new();
    for b in &batches {
        for i in 0..b.records.len() {
            assert!(b.record(i).len() <= max, "a record over the cap was framed");
        }
        normalize_batch(b, &NormalizeOptions::default(), &mut events, &mut bad);
    }
    (framed, events.len(), bad.len())
}

/// The `detect` target: the framing entry point in both of the pipeline's modes.
fn detect(bytes: &[u8], max: usize) {
    for hand_off in [false, true] {
        let mut reader = BufReader::with_capacity(256 * 1024, bytes);
        let _ = frame_input_until_lines(
            &mut reader,
            Arc::from("prop"),
            max,
            hand_off,
            &mut |mut b: Batch| {
                b.split();
            },
        );
    }
}

#[derive(Clone, Debug)]
enum Mutation {
    FlipBit(usize, u8),
    Truncate(usize),
    Duplicate(usize, usize),
    Insert(usize, &'static [u8]),
    Delete(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let inserted = prop::sample::select(vec![
        &b"\0"[..],
        b"\xEF\xBB\xBF",
        b"\xFF\xFE",
        b"\xFE\xFF",
        b"\x1f\x8b",
        b"\x1b[31m",
        b"\x07",
        b"\r",
        b"\n",
        b"\r\n",
        b"\"",
        b"\\",
        b"{",
        b"}",
        b"[",
        b"]",
        b",",
        b"\xE2\x80\xAE",
        b"\xC3",
        b"\xFF",
        b"\x7f",
    ]);
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(i, b)| Mutation::FlipBit(i, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 1usize..512).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
        (any::<usize>(), inserted).prop_map(|(i, s)| Mutation::Insert(i, s)),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let len = bytes.len();
    match *m {
        Mutation::FlipBit(i, b) if len > 0 => bytes[i % len] ^= 1 << b,
        Mutation::Truncate(i) => bytes.truncate(i % (len + 1)),
        Mutation::Duplicate(i, n) if len > 0 => {
            let start = i % len;
            let end = (start + n).min(len);
            let copy = bytes[start..end].to_vec();
            bytes.splice(end..end, copy);
        }
        Mutation::Insert(i, s) => {
            let at = i % (len + 1);
            bytes.splice(at..at, s.iter().copied());
        }
        Mutation::Delete(i, n) if len > 0 => {
            let start = i % len;
            bytes.drain(start..(start + n).min(len));
        }
        _ => {}
    }
}

/// Every problem of a rejected config names a line of the file (SPEC §6: `config check`
/// explains each error with its line).
fn check_config(text: &str) -> Result<(), TestCaseError> {
    match tripline::config::parse(text, "prop.toml") {
        Ok(_) => Ok(()),
        Err(e) => {
            prop_assert!(!e.is_empty());
            let lines = text.split('\n').count();
            for p in e.iter() {
                let line = p.line;
                prop_assert!(
                    line.is_some_and(|l| (1..=lines).contains(&l)),
                    "problem {:?} has line {:?} (the file has {} lines):\n{}",
                    p.message,
                    line,
                    lines,
                    text
                );
            }
            let _ = e.for_terminal();
            Ok(())
        }
    }
}

#[derive(Clone, Debug)]
enum TomlEdit {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    Uncomment(usize),
    ReplaceValue(usize, &'static str),
    InsertLine(usize, &'static str),
    Truncate(usize),
}

fn toml_edit() -> impl Strategy<Value = TomlEdit> {
    let values = prop::sample::select(vec![
        "-1",
        "0",
        "99999999999999999999",
        "1e400",
        "nan",
        "true",
        "\"\"",
        "\"10m\"",
        "\"0d\"",
        "\"9223372036854775807d\"",
        "\"10.0.0.0/33\"",
        "\"::/0\"",
        "\"*\"",
        "\"24:00\"",
        "\"25:61\"",
        "\"Europe/London\"",
        "\"\\u202e\"",
        "[]",
        "[1, \"a\"]",
        "[\"mon\", \"mon\"]",
        "{}",
        "{ a = 1 }",
        "1979-05-27T07:32:00Z",
    ]);
    let lines = prop::sample::select(vec![
        "[organisation]",
        "[working_hours]",
        "[rules]",
        "[rules.password-spray]",
        "[rules.no-such-rule]",
        "[[suppress]]",
        "[suppress]",
        "[lists]",
        "[state]",
        "[stream]",
        "[[rules]]",
        "organisation.bucket_prefixes = [\"a\"]",
        "organisation = { internal_cidrs = [\"x\"] }",
        "rules.password-spray.window = \"1x\"",
        "\"quoted key\" = 1",
        "reason = \"r\"",
        "window = \"0s\"",
        "timezone = \"\"",
        "x = \"\"\"\nmulti\nline\"\"\"",
        "a = [\n1,\n\"b\",\n]",
        "# comment [table]",
        "key = 'literal [not a table]'",
    ]);
    prop_oneof![
        any::<usize>().prop_map(TomlEdit::DeleteLine),
        any::<usize>().prop_map(TomlEdit::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| TomlEdit::SwapLines(a, b)),
        any::<usize>().prop_map(TomlEdit::Uncomment),
        (any::<usize>(), values).prop_map(|(i, v)| TomlEdit::ReplaceValue(i, v)),
        (any::<usize>(), lines).prop_map(|(i, l)| TomlEdit::InsertLine(i, l)),
        any::<usize>().prop_map(TomlEdit::Truncate),
    ]
}

fn edit_toml(text: &str, edits: &[TomlEdit]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for e in edits {
        let n = lines.len().max(1);
        match *e {
            TomlEdit::DeleteLine(i) if !lines.is_empty() => {
                lines.remove(i % n);
            }
            TomlEdit::DuplicateLine(i) if !lines.is_empty() => {
                let l = lines[i % n].clone();
                lines.insert(i % n, l);
            }
            TomlEdit::SwapLines(a, b) if !lines.is_empty() => lines.swap(a % n, b % n),
            TomlEdit::Uncomment(i) => {
                // Comments in the default config hold whole tables ready to enable.
                if let Some(l) = lines.iter_mut().filter(|l| l.starts_with("# ")).nth(i % n) {
                    *l = l[2..].to_string();
                }
            }
            TomlEdit::ReplaceValue(i, v) => {
                let count = lines.iter().filter(|l| l.contains(" = ")).count();
                if count > 0 {
                    let l = lines
                        .iter_mut()
                        .filter(|l| l.contains(" = "))
                        .nth(i % count)
                        .unwrap();
                    let key = l.split(" = ").next().unwrap().to_string();
                    *l = format!("{key} = {v}");
                }
            }
            TomlEdit::InsertLine(i, l) => lines.insert(i % (lines.len() + 1), l.to_string()),
            TomlEdit::Truncate(i) if !lines.is_empty() => lines.truncate(i % n),
            _ => {}
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// Timestamps in the shapes logs carry, with components a little past every valid range.
fn timestamp_text() -> impl Strategy<Value = String> {
    (
        (0i64..10_000, 0u32..14, 0u32..33),
        (0u32..26, 0u32..62, 0u32..62),
        prop::option::of("[0-9]{1,12}"),
        prop::sample::select(vec![
            "", "Z", "z", "+00:00", "-00:00", "+05:30", "-1200", " +0000", " UTC", "+99:99", "Q",
        ]),
        0u8..5,
    )
        .prop_map(|((y, mo, d), (h, mi, s), frac, zone, shape)| {
            let frac = frac.map(|f| format!(".{f}")).unwrap_or_default();
            const MON: [&str; 14] = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
                "Foo", "jan",
            ];
            match shape {
                0 => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{frac}{zone}"),
                1 => format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}{frac}{zone}"),
                2 => format!(
                    "[{d:02}/{}/{y:04}:{h:02}:{mi:02}:{s:02}{frac}{}]",
                    MON[mo as usize],
                    zone.trim_end_matches(':')
                ),
                3 => format!("{d}/{mo}/{y:04}, {h:02}:{mi:02}:{s:02}{frac}"),
                _ => format!(
                    "{mo}/{d}/{y:04}, {}:{mi:02}:{s:02}{frac} {}",
                    h % 13,
                    if h % 2 == 0 { "AM" } else { "PM" }
                ),
            }
        })
}

fn round_trips(t: Timestamp) -> Result<(), TestCaseError> {
    let printed = t.to_string();
    prop_assert!(printed.ends_with('Z') && printed.len() >= 20, "{printed}");
    prop_assert_eq!(
        Timestamp::parse(&printed),
        Some(t),
        "{:?} printed as {}",
        t,
        printed
    );
    Ok(())
}

fn timestamp_properties(s: &str) -> Result<(), TestCaseError> {
    if let Some(t) = Timestamp::parse(s) {
        round_trips(t)?;
    }
    for order in [DateOrder::Dmy, DateOrder::Mdy] {
        if let Some(t) = parse_slash_date(s, order) {
            round_trips(t)?;
        }
    }
    if let Some(order) = slash_date_evidence(s) {
        // Evidence for one order means that order reads it.
        prop_assert!(parse_slash_date(s, order).is_some(), "{s}");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn config_of_any_text_never_panics_and_every_problem_has_a_line(text in any::<String>()) {
        check_config(&text)?;
    }

    #[test]
    fn config_structurally_mutated_never_panics_and_every_problem_has_a_line(
        seed in any::<prop::sample::Index>(),
        edits in prop::collection::vec(toml_edit(), 1..6),
    ) {
        let seeds = config_seeds();
        let (_, bytes) = &seeds[seed.index(seeds.len())];
        let text = edit_toml(std::str::from_utf8(bytes).unwrap(), &edits);
        check_config(&text)?;
    }

    #[test]
    fn readers_and_detector_survive_byte_mutations_of_the_seeds(
        seed in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..8),
        max in prop::sample::select(vec![16usize, 200, 4096, 1 << 20]),
    ) {
        let seeds = reader_seeds();
        let (_, original) = &seeds[seed.index(seeds.len())];
        let mut bytes = original.clone();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        let _ = read_all(&bytes, max);
        detect(&bytes, max);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn timestamp_parsers_never_panic_on_any_text(s in any::<String>()) {
        timestamp_properties(&s)?;
    }

    #[test]
    fn timestamps_in_log_shapes_round_trip_through_rfc3339(s in timestamp_text()) {
        timestamp_properties(&s)?;
    }

    #[test]
    fn rfc3339_utc_in_range_parses_to_its_civil_time(
        y in 1678i64..2262, mo in 1u32..13, d in 1u32..29,
        h in 0u32..24, mi in 0u32..60, s in 0u32..60, nanos in 0i64..NANOS_PER_SEC,
    ) {
        let text = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{nanos:09}Z");
        let secs = days_from_civil(y, mo, d) * 86_400 + i64::from(h * 3600 + mi * 60 + s);
        prop_assert_eq!(
            Timestamp::parse(&text),
            Some(Timestamp(secs * NANOS_PER_SEC + nanos))
        );
    }
}

/// Every unmutated reader seed reads without a file error and gives something, and a UTF-8 byte-order mark in
/// front of it changes nothing (SPEC §9: a file is never rejected for a mark).
#[test]
fn reader_seeds_read_alike_with_a_byte_order_mark() {
    for (name, bytes) in reader_seeds() {
        let plain = read_all(bytes, 1 << 20);
        assert!(plain.0.is_ok(), "{name}: {:?}", plain.0);
        // Read as events or counted bad records (the StreamAlert sample's `eventTime` is
        // "foo" on purpose).
        assert!(plain.1 + plain.2 > 0, "{name}: nothing read");
        if bytes.starts_with(b"\xEF\xBB\xBF")
            || bytes.starts_with(b"\x1f\x8b")
            || bytes.starts_with(b"\xFF\xFE")
        {
            continue;
        }
        let mut marked = b"\xEF\xBB\xBF".to_vec();
        marked.extend_from_slice(bytes);
        assert_eq!(read_all(&marked, 1 << 20), plain, "{name}");
    }
}
