//! Runs the catalogue's examples (`rules::examples`) through the real engine, as
//! `tripline scan` would: each example's records are written to files in a folder of its
//! own (one file per record, so formats can mix and every record is read and framed as a
//! real export is), its configuration is written as a config file and loaded with
//! `config::load` (validated exactly as a user's), its rule is built by the registry with an
//! in-memory baseline store (empty: history rules find only what the example brings), and
//! the files are scanned. Every record must be read: a record the normalizers refuse is a
//! failure of the example, never a silent "no alert".
//!
//! `base` is the configuration the examples run on: the default one, or the user's
//! (`rules test --config`), so a tuned threshold can be checked against the catalogue's
//! at-threshold cases. The example's own `config` and `params` are laid over it.

use super::scan::{scan, ScanOptions};
use crate::config::{Config, ConfigErrors};
use crate::event::Alert;
use crate::input::InputPath;
use crate::rules::catalogue::RuleSpec;
use crate::rules::examples::{self, Example, Expect};
use crate::rules::registry;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// One example's result: `problems` is empty when it passed.
#[derive(Debug, Clone)]
pub struct ExampleResult {
    pub name: String,
    pub expect: Expect,
    pub problems: Vec<String>,
}

impl ExampleResult {
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

/// A rule's results: problems with the examples themselves (`check`), then each example.
#[derive(Debug, Clone)]
pub struct RuleResult {
    pub rule: String,
    pub malformed: Vec<String>,
    pub examples: Vec<ExampleResult>,
}

impl RuleResult {
    pub fn passed(&self) -> bool {
        self.malformed.is_empty() && self.examples.iter().all(ExampleResult::passed)
    }
    pub fn failed_examples(&self) -> usize {
        self.examples.iter().filter(|e| !e.passed()).count()
    }
}

/// Runs every example of `spec` on `base`. The examples come from `spec`; the rule itself
/// is built by the registry, from the compiled-in catalogue entry and `base`, as `scan`
/// builds it (so a threshold edited in a catalogue file takes effect once rebuilt).
pub fn run_rule(spec: &RuleSpec, base: &Config) -> RuleResult {
    let known: Vec<String> = crate::rules::catalogue::by_id().into_keys().collect();
    let known: Vec<&str> = known.iter().map(String::as_str).collect();
    RuleResult {
        rule: spec.id.clone(),
        malformed: examples::check(&spec.id, &spec.examples, &known),
        examples: spec
            .examples
            .iter()
            .map(|ex| ExampleResult {
                name: ex.name.clone(),
                expect: ex.expect,
                problems: run_example(&spec.id, ex, base).unwrap_or_else(|e| vec![e]),
            })
            .collect(),
    }
}

/// Runs one example of rule `id`; the differences from what it expects (empty: passed), or
/// why it could not run.
pub fn run_example(id: &str, ex: &Example, base: &Config) -> Result<Vec<String>, String> {
    let dir = ExampleDir::new(id)?;
    for (name, text) in &ex.files {
        write(&dir.0.join(name), text)?;
    }
    let mut inputs = Vec::new();
    for (i, record) in ex.records.iter().enumerate() {
        let path = dir.0.join(record_file(i));
        write(&path, &format!("{}\n", record.trim_end_matches('\n')))?;
        inputs.push(InputPath::File(path));
    }
    let cfg = example_config(id, ex, base, &dir.0)?;
    let mut with: Vec<String> = vec![id.to_string()];
    with.extend(ex.with_rules.iter().cloned());
    let (alerts, summary) = scan_records(&with, &cfg, inputs)?;
    // Origins name the example's folder; the record's file name is what identifies it.
    let local = |s: &str| s.replace(&format!("{}/", dir.0.display()), "");
    let mut problems: Vec<String> = summary
        .bad
        .iter()
        .filter(|(reason, _)| **reason != crate::event::BadReason::Duplicate)
        .map(|(reason, (n, firsts))| {
            let firsts: Vec<String> = firsts.iter().map(|o| local(o)).collect();
            format!(
                "{n} records not read ({}): {}",
                reason.as_str(),
                firsts.join("; ")
            )
        })
        .chain(
            summary
                .file_errors
                .iter()
                .map(|e| format!("file not read: {}", local(&e.to_string()))),
        )
        .collect();
    let own: Vec<Alert> = alerts.into_iter().filter(|a| a.rule == id).collect();
    problems.extend(examples::compare(ex, &own));
    if !problems.is_empty() && !summary.notes.is_empty() {
        problems.push(format!("scan notes: {}", summary.notes.join("; ")));
    }
    Ok(problems)
}

/// THE call into the engine, kept in one place so that changes to the registry, the `Rule`
/// trait or `engine::scan` are adapted here only: builds `rules` (the example's rule first)
/// on `cfg` with a fresh in-memory baseline store, scans `inputs` as `tripline scan --strict`
/// reads them (every record validated), and returns the alerts and the run's summary.
fn scan_records(
    rules: &[String],
    cfg: &Config,
    inputs: Vec<InputPath>,
) -> Result<(Vec<Alert>, super::Summary), String> {
    // The engine owns the store: an empty one per example, so each brings its own history.
    let store = crate::state::Store::open_shared(":memory:").map_err(|e| e.to_string())?;
    let selection = registry::build(rules, &[], cfg).map_err(|e| e.to_string())?;
    if !selection.not_implemented.is_empty() {
        return Err(format!(
            "not implemented: {}",
            selection.not_implemented.join(", ")
        ));
    }
    let enricher = crate::enrich::Enricher::from_lists(&cfg.lists)?.map(std::sync::Arc::new);
    let opts = ScanOptions {
        full_validation: true,
        enricher,
        store: Some(store),
        ..ScanOptions::default()
    };
    let result = scan(inputs, selection.rules, &opts).map_err(|e| format!("scan: {e}"))?;
    Ok((result.alerts, result.summary))
}

/// The example's `config` and `params` written as one config file in `dir` and loaded as a
/// user's would be (relative list paths resolve against `dir`, where `files` are), then laid
/// over `base`.
fn example_config(id: &str, ex: &Example, base: &Config, dir: &Path) -> Result<Config, String> {
    let mut table = ex.config.clone();
    if !ex.params.is_empty() {
        let mut rules = toml::Table::new();
        rules.insert(id.to_string(), toml::Value::Table(ex.params.clone()));
        table.insert("rules".into(), toml::Value::Table(rules));
    }
    if table.is_empty() {
        return Ok(base.clone());
    }
    let text = toml::to_string(&table).map_err(|e| format!("example config: {e}"))?;
    let path = dir.join("tripline.toml");
    write(&path, &text)?;
    let own = crate::config::load(&path).map_err(|e| {
        ConfigErrors {
            file: "example config".into(),
            ..e
        }
        .to_string()
        .replace('\n', "; ")
    })?;
    Ok(layer(base, own, &table))
}

/// `over` laid on `base`: each table the example names replaces the base's (an
/// `organisation` key by key), rule parameters are merged key by key, suppressions add up.
fn layer(base: &Config, over: Config, set: &toml::Table) -> Config {
    let mut cfg = base.clone();
    let named = |table: &str, key: &str| {
        set.get(table)
            .and_then(|t| t.as_table())
            .is_some_and(|t| t.contains_key(key))
    };
    if named("organisation", "bucket_prefixes") {
        cfg.organisation.bucket_prefixes = over.organisation.bucket_prefixes;
    }
    if named("organisation", "internal_cidrs") {
        cfg.organisation.internal_cidrs = over.organisation.internal_cidrs;
    }
    if named("organisation", "high_privilege") {
        cfg.organisation.high_privilege = over.organisation.high_privilege;
    }
    if set.contains_key("working_hours") {
        cfg.working_hours = over.working_hours;
    }
    if named("lists", "tor_exits") {
        cfg.lists.tor_exits = over.lists.tor_exits;
    }
    if named("lists", "geoip") {
        cfg.lists.geoip_country = over.lists.geoip_country;
    }
    if named("lists", "asn") {
        cfg.lists.geoip_asn = over.lists.geoip_asn;
    }
    if set.contains_key("state") {
        cfg.state = over.state;
    }
    if set.contains_key("stream") {
        cfg.stream = over.stream;
    }
    cfg.suppress.extend(over.suppress);
    for (rule, params) in over.rules {
        cfg.rules.entry(rule).or_default().extend(params);
    }
    cfg
}

fn record_file(i: usize) -> String {
    format!("record-{:03}.log", i + 1)
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("writing {}: {e}", path.display()))
}

/// A folder in the run's scratch space (`engine::scratch`, cleaned up however the run
/// ends), removed when the example is done.
struct ExampleDir(PathBuf);

impl ExampleDir {
    fn new(id: &str) -> Result<ExampleDir, String> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let scratch = super::scratch::dir().map_err(|e| format!("scratch folder: {e}"))?;
        let dir = scratch.join(format!(
            "example-{id}-{}",
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(ExampleDir(dir))
    }
}

impl Drop for ExampleDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
