//! SPEC §7: "kill -9 at any moment leaves it consistent, and the next run neither loses nor
//! double-counts". A child process (this test binary again, running `crash_child`) records
//! 1000 rows per batch and commits, reporting each committed batch on stdout; the parent kills
//! it with SIGKILL at points drawn from a fixed-seed xorshift, five times over one store file,
//! and checks after each kill that the store opens, passes `PRAGMA integrity_check`, holds
//! every batch the child reported, and holds no batch in part.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tripline::event::Timestamp;
use tripline::state::Store;

const CHILD_ENV: &str = "STORE_CRASH_CHILD";
const ROWS_PER_BATCH: i64 = 1000;
const NEXT_BATCH: &str = "crash-test/next-batch";

fn batch_scope(batch: i64) -> String {
    format!("batch-{batch:06}")
}

fn batch_time(batch: i64, row: i64) -> Timestamp {
    Timestamp::from_secs(1_700_000_000 + batch * 3600 + row)
}

/// The child's body; a no-op unless the parent set `STORE_CRASH_CHILD` to the store's path.
#[test]
fn crash_child() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let mut store = Store::open(&path).expect("child opens the store");
    let mut batch: i64 = store
        .checkpoint(NEXT_BATCH)
        .map_or(0, |v| v.parse().expect("checkpoint is a number"));
    let mut out = std::io::stdout().lock();
    // Bounded so an orphaned child cannot run forever if the parent dies first.
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let scope = batch_scope(batch);
        for row in 0..ROWS_PER_BATCH {
            store.record("crash", &scope, &row.to_string(), batch_time(batch, row));
        }
        // One row every batch updates: its last time must match the last whole batch.
        store.record(
            "crash",
            "all-batches",
            "seen",
            batch_time(batch, ROWS_PER_BATCH - 1),
        );
        store.set_checkpoint(NEXT_BATCH, &(batch + 1).to_string());
        store.commit().expect("child commits");
        writeln!(out, "committed {batch}").unwrap();
        out.flush().unwrap();
        batch += 1;
    }
}

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

#[test]
fn kill_9_leaves_every_committed_batch_whole() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.db").to_string_lossy().into_owned();
    let exe = std::env::current_exe().unwrap();
    let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
    let mut reported: Option<i64> = None;

    for round in 0..5 {
        let mut child = Command::new(&exe)
            .args(["crash_child", "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn child");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel::<i64>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(n) = line.strip_prefix("committed ") {
                    let _ = tx.send(n.trim().parse().expect("batch number"));
                }
            }
        });
        // Let the child get going (its first commit of this round), then kill it somewhere in
        // the next 0-400 ms: mostly while recording, sometimes inside a commit.
        let first = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("child committed a batch");
        reported = Some(reported.map_or(first, |r| r.max(first)));
        let delay = Duration::from_micros(rng.next() % 400_000);
        std::thread::sleep(delay);
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        reader.join().unwrap();
        while let Ok(n) = rx.try_recv() {
            reported = Some(reported.map_or(n, |r| r.max(n)));
        }
        let reported = reported.unwrap();

        let store =
            Store::open(&path).unwrap_or_else(|e| panic!("round {round}: open after kill: {e}"));
        store
            .integrity_check()
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        let next: i64 = store
            .checkpoint(NEXT_BATCH)
            .expect("a checkpoint")
            .parse()
            .unwrap();
        // Everything reported is there; at most one more batch committed before its report.
        assert!(
            next > reported,
            "round {round}: reported batch {reported} but checkpoint says next is {next}"
        );
        assert!(
            next <= reported + 2,
            "round {round}: checkpoint {next} ran ahead of reported {reported}"
        );

        let conn = rusqlite::Connection::open(&path).unwrap();
        let mut st = conn
            .prepare("SELECT scope, count(*) FROM history WHERE kind = 'crash' AND scope LIKE 'batch-%' GROUP BY scope ORDER BY scope")
            .unwrap();
        let counts: Vec<(String, i64)> = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            counts.len() as i64,
            next,
            "round {round}: one scope per committed batch, none beyond the checkpoint"
        );
        for (i, (scope, count)) in counts.iter().enumerate() {
            assert_eq!(scope, &batch_scope(i as i64), "round {round}");
            assert_eq!(*count, ROWS_PER_BATCH, "round {round}: {scope} is partial");
        }
        let last = store.last_seen_before("crash", "all-batches", Timestamp(i64::MAX));
        assert_eq!(
            last,
            Some(batch_time(next - 1, ROWS_PER_BATCH - 1)),
            "round {round}: shared row matches the last batch"
        );
        assert_eq!(
            store.newest(),
            last,
            "round {round}: newest committed with the rows"
        );
        eprintln!("round {round}: killed after {:.0} ms past a commit; {next} whole batches, last reported {reported}", delay.as_secs_f64() * 1e3);
    }
}
