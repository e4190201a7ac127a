//! `--progress`: the bar on stderr while `scan` reads (bytes and ETA, events per second,
//! files done out of files found). It is drawn by a thread of its own that reads the
//! pipeline's counters (`engine::progress`) ten times a second: the scan itself only bumps
//! counters per batch, so the bar cannot slow it down by drawing.
//!
//! `auto` draws on a terminal once the scan has run for a second (a short scan never
//! flashes a bar), `always` from the start, `never` not at all; with stderr not a terminal
//! (piped, redirected, a scheduled job) nothing is drawn whatever the choice, and `--quiet`
//! means `never` unless `always` is given. The bar is cleared before the summary prints.
//! Nothing from a log is shown on it, so it needs no escaping.

use std::io::IsTerminal;
use std::sync::mpsc::{channel, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::args::Progress;
use crate::engine::progress::{ProgressSnapshot, ScanProgress};

/// How often the bar is redrawn from the counters.
const TICK: Duration = Duration::from_millis(100);
/// `auto` waits this long before showing a bar.
const AUTO_DELAY: Duration = Duration::from_secs(1);

/// Whether a bar is drawn at all: `never`, or stderr not a terminal, draws nothing.
pub fn wanted(choice: Progress, quiet: bool, stderr_is_terminal: bool) -> Option<Duration> {
    if !stderr_is_terminal {
        return None;
    }
    match choice {
        Progress::Never => None,
        Progress::Auto if quiet => None,
        Progress::Auto => Some(AUTO_DELAY),
        Progress::Always => Some(Duration::ZERO),
    }
}

/// The running display; `finish` (or dropping it) clears the bar and stops the thread.
pub struct ProgressDisplay {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl ProgressDisplay {
    /// Starts the display for `counters` when `choice` wants one on this stderr; else a
    /// display that does nothing.
    pub fn start(choice: Progress, quiet: bool, counters: Arc<ScanProgress>) -> ProgressDisplay {
        let Some(delay) = wanted(choice, quiet, std::io::stderr().is_terminal()) else {
            return ProgressDisplay {
                stop: None,
                thread: None,
            };
        };
        let (stop, stopped) = channel::<()>();
        let thread = std::thread::Builder::new()
            .name("progress".into())
            .spawn(move || {
                let started = Instant::now();
                // Disconnected or told to stop during the delay: no bar was ever shown.
                match stopped.recv_timeout(delay) {
                    Err(RecvTimeoutError::Timeout) => {}
                    _ => return,
                }
                let bar = ProgressBar::with_draw_target(
                    Some(counters.snapshot().disk_total),
                    ProgressDrawTarget::stderr_with_hz(10),
                )
                .with_style(style());
                loop {
                    let s = counters.snapshot();
                    bar.set_length(s.disk_total.max(s.position()));
                    bar.set_position(s.position());
                    bar.set_message(message(&s, started.elapsed()));
                    match stopped.recv_timeout(TICK) {
                        Err(RecvTimeoutError::Timeout) => continue,
                        _ => break,
                    }
                }
                bar.finish_and_clear();
            })
            .ok();
        ProgressDisplay {
            stop: Some(stop),
            thread,
        }
    }

    /// Clears the bar; returns once it is gone, so the summary prints on a clean line.
    pub fn finish(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for ProgressDisplay {
    fn drop(&mut self) {
        self.stop_now();
    }
}

fn style() -> ProgressStyle {
    // A fixed-width bar and a message that is cut to the terminal's width (`wide_msg`): a
    // line that wrapped would leave a trail of half-cleared bars on an 80-column terminal.
    ProgressStyle::with_template(
        "{spinner} [{bar:24}] {binary_bytes}/{binary_total_bytes} ETA {eta} {wide_msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ")
}

/// The text after the bar: events, the average rate since the scan began, files.
pub fn message(s: &ProgressSnapshot, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 {
        (s.events as f64 / secs) as u64
    } else {
        0
    };
    // Most telling first: the end is what `wide_msg` cuts on a narrow terminal.
    format!(
        "{rate} events/s, files {}/{}, {} events",
        s.files_done, s.files_found, s.events
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_drawn_off_a_terminal_or_with_never() {
        for choice in [Progress::Auto, Progress::Always, Progress::Never] {
            assert_eq!(wanted(choice, false, false), None, "{choice:?} piped");
        }
        assert_eq!(wanted(Progress::Never, false, true), None);
        assert_eq!(wanted(Progress::Auto, true, true), None, "--quiet");
        assert_eq!(wanted(Progress::Always, true, true), Some(Duration::ZERO));
        assert_eq!(wanted(Progress::Auto, false, true), Some(AUTO_DELAY));
    }

    #[test]
    fn the_message_gives_events_rate_and_files() {
        let s = ProgressSnapshot {
            events: 5_000,
            files_done: 3,
            files_found: 10,
            ..ProgressSnapshot::default()
        };
        assert_eq!(
            message(&s, Duration::from_secs(2)),
            "2500 events/s, files 3/10, 5000 events"
        );
        assert_eq!(
            message(&s, Duration::ZERO),
            "0 events/s, files 3/10, 5000 events"
        );
    }

    #[test]
    fn a_display_that_is_not_wanted_stops_at_once() {
        let d = ProgressDisplay::start(Progress::Never, false, Arc::default());
        assert!(d.thread.is_none());
        d.finish();
    }
}
