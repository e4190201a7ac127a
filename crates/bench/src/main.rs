//! Whole-tool benchmark over a reproducible generated CloudTrail corpus (see README,
//! "Performance"). It runs the release `tripline` binary as a user would and reports MB/s,
//! events/s and peak memory (the binary's own VmHWM, printed in its summary).
//!
//!   cargo run --release --bin tripline-bench -- [--size-mb 1024] [--out bench/out] [--memory-events 10000000]
//!       [--profile classic|realistic] [--events N] [--generate-only] [--only NAME]
//!
//! `--profile realistic` benchmarks the realistic-cardinality corpus
//! (`tripline_demo::CorpusSpec::realistic`) instead of the classic one; `--events N` sets the
//! corpus by record count instead of size; `--generate-only` writes the plain corpus, prints
//! its path and stops (the memory runs in the README scan such files). `--only NAME` keeps the
//! runs whose label contains NAME.
//!
//!   cargo run --release --bin tripline-bench -- --demo DIR [--events N]
//!
//! writes `tripline demo`'s multi-cloud data set (the same files as `tripline demo --no-scan`)
//! into DIR and prints MB/s and records/s, without building the `tripline` binary.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;
use tripline_demo::{write_cloudtrail_jsonl, CorpusSpec, Profile};

struct Args {
    size_mb: u64,
    out: PathBuf,
    memory_events: u64,
    only: Option<String>,
    profile: Profile,
    events: Option<u64>,
    generate_only: bool,
    demo: Option<PathBuf>,
}

fn args() -> Args {
    let mut a = Args {
        size_mb: 1024,
        out: PathBuf::from("bench/out"),
        memory_events: 10_000_000,
        only: None,
        profile: Profile::Classic,
        events: None,
        generate_only: false,
        demo: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        if k == "--generate-only" {
            a.generate_only = true;
            continue;
        }
        let v = it.next().unwrap_or_default();
        match k.as_str() {
            "--profile" => a.profile = Profile::from_name(&v).expect("--profile classic|realistic"),
            "--events" => a.events = Some(v.parse().expect("--events N")),
            "--size-mb" => a.size_mb = v.parse().expect("--size-mb N"),
            "--out" => a.out = PathBuf::from(v),
            "--memory-events" => a.memory_events = v.parse().expect("--memory-events N"),
            "--only" => a.only = Some(v),
            "--demo" => a.demo = Some(PathBuf::from(v)),
            _ => panic!("unknown option {k}; see the file's doc comment"),
        }
    }
    a
}

fn tripline_bin() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.with_file_name("tripline")
}

/// Events for a corpus of about `mb` megabytes (records average ~1.4 KB).
fn events_for(mb: u64) -> u64 {
    mb * 1_000_000 / 1400
}

fn generate(path: &Path, spec: &CorpusSpec, gzip: bool) -> u64 {
    if path.exists() {
        return std::fs::metadata(path).unwrap().len();
    }
    let t = Instant::now();
    let tmp = path.with_extension("partial");
    let file = std::fs::File::create(&tmp).unwrap();
    let bytes = if gzip {
        let mut w = flate2::write::GzEncoder::new(
            BufWriter::with_capacity(1 << 20, file),
            flate2::Compression::fast(),
        );
        let n = write_cloudtrail_jsonl(spec, &mut w).unwrap();
        w.finish().unwrap().flush().unwrap();
        n
    } else {
        let mut w = BufWriter::with_capacity(1 << 20, file);
        let n = write_cloudtrail_jsonl(spec, &mut w).unwrap();
        w.flush().unwrap();
        n
    };
    std::fs::rename(&tmp, path).unwrap();
    eprintln!(
        "generated {} ({:.0} MB of JSON) in {:.1}s",
        path.display(),
        bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    bytes
}

struct Run {
    secs: f64,
    events: u64,
    peak_mb: f64,
    alerts: String,
}

fn run(label: &str, pin_one_core: bool, args: &[&str], stdin_from: Option<&CorpusSpec>) -> Run {
    let mut cmd = if pin_one_core {
        let mut c = Command::new("taskset");
        c.args(["-c", "0"]).arg(tripline_bin());
        c
    } else {
        Command::new(tripline_bin())
    };
    cmd.args(args).stdout(Stdio::null()).stderr(Stdio::piped());
    if stdin_from.is_some() {
        cmd.stdin(Stdio::piped());
    }
    let t = Instant::now();
    let mut child = cmd
        .spawn()
        .expect("run tripline (build it with cargo build --release)");
    if let Some(spec) = stdin_from {
        let mut w = BufWriter::with_capacity(1 << 20, child.stdin.take().unwrap());
        write_cloudtrail_jsonl(spec, &mut w).unwrap();
        w.flush().unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let secs = t.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let first = stderr.lines().next().unwrap_or("");
    // Input records (every CloudTrail event read), not the events the rules kept.
    let events = first
        .split(" MB, ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let peak_mb = first
        .split("peak memory ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or(0.0);
    let alerts = stderr
        .lines()
        .find(|l| l.trim().ends_with(" alerts"))
        .unwrap_or("")
        .trim()
        .to_string();
    eprintln!("{label}: {secs:.2}s, peak {peak_mb} MB {alerts}");
    Run {
        secs,
        events,
        peak_mb,
        alerts,
    }
}

/// `--demo DIR`: the demo data set, timed.
fn demo(dir: &Path, events: Option<u64>) {
    let spec = tripline_demo::DemoSpec {
        events: events.unwrap_or(tripline_demo::DemoSpec::default().events),
        ..tripline_demo::DemoSpec::default()
    };
    let t = Instant::now();
    let out = tripline_demo::write_demo(&spec, dir).unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "{}: {} records, {:.1} MB in {} files, {secs:.2} s: {:.0} MB/s, {:.0} records/s",
        out.logs.display(),
        out.records,
        out.bytes as f64 / 1e6,
        out.files.len(),
        out.bytes as f64 / 1e6 / secs,
        out.records as f64 / secs
    );
}

fn main() {
    let a = args();
    if let Some(dir) = &a.demo {
        demo(dir, a.events);
        return;
    }
    std::fs::create_dir_all(&a.out).unwrap();
    let events = a.events.unwrap_or_else(|| events_for(a.size_mb));
    let spec = match a.profile {
        Profile::Classic => CorpusSpec {
            events,
            ..CorpusSpec::default()
        },
        Profile::Realistic => CorpusSpec::realistic(events),
    };
    // Classic corpora keep the names they always had (bench/duckdb_seed.py reads them).
    let stem = match (a.profile, a.events) {
        (Profile::Classic, None) => format!("cloudtrail-{}mb", a.size_mb),
        (profile, None) => format!("cloudtrail-{}-{}mb", profile.name(), a.size_mb),
        (profile, Some(n)) => format!("cloudtrail-{}-{n}", profile.name()),
    };
    let plain = a.out.join(format!("{stem}.jsonl"));
    let gz = a.out.join(format!("{stem}.jsonl.gz"));
    let bytes = generate(&plain, &spec, false);
    if a.generate_only {
        println!(
            "{} ({bytes} bytes, {} events)",
            plain.display(),
            spec.events
        );
        return;
    }
    generate(&gz, &spec, true);
    let gz_bytes = std::fs::metadata(&gz).unwrap().len();
    let mb = bytes as f64 / 1e6;
    let p = plain.to_str().unwrap();
    let g = gz.to_str().unwrap();
    let discovery = "cloud-discovery-burst,cloud-discovery-sliding";
    let store_path = a.out.join("bench-state.db").to_string_lossy().into_owned();
    let _ = std::fs::remove_file(&store_path);

    let mut rows: Vec<(String, Run)> = Vec::new();
    let only = |name: &str| a.only.as_deref().is_none_or(|o| name.contains(o));
    let cases: Vec<(&str, bool, Vec<&str>)> = vec![
        (
            "normalize, 1 core",
            true,
            vec!["normalize", "--threads", "1", p],
        ),
        ("normalize, all cores", false, vec!["normalize", p]),
        ("normalize gzip, all cores", false, vec!["normalize", g]),
        (
            "scan discovery rules, 1 core",
            true,
            vec![
                "scan",
                "--threads",
                "1",
                "--output",
                "jsonl",
                "--rules",
                discovery,
                p,
            ],
        ),
        (
            "scan discovery rules, all cores",
            false,
            vec!["scan", "--output", "jsonl", "--rules", discovery, p],
        ),
        (
            "scan discovery rules gzip, all cores",
            false,
            vec!["scan", "--output", "jsonl", "--rules", discovery, g],
        ),
        (
            "scan all rules, store :memory:, all cores",
            false,
            vec!["scan", "--output", "jsonl", "--state", ":memory:", p],
        ),
        (
            "scan all rules, store on disk, all cores",
            false,
            vec!["scan", "--output", "jsonl", "--state", &store_path, p],
        ),
    ];
    for (name, pin, args) in cases {
        if only(name) {
            // stdout (every event, for normalize) goes to /dev/null.
            rows.push((name.to_string(), run(name, pin, &args, None)));
        }
    }
    println!("\n| run | seconds | MB/s | events/s | peak RSS |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for (name, r) in &rows {
        println!(
            "| {name} | {:.2} | {:.0} | {:.0} | {:.0} MB |",
            r.secs,
            mb / r.secs,
            r.events as f64 / r.secs,
            r.peak_mb
        );
    }
    println!(
        "\ncorpus: {} events ({} profile), {:.0} MB JSON lines ({:.0} MB gzipped), seed {}",
        spec.events,
        spec.profile.name(),
        mb,
        gz_bytes as f64 / 1e6,
        spec.seed
    );
    let find = |n: &str| rows.iter().find(|(k, _)| k == n).map(|(_, r)| r.secs);
    if let (Some(n), Some(s)) = (
        find("normalize, all cores"),
        find("scan discovery rules, all cores"),
    ) {
        println!(
            "scan / normalize throughput ratio (all cores): {:.2}",
            n / s
        );
    }
    if let (Some(d), Some(m), Some(f)) = (
        find("scan discovery rules, all cores"),
        find("scan all rules, store :memory:, all cores"),
        find("scan all rules, store on disk, all cores"),
    ) {
        println!("all rules / discovery rules throughput: {:.2} (:memory:), {:.2} (store on disk); store cost: on-disk / :memory: time {:.2}", d / m, d / f, f / m);
    }
    if a.memory_events > 0 && only("memory") {
        let mspec = CorpusSpec {
            events: a.memory_events,
            identities: 100_000,
            enumerators: 1_000,
            ..CorpusSpec::default()
        };
        let r = run(
            "memory",
            false,
            &["scan", "--output", "jsonl", "--rules", discovery, "-"],
            Some(&mspec),
        );
        println!("memory: {} events over 100,000 identities through stdin: peak RSS {:.0} MB in {:.1}s ({})", r.events, r.peak_mb, r.secs, r.alerts);
    }
}
