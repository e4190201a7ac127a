use super::*;
use crate::event::{Duration, Timestamp};

const DAY: i64 = 86_400;

/// Day `d`, `h` hours in, as an event time.
fn at(d: i64, h: i64) -> Timestamp {
    Timestamp::from_secs(d * DAY + h * 3600)
}

fn days(n: i64) -> Duration {
    Duration::secs(n * DAY)
}

fn mem() -> Store {
    Store::open(":memory:").unwrap()
}

fn file_store(dir: &tempfile::TempDir) -> (String, Store) {
    let path = dir
        .path()
        .join("nested")
        .join("tripline.db")
        .to_string_lossy()
        .into_owned();
    let store = Store::open(&path).unwrap();
    (path, store)
}

/// "seen in the 30 days before t", the question the novelty rules ask.
fn seen_30d(s: &Store, kind: &str, scope: &str, value: &str, t: Timestamp) -> bool {
    s.seen_between(kind, scope, value, t.sub(days(30)), t)
}

#[test]
fn open_creates_schema_with_wal_and_folder() {
    let dir = tempfile::tempdir().unwrap();
    let (path, store) = file_store(&dir);
    assert!(std::path::Path::new(&path).exists());
    store.integrity_check().unwrap();
    let mode: String = store
        .conn_for_tests()
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let sync: i64 = store
        .conn_for_tests()
        .pragma_query_value(None, "synchronous", |r| r.get(0))
        .unwrap();
    assert_eq!(sync, 1, "synchronous=NORMAL");
    drop(store);
    // Opening again finds the schema and does not recreate it.
    Store::open(&path).unwrap().integrity_check().unwrap();
}

#[test]
fn memory_store_works_and_checks() {
    let mut s = mem();
    s.record("k", "s", "v", at(1, 1));
    s.commit().unwrap();
    assert!(s.seen_between("k", "s", "v", at(0, 0), at(2, 0)));
    s.integrity_check().unwrap();
}

#[test]
fn a_file_that_is_not_a_store_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(
        &text,
        "this is not a database, it is a shopping list\n".repeat(100),
    )
    .unwrap();
    let before = std::fs::read(&text).unwrap();
    let err = Store::open(text.to_str().unwrap()).err().expect("refused");
    assert_eq!(err.kind(), StoreErrorKind::NotAStore, "{err}");
    assert!(
        err.to_string().contains("not a tripline baseline store"),
        "{err}"
    );
    assert_eq!(std::fs::read(&text).unwrap(), before);

    let other = dir.path().join("other.sqlite");
    {
        let c = rusqlite::Connection::open(&other).unwrap();
        c.execute_batch("CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers VALUES (1, 'a');")
            .unwrap();
    }
    let err = Store::open(other.to_str().unwrap()).err().expect("refused");
    assert_eq!(err.kind(), StoreErrorKind::NotAStore, "{err}");
    let c = rusqlite::Connection::open(&other).unwrap();
    let tables: i64 = c
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 1, "nothing was added to someone else's database");
}

#[test]
fn a_store_from_a_newer_tripline_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (path, store) = file_store(&dir);
    store
        .conn_for_tests()
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(store);
    let err = Store::open(&path).err().expect("refused");
    assert_eq!(err.kind(), StoreErrorKind::NewerSchema, "{err}");
}

#[test]
fn an_empty_file_becomes_a_store() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("empty.db");
    std::fs::write(&p, b"").unwrap();
    Store::open(p.to_str().unwrap())
        .unwrap()
        .integrity_check()
        .unwrap();
}

#[test]
fn default_path_is_in_the_state_dir() {
    let p = Store::default_path();
    assert!(
        p.ends_with("tripline/tripline.db") || p == std::path::Path::new("tripline.db"),
        "{}",
        p.display()
    );
}

#[test]
fn seen_between_is_half_open() {
    let mut s = mem();
    let t = at(10, 12);
    s.record("env-asn", "aws/1", "AS64500", t);
    for committed in [false, true] {
        assert!(
            s.seen_between("env-asn", "aws/1", "AS64500", t, t.add(Duration(1))),
            "from is inclusive ({committed})"
        );
        assert!(
            !s.seen_between("env-asn", "aws/1", "AS64500", t.sub(days(30)), t),
            "before is exclusive ({committed})"
        );
        assert!(s.seen_between(
            "env-asn",
            "aws/1",
            "AS64500",
            t.sub(days(30)),
            t.add(Duration(1))
        ));
        assert!(!s.seen_between(
            "env-asn",
            "aws/1",
            "AS64500",
            t.add(Duration(1)),
            t.add(days(30))
        ));
        assert!(
            !s.seen_between(
                "env-asn",
                "aws/1",
                "AS64501",
                t.sub(days(30)),
                t.add(days(1))
            ),
            "other value"
        );
        assert!(
            !s.seen_between(
                "env-asn",
                "aws/2",
                "AS64500",
                t.sub(days(30)),
                t.add(days(1))
            ),
            "other scope"
        );
        assert!(
            !s.seen_between(
                "env-country",
                "aws/1",
                "AS64500",
                t.sub(days(30)),
                t.add(days(1))
            ),
            "other kind"
        );
        assert!(
            !s.seen_between("env-asn", "aws/1", "AS64500", t.add(days(1)), t),
            "empty window"
        );
        s.commit().unwrap();
    }
}

#[test]
fn boundary_days_are_refined_by_first_and_last_times() {
    let mut s = mem();
    // Day 10 seen at 03:00 and 20:00; day 40 at 05:00.
    s.record("id-source", "alice", "198.51.100.0/24", at(10, 3));
    s.record("id-source", "alice", "198.51.100.0/24", at(10, 20));
    s.record("id-source", "alice", "198.51.100.0/24", at(40, 5));
    for _ in 0..2 {
        let q = |from: Timestamp, before: Timestamp| {
            s.seen_between("id-source", "alice", "198.51.100.0/24", from, before)
        };
        // Window starting on day 10 after its last sighting, ending on day 40 before its first.
        assert!(!q(at(10, 21), at(40, 4)));
        assert!(q(at(10, 20), at(40, 4)), "day 10's last sighting is inside");
        assert!(
            q(at(10, 21), at(40, 6)),
            "day 40's first sighting is inside"
        );
        assert!(q(at(10, 4), at(11, 0)));
        assert!(!q(at(9, 0), at(10, 3)));
        assert!(q(at(9, 0), Timestamp(at(10, 3).0 + 1)));
        s.commit().unwrap();
    }
}

#[test]
fn older_logs_scanned_after_newer_ones() {
    let mut s = mem();
    s.record("env-country", "aws/1", "NL", at(40, 9));
    s.commit().unwrap();
    s.record("env-country", "aws/1", "NL", at(5, 9));
    for _ in 0..2 {
        // The day-5 sighting is history for day 20, whatever the store learned first.
        assert!(seen_30d(&s, "env-country", "aws/1", "NL", at(20, 0)));
        assert!(
            !seen_30d(&s, "env-country", "aws/1", "NL", at(5, 9)),
            "nothing before day 5"
        );
        assert!(seen_30d(&s, "env-country", "aws/1", "NL", at(5, 10)));
        // Day 36: day 5 is 31 days back, day 40 is ahead: not seen in the 30 days before.
        assert!(!seen_30d(&s, "env-country", "aws/1", "NL", at(36, 10)));
        assert!(seen_30d(&s, "env-country", "aws/1", "NL", at(40, 10)));
        assert!(seen_30d(&s, "env-country", "aws/1", "NL", at(70, 0)));
        assert!(
            !seen_30d(&s, "env-country", "aws/1", "NL", at(70, 10)),
            "day 40 09:00 is just over 30 days back"
        );
        assert_eq!(s.first_seen("env-country", "aws/1"), Some(at(5, 9)));
        assert_eq!(s.newest(), Some(at(40, 9)));
        assert_eq!(
            s.last_seen_before("env-country", "aws/1", at(30, 0)),
            Some(at(5, 9))
        );
        s.commit().unwrap();
    }
}

#[test]
fn recording_twice_changes_no_answer() {
    let events: Vec<(&str, &str, &str, Timestamp)> = vec![
        ("id-enum", "alice", "ListBuckets", at(3, 1)),
        ("id-enum", "alice", "ListUsers", at(3, 2)),
        ("id-enum", "alice", "ListBuckets", at(4, 7)),
        ("acct-region", "aws/1", "eu-west-1", at(2, 0)),
        ("acct-region", "aws/1", "us-east-1", at(9, 23)),
    ];
    let mut once = mem();
    for &(k, sc, v, t) in &events {
        once.record(k, sc, v, t);
    }
    once.commit().unwrap();
    let mut twice = mem();
    for round in 0..2 {
        for &(k, sc, v, t) in events.iter().rev() {
            twice.record(k, sc, v, t);
            twice.record(k, sc, v, t);
        }
        if round == 0 {
            twice.commit().unwrap();
        }
    }
    // Answers agree with the second batch buffered and after it is committed.
    for _ in 0..2 {
        assert_eq!(twice.dump(None), once.dump(None));
        assert_eq!(twice.newest(), once.newest());
        for (k, sc) in [("id-enum", "alice"), ("acct-region", "aws/1")] {
            assert_eq!(twice.first_seen(k, sc), once.first_seen(k, sc));
            for d in 0..12 {
                assert_eq!(
                    twice.last_seen_before(k, sc, at(d, 5)),
                    once.last_seen_before(k, sc, at(d, 5))
                );
            }
        }
        twice.commit().unwrap();
    }
    let rows = once.dump(None);
    let lb = rows.iter().find(|r| r.value == "ListBuckets").unwrap();
    assert_eq!(
        (lb.first_seen, lb.last_seen, lb.days),
        (at(3, 1), at(4, 7), 2)
    );
}

#[test]
fn last_seen_before_takes_any_value_strictly_before() {
    let mut s = mem();
    s.record("id-enum", "bob", "ListUsers", at(1, 8));
    s.record("id-enum", "bob", "DescribeInstances", at(3, 10));
    s.record("id-enum", "bob", "DescribeInstances", at(3, 18));
    s.record("id-enum", "bob", "GetBucketAcl", at(3, 12));
    s.record("id-enum", "carol", "ListUsers", at(2, 23));
    s.record("id-region", "bob", "x", at(2, 23));
    for _ in 0..2 {
        assert_eq!(
            s.last_seen_before("id-enum", "bob", at(1, 8)),
            None,
            "strictly before"
        );
        assert_eq!(
            s.last_seen_before("id-enum", "bob", at(1, 9)),
            Some(at(1, 8))
        );
        assert_eq!(
            s.last_seen_before("id-enum", "bob", at(3, 0)),
            Some(at(1, 8)),
            "other scopes and kinds ignored"
        );
        assert_eq!(
            s.last_seen_before("id-enum", "bob", at(3, 11)),
            Some(at(3, 10)),
            "first of a straddling day"
        );
        // Day 3 has sightings 10:00-18:00 (all values together): a `before` inside that span
        // answers with the day's first sighting.
        assert_eq!(
            s.last_seen_before("id-enum", "bob", at(3, 13)),
            Some(at(3, 10)),
            "day summed over values"
        );
        assert_eq!(
            s.last_seen_before("id-enum", "bob", at(3, 19)),
            Some(at(3, 18))
        );
        assert_eq!(
            s.last_seen_before("id-enum", "bob", at(300, 0)),
            Some(at(3, 18))
        );
        assert_eq!(s.last_seen_before("id-enum", "nobody", at(300, 0)), None);
        s.commit().unwrap();
    }
    // Buffered and stored rows combine: a newer buffered sighting wins, an older one does not.
    s.record("id-enum", "bob", "ListRoles", at(5, 1));
    s.record("id-enum", "bob", "ListRoles", at(0, 1));
    assert_eq!(
        s.last_seen_before("id-enum", "bob", at(6, 0)),
        Some(at(5, 1))
    );
    assert_eq!(
        s.last_seen_before("id-enum", "bob", at(5, 0)),
        Some(at(3, 18))
    );
    assert_eq!(
        s.last_seen_before("id-enum", "bob", at(1, 0)),
        Some(at(0, 1))
    );
}

#[test]
fn reads_walk_an_index_without_sorting() {
    let s = mem();
    let plan = |sql: &str| -> String {
        let rows: Vec<String> = s
            .conn_for_tests()
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap()
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        rows.join("\n")
    };
    for sql in [
        "SELECT day, first_ns, last_ns FROM scope_days WHERE kind = 'a' AND scope = 'b' AND day <= 5 ORDER BY day DESC LIMIT 2",
        "SELECT first_ns FROM scope_days WHERE kind = 'a' AND scope = 'b' ORDER BY day LIMIT 1",
        "SELECT day, first_ns, last_ns FROM history WHERE kind = 'a' AND scope = 'b' AND value = 'c'
         AND day BETWEEN 1 AND 5 ORDER BY day DESC",
    ] {
        let p = plan(sql);
        assert!(p.contains("PRIMARY KEY") && !p.contains("TEMP B-TREE"), "{sql}\n{p}");
    }
}

/// Rules ask while the scan runs, and the engine commits per file: where the commits fall
/// must not change an answer (SPEC §7, results independent of how input is split).
#[test]
fn answers_do_not_depend_on_when_commit_ran() {
    let events: Vec<(&str, Timestamp)> = vec![
        ("a", at(10, 3)),
        ("b", at(10, 20)),
        ("a", at(10, 22)),
        ("a", at(11, 1)),
        ("b", at(12, 12)),
        ("a", at(14, 0)),
        ("b", at(9, 23)),
    ];
    let answers = |s: &Store| {
        let mut out = Vec::new();
        let times: Vec<Timestamp> = (9 * 24..15 * 24)
            .step_by(5)
            .map(|h| Timestamp::from_secs(h * 3600))
            .collect();
        for &from in &times {
            for &before in &times {
                for v in ["a", "b"] {
                    out.push(s.seen_between("k", "s", v, from, before));
                }
            }
        }
        let last: Vec<Option<Timestamp>> = times
            .iter()
            .map(|&t| s.last_seen_before("k", "s", t))
            .collect();
        (out, last, s.first_seen("k", "s"), s.newest(), s.dump(None))
    };
    let mut all = mem();
    for &(v, t) in &events {
        all.record("k", "s", v, t);
    }
    all.commit().unwrap();
    let expected = answers(&all);
    for split in 0..=events.len() {
        let mut s = mem();
        for (i, &(v, t)) in events.iter().enumerate() {
            if i == split {
                s.commit().unwrap();
            }
            s.record("k", "s", v, t);
        }
        assert!(
            answers(&s) == expected,
            "commit after {split} events, rest buffered"
        );
        s.commit().unwrap();
        assert!(
            answers(&s) == expected,
            "commit after {split} events, all committed"
        );
    }
    // A one-day window straddled by the stored and the buffered halves of a day.
    let mut s = mem();
    s.record("k", "s", "a", at(10, 3));
    s.commit().unwrap();
    s.record("k", "s", "a", at(10, 20));
    assert!(s.seen_between("k", "s", "a", at(10, 4), at(10, 19)));
}

#[test]
fn first_seen_is_the_earliest_of_the_scope() {
    let mut s = mem();
    assert_eq!(s.first_seen("env-block", "aws/1"), None);
    s.record("env-block", "aws/1", "b", at(9, 4));
    s.record("env-block", "aws/1", "a", at(9, 2));
    s.record("env-block", "aws/2", "a", at(1, 0));
    assert_eq!(
        s.first_seen("env-block", "aws/1"),
        Some(at(9, 2)),
        "buffered"
    );
    s.commit().unwrap();
    assert_eq!(s.first_seen("env-block", "aws/1"), Some(at(9, 2)));
    s.record("env-block", "aws/1", "c", at(7, 5));
    assert_eq!(
        s.first_seen("env-block", "aws/1"),
        Some(at(7, 5)),
        "buffered older than stored"
    );
    s.commit().unwrap();
    assert_eq!(s.first_seen("env-block", "aws/1"), Some(at(7, 5)));
    assert_eq!(s.first_seen("env-asn", "aws/1"), None);
}

#[test]
fn newest_is_the_latest_event_time_ever_recorded() {
    let mut s = mem();
    assert_eq!(s.newest(), None);
    s.record("k", "s", "v", at(50, 0));
    assert_eq!(s.newest(), Some(at(50, 0)));
    s.commit().unwrap();
    s.record("k", "s", "v", at(20, 0));
    s.commit().unwrap();
    assert_eq!(
        s.newest(),
        Some(at(50, 0)),
        "older input does not move it back"
    );
    s.record("k", "s", "v", at(60, 0));
    assert_eq!(s.newest(), Some(at(60, 0)));
}

#[test]
fn prune_counts_retention_from_the_newest_event() {
    let mut s = mem();
    for d in [10, 69, 70, 71, 100] {
        s.record("acct-region", "aws/1", &format!("r{d}"), at(d, 6));
    }
    s.mark_emitted("old", "r", at(69, 0), Standing::default());
    s.mark_emitted("kept", "r", at(70, 0), Standing::default());
    s.commit().unwrap();
    // Nothing is near the wall clock: the store's own newest event (day 100) is the anchor.
    let deleted = s.prune(DEFAULT_RETENTION).unwrap();
    assert_eq!(deleted, 3, "days 10 and 69, and the day-69 ledger entry");
    let left: Vec<String> = s.dump(None).into_iter().map(|r| r.value).collect();
    assert_eq!(left, ["r100", "r70", "r71"]);
    assert!(!s.was_emitted("old"));
    assert!(s.was_emitted("kept"));
    assert_eq!(s.newest(), Some(at(100, 6)));
    assert_eq!(s.first_seen("acct-region", "aws/1"), Some(at(70, 6)));
    assert_eq!(
        s.prune(DEFAULT_RETENTION).unwrap(),
        0,
        "pruning again deletes nothing"
    );
}

#[test]
fn prune_commits_buffered_writes_and_handles_an_empty_store() {
    let mut s = mem();
    assert_eq!(s.prune(days(30)).unwrap(), 0);
    s.record("k", "s", "old", at(1, 0));
    s.record("k", "s", "new", at(40, 0));
    assert_eq!(s.prune(days(30)).unwrap(), 1);
    assert_eq!(s.pending_rows(), 0);
    assert_eq!(s.dump(None).len(), 1);
}

#[test]
fn ledger_marks_each_id_once() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut s) = file_store(&dir);
    assert!(!s.was_emitted("a1"));
    assert!(s.mark_emitted("a1", "password-spray", at(3, 0), Standing::default()));
    assert!(s.was_emitted("a1"), "buffered");
    assert!(!s.mark_emitted("a1", "password-spray", at(3, 0), Standing::default()));
    s.commit().unwrap();
    assert!(
        !s.mark_emitted("a1", "password-spray", at(3, 0), Standing::default()),
        "committed"
    );
    assert!(s.mark_emitted("a2", "password-spray", at(3, 0), Standing::default()));
    drop(s); // a2 was never committed
    let mut s = Store::open(&path).unwrap();
    assert!(s.was_emitted("a1"));
    assert!(!s.was_emitted("a2"));
    assert!(s.mark_emitted("a2", "password-spray", at(3, 0), Standing::default()));
}

#[test]
fn reopen_sees_committed_data_but_not_uncommitted() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut s) = file_store(&dir);
    s.record("env-block", "aws/1", "203.0.113.0/24", at(7, 7));
    s.set_checkpoint("serve/partition-0", "41");
    s.commit().unwrap();
    s.record("env-block", "aws/1", "192.0.2.0/24", at(8, 8));
    s.record("env-block", "aws/1", "203.0.113.0/24", at(9, 9));
    s.set_checkpoint("serve/partition-0", "42");
    assert_eq!(s.pending_rows(), 2);
    assert_eq!(s.checkpoint("serve/partition-0").as_deref(), Some("42"));
    assert_eq!(s.newest(), Some(at(9, 9)));
    drop(s);

    let s = Store::open(&path).unwrap();
    assert!(s.seen_between("env-block", "aws/1", "203.0.113.0/24", at(0, 0), at(8, 0)));
    assert!(!s.seen_between("env-block", "aws/1", "192.0.2.0/24", at(0, 0), at(20, 0)));
    assert!(!s.seen_between("env-block", "aws/1", "203.0.113.0/24", at(8, 0), at(20, 0)));
    assert_eq!(s.checkpoint("serve/partition-0").as_deref(), Some("41"));
    assert_eq!(s.checkpoint("other"), None);
    assert_eq!(s.newest(), Some(at(7, 7)));
    assert_eq!(s.pending_rows(), 0);
}

#[test]
fn dump_groups_days_filters_scopes_and_includes_buffered_rows() {
    let mut s = mem();
    s.record("id-app", "Alice@Example.com", "Azure Portal", at(1, 1));
    s.record("id-app", "Alice@Example.com", "Azure Portal", at(2, 1));
    s.record("id-app", "bob@example.com", "Teams", at(2, 1));
    s.commit().unwrap();
    s.record("id-app", "Alice@Example.com", "Azure Portal", at(2, 9)); // stored day: not a new day
    s.record("id-app", "Alice@Example.com", "Azure Portal", at(3, 1)); // a new day
    let rows = s.dump(Some("alice@"));
    assert_eq!(
        rows,
        vec![HistoryRow {
            kind: "id-app".into(),
            scope: "Alice@Example.com".into(),
            value: "Azure Portal".into(),
            first_seen: at(1, 1),
            last_seen: at(3, 1),
            days: 3,
        }]
    );
    s.commit().unwrap();
    assert_eq!(
        s.dump(Some("ALICE@")),
        rows,
        "filter ignores ASCII case; same after commit"
    );
    assert_eq!(s.dump(None).len(), 2);
    assert!(s.dump(Some("carol")).is_empty());
    let json = serde_json::to_string(&rows[0]).unwrap();
    assert!(
        json.contains(r#""first_seen":"1970-01-02T01:00:00Z""#),
        "{json}"
    );
}

#[test]
fn commit_with_nothing_buffered_is_a_no_op() {
    let mut s = mem();
    s.commit().unwrap();
    s.commit().unwrap();
    assert_eq!(s.newest(), None);
}

#[test]
fn a_failed_read_is_reported_by_the_next_commit() {
    let mut s = mem();
    s.record("k", "s", "v", at(1, 0));
    s.commit().unwrap();
    s.conn_for_tests()
        .execute_batch("DROP TABLE history")
        .unwrap();
    assert!(!s.seen_between("k", "s", "v", at(0, 0), at(5, 0)));
    s.record("k", "s", "v", at(2, 0));
    let err = s.commit().expect_err("the read error surfaces");
    assert!(err.to_string().contains("reading history"), "{err}");
}

/// Cost of `record` + `commit` for a million distinct rows, on a file store. Printed, not
/// asserted: `cargo test --release --lib state::tests::record_and_commit_a_million_rows -- --nocapture`.
#[test]
fn record_and_commit_a_million_rows() {
    const SCOPES: usize = 1_000;
    const VALUES: usize = 100;
    const DAYS: i64 = 10;
    let dir = tempfile::tempdir().unwrap();
    let (_, mut s) = file_store(&dir);
    let scopes: Vec<String> = (0..SCOPES)
        .map(|i| format!("arn:aws:iam::123456789012:user/user-{i:04}"))
        .collect();
    let values: Vec<String> = (0..VALUES)
        .map(|i| format!("DescribeSomething{i:03}"))
        .collect();
    let record_all = |s: &mut Store| {
        for d in 0..DAYS {
            for (i, scope) in scopes.iter().enumerate() {
                for (j, value) in values.iter().enumerate() {
                    s.record(
                        "id-enum",
                        scope,
                        value,
                        Timestamp::from_secs(d * DAY + (i * 7 + j) as i64),
                    );
                }
            }
        }
    };

    let t0 = std::time::Instant::now();
    record_all(&mut s);
    let recorded = t0.elapsed();
    assert_eq!(s.pending_rows(), SCOPES * VALUES * DAYS as usize);
    let t1 = std::time::Instant::now();
    s.commit().unwrap();
    let committed = t1.elapsed();

    // The same million again: every row an update that changes nothing.
    let t2 = std::time::Instant::now();
    record_all(&mut s);
    s.commit().unwrap();
    let again = t2.elapsed();

    let t3 = std::time::Instant::now();
    let mut hits = 0;
    for i in 0..100_000usize {
        let t = Timestamp::from_secs((i % 12) as i64 * DAY);
        hits += usize::from(s.seen_between(
            "id-enum",
            &scopes[i % SCOPES],
            &values[i % VALUES],
            t.sub(days(30)),
            t,
        ));
    }
    let queried = t3.elapsed();
    assert!(hits > 0);
    let t4 = std::time::Instant::now();
    for i in 0..100_000usize {
        let _ = s.last_seen_before(
            "id-enum",
            &scopes[i % SCOPES],
            Timestamp::from_secs((i % 12) as i64 * DAY),
        );
    }
    let last_seen = t4.elapsed();

    let size = std::fs::metadata(s.path()).map(|m| m.len()).unwrap_or(0);
    println!(
        "state bench: 1M rows: record {:.0} ms, commit {:.0} ms (total {:.2} s, {:.2} µs/row); \
         same 1M again (record+commit, all no-op updates) {:.2} s; \
         100k seen_between {:.0} ms; 100k last_seen_before {:.0} ms; file {:.1} MB",
        recorded.as_secs_f64() * 1e3,
        committed.as_secs_f64() * 1e3,
        (recorded + committed).as_secs_f64(),
        (recorded + committed).as_secs_f64() * 1e6 / 1e6,
        again.as_secs_f64(),
        queried.as_secs_f64() * 1e3,
        last_seen.as_secs_f64() * 1e3,
        size as f64 / 1e6,
    );
}

#[test]
fn ledger_reports_an_alert_again_when_it_rose_or_its_suppression_was_lifted() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut s) = file_store(&dir);
    let low = Standing {
        severity: 0,
        risk: 50,
        suppressed: false,
    };
    let high = Standing {
        severity: 2,
        risk: 90,
        suppressed: false,
    };
    assert!(s.mark_emitted("b1", "cloud-discovery-burst", at(3, 0), low));
    s.commit().unwrap();
    assert!(
        !s.mark_emitted("b1", "cloud-discovery-burst", at(3, 0), low),
        "unchanged"
    );
    assert!(
        s.mark_emitted("b1", "cloud-discovery-burst", at(3, 0), high),
        "rose"
    );
    s.commit().unwrap();
    let mut s = Store::open(&path).unwrap();
    assert!(
        !s.mark_emitted("b1", "cloud-discovery-burst", at(3, 0), high),
        "committed"
    );
    assert!(
        !s.mark_emitted("b1", "cloud-discovery-burst", at(3, 0), low),
        "fell: no news"
    );
    let hidden = Standing {
        severity: 1,
        risk: 75,
        suppressed: true,
    };
    assert!(s.mark_emitted("s1", "first-seen-api", at(3, 0), hidden));
    assert!(!s.mark_emitted("s1", "first-seen-api", at(3, 0), hidden));
    let shown = Standing {
        suppressed: false,
        ..hidden
    };
    assert!(
        s.mark_emitted("s1", "first-seen-api", at(3, 0), shown),
        "suppression lifted"
    );
    assert!(!s.mark_emitted("s1", "first-seen-api", at(3, 0), shown));
}

#[test]
fn a_store_of_the_first_format_is_migrated_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db").to_string_lossy().into_owned();
    {
        // The first format, as an earlier build wrote it.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE history (kind TEXT NOT NULL, scope TEXT NOT NULL, value TEXT NOT NULL,
                 day INTEGER NOT NULL, first_ns INTEGER NOT NULL, last_ns INTEGER NOT NULL,
                 PRIMARY KEY (kind, scope, value, day)) WITHOUT ROWID;
             CREATE TABLE scope_days (kind TEXT NOT NULL, scope TEXT NOT NULL, day INTEGER NOT NULL,
                 first_ns INTEGER NOT NULL, last_ns INTEGER NOT NULL,
                 PRIMARY KEY (kind, scope, day)) WITHOUT ROWID;
             CREATE TABLE alerts (id TEXT PRIMARY KEY, rule TEXT NOT NULL, at_ns INTEGER NOT NULL) WITHOUT ROWID;
             CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
             INSERT INTO alerts VALUES ('old', 'cloud-discovery-burst', 5);
             INSERT INTO meta VALUES ('schema', '1');
             PRAGMA application_id = 1414680652;
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let mut s = Store::open(&path).unwrap();
    let high = Standing {
        severity: 2,
        risk: 90,
        suppressed: false,
    };
    assert!(s.was_emitted("old"));
    assert!(
        !s.mark_emitted("old", "cloud-discovery-burst", at(3, 0), high),
        "unknown standing: not news"
    );
    s.commit().unwrap();
    let crit = Standing {
        severity: 3,
        risk: 95,
        suppressed: false,
    };
    assert!(
        s.mark_emitted("old", "cloud-discovery-burst", at(3, 0), crit),
        "known from now on"
    );
    s.commit().unwrap();
    drop(s);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let v: i32 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(v, tripline_schema_version());
}

fn tripline_schema_version() -> i32 {
    crate::state::SCHEMA_VERSION
}
