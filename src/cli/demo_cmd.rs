//! `tripline demo`: write the demo data set (crate `tripline-demo`) and scan it through the
//! same path as `tripline scan`, with the organisation config written beside the data.

use super::args::{DemoArgs, ScanArgs};
use super::scan_cmd;
use anyhow::{bail, Context, Result};
use std::time::Instant;
use tripline_demo::{write_demo, DemoSpec};

pub fn demo(a: DemoArgs) -> Result<i32> {
    if !a.scan.paths.is_empty() {
        bail!("demo takes no PATH: it scans the data set it writes (--out DIR)");
    }
    let spec = DemoSpec {
        events: a.events,
        seed: a.seed,
        ..DemoSpec::default()
    };
    let started = Instant::now();
    let out = write_demo(&spec, &a.out)
        .with_context(|| format!("writing the demo data set into {}", a.out.display()))?;
    let secs = started.elapsed().as_secs_f64();
    if !a.scan.read.quiet {
        eprintln!(
            "tripline demo: wrote {} records ({:.1} MB, {} files, {} to {}) into {} in {:.2} s ({:.0} MB/s, {:.0} records/s); config {}",
            out.records,
            out.bytes as f64 / 1e6,
            out.files.len(),
            out.first_day,
            out.last_day,
            crate::output::escape::terminal(&a.out.display().to_string()),
            secs,
            out.bytes as f64 / 1e6 / secs.max(1e-9),
            out.records as f64 / secs.max(1e-9),
            crate::output::escape::terminal(&out.config.display().to_string()),
        );
    }
    if a.no_scan {
        return Ok(0);
    }
    let args = scan_args(a.scan.clone(), &out.logs, &out.config);
    scan_cmd::scan_cmd(&args)
}

/// The scan of the data set: DIR/logs, its config and a store that leaves nothing behind, unless
/// the user named others.
fn scan_args(mut scan: ScanArgs, logs: &std::path::Path, config: &std::path::Path) -> ScanArgs {
    scan.paths = vec![logs.to_string_lossy().into_owned()];
    scan.config.get_or_insert_with(|| config.to_path_buf());
    scan.state.get_or_insert_with(|| ":memory:".to_string());
    // The HTML report lands beside the data, unless the user named another file.
    scan.report
        .get_or_insert_with(|| logs.with_file_name("report.html"));
    scan
}
