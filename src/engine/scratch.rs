//! Scratch space on disk for one run: the sorter's spilled runs and the events rules set
//! aside (`engine::order`, `engine::deferred`) live in one directory per process,
//! `$TMPDIR/tripline-scratch-<pid>-<nanos>/`, so that nothing is left behind however the
//! run ends:
//! - normally, each file is removed by its owner's `Drop`, and the binary calls
//!   [`remove_all`] before it exits;
//! - on SIGINT / SIGTERM, the binary's signal handler calls [`remove_all`];
//! - on kill -9, the next run sweeps it ([`sweep_stale`]): every scratch directory holds a
//!   lock file that its process keeps locked while it lives, and the kernel releases the lock
//!   when the process dies, so a directory whose lock can be taken has no owner.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

const PREFIX: &str = "tripline-scratch-";
/// A scratch directory while it is being made, before its lock is taken.
const MAKING: &str = "tripline-making-";
/// A directory still being made after this long was left by a run killed while making it.
const MAKING_STALE: std::time::Duration = std::time::Duration::from_secs(3600);
const LOCK: &str = ".lock";

struct Live {
    dir: PathBuf,
    /// Held for the life of the process: the lock says "someone owns this directory".
    _lock: File,
}

static LIVE: Mutex<Option<Live>> = Mutex::new(None);

/// Set by [`remove_all`]: a worker still spilling after the signal handler ran must not make
/// a new directory that nobody would remove.
static CLOSED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// This process's scratch directory, made (and stale ones swept) on first use.
pub fn dir() -> io::Result<PathBuf> {
    let mut live = LIVE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(l) = live.as_ref() {
        return Ok(l.dir.clone());
    }
    if CLOSED.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(io::Error::other(
            "the run is ending: no more temporary files",
        ));
    }
    let base = std::env::temp_dir();
    sweep_stale(&base);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    // Made under another name and renamed once locked: another run's sweep must never see
    // a live run's directory without its lock (it took that for a run killed while making
    // it, and removed it under the live run; many runs starting at once hit that).
    let stem = format!("{}-{nanos}", std::process::id());
    let making = base.join(format!("{MAKING}{stem}"));
    std::fs::create_dir_all(&making)?;
    let lock = File::create(making.join(LOCK))?;
    lock.try_lock()
        .map_err(|e| io::Error::other(format!("locking {}: {e}", making.display())))?;
    let dir = base.join(format!("{PREFIX}{stem}"));
    std::fs::rename(&making, &dir)?;
    *live = Some(Live {
        dir: dir.clone(),
        _lock: lock,
    });
    Ok(dir)
}

/// Removes this process's scratch directory, if it made one. Safe to call from a signal
/// handler thread while other threads still write there: their files simply vanish.
pub fn remove_all() {
    let mut live = LIVE.lock().unwrap_or_else(|p| p.into_inner());
    CLOSED.store(true, std::sync::atomic::Ordering::SeqCst);
    let taken = live.take();
    drop(live);
    if let Some(l) = taken {
        // A worker may create a file while the folder is being emptied; try again then.
        for _ in 0..5 {
            if std::fs::remove_dir_all(&l.dir).is_ok() || !l.dir.exists() {
                break;
            }
        }
    }
}

/// Removes the scratch directories in `base` that no living process owns (their lock can
/// be taken). Errors are ignored: a directory that cannot be removed now is tried next time.
pub fn sweep_stale(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let making = name.starts_with(MAKING);
        if !name.starts_with(PREFIX) && !making {
            continue;
        }
        let path = entry.path();
        // Never follow a link someone planted in a shared temporary directory.
        if !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        // A directory being made is left alone (not even its lock is tried: taking it for a
        // moment would fail the maker's own locking) unless it has been for an hour.
        let young = || {
            entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_none_or(|age| age < MAKING_STALE)
        };
        let owned = (making && young())
            || match File::open(path.join(LOCK)) {
                Ok(f) => f.try_lock().is_err(),
                // A scratch directory is renamed into place only once locked: without its
                // lock file, its run was killed.
                Err(_) => false,
            };
        if !owned {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Many runs starting at once: one run's sweep removed another's directory between its
    /// making and its locking (a scan then failed with "No such file or directory"). A
    /// directory is now made under `MAKING` and renamed once locked.
    #[test]
    fn a_directory_being_made_is_never_swept_and_a_live_one_is_always_locked() {
        let base = tempfile::tempdir().unwrap();
        let being_made = base.path().join(format!("{MAKING}1-2"));
        std::fs::create_dir(&being_made).unwrap();
        sweep_stale(base.path());
        assert!(
            being_made.exists(),
            "a directory still being made was swept"
        );
        // Its lock file made but not yet locked (the window the race hit): still kept, and
        // the lock left for its maker to take.
        let lock = File::create(being_made.join(LOCK)).unwrap();
        sweep_stale(base.path());
        assert!(
            being_made.exists(),
            "a directory between lock file and lock was swept"
        );
        assert!(lock.try_lock().is_ok(), "the sweep took the maker's lock");
        // A directory under the scratch name is locked from the moment it exists.
        let d = dir().unwrap();
        let lock = File::open(d.join(LOCK)).unwrap();
        assert!(
            lock.try_lock().is_err(),
            "a live scratch directory must be locked"
        );
    }

    #[test]
    fn a_dead_owners_directory_is_swept_and_a_live_one_kept() {
        let base = tempfile::tempdir().unwrap();
        let dead = base.path().join(format!("{PREFIX}1-1"));
        std::fs::create_dir_all(&dead).unwrap();
        std::fs::write(dead.join(LOCK), b"").unwrap();
        std::fs::write(dead.join("run-0.bin"), b"x").unwrap();
        let alive = base.path().join(format!("{PREFIX}2-2"));
        std::fs::create_dir_all(&alive).unwrap();
        let held = File::create(alive.join(LOCK)).unwrap();
        held.try_lock().unwrap();
        let other = base.path().join("someone-elses");
        std::fs::create_dir_all(&other).unwrap();
        sweep_stale(base.path());
        assert!(!dead.exists(), "no owner: swept");
        assert!(alive.exists(), "locked by a living process: kept");
        assert!(other.exists(), "not ours: kept");
    }
}
