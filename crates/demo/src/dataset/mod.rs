//! `tripline demo`'s data set: [`write_demo`] writes several days of a multi-cloud estate —
//! AWS CloudTrail, Azure Activity, Entra sign-in and audit logs, GCP audit logs, S3 server
//! access logs and nginx perimeter logs, each in its real export shape and folder layout —
//! with every rule's attack planted (`attacks`), a `tripline.toml` describing the
//! organisation and a Tor exit list beside it.
//!
//! Work is cut into jobs of one source and one day, each with its own random stream, run on
//! every core: the bytes do not depend on which thread ran which job, or when.

pub(crate) mod config;
pub(crate) mod merge;
pub(crate) mod sink;

use crate::attacks::{plant, Planted};
use crate::cloudtrail::demo::{self as ct, AwsEstate};
use crate::org::Org;
use crate::rng::{mix, Rng};
use crate::spec::{CorpusSpec, DEFAULT_START};
use crate::time::civil;
use merge::DAY_MS;
use sink::{Framing, Rotating};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// The data files go under `DIR/logs`, so that scanning that folder reads logs only (the
/// config and the Tor list sit in `DIR`).
const LOGS: &str = "logs";

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSpec {
    /// Background records over all sources (the planted ones come on top).
    pub events: u64,
    /// The same seed and events give the same files, byte for byte.
    pub seed: u64,
    /// Days covered (at least 11: the attacks happen on the eleventh, after the novelty
    /// rules' 7 days of learning).
    pub days: u32,
    /// Worker threads; 0 for two per core.
    pub threads: usize,
}

impl Default for DemoSpec {
    fn default() -> Self {
        DemoSpec {
            events: 100_000,
            seed: 1,
            days: 12,
            threads: 0,
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct DemoOutput {
    /// Every data file, sorted.
    pub files: Vec<PathBuf>,
    /// Bytes of the data files.
    pub bytes: u64,
    /// Records in the data files, planted ones included.
    pub records: u64,
    /// The config file written beside the data (`DIR/tripline.toml`).
    pub config: PathBuf,
    /// The folder of the data files (`DIR/logs`): what to scan.
    pub logs: PathBuf,
    /// First and last day covered, `YYYY-MM-DD`.
    pub first_day: String,
    pub last_day: String,
}

/// One source's share of the background, per mille, and its folder.
#[derive(Clone, Copy, Debug)]
enum Source {
    CloudTrail,
    EntraSignIn,
    EntraAudit,
    AzureActivity,
    GcpActivity,
    GcpDataAccess,
    S3Access,
    Perimeter,
}

const SOURCES: [(Source, u64); 8] = [
    (Source::CloudTrail, 800),
    (Source::EntraSignIn, 70),
    (Source::EntraAudit, 10),
    (Source::AzureActivity, 40),
    (Source::GcpActivity, 10),
    (Source::GcpDataAccess, 30),
    (Source::S3Access, 20),
    (Source::Perimeter, 20),
];

/// The realistic CloudTrail corpus of the estate: 200 identities in three accounts, without
/// the benchmark's planted enumerators (the demo plants its own story).
fn corpus(seed: u64, events: u64, day: i64) -> CorpusSpec {
    CorpusSpec {
        events,
        identities: 200,
        enumerators: 0,
        seed,
        start_epoch_secs: DEFAULT_START + day * 86_400,
        profile: crate::spec::Profile::Realistic,
        span_secs: Some(86_400),
        part: day as u64,
    }
}

struct Shared {
    spec: DemoSpec,
    root: PathBuf,
    org: Org,
    planted: Planted,
    /// The buckets whose S3 access logs are collected, and the roles that use them.
    s3_buckets: Vec<String>,
    s3_roles: Vec<String>,
}

/// What one job wrote: its files, bytes and records.
pub(crate) type Written = (Vec<PathBuf>, u64, u64);

/// Marks a folder as written by `write_demo`, so a later run may replace its `logs/`.
const MARKER: &str = ".tripline-demo";

/// Writes the demo data set into `dir` (created if needed): `tripline.toml`, `tor-exits.txt`
/// and the logs under `logs/`. A `logs/` left by an earlier run is replaced whole (a smaller
/// data set must not be scanned with the rest of a bigger one); a `logs/` that an earlier run
/// did not write is an error, never deleted. Nothing else in `dir` is touched.
pub fn write_demo(spec: &DemoSpec, dir: &Path) -> io::Result<DemoOutput> {
    let days = spec.days.max(11) as i64;
    std::fs::create_dir_all(dir)?;
    let logs = dir.join(LOGS);
    if logs.exists() {
        if dir.join(MARKER).exists() {
            std::fs::remove_dir_all(&logs)?;
        } else if std::fs::read_dir(&logs)?.next().is_some() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "{} exists and was not written by tripline demo; choose another --out",
                    logs.display()
                ),
            ));
        }
    }
    std::fs::write(
        dir.join(MARKER),
        format!(
            "tripline demo data set: events {} seed {}\n",
            spec.events, spec.seed
        ),
    )?;
    let aws: AwsEstate = ct::estate(&corpus(spec.seed, 1, 0));
    let org = Org::new(spec.seed);
    let start_ms = DEFAULT_START * 1000;
    let planted = plant(spec.seed, start_ms, days, &aws, &org);
    std::fs::write(dir.join(config::CONFIG_FILE), config::config_text(&aws))?;
    std::fs::write(dir.join(config::TOR_FILE), config::tor_exits_text())?;
    let (s3_buckets, s3_roles) = s3_background_cast(&aws);
    let shared = Shared {
        spec: DemoSpec {
            days: days as u32,
            ..spec.clone()
        },
        root: dir.join(LOGS),
        org,
        planted,
        s3_buckets,
        s3_roles,
    };
    // CloudTrail days first: the longest jobs start early, the small ones fill the gaps.
    let mut jobs: Vec<(Source, i64)> = Vec::new();
    for (source, _) in SOURCES {
        for d in 0..days {
            jobs.push((source, d));
        }
    }
    // Two writers per core: a writer spends much of its time blocked in the kernel's
    // write-back of earlier pages, and the second keeps the core busy meanwhile (10 M events,
    // 13.7 GB on this 2-core VM: 156-167 MB/s with 2 threads, 250 MB/s with 4).
    let threads = match spec.threads {
        0 => 2 * std::thread::available_parallelism().map_or(2, |n| n.get()),
        n => n,
    }
    .min(jobs.len());
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<io::Result<Written>>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(&(source, day)) = jobs.get(i) else {
                    break;
                };
                let r = run_job(&shared, source, day);
                let failed = r.is_err();
                results.lock().unwrap_or_else(|e| e.into_inner()).push(r);
                if failed {
                    // Stop handing out work: the error is reported once all threads end.
                    next.store(jobs.len(), Ordering::Relaxed);
                }
            });
        }
    });
    let mut out = DemoOutput {
        config: dir.join(config::CONFIG_FILE),
        logs: dir.join(LOGS),
        first_day: day_name(start_ms),
        last_day: day_name(start_ms + (days - 1) * DAY_MS),
        ..DemoOutput::default()
    };
    for r in results.into_inner().unwrap_or_else(|e| e.into_inner()) {
        let (files, bytes, records) = r?;
        out.files.extend(files);
        out.bytes += bytes;
        out.records += records;
    }
    out.files.sort();
    Ok(out)
}

fn day_name(ms: i64) -> String {
    let c = civil(ms / 1000);
    format!("{:04}-{:02}-{:02}", c.year, c.month, c.day)
}

/// `y=YYYY/m=MM/d=DD/h=HH/m=00` of an Azure storage export.
fn azure_hour(ms: i64) -> String {
    let c = civil(ms / 1000);
    format!(
        "y={:04}/m={:02}/d={:02}/h={:02}/m=00",
        c.year, c.month, c.day, c.hour
    )
}

/// Background records of `source` on one day.
fn day_share(spec: &DemoSpec, per_mille: u64) -> u64 {
    spec.events * per_mille / 1000 / spec.days.max(1) as u64
}

fn run_job(sh: &Shared, source: Source, day: i64) -> io::Result<Written> {
    let spec = &sh.spec;
    let org = &sh.org;
    let per_mille = SOURCES
        .iter()
        .find(|(s, _)| s.tag() == source.tag())
        .map_or(0, |x| x.1);
    let n = day_share(spec, per_mille);
    let day_ms = (DEFAULT_START + day * 86_400) * 1000;
    let next_day = day_ms + DAY_MS;
    let mut rng = Rng::stream(
        spec.seed,
        mix(0xDE30 ^ ((source.tag() as u64) << 32) ^ day as u64),
    );
    let root = &sh.root;
    let p = &sh.planted;
    let within = |list: &[(i64, String)]| -> Vec<(i64, String)> {
        Planted::within(list, day_ms, next_day).to_vec()
    };
    match source {
        Source::CloudTrail => {
            ct::write_day(&corpus(spec.seed, n, day), &within(&p.cloudtrail), root)
        }
        Source::EntraSignIn => {
            let tenant = &org.tenant_id;
            let path = |h: i64| {
                root.join(format!(
                    "entra/insights-logs-signinlogs/tenantId={tenant}/{}/PT1H.json",
                    azure_hour(h)
                ))
            };
            // The first day also carries the roll call of every person's addresses.
            let n = if day == 0 {
                n.max(org.users.len() as u64 * 2)
            } else {
                n
            };
            let mut files = Rotating::new(3_600_000, Framing::Envelope("records"), &path);
            merge::write_day(
                day_ms,
                n,
                &mut rng,
                &within(&p.signin),
                &mut files,
                |buf, rng, ms, k| {
                    crate::entra::signin::background(buf, rng, org, ms, day as u64, k, n)
                },
            )?;
            files.finish()
        }
        Source::EntraAudit => {
            let tenant = &org.tenant_id;
            let path = |h: i64| {
                root.join(format!(
                    "entra/insights-logs-auditlogs/tenantId={tenant}/{}/PT1H.json",
                    azure_hour(h)
                ))
            };
            let mut files = Rotating::new(3_600_000, Framing::Envelope("records"), &path);
            merge::write_day(
                day_ms,
                n,
                &mut rng,
                &within(&p.audit),
                &mut files,
                |buf, rng, ms, _| crate::entra::audit::background(buf, rng, org, ms),
            )?;
            files.finish()
        }
        Source::AzureActivity => {
            let sub = org.subscription_id.to_ascii_uppercase();
            let path = |h: i64| {
                root.join(format!(
                    "azure/insights-activity-logs/resourceId=/SUBSCRIPTIONS/{sub}/{}/PT1H.json",
                    azure_hour(h)
                ))
            };
            let mut files = Rotating::new(3_600_000, Framing::Envelope("records"), &path);
            merge::write_day(
                day_ms,
                n,
                &mut rng,
                &within(&p.azure),
                &mut files,
                |buf, rng, ms, _| crate::azure_activity::background(buf, rng, org, ms),
            )?;
            files.finish()
        }
        Source::GcpActivity | Source::GcpDataAccess => {
            let data = matches!(source, Source::GcpDataAccess);
            let kind = if data { "data_access" } else { "activity" };
            let path = |h: i64| {
                let c = civil(h / 1000);
                root.join(format!(
                    "gcp/cloudaudit.googleapis.com/{kind}/{:04}/{:02}/{:02}/{:02}:00:00_{:02}:59:59_S0.json",
                    c.year, c.month, c.day, c.hour, c.hour
                ))
            };
            let list = if data { &p.gcp_data } else { &p.gcp_activity };
            let mut files = Rotating::new(3_600_000, Framing::Lines, &path);
            merge::write_day(
                day_ms,
                n,
                &mut rng,
                &within(list),
                &mut files,
                |buf, rng, ms, _| crate::gcp_audit::background(buf, rng, org, ms, data),
            )?;
            files.finish()
        }
        Source::S3Access => {
            let seed = spec.seed;
            let path = |h: i64| {
                let c = civil(h / 1000);
                root.join(format!(
                    "s3-access-logs/{:04}-{:02}-{:02}-{:02}-00-00-{:016X}",
                    c.year,
                    c.month,
                    c.day,
                    c.hour,
                    mix(seed ^ h as u64)
                ))
            };
            let (buckets, roles) = (&sh.s3_buckets, &sh.s3_roles);
            let mut files = Rotating::new(3_600_000, Framing::Lines, &path);
            merge::write_day(
                day_ms,
                n,
                &mut rng,
                &within(&p.s3),
                &mut files,
                |buf, rng, ms, _| crate::s3_access::background(buf, rng, buckets, roles, ms),
            )?;
            files.finish()
        }
        Source::Perimeter => {
            let path = |h: i64| {
                let c = civil(h / 1000);
                root.join(format!(
                    "perimeter/nginx/access.log-{:04}{:02}{:02}",
                    c.year, c.month, c.day
                ))
            };
            let mut files = Rotating::new(DAY_MS, Framing::Lines, &path);
            merge::write_day(
                day_ms,
                n,
                &mut rng,
                &within(&p.perimeter),
                &mut files,
                |buf, rng, ms, _| crate::perimeter::background(buf, rng, org, ms),
            )?;
            files.finish()
        }
    }
}

/// The buckets whose access logs are collected (the production account's) and the
/// application roles that use them.
fn s3_background_cast(aws: &AwsEstate) -> (Vec<String>, Vec<String>) {
    let prod = &aws.accounts[0];
    let buckets = prod.buckets.clone();
    let roles = crate::population::APPS
        .iter()
        .take(6)
        .map(|app| {
            format!(
                "arn:aws:sts::{}:assumed-role/{app}-prod-ec2-role/i-0{:016x}",
                prod.id,
                mix(app.len() as u64)
            )
        })
        .collect();
    (buckets, roles)
}

impl Source {
    fn tag(self) -> u8 {
        self as u8
    }
}
