//! From TOML text to a `Config`, collecting every problem on the way. Each check records its
//! error against a (table, key) place, and the source map turns places into lines.

use super::error::{ConfigError, ConfigErrors};
use super::source_map::SourceMap;
use super::working_hours::{check_timezone, parse_time_of_day, Weekday, WorkingHours};
use super::{Cidr, Config, Lists, Organisation, StateSettings, StreamSettings, Suppression};
use crate::event::Duration;
use crate::rules::catalogue::{self, validate_overrides, RuleSpec};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::{Table, Value};

const TOP_LEVEL: &[&str] = &[
    "organisation",
    "working_hours",
    "rules",
    "suppress",
    "lists",
    "state",
    "stream",
];
const ORGANISATION: &[&str] = &["bucket_prefixes", "internal_cidrs", "high_privilege"];
const WORKING_HOURS: &[&str] = &["timezone", "days", "start", "end"];
const SUPPRESS: &[&str] = &[
    "rule",
    "identity",
    "user_agent",
    "source_cidr",
    "account",
    "reason",
];
const LISTS: &[&str] = &["tor_exits", "geoip", "asn"];
const STATE: &[&str] = &["retention"];
const STREAM: &[&str] = &["lateness"];

pub(super) fn parse(text: &str, name: &str, base: Option<&Path>) -> Result<Config, ConfigErrors> {
    let root: Table = match toml::from_str(text) {
        Ok(t) => t,
        Err(e) => {
            let line = e.span().map(|s| line_at(text, s.start));
            let message = format!(
                "invalid TOML: {}",
                e.message().trim_end().replace('\n', "; ")
            );
            return Err(ConfigErrors {
                file: name.to_string(),
                errors: vec![ConfigError { line, message }],
            });
        }
    };
    let mut c = Checker {
        map: SourceMap::new(text),
        errors: Vec::new(),
        catalogue: catalogue::by_id(),
        base,
    };
    let config = c.config(&root);
    if c.errors.is_empty() {
        Ok(config)
    } else {
        // File order; problems without a place last. The sort is stable, so problems on one
        // line keep the order they were found in.
        c.errors.sort_by_key(|e| (e.line.is_none(), e.line));
        Err(ConfigErrors {
            file: name.to_string(),
            errors: c.errors,
        })
    }
}

fn line_at(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// A place in the file: a table path, the element index for `[[arrays]]`, and a key.
#[derive(Clone, Copy)]
struct At<'a> {
    table: &'a [&'a str],
    nth: usize,
}

impl<'a> At<'a> {
    fn table(table: &'a [&'a str]) -> At<'a> {
        At { table, nth: 0 }
    }

    fn display(&self) -> String {
        match self.table {
            [] => "the top level".to_string(),
            ["suppress"] => format!("[[suppress]] entry {}", self.nth + 1),
            t => format!("[{}]", t.join(".")),
        }
    }
}

struct Checker<'a> {
    map: SourceMap,
    errors: Vec<ConfigError>,
    catalogue: BTreeMap<String, RuleSpec>,
    base: Option<&'a Path>,
}

impl Checker<'_> {
    fn error(&mut self, at: At, key: Option<&str>, message: impl Into<String>) {
        let line = self.map.line_of(at.table, at.nth, key);
        self.errors.push(ConfigError {
            line,
            message: message.into(),
        });
    }

    fn config(&mut self, root: &Table) -> Config {
        let top = At::table(&[]);
        self.unknown_keys(top, root, TOP_LEVEL);
        let mut config = Config::default();
        if let Some(t) = self.subtable(top, root, "organisation") {
            config.organisation = self.organisation(t);
        }
        if let Some(t) = self.subtable(top, root, "working_hours") {
            config.working_hours = self.working_hours(t);
        }
        if let Some(t) = self.subtable(top, root, "rules") {
            config.rules = self.rules(t);
        }
        if let Some(v) = root.get("suppress") {
            config.suppress = self.suppressions(v);
        }
        if let Some(t) = self.subtable(top, root, "lists") {
            config.lists = self.lists(t);
        }
        if let Some(t) = self.subtable(top, root, "state") {
            let at = At::table(&["state"]);
            self.unknown_keys(at, t, STATE);
            if let Some(d) = self.duration(at, t, "retention") {
                if d.0 > 0 {
                    config.state = StateSettings { retention: d };
                } else {
                    self.error(at, Some("retention"), "`retention` must be longer than 0s");
                }
            }
        }
        if let Some(t) = self.subtable(top, root, "stream") {
            let at = At::table(&["stream"]);
            self.unknown_keys(at, t, STREAM);
            if let Some(d) = self.duration(at, t, "lateness") {
                config.stream = StreamSettings { lateness: d };
            }
        }
        config
    }

    fn organisation(&mut self, t: &Table) -> Organisation {
        let at = At::table(&["organisation"]);
        self.unknown_keys(at, t, ORGANISATION);
        let mut org = Organisation::default();
        for p in self.strings(at, t, "bucket_prefixes").unwrap_or_default() {
            if p.is_empty() {
                self.error(
                    at,
                    Some("bucket_prefixes"),
                    "`bucket_prefixes` holds an empty prefix, which would match every bucket",
                );
            } else if p.chars().any(|c| c.is_ascii_uppercase()) {
                self.error(
                    at,
                    Some("bucket_prefixes"),
                    format!("bucket prefix {p:?} can never match: S3 and Cloud Storage bucket names are lower case"),
                );
            } else {
                org.bucket_prefixes.push(p);
            }
        }
        for c in self.strings(at, t, "internal_cidrs").unwrap_or_default() {
            match Cidr::parse(&c) {
                Ok(c) => org.internal_cidrs.push(c),
                Err(e) => self.error(at, Some("internal_cidrs"), format!("`internal_cidrs`: {e}")),
            }
        }
        for p in self.strings(at, t, "high_privilege").unwrap_or_default() {
            if p.is_empty() {
                self.error(
                    at,
                    Some("high_privilege"),
                    "`high_privilege` holds an empty pattern",
                );
            } else {
                org.high_privilege.push(p);
            }
        }
        org
    }

    fn working_hours(&mut self, t: &Table) -> Option<WorkingHours> {
        let at = At::table(&["working_hours"]);
        self.unknown_keys(at, t, WORKING_HOURS);
        let before = self.errors.len();
        let timezone = self.required_string(at, t, "timezone");
        if let Some(tz) = &timezone {
            if let Err(e) = check_timezone(tz) {
                self.error(at, Some("timezone"), e);
            }
        }
        let mut days = Vec::new();
        match self.strings(at, t, "days") {
            // Absent: the working week.
            None if !t.contains_key("days") => days = Weekday::ALL[..5].to_vec(),
            None => {}
            Some(names) if names.is_empty() => self.error(
                at,
                Some("days"),
                "`days` is empty: remove [working_hours] to turn working hours off",
            ),
            Some(names) => {
                for n in names {
                    match Weekday::parse(&n) {
                        Some(d) if days.contains(&d) => {
                            self.error(at, Some("days"), format!("`days` lists {n:?} twice"))
                        }
                        Some(d) => days.push(d),
                        None => self.error(
                            at,
                            Some("days"),
                            format!(
                                "`days`: {n:?} is not a day; use mon, tue, wed, thu, fri, sat, sun"
                            ),
                        ),
                    }
                }
            }
        }
        let mut time = |key: &str, allow_24: bool| {
            let s = self.required_string(at, t, key)?;
            parse_time_of_day(&s, allow_24)
                .map_err(|e| self.error(at, Some(key), format!("`{key}`: {e}")))
                .ok()
        };
        let start = time("start", false);
        let end = time("end", true);
        if let (Some(s), Some(e)) = (start, end) {
            if s >= e {
                self.error(
                    at,
                    Some("end"),
                    format!(
                        "`end` ({:02}:{:02}) must be after `start` ({:02}:{:02}); working hours that span midnight are not supported",
                        e.0, e.1, s.0, s.1
                    ),
                );
            }
        }
        if self.errors.len() > before {
            return None;
        }
        days.sort();
        Some(WorkingHours {
            timezone: timezone?,
            days,
            start: start?,
            end: end?,
        })
    }

    fn rules(&mut self, t: &Table) -> BTreeMap<String, Table> {
        let mut rules = BTreeMap::new();
        for (id, v) in t {
            let path = ["rules", id.as_str()];
            let at = At::table(&path);
            let Some(spec) = self.catalogue.get(id) else {
                let hint = match closest(id, self.catalogue.keys().map(String::as_str)) {
                    Some(near) => format!("did you mean `{near}`? "),
                    None => String::new(),
                };
                self.error(at, None, format!("unknown rule id `{id}` in [rules.{id}]; {hint}`tripline rules list` shows the catalogue"));
                continue;
            };
            let Some(overrides) = v.as_table() else {
                self.error(
                    At::table(&["rules"]),
                    Some(id),
                    format!("`rules.{id}` must be a table of the rule's parameters"),
                );
                continue;
            };
            let problems = validate_overrides(spec, overrides);
            for (key, problem) in &problems {
                // The catalogue names the rule in most messages, not in duration errors.
                let message = if problem.contains(id.as_str()) {
                    problem.clone()
                } else {
                    format!("`{key}` of rule {id}: {problem}")
                };
                self.error(at, Some(key), message);
            }
            if problems.is_empty() {
                rules.insert(id.clone(), overrides.clone());
            }
        }
        rules
    }

    fn suppressions(&mut self, v: &Value) -> Vec<Suppression> {
        let Some(entries) = v.as_array() else {
            self.error(
                At::table(&[]),
                Some("suppress"),
                "`suppress` must be an array of tables: write each entry as [[suppress]]",
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (nth, entry) in entries.iter().enumerate() {
            let at = At {
                table: &["suppress"],
                nth,
            };
            let Some(t) = entry.as_table() else {
                self.error(
                    At::table(&[]),
                    Some("suppress"),
                    format!("{} must be a table", at.display()),
                );
                continue;
            };
            let before = self.errors.len();
            self.unknown_keys(at, t, SUPPRESS);
            let rule = self.pattern(at, t, "rule");
            if let Some(r) = &rule {
                if !self.catalogue.contains_key(r) {
                    let hint = match closest(r, self.catalogue.keys().map(String::as_str)) {
                        Some(near) => format!("; did you mean `{near}`?"),
                        None => "; `tripline rules list` shows the catalogue".to_string(),
                    };
                    self.error(
                        at,
                        Some("rule"),
                        format!("`rule`: unknown rule id `{r}`{hint}"),
                    );
                }
            }
            let identity = self.pattern(at, t, "identity");
            let user_agent = self.pattern(at, t, "user_agent");
            let account = self.pattern(at, t, "account");
            let source_cidr = self.pattern(at, t, "source_cidr").and_then(|s| {
                Cidr::parse(&s)
                    .map_err(|e| self.error(at, Some("source_cidr"), format!("`source_cidr`: {e}")))
                    .ok()
            });
            let reason = self.required_string(at, t, "reason");
            if reason.as_deref().is_some_and(|r| r.trim().is_empty()) {
                self.error(
                    at,
                    Some("reason"),
                    "`reason` is empty: say why these alerts are expected",
                );
            }
            let matching = ["identity", "user_agent", "source_cidr", "account"];
            if !matching.iter().any(|k| t.contains_key(*k)) {
                self.error(
                    at,
                    None,
                    format!(
                        "{} needs at least one of identity, user_agent, source_cidr, account (to silence a whole rule, use --disable)",
                        at.display()
                    ),
                );
            }
            if self.errors.len() == before {
                if let Some(reason) = reason {
                    out.push(Suppression {
                        rule,
                        identity,
                        user_agent,
                        source_cidr,
                        account,
                        reason,
                    });
                }
            }
        }
        out
    }

    fn lists(&mut self, t: &Table) -> Lists {
        let at = At::table(&["lists"]);
        self.unknown_keys(at, t, LISTS);
        let mut path = |key: &str| -> Option<PathBuf> {
            let s = self.pattern(at, t, key)?;
            let Some(base) = self.base else {
                return Some(PathBuf::from(s));
            };
            let p = base.join(&s);
            if p.is_file() {
                Some(p)
            } else {
                self.error(
                    at,
                    Some(key),
                    format!("`{key}`: no such file: {}", p.display()),
                );
                None
            }
        };
        Lists {
            tor_exits: path("tor_exits"),
            geoip_country: path("geoip"),
            geoip_asn: path("asn"),
        }
    }

    // ---- typed getters: each reports its own type error and returns None ----

    /// Reports an error for each key of `t` not in `known`.
    fn unknown_keys(&mut self, at: At, t: &Table, known: &[&str]) {
        for key in t.keys().filter(|k| !known.contains(&k.as_str())) {
            let near = closest(key, known.iter().copied())
                .map(|n| format!("did you mean `{n}`? "))
                .unwrap_or_default();
            let message = format!(
                "unknown key `{key}` in {}; {near}known keys: {}",
                at.display(),
                known.join(", ")
            );
            // An unknown key is often a whole table (`[organisation.extra]`, `[[alerts]]`):
            // point at its header rather than at the parent's.
            let nested = matches!(t[key], Value::Table(_) | Value::Array(_));
            let mut path = at.table.to_vec();
            path.push(key.as_str());
            let line = nested
                .then(|| self.map.line_of(&path, 0, None))
                .flatten()
                .or_else(|| self.map.line_of(at.table, at.nth, Some(key)));
            self.errors.push(ConfigError { line, message });
        }
    }

    fn subtable<'t>(&mut self, at: At, parent: &'t Table, key: &str) -> Option<&'t Table> {
        let v = parent.get(key)?;
        let t = v.as_table();
        if t.is_none() {
            self.error(
                at,
                Some(key),
                format!(
                    "`{key}` must be a table, written [{key}]; found {}",
                    v.type_str()
                ),
            );
        }
        t
    }

    fn string(&mut self, at: At, t: &Table, key: &str) -> Option<String> {
        let v = t.get(key)?;
        match v.as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                self.error(
                    at,
                    Some(key),
                    format!(
                        "`{key}` in {} must be a string; found {}",
                        at.display(),
                        v.type_str()
                    ),
                );
                None
            }
        }
    }

    /// A string that must not be empty (patterns, paths, ids).
    fn pattern(&mut self, at: At, t: &Table, key: &str) -> Option<String> {
        let s = self.string(at, t, key)?;
        if s.is_empty() {
            self.error(
                at,
                Some(key),
                format!(
                    "`{key}` in {} is empty; remove it or give a value",
                    at.display()
                ),
            );
            return None;
        }
        Some(s)
    }

    fn required_string(&mut self, at: At, t: &Table, key: &str) -> Option<String> {
        if !t.contains_key(key) {
            self.error(at, None, format!("{} is missing `{key}`", at.display()));
            return None;
        }
        self.string(at, t, key)
    }

    fn strings(&mut self, at: At, t: &Table, key: &str) -> Option<Vec<String>> {
        let v = t.get(key)?;
        let list = v.as_array().and_then(|a| {
            a.iter()
                .map(|x| x.as_str().map(String::from))
                .collect::<Option<Vec<_>>>()
        });
        if list.is_none() {
            self.error(
                at,
                Some(key),
                format!("`{key}` in {} must be a list of strings", at.display()),
            );
        }
        list
    }

    fn duration(&mut self, at: At, t: &Table, key: &str) -> Option<Duration> {
        let s = self.string(at, t, key)?;
        Duration::parse(&s)
            .map_err(|e| self.error(at, Some(key), format!("`{key}` in {}: {e}", at.display())))
            .ok()
    }
}

/// The known name closest to a misspelt one, if it is close enough to be a typo.
fn closest<'k>(wrong: &str, known: impl Iterator<Item = &'k str>) -> Option<&'k str> {
    known
        .map(|k| (edit_distance(wrong, k), k))
        .filter(|&(d, k)| d <= 2.max(k.len() / 4))
        .min_by_key(|&(d, _)| d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
