//! The history rules do most of their work ahead of the ordered pass, on the worker threads
//! (src/engine/ahead.rs): they record history, build order-free summaries, and hand the
//! ordered pass only the events that can still change an answer (first sightings; for
//! post-auth-enumeration, only identities that history says can be quiet). That must never
//! change an alert. Two checks, on generated CloudTrail with enumerations, key uses from
//! many addresses, rare regions and quiet identities over three days:
//! - against the scan with that work switched off (`--since` switches it off, because the
//!   bounds are known only once the input is read): same alerts, evidence included;
//! - against itself with the records shuffled and split over files: same alerts and ids.

mod support;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::path::PathBuf;
use support::{at, ct_with_key};
use tripline::engine::scan::{scan, ScanOptions, TimeBound};
use tripline::event::Timestamp;
use tripline::input::InputPath;
use tripline::rules::registry::build;

const RULES: [&str; 6] = [
    "post-auth-enumeration",
    "unused-region-activity",
    "new-source-signin",
    "first-seen-api",
    "cloud-discovery-sliding",
    "external-object-read",
];

const APIS: [&str; 12] = [
    "DescribeInstances",
    "DescribeVpcs",
    "ListBuckets",
    "GetCallerIdentity",
    "ListRoles",
    "DescribeSubnets",
    "GetParameter",
    "ListFunctions20150331",
    "DescribeSnapshots",
    "PutObject",
    "StartInstances",
    "Decrypt",
];

const WHO: [&str; 4] = [
    "arn:aws:iam::123456789012:user/alice",
    "arn:aws:iam::123456789012:user/bob",
    "arn:aws:sts::123456789012:assumed-role/ci/run-1",
    "arn:aws:sts::123456789012:assumed-role/ci/run-2",
];

const REGIONS: [&str; 4] = ["eu-west-1", "eu-west-1", "us-east-1", "ap-south-2"];

/// `n` records from a seed: time advances unevenly over three days, with bursts. With
/// `repeats`, some records are delivered twice and some reuse an earlier record's event id
/// for a different call (as rule-test data does).
fn records_with(seed: u64, n: usize, repeats: bool) -> Vec<String> {
    let mut state = seed | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut t = 0i64;
    (0..n)
        .map(|i| {
            let r = next();
            // Mostly seconds apart (bursts), sometimes hours (quiet gaps, new days).
            t += match r % 20 {
                0 => 3 * 3600 + (r % 7000) as i64,
                1..=3 => 90 + (r % 200) as i64,
                _ => 1 + (r % 15) as i64,
            };
            let who = WHO[(r >> 8) as usize % WHO.len()];
            // New address blocks and a new region keep appearing once history is long enough.
            let blocks = 2 + (t / 20_000) as u64;
            let ip = format!("198.51.{}.{}", (r >> 16) % blocks, (r >> 20) % 200 + 1);
            let regions = if t > 86_400 {
                REGIONS.len()
            } else {
                REGIONS.len() - 1
            };
            let key = format!("AKIA{:04}", (r >> 28) % 3);
            let id = if repeats && r % 23 == 0 { i / 2 } else { i };
            // Forty user agents: more than an alert's signals keep, so the work ahead must
            // merge first sightings and the truncation flag as the ordered pass finds them.
            let agent = format!("aws-cli/2.{} Python/3.11", (r >> 44) % 40);
            let line = ct_with_key(
                &at(t),
                APIS[(r >> 32) as usize % APIS.len()],
                who,
                "123456789012",
                REGIONS[(r >> 40) as usize % regions],
                &ip,
                &key,
                id,
            );
            line.replace(
                r#""userAgent":"aws-cli/2.15.0""#,
                &format!(r#""userAgent":"{agent}""#),
            )
        })
        .flat_map(|line| {
            let twice = repeats && line.len() % 17 == 0;
            std::iter::repeat_n(line, if twice { 2 } else { 1 })
        })
        .collect()
}

fn records(seed: u64, n: usize) -> Vec<String> {
    records_with(seed, n, false)
}

fn overrides() -> BTreeMap<String, toml::Table> {
    let mut o = BTreeMap::new();
    for id in [
        "new-source-signin",
        "unused-region-activity",
        "first-seen-api",
    ] {
        o.insert(
            id.to_string(),
            toml::from_str::<toml::Table>("min_history = \"6h\"").unwrap(),
        );
    }
    o.insert(
        "post-auth-enumeration".to_string(),
        toml::from_str::<toml::Table>("quiet_period = \"1d\"\nmin_distinct = 4").unwrap(),
    );
    o
}

fn run(files: &[Vec<String>], ahead: bool) -> Vec<serde_json::Value> {
    run_with_budget(files, ahead, None)
}

/// Events held in memory before sorted runs spill to disk: a few dozen, so every scan
/// here spills, merges runs, and replays set-aside events from disk.
const SPILLING: usize = 40;

fn run_with_budget(
    files: &[Vec<String>],
    ahead: bool,
    budget: Option<usize>,
) -> Vec<serde_json::Value> {
    let (dir, inputs) = support::write_parts(files);
    let only: Vec<String> = RULES.iter().map(|s| s.to_string()).collect();
    run_inputs_with(
        inputs,
        &only,
        overrides(),
        ahead,
        &format!("{}/", dir.path().display()),
        budget,
    )
}

fn run_inputs(
    inputs: Vec<InputPath>,
    only: &[String],
    overrides: BTreeMap<String, toml::Table>,
    ahead: bool,
    folder: &str,
) -> Vec<serde_json::Value> {
    run_inputs_with(inputs, only, overrides, ahead, folder, None)
}

fn run_inputs_with(
    inputs: Vec<InputPath>,
    only: &[String],
    overrides: BTreeMap<String, toml::Table>,
    ahead: bool,
    folder: &str,
    budget: Option<usize>,
) -> Vec<serde_json::Value> {
    let cfg = tripline::config::Config {
        rules: overrides,
        ..Default::default()
    };
    let sel = build(only, &[], &cfg).unwrap();
    let mut opts = ScanOptions::default();
    if let Some(b) = budget {
        opts.run_events = b;
    }
    if !ahead {
        opts.since = Some(TimeBound::At(Timestamp(i64::MIN + 1)));
    }
    // Evidence names files; the temporary folder differs from run to run.
    scan(inputs, sel.rules, &opts)
        .unwrap()
        .alerts
        .iter()
        .map(|a| {
            let mut a = a.clone();
            for origin in a.evidence.iter_mut() {
                *origin = origin.replace(folder, "");
            }
            // Signals are never printed, but tuning decides on them: the work ahead must
            // give the same ones as the ordered pass.
            let mut v = serde_json::to_value(&a).unwrap();
            v["signals"] = serde_json::to_value(&a.signals).unwrap();
            v
        })
        .collect()
}

/// The alerts only one side has, shortly: what a failure should print.
fn differences(a: &[serde_json::Value], b: &[serde_json::Value]) -> String {
    let only = |x: &[serde_json::Value], y: &[serde_json::Value]| -> Vec<String> {
        x.iter()
            .filter(|v| !y.contains(v))
            .map(|v| {
                format!(
                    "{} {} {} {}",
                    v["rule"], v["window_start"], v["group"], v["fields"]
                )
            })
            .collect()
    };
    format!(
        "only left: {:#?}\nonly right: {:#?}",
        only(a, b),
        only(b, a)
    )
}

fn without_evidence(v: &[serde_json::Value]) -> Vec<serde_json::Value> {
    v.iter()
        .cloned()
        .map(|mut a| {
            a.as_object_mut().unwrap().remove("evidence");
            a
        })
        .collect()
}

#[test]
fn work_ahead_changes_no_alert() {
    let lines = records(7, 3000);
    let ahead = run(&[lines.clone()], true);
    let rules: std::collections::BTreeSet<&str> =
        ahead.iter().filter_map(|a| a["rule"].as_str()).collect();
    for r in [
        "post-auth-enumeration",
        "unused-region-activity",
        "new-source-signin",
        "first-seen-api",
    ] {
        assert!(
            rules.contains(r),
            "the input must make {r} alert: {rules:?}"
        );
    }
    let ordered = run(&[lines], false);
    assert!(ahead == ordered, "{}", differences(&ahead, &ordered));
}

#[test]
fn sorting_on_disk_changes_no_alert() {
    // The spill path end to end: sorted runs on disk, tiered merges, set-aside events
    // written and replayed; ahead and in order.
    let lines = records_with(7, 3000, true);
    let reference = run(&[lines.clone()], true);
    assert!(reference.len() > 10, "{}", reference.len());
    let files = support::shuffle_and_split(lines, 99, 7, 3);
    let (r, spilled) = (
        without_evidence(&reference),
        without_evidence(&run_with_budget(&files, true, Some(SPILLING))),
    );
    assert!(r == spilled, "{}", differences(&r, &spilled));
    let ordered = without_evidence(&run_with_budget(&files, false, Some(SPILLING)));
    assert!(r == ordered, "{}", differences(&r, &ordered));
}

#[test]
fn real_samples_give_the_same_alerts_when_sorted_on_disk() {
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for dir in ["invictus-ir-aws-dataset", "stratus-red-team", "otrf"] {
        let inputs =
            || tripline::input::expand(&[fixtures.join(dir).to_string_lossy().into_owned()]).0;
        let memory = run_inputs(inputs(), &[], BTreeMap::new(), true, "");
        let disk = run_inputs_with(inputs(), &[], BTreeMap::new(), true, "", Some(SPILLING));
        assert!(memory == disk, "{dir}: {}", differences(&memory, &disk));
    }
}

#[test]
fn repeated_event_ids_change_no_alert() {
    // Second deliveries (same id and content) count once; a reused id for a different call
    // counts as its own event (SPEC §3), with the work ahead as in event-time order.
    let lines = records_with(11, 3000, true);
    let ahead = run(&[lines.clone()], true);
    assert!(ahead.len() > 10, "{}", ahead.len());
    let ordered = run(&[lines], false);
    assert!(ahead == ordered, "{}", differences(&ahead, &ordered));
}

#[test]
fn real_samples_give_the_same_alerts_ahead_and_in_order() {
    // Every rule with its defaults, over the real attack logs kept as fixtures.
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut total = 0;
    for dir in [
        "invictus-ir-aws-dataset",
        "stratus-red-team",
        "otrf",
        "panther-compromised-root-creds",
        "azure-sentinel",
        "streamalert",
    ] {
        let inputs =
            || tripline::input::expand(&[fixtures.join(dir).to_string_lossy().into_owned()]).0;
        let ahead = run_inputs(inputs(), &[], BTreeMap::new(), true, "");
        let ordered = run_inputs(inputs(), &[], BTreeMap::new(), false, "");
        assert!(ahead == ordered, "{dir}: {}", differences(&ahead, &ordered));
        total += ahead.len();
    }
    assert!(total > 10, "the fixtures must raise alerts: {total}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn work_ahead_is_order_free(seed in any::<u64>(), n in 200usize..900, parts in 1usize..5, repeats in any::<bool>()) {
        let lines = records_with(seed, n, repeats);
        let reference = run(&[lines.clone()], true);
        let ordered = run(&[lines.clone()], false);
        prop_assert!(reference == ordered, "{}", differences(&reference, &ordered));
        let files = support::shuffle_and_split(lines, seed.rotate_left(17), seed, parts);
        let (r, split) = (without_evidence(&reference), without_evidence(&run(&files, true)));
        prop_assert!(r == split, "{}", differences(&r, &split));
        let spilled = without_evidence(&run_with_budget(&files, true, Some(SPILLING)));
        prop_assert!(r == spilled, "{}", differences(&r, &spilled));
    }
}
