//! [`Store`]: the baseline history, the alert ledger and checkpoints in one SQLite file.

use crate::collections::HashMap;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior};
use serde::Serialize;

use super::error::{StoreError, StoreErrorKind};
use super::pending::{PendingHistory, Span};
use super::schema;
use crate::event::time::NANOS_PER_SEC;
use crate::event::{Duration, Timestamp};

const NANOS_PER_DAY: i64 = 86_400 * NANOS_PER_SEC;

/// Retention when the config does not set one (SPEC §7).
pub const DEFAULT_RETENTION: Duration = Duration::secs(30 * 86_400);

/// The baseline store: what was seen, per key and per UTC day of event time, plus the ledger
/// of emitted alert ids and named checkpoints.
///
/// Writes (`record`, `mark_emitted`, `set_checkpoint`) are buffered in memory and reach the
/// file only in [`Store::commit`], all in one transaction; reads see the buffer and the file.
/// Dropping a store without `commit` discards the buffer: a run that dies mid-file leaves the
/// store as it was after the last committed file, and re-running it records the same facts
/// again without double-counting, because history keeps only first/last times per day.
pub struct Store {
    conn: Connection,
    path: String,
    history: PendingHistory,
    /// Ledger entries not yet committed: id → (rule, at_ns, standing).
    alerts: HashMap<String, (String, i64, Standing)>,
    checkpoints: BTreeMap<String, String>,
    newest_pending: Option<i64>,
    /// The first failed read since the last commit. Reads answer as if nothing was seen and
    /// park the error here; `commit` reports it instead of writing, so a run with a broken
    /// store ends with an error rather than quietly wrong answers.
    failed_read: RefCell<Option<StoreError>>,
}

/// One line of `baseline show`: a (kind, scope, value) with its whole stored history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HistoryRow {
    pub kind: String,
    pub scope: String,
    pub value: String,
    pub first_seen: Timestamp,
    pub last_seen: Timestamp,
    /// Distinct UTC days on which it was seen.
    pub days: u32,
}

/// Min/max merge. The WHERE skips rows the batch does not widen, so re-recording what is
/// already stored (a re-scan) rewrites no pages.
const UPSERT_HISTORY: &str = "
INSERT INTO history (kind, scope, value, day, first_ns, last_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
ON CONFLICT (kind, scope, value, day) DO UPDATE SET
    first_ns = min(first_ns, excluded.first_ns),
    last_ns = max(last_ns, excluded.last_ns)
WHERE excluded.first_ns < first_ns OR excluded.last_ns > last_ns";

const UPSERT_SCOPE_DAY: &str = "
INSERT INTO scope_days (kind, scope, day, first_ns, last_ns) VALUES (?1, ?2, ?3, ?4, ?5)
ON CONFLICT (kind, scope, day) DO UPDATE SET
    first_ns = min(first_ns, excluded.first_ns),
    last_ns = max(last_ns, excluded.last_ns)
WHERE excluded.first_ns < first_ns OR excluded.last_ns > last_ns";

const UPSERT_ALERT: &str = "
INSERT INTO alerts (id, rule, at_ns, severity, risk, suppressed) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
ON CONFLICT (id) DO UPDATE SET
    severity = excluded.severity, risk = excluded.risk, suppressed = excluded.suppressed";

/// How an emitted alert stood when the ledger recorded it (SPEC §7): an alert is reported
/// again when it rose (a burst that grew between two scheduled scans keeps its id but not its
/// severity) or its suppression was lifted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Standing {
    /// 0 low .. 3 critical.
    pub severity: u8,
    pub risk: u8,
    pub suppressed: bool,
}

impl Standing {
    /// Whether `self` must be reported again after `before` was.
    fn rose_since(&self, before: &Standing) -> bool {
        self.severity > before.severity
            || self.risk > before.risk
            || (before.suppressed && !self.suppressed)
    }

    /// What the ledger keeps: the highest standing reported.
    fn max(&self, other: &Standing) -> Standing {
        Standing {
            severity: self.severity.max(other.severity),
            risk: self.risk.max(other.risk),
            suppressed: self.suppressed && other.suppressed,
        }
    }
}

const UPSERT_NEWEST: &str = "
INSERT INTO meta (key, value) VALUES ('newest_ns', ?1)
ON CONFLICT (key) DO UPDATE SET value = CASE
    WHEN CAST(excluded.value AS INTEGER) > CAST(value AS INTEGER) THEN excluded.value ELSE value END";

const UPSERT_META: &str = "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value";

const CHECKPOINT_PREFIX: &str = "checkpoint:";

impl Store {
    /// Opens (creating when missing, with its folder) the store at `path`; `":memory:"` gives
    /// a store that leaves nothing behind. A file that is not a tripline store is refused
    /// with [`StoreErrorKind::NotAStore`] and left untouched.
    pub fn open(path: &str) -> Result<Store, StoreError> {
        let mut conn = if path == ":memory:" {
            Connection::open_in_memory()
        } else {
            if let Some(dir) = Path::new(path)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir).map_err(|e| {
                    StoreError::new(
                        StoreErrorKind::Io,
                        path,
                        format!("creating folder {}: {e}", dir.display()),
                    )
                    .with_source(e)
                })?;
            }
            // No SQLITE_OPEN_URI: a --state path is a file name, even one starting "file:".
            let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            Connection::open_with_flags(path, flags)
        }
        .map_err(|e| StoreError::database(path, "opening", e))?;
        schema::prepare(&mut conn, path)?;
        Ok(Store {
            conn,
            path: path.to_string(),
            history: PendingHistory::default(),
            alerts: HashMap::default(),
            checkpoints: BTreeMap::new(),
            newest_pending: None,
            failed_read: RefCell::new(None),
        })
    }

    /// `$XDG_STATE_HOME/tripline/tripline.db`, else `~/.local/state/tripline/tripline.db`
    /// (a relative `XDG_STATE_HOME` is ignored, as the XDG spec says), else `tripline.db`.
    /// [`Store::open`], shared as the engine shares it.
    pub fn open_shared(path: &str) -> Result<super::SharedStore, StoreError> {
        Ok(std::sync::Arc::new(std::sync::Mutex::new(Store::open(
            path,
        )?)))
    }

    pub fn default_path() -> PathBuf {
        let nonempty = |v: &std::ffi::OsString| !v.is_empty();
        let base = std::env::var_os("XDG_STATE_HOME")
            .filter(|v| nonempty(v) && Path::new(v).is_absolute())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(nonempty)
                    .map(|h| PathBuf::from(h).join(".local").join("state"))
            });
        match base {
            Some(base) => base.join("tripline").join("tripline.db"),
            None => PathBuf::from("tripline.db"),
        }
    }

    /// The path given to [`Store::open`].
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Notes that `value` was seen for (`kind`, `scope`) at event time `at`. Buffered until
    /// [`Store::commit`]; recording the same fact twice changes no answer.
    ///
    /// `kind` is a short namespace ("env-block", "id-enum", "acct-region", ...), `scope` the
    /// environment or identity it belongs to, `value` what was seen.
    pub fn record(&mut self, kind: &str, scope: &str, value: &str, at: Timestamp) {
        self.history.record(kind, scope, value, at.day(), at.0);
        self.newest_pending = Some(self.newest_pending.map_or(at.0, |n| n.max(at.0)));
    }

    /// Takes history recorded elsewhere (the scan's worker threads) as if each sighting had
    /// been `record`ed here.
    pub fn absorb(&mut self, history: PendingHistory) {
        if let Some(n) = history.newest_ns() {
            self.newest_pending = Some(self.newest_pending.map_or(n, |p| p.max(n)));
        }
        self.history.merge(history);
    }

    /// Buffered history rows (distinct key and day) waiting for `commit`; a caller that reads
    /// one huge file can commit when this grows, to bound memory.
    pub fn pending_rows(&self) -> usize {
        self.history.len()
    }

    /// Was (`kind`, `scope`, `value`) seen at an event time in [`from`, `before`)?
    ///
    /// Answered from per-day rows: days strictly inside the window count whole, and on the
    /// two boundary days the day's first and last times decide, which is exact whenever
    /// `from` and `before` fall on different UTC days. For a window inside a single day, a
    /// day whose [first, last] straddles the window counts as seen. Buffered and stored rows
    /// of a day are merged before judging, so the answer never depends on when `commit` ran.
    pub fn seen_between(
        &self,
        kind: &str,
        scope: &str,
        value: &str,
        from: Timestamp,
        before: Timestamp,
    ) -> bool {
        if from >= before {
            return false;
        }
        let (first_day, last_day) = (from.day(), Timestamp(before.0 - 1).day());
        let pending = self.history.days(kind, scope, value);
        let judge = |day: i64, stored: Option<Span>| -> bool {
            if day > first_day && day < last_day {
                return true;
            }
            let buffered = pending.and_then(|d| d.get(&day)).copied();
            Span::union(stored, buffered).is_some_and(|s| s.meets(from.0, before.0))
        };
        if let Some(days) = pending {
            if last_day - first_day >= 2 && days.range(first_day + 1..last_day).next().is_some() {
                return true;
            }
        }
        // Newest day first: an interior day ends the walk at its first row, and a boundary
        // day is merged with the buffer's row for that day.
        let stored = self
            .conn
            .prepare_cached(
                "SELECT day, first_ns, last_ns FROM history WHERE kind = ?1 AND scope = ?2 AND value = ?3
                 AND day BETWEEN ?4 AND ?5 ORDER BY day DESC",
            )
            .and_then(|mut st| {
                let mut rows = st.query(rusqlite::params![kind, scope, value, first_day, last_day])?;
                let mut seen_days = [false; 2]; // boundary days met in the table: first, last
                while let Some(row) = rows.next()? {
                    let day: i64 = row.get(0)?;
                    let span = Span { first_ns: row.get(1)?, last_ns: row.get(2)? };
                    if day == first_day {
                        seen_days[0] = true;
                    }
                    if day == last_day {
                        seen_days[1] = true;
                    }
                    if judge(day, Some(span)) {
                        return Ok(Some(()));
                    }
                }
                // Boundary days only in the buffer.
                let only_buffered = |day: i64, in_table: bool| !in_table && judge(day, None);
                Ok((only_buffered(first_day, seen_days[0]) || only_buffered(last_day, seen_days[1])).then_some(()))
            });
        self.answer(stored, "reading history").is_some()
    }

    /// The latest event time strictly before `before` at which anything of `kind` was seen
    /// for `scope`, judged from per-(kind, scope) day rows: a day before `before`'s own day
    /// answers with its last sighting; when `before`'s own day has sightings on both sides
    /// of `before`, the answer is that day's first sighting (a real sighting, less than a day
    /// earlier than the exact answer). Buffered and stored rows of a day are merged first.
    /// Every value of (`kind`, `scope`) seen on UTC `day`, with that day's first sighting
    /// (buffered and stored rows merged).
    pub fn firsts_on_day(&self, kind: &str, scope: &str, day: i64) -> Vec<(String, Timestamp)> {
        let mut firsts: BTreeMap<String, i64> = BTreeMap::new();
        for (value, days) in self.history.values(kind, scope) {
            if let Some(span) = days.get(&day) {
                firsts.insert(value.to_string(), span.first_ns);
            }
        }
        let stored = self
            .conn
            .prepare_cached(
                "SELECT value, first_ns FROM history WHERE kind = ?1 AND scope = ?2 AND day = ?3",
            )
            .and_then(|mut st| {
                st.query_map(rusqlite::params![kind, scope, day], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
                })?
                .collect::<Result<Vec<_>, _>>()
                .map(Some)
            });
        for (value, first) in self.answer(stored, "reading history").unwrap_or_default() {
            let f = firsts.entry(value).or_insert(first);
            *f = (*f).min(first);
        }
        firsts.into_iter().map(|(v, f)| (v, Timestamp(f))).collect()
    }

    pub fn last_seen_before(
        &self,
        kind: &str,
        scope: &str,
        before: Timestamp,
    ) -> Option<Timestamp> {
        let before_day = Timestamp(before.0.saturating_sub(1)).day();
        // The day of `before` (merged span) and the newest earlier day (day, last sighting).
        let mut same_day: Option<Span> = None;
        let mut earlier: Option<(i64, i64)> = None;
        let mut note_earlier = |day: i64, last: i64| {
            earlier = match earlier {
                Some((d, l)) if d > day => Some((d, l)),
                Some((d, l)) if d == day => Some((d, l.max(last))),
                _ => Some((day, last)),
            };
        };
        if let Some(days) = self.history.scope_days(kind, scope) {
            same_day = days.get(&before_day).copied();
            if let Some((&day, span)) = days.range(..before_day).next_back() {
                note_earlier(day, span.last_ns);
            }
        }
        let stored = self
            .conn
            .prepare_cached(
                "SELECT day, first_ns, last_ns FROM scope_days WHERE kind = ?1 AND scope = ?2 AND day <= ?3
                 ORDER BY day DESC LIMIT 2",
            )
            .and_then(|mut st| {
                let mut rows = st.query(rusqlite::params![kind, scope, before_day])?;
                let mut out = Vec::with_capacity(2);
                while let Some(row) = rows.next()? {
                    out.push((row.get::<_, i64>(0)?, Span { first_ns: row.get(1)?, last_ns: row.get(2)? }));
                }
                Ok(Some(out))
            });
        let stored = self.answer(stored, "reading history").unwrap_or_default();
        if let Some(&(day, span)) = stored.iter().find(|(day, _)| *day < before_day) {
            note_earlier(day, span.last_ns);
        }
        if let Some(&(_, span)) = stored.first().filter(|(day, _)| *day == before_day) {
            same_day = Span::union(same_day, Some(span));
        }
        same_day
            .and_then(|s| s.latest_before(before.0))
            .or(earlier.map(|(_, last)| last))
            .map(Timestamp)
    }

    /// The earliest event time at which anything of `kind` was seen for `scope`: how far back
    /// the history of an environment or identity reaches (for `min_history`). Pruning moves it
    /// forward.
    pub fn first_seen(&self, kind: &str, scope: &str) -> Option<Timestamp> {
        let mut best: Option<i64> = self
            .history
            .scope_days(kind, scope)
            .and_then(|days| days.first_key_value())
            .map(|(_, span)| span.first_ns);
        let stored = self
            .conn
            .prepare_cached("SELECT first_ns FROM scope_days WHERE kind = ?1 AND scope = ?2 ORDER BY day LIMIT 1")
            .and_then(|mut st| st.query_row(rusqlite::params![kind, scope], |r| r.get::<_, i64>(0)).optional());
        if let Some(t) = self.answer(stored, "reading history") {
            best = Some(best.map_or(t, |b| b.min(t)));
        }
        best.map(Timestamp)
    }

    /// The earliest event time at which anything of `kind` was seen, in any scope: how far
    /// back the baseline reaches for that kind (incidents ask whether an identity was new to
    /// a baseline that already existed). Stored and buffered rows alike.
    pub fn earliest(&self, kind: &str) -> Option<Timestamp> {
        let buffered = self.history.earliest(kind);
        let stored = self
            .conn
            .prepare_cached("SELECT MIN(first_ns) FROM scope_days WHERE kind = ?1")
            .and_then(|mut st| {
                st.query_row(rusqlite::params![kind], |r| r.get::<_, Option<i64>>(0))
            });
        let stored = self.answer(stored.map(Some), "reading history").flatten();
        match (buffered, stored) {
            (Some(a), Some(b)) => Some(Timestamp(a.min(b))),
            (a, b) => a.or(b).map(Timestamp),
        }
    }

    /// The newest event time ever recorded (committed or buffered). Retention counts back
    /// from it, not from the wall clock.
    pub fn newest(&self) -> Option<Timestamp> {
        let stored = self
            .conn
            .prepare_cached("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'newest_ns'")
            .and_then(|mut st| st.query_row([], |r| r.get::<_, i64>(0)).optional());
        let stored = self.answer(stored, "reading metadata");
        match (stored, self.newest_pending) {
            (Some(a), Some(b)) => Some(Timestamp(a.max(b))),
            (a, b) => a.or(b).map(Timestamp),
        }
    }

    /// The ledger behind `--new-only`: true when `alert_id` was never marked before, or when
    /// it stands higher now than when it was (severity or risk rose, suppression lifted; SPEC
    /// §7); records the highest standing (written by the next `commit`). False for an id
    /// already marked at this standing or above, committed or not.
    pub fn mark_emitted(
        &mut self,
        alert_id: &str,
        rule: &str,
        at: Timestamp,
        standing: Standing,
    ) -> bool {
        let before = match self.alerts.get(alert_id) {
            Some((_, _, s)) => Some(Some(*s)),
            None => self.stored_standing(alert_id),
        };
        let (report, keep) = match before {
            None => (true, standing),
            // Recorded by a store of the first format: how it stood is unknown, so it is not
            // reported again, and its standing is known from now on.
            Some(None) => (false, standing),
            Some(Some(b)) => (standing.rose_since(&b), standing.max(&b)),
        };
        if before != Some(Some(keep)) {
            self.alerts
                .insert(alert_id.to_string(), (rule.to_string(), at.0, keep));
        }
        report
    }

    /// `None`: never recorded; `Some(None)`: recorded, standing unknown (migrated store).
    fn stored_standing(&self, alert_id: &str) -> Option<Option<Standing>> {
        let found = self
            .conn
            .prepare_cached("SELECT severity, risk, suppressed FROM alerts WHERE id = ?1")
            .and_then(|mut st| {
                st.query_row([alert_id], |r| {
                    let severity: Option<i64> = r.get(0)?;
                    let risk: Option<i64> = r.get(1)?;
                    let suppressed: Option<i64> = r.get(2)?;
                    Ok(match (severity, risk, suppressed) {
                        (Some(severity), Some(risk), Some(suppressed)) => Some(Standing {
                            severity: severity.clamp(0, 3) as u8,
                            risk: risk.clamp(0, 100) as u8,
                            suppressed: suppressed != 0,
                        }),
                        _ => None,
                    })
                })
                .optional()
            });
        self.answer(found, "reading the alert ledger")
    }

    pub fn was_emitted(&self, alert_id: &str) -> bool {
        self.alerts.contains_key(alert_id) || self.stored_standing(alert_id).is_some()
    }

    /// Progress kept with the history, e.g. the last stream sequence a `serve` worker
    /// processed. Buffered and committed in the same transaction as the history it covers.
    pub fn set_checkpoint(&mut self, name: &str, value: &str) {
        self.checkpoints.insert(name.to_string(), value.to_string());
    }

    pub fn checkpoint(&self, name: &str) -> Option<String> {
        if let Some(v) = self.checkpoints.get(name) {
            return Some(v.clone());
        }
        let key = format!("{CHECKPOINT_PREFIX}{name}");
        let stored = self
            .conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")
            .and_then(|mut st| st.query_row([key], |r| r.get::<_, String>(0)).optional());
        self.answer(stored, "reading metadata")
    }

    /// Writes everything buffered (history, ledger, checkpoints, newest time) in one
    /// transaction: after a crash either all of it is in the file or none of it. Call it per
    /// input file or per batch.
    pub fn commit(&mut self) -> Result<(), StoreError> {
        if let Some(e) = self.failed_read.borrow_mut().take() {
            return Err(e);
        }
        if self.is_clean() {
            return Ok(());
        }
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| StoreError::database(&path, "starting a transaction", e))?;
        write_pending(
            &tx,
            &self.history,
            &self.alerts,
            &self.checkpoints,
            self.newest_pending,
        )
        .map_err(|e| StoreError::database(&path, "writing history", e))?;
        tx.commit()
            .map_err(|e| StoreError::database(&path, "committing", e))?;
        self.clear_pending();
        Ok(())
    }

    /// Deletes history days, and ledger entries, older than `retention` before the newest
    /// event stored: rows of days before `(newest - retention).day()`. Buffered writes are
    /// committed in the same transaction. Returns the number of rows deleted.
    pub fn prune(&mut self, retention: Duration) -> Result<u64, StoreError> {
        if let Some(e) = self.failed_read.borrow_mut().take() {
            return Err(e);
        }
        let Some(newest) = self.newest() else {
            return Ok(0);
        };
        let cutoff_day = newest.sub(Duration(retention.0.max(0))).day();
        let path = self.path.clone();
        let path = path.as_str();
        let db = |what: &'static str| move |e| StoreError::database(path, what, e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db("starting a transaction"))?;
        write_pending(
            &tx,
            &self.history,
            &self.alerts,
            &self.checkpoints,
            self.newest_pending,
        )
        .map_err(db("writing history"))?;
        let history = tx
            .execute("DELETE FROM history WHERE day < ?1", [cutoff_day])
            .map_err(db("pruning history"))?;
        tx.execute("DELETE FROM scope_days WHERE day < ?1", [cutoff_day])
            .map_err(db("pruning history"))?;
        let alerts = tx
            .execute(
                "DELETE FROM alerts WHERE at_ns < ?1",
                [cutoff_day.saturating_mul(NANOS_PER_DAY)],
            )
            .map_err(db("pruning the alert ledger"))?;
        tx.commit().map_err(db("committing"))?;
        self.clear_pending();
        Ok((history + alerts) as u64)
    }

    /// For `baseline show`: one row per (kind, scope, value), with first and last sighting and
    /// the number of days seen, sorted; `scope_filter` keeps scopes containing it (ASCII case
    /// ignored). Includes buffered writes.
    pub fn dump(&self, scope_filter: Option<&str>) -> Vec<HistoryRow> {
        let filter = scope_filter.map(|f| f.to_ascii_lowercase());
        let mut rows: BTreeMap<(String, String, String), (i64, i64, u32)> = BTreeMap::new();
        let stored = self
            .conn
            .prepare_cached(
                "SELECT kind, scope, value, min(first_ns), max(last_ns), count(*) FROM history
                 WHERE ?1 IS NULL OR instr(lower(scope), ?1) > 0
                 GROUP BY kind, scope, value",
            )
            .and_then(|mut st| {
                let mut q = st.query([filter.as_deref()])?;
                while let Some(r) = q.next()? {
                    rows.insert(
                        (r.get(0)?, r.get(1)?, r.get(2)?),
                        (r.get(3)?, r.get(4)?, r.get(5)?),
                    );
                }
                Ok(Some(()))
            });
        self.answer(stored, "reading history");
        for p in self.history.iter() {
            if filter
                .as_deref()
                .is_some_and(|f| !p.scope.to_ascii_lowercase().contains(f))
            {
                continue;
            }
            let day_stored = self
                .conn
                .prepare_cached("SELECT 1 FROM history WHERE kind = ?1 AND scope = ?2 AND value = ?3 AND day = ?4")
                .and_then(|mut st| st.query_row(rusqlite::params![p.kind, p.scope, p.value, p.day], |_| Ok(())).optional());
            let new_day = self.answer(day_stored, "reading history").is_none();
            let e = rows
                .entry((p.kind.to_string(), p.scope.to_string(), p.value.to_string()))
                .or_insert((p.span.first_ns, p.span.last_ns, 0));
            e.0 = e.0.min(p.span.first_ns);
            e.1 = e.1.max(p.span.last_ns);
            e.2 += u32::from(new_day);
        }
        rows.into_iter()
            .map(|((kind, scope, value), (first, last, days))| HistoryRow {
                kind,
                scope,
                value,
                first_seen: Timestamp(first),
                last_seen: Timestamp(last),
                days,
            })
            .collect()
    }

    /// The first read that failed since the last check, commit or prune. Reads answer "not
    /// seen" when the file cannot answer (so one damaged page does not stop a scan); a
    /// command that only reads, such as `baseline show`, calls this so that a damaged store
    /// is an error naming the file, never shown as empty.
    pub fn check_reads(&self) -> Result<(), StoreError> {
        match self.failed_read.borrow_mut().take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// `PRAGMA integrity_check`: Ok when SQLite finds the file sound.
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        let db = |e| StoreError::database(&self.path, "checking integrity", e);
        let mut st = self.conn.prepare("PRAGMA integrity_check").map_err(db)?;
        let problems: Vec<String> = st
            .query_map([], |r| r.get(0))
            .map_err(db)?
            .collect::<Result<_, _>>()
            .map_err(db)?;
        if problems.len() == 1 && problems[0] == "ok" {
            Ok(())
        } else {
            Err(StoreError::new(
                StoreErrorKind::Corrupt,
                &self.path,
                format!("integrity check failed: {}", problems.join("; ")),
            ))
        }
    }

    #[cfg(test)]
    pub(crate) fn conn_for_tests(&self) -> &Connection {
        &self.conn
    }

    fn is_clean(&self) -> bool {
        self.history.is_empty()
            && self.alerts.is_empty()
            && self.checkpoints.is_empty()
            && self.newest_pending.is_none()
    }

    fn clear_pending(&mut self) {
        self.history.clear();
        self.alerts.clear();
        self.checkpoints.clear();
        self.newest_pending = None;
    }

    /// A read's answer, or `None` with the error parked for the next `commit`.
    fn answer<T>(&self, r: rusqlite::Result<Option<T>>, what: &str) -> Option<T> {
        match r {
            Ok(v) => v,
            Err(e) => {
                let mut slot = self.failed_read.borrow_mut();
                if slot.is_none() {
                    *slot = Some(StoreError::database(&self.path, what, e));
                }
                None
            }
        }
    }
}

fn write_pending(
    tx: &rusqlite::Transaction<'_>,
    history: &PendingHistory,
    alerts: &HashMap<String, (String, i64, Standing)>,
    checkpoints: &BTreeMap<String, String>,
    newest: Option<i64>,
) -> rusqlite::Result<()> {
    if !history.is_empty() {
        let mut upsert_history = tx.prepare_cached(UPSERT_HISTORY)?;
        let mut upsert_scope_day = tx.prepare_cached(UPSERT_SCOPE_DAY)?;
        let mut scope_days: BTreeMap<i64, Span> = BTreeMap::new();
        for group in history.sorted_groups() {
            for (value, days) in &group.values {
                for (&day, &span) in days.iter() {
                    upsert_history.execute(rusqlite::params![
                        group.kind,
                        group.scope,
                        value,
                        day,
                        span.first_ns,
                        span.last_ns
                    ])?;
                    let merged =
                        Span::union(scope_days.get(&day).copied(), Some(span)).unwrap_or(span);
                    scope_days.insert(day, merged);
                }
            }
            for (day, span) in std::mem::take(&mut scope_days) {
                upsert_scope_day.execute(rusqlite::params![
                    group.kind,
                    group.scope,
                    day,
                    span.first_ns,
                    span.last_ns
                ])?;
            }
        }
    }
    if !alerts.is_empty() {
        let mut st = tx.prepare_cached(UPSERT_ALERT)?;
        for (id, (rule, at, standing)) in alerts {
            st.execute(rusqlite::params![
                id,
                rule,
                at,
                standing.severity,
                standing.risk,
                standing.suppressed
            ])?;
        }
    }
    if !checkpoints.is_empty() {
        let mut st = tx.prepare_cached(UPSERT_META)?;
        for (name, value) in checkpoints {
            st.execute([format!("{CHECKPOINT_PREFIX}{name}"), value.clone()])?;
        }
    }
    if let Some(n) = newest {
        tx.prepare_cached(UPSERT_NEWEST)?.execute([n.to_string()])?;
    }
    Ok(())
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path())
            .field("pending_rows", &self.pending_rows())
            .finish()
    }
}
