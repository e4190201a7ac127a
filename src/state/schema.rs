//! The store's tables and the checks that a file really is a tripline store before anything
//! is written into it.

use rusqlite::{Connection, OptionalExtension};

use super::error::{StoreError, StoreErrorKind};

/// `PRAGMA application_id`: "TRPL". Marks the file as ours in its header, so `file(1)` and a
/// later `open` can tell a tripline store from any other SQLite database.
pub const APPLICATION_ID: i32 = 0x5452_504C;

/// Bumped when a table changes shape; `open` refuses a store newer than this build and
/// migrates an older one in place (`migrate`).
/// 1: the first format. 2: the alert ledger keeps each alert's severity, risk and
/// suppression (SPEC §7), so an alert that rose is reported again.
pub const SCHEMA_VERSION: i32 = 2;

/// `history` holds one row per (kind, scope, value) and UTC day of event time, with the first
/// and last event time seen that day. Min/max, never counters: recording the same event again
/// changes nothing, which is what makes re-scans idempotent (SPEC §7).
///
/// `scope_days` is `history` summed over values: per (kind, scope) and day, the first and last
/// time anything was seen. It answers "when was this scope last active before t" and "how far
/// back does its history go" in one index seek, for a fraction of what a second index on
/// `history` costs every commit (a per-(kind, scope, day) index made a million-row commit
/// 1.5x slower; this table adds one row per scope and day, not per value).
const CREATE: &str = "
CREATE TABLE history (
    kind TEXT NOT NULL,
    scope TEXT NOT NULL,
    value TEXT NOT NULL,
    day INTEGER NOT NULL,
    first_ns INTEGER NOT NULL,
    last_ns INTEGER NOT NULL,
    PRIMARY KEY (kind, scope, value, day)
) WITHOUT ROWID;
CREATE TABLE scope_days (
    kind TEXT NOT NULL,
    scope TEXT NOT NULL,
    day INTEGER NOT NULL,
    first_ns INTEGER NOT NULL,
    last_ns INTEGER NOT NULL,
    PRIMARY KEY (kind, scope, day)
) WITHOUT ROWID;
CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    rule TEXT NOT NULL,
    at_ns INTEGER NOT NULL,
    severity INTEGER,
    risk INTEGER,
    suppressed INTEGER
) WITHOUT ROWID;
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
";

/// Connection settings, then either creates the schema in an empty database or checks that an
/// existing one is a tripline store this build can read.
pub fn prepare(conn: &mut Connection, path: &str) -> Result<(), StoreError> {
    let db = |what: &'static str| move |e| StoreError::database(path, what, e);
    // Another tripline process may hold the write lock for a commit; wait rather than fail.
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(db("setting busy timeout"))?;
    conn.set_prepared_statement_cache_capacity(32);

    // The first read of the header: a file that is not SQLite fails here with NotADatabase.
    let app_id: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(db("reading the file header"))?;
    let objects: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .map_err(db("reading the schema"))?;

    if app_id != APPLICATION_ID {
        if app_id != 0 || objects != 0 {
            return Err(StoreError::new(
                StoreErrorKind::NotAStore,
                path,
                "not a tripline baseline store (a SQLite database made by another program); \
                 choose another --state file",
            ));
        }
        set_connection_pragmas(conn, path)?;
        // IMMEDIATE takes the write lock first, so two processes opening the same new file
        // cannot both create the schema; the loser sees the winner's and goes on.
        let tx = conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(db("creating the schema"))?;
        let created_meanwhile: i32 = tx
            .pragma_query_value(None, "application_id", |r| r.get(0))
            .map_err(db("reading the file header"))?;
        if created_meanwhile == APPLICATION_ID {
            return Ok(());
        }
        tx.execute_batch(CREATE)
            .map_err(db("creating the schema"))?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(db("creating the schema"))?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)
            .map_err(db("creating the schema"))?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('schema', ?1), ('created_by', ?2)",
            [
                SCHEMA_VERSION.to_string(),
                format!("tripline {}", env!("CARGO_PKG_VERSION")),
            ],
        )
        .map_err(db("creating the schema"))?;
        tx.commit().map_err(db("creating the schema"))?;
        return Ok(());
    }

    let version: i32 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(db("reading the schema version"))?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::new(
            StoreErrorKind::NewerSchema,
            path,
            format!(
                "written by a newer tripline (schema {version}; this build reads up to {SCHEMA_VERSION})"
            ),
        ));
    }
    let has_history: Option<i64> = conn
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'history'",
            [],
            |r| r.get(0),
        )
        .optional()
        .map_err(db("reading the schema"))?;
    if has_history.is_none() {
        // Marked as ours but without our tables: damaged, or written by something else.
        return Err(StoreError::new(
            StoreErrorKind::Corrupt,
            path,
            "tripline store without its history table",
        ));
    }
    set_connection_pragmas(conn, path)?;
    if version < SCHEMA_VERSION {
        migrate(conn, path)?;
    }
    Ok(())
}

/// Brings a store of an earlier format up to `SCHEMA_VERSION`, in one transaction: a run
/// killed midway leaves the old format, which the next run migrates again.
fn migrate(conn: &mut Connection, path: &str) -> Result<(), StoreError> {
    let db = |what: &'static str| move |e| StoreError::database(path, what, e);
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(db("migrating the store"))?;
    // Another process may have migrated it while this one waited for the lock.
    let version: i32 = tx
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(db("reading the schema version"))?;
    if version < 2 {
        // Entries of the first format keep NULL: how they stood is unknown, and they are not
        // reported again for that alone (`Store::mark_emitted`).
        tx.execute_batch(
            "ALTER TABLE alerts ADD COLUMN severity INTEGER;
             ALTER TABLE alerts ADD COLUMN risk INTEGER;
             ALTER TABLE alerts ADD COLUMN suppressed INTEGER;",
        )
        .map_err(db("migrating the alert ledger"))?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)
        .map_err(db("migrating the store"))?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('schema', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [SCHEMA_VERSION.to_string()],
    )
    .map_err(db("migrating the store"))?;
    tx.commit().map_err(db("migrating the store"))
}

/// WAL: readers never block the writer and a kill -9 at any moment leaves the last committed
/// transaction intact. synchronous=NORMAL syncs at checkpoints, not every commit: a power cut
/// may lose the newest commits but never corrupts, and a killed process loses nothing that
/// was committed (the WAL is in the OS cache).
fn set_connection_pragmas(conn: &Connection, path: &str) -> Result<(), StoreError> {
    let db = |what: &'static str| move |e| StoreError::database(path, what, e);
    // In-memory databases answer "memory"; that is fine, they have no file to protect.
    let _mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
        .map_err(db("enabling WAL"))?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(db("setting synchronous"))?;
    // 64 MiB of page cache: a commit of a large batch touches many B-tree pages.
    conn.pragma_update(None, "cache_size", -65_536)
        .map_err(db("setting cache size"))?;
    Ok(())
}
