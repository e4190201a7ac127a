//! How many threads a parallel step uses.

use std::sync::atomic::{AtomicUsize, Ordering};

/// `--threads` when the user gave one (0 = not given).
static LIMIT: AtomicUsize = AtomicUsize::new(0);

/// Applies `--threads` to the parallel steps after the scan too (the activity parts, the
/// next steps, the JSON lines), as to the scan's workers: a user who asks for one thread
/// gets one. 0 leaves the default.
pub fn limit(threads: usize) {
    LIMIT.store(threads, Ordering::Relaxed);
}

/// `--threads` if given, else one per core and at least two: `available_parallelism`
/// follows cgroup quotas, which can report 1 on a 2-core sandbox, and a second thread costs
/// nothing where there is one core.
pub fn threads() -> usize {
    match LIMIT.load(Ordering::Relaxed) {
        0 => std::thread::available_parallelism()
            .map_or(2, |n| n.get())
            .max(2),
        n => n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `--threads` wins; without it, at least two. (Another test reading `threads` meanwhile
    /// only gets another thread count, never another result.)
    #[test]
    fn threads_follows_the_limit_and_defaults_to_at_least_two() {
        limit(3);
        assert_eq!(threads(), 3);
        limit(1);
        assert_eq!(threads(), 1);
        limit(0);
        assert!(threads() >= 2);
    }
}
