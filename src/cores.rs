//! How many threads a parallel step uses when the user has not said.

/// One per core, and at least two: `available_parallelism` follows cgroup quotas, which can
/// report 1 on a 2-core sandbox, and a second thread costs nothing where there is one core.
pub fn threads() -> usize {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .max(2)
}
