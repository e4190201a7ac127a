//! The baseline store: what each environment and identity did before, kept across runs in
//! one embedded SQLite file (`--state`, SPEC §7), plus the ledger of emitted alert ids behind
//! `--new-only` and named checkpoints.
//!
//! History is kept in event time, per (kind, scope, value) and per UTC day, with the first and
//! last time seen that day. That answers "was this seen in the 30 days before t" for any t,
//! also when older logs are scanned after newer ones, and it makes recording idempotent:
//! scanning the same input twice stores the same rows. Retention counts back from the newest
//! event stored, never from the wall clock.
//!
//! Architecture invariants:
//! - The store never reads the wall clock; every time comes from an event.
//! - Nothing is written outside [`Store::commit`] / [`Store::prune`], each one transaction:
//!   kill -9 at any moment leaves the file at the last commit.
//! - No counters: a fact recorded twice is one fact.
//!
//! ```
//! use tripline::event::{Duration, Timestamp};
//! use tripline::state::Store;
//!
//! let mut store = Store::open(":memory:").unwrap();
//! let t = Timestamp::parse("2024-05-06T10:00:00Z").unwrap();
//! store.record("env-country", "aws/123456789012", "NL", t);
//! store.commit().unwrap();
//!
//! let later = t.add(Duration::secs(86_400));
//! assert!(store.seen_between("env-country", "aws/123456789012", "NL", later.sub(Duration::secs(30 * 86_400)), later));
//! assert!(!store.seen_between("env-country", "aws/123456789012", "KP", later.sub(Duration::secs(30 * 86_400)), later));
//! ```

mod error;
mod pending;
mod schema;
mod store;

pub use error::{StoreError, StoreErrorKind};
pub use pending::PendingHistory;
pub use schema::SCHEMA_VERSION;
pub use store::{HistoryRow, Standing, Store, DEFAULT_RETENTION};

#[cfg(test)]
mod tests;

/// The baseline store as the engine shares it between the reading workers (history flushed
/// ahead of the ordered pass), the ordered pass and the caller (the alert ledger).
pub type SharedStore = std::sync::Arc<std::sync::Mutex<Store>>;

/// Locks the shared store. A holder that panicked cannot have left it half-written (writes
/// are buffered facts, committed in one transaction), so a poisoned lock is still usable.
pub fn lock(store: &SharedStore) -> std::sync::MutexGuard<'_, Store> {
    store
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
