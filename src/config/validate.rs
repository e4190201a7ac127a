//! From TOML text to a `Config`, collecting every problem on the way. The text is parsed once,
//! by `toml_edit`, whose tree keeps the span of every key and value: each problem is recorded
//! where its key or value is written, with no second reading of the text.

use super::checker::{closest, Checker, Scope};
use super::error::{ConfigError, ConfigErrorKind as Kind, ConfigErrors};
use super::schema::{self, section};
use super::toml_value::{table_of, type_name};
use super::working_hours::{check_timezone, parse_time_of_day, Weekday, WorkingHours};
use super::{Cidr, Config, Lists, Organisation, StateSettings, StreamSettings, Suppression};
use crate::rules::catalogue::{self, validate_overrides, RuleSpec};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml_edit::{ImDocument, Item, TableLike, Value};

pub(super) fn parse(text: &str, name: &str, base: Option<&Path>) -> Result<Config, ConfigErrors> {
    let c = Checker::new(text);
    let doc = match ImDocument::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            let place = e.span().map(|s| c.place(s.start));
            let what = e.message().trim_end().replace('\n', "; ");
            let message = match place {
                Some((_, column)) => format!("invalid TOML at column {column}: {what}"),
                None => format!("invalid TOML: {what}"),
            };
            return Err(ConfigErrors {
                file: name.to_string(),
                errors: vec![ConfigError::new(Kind::Syntax, place, message)],
            });
        }
    };
    let root = Scope {
        items: doc.as_table(),
        name: "the top level".to_string(),
        at: 0,
    };
    let mut v = Validator {
        c,
        catalogue: catalogue::by_id(),
        base,
    };
    let config = v.config(&root);
    let mut errors = v.c.errors;
    if errors.is_empty() {
        return Ok(config);
    }
    // File order. The sort is stable, so problems on one line keep the order they were found
    // in (a table's own problems after those of its keys, as they read).
    errors.sort_by_key(|e| e.line);
    Err(ConfigErrors {
        file: name.to_string(),
        errors,
    })
}

struct Validator<'a> {
    c: Checker<'a>,
    catalogue: BTreeMap<String, RuleSpec>,
    base: Option<&'a Path>,
}

impl Validator<'_> {
    fn config(&mut self, root: &Scope) -> Config {
        self.c.unknown_keys(root, &schema::top_level());
        let mut config = Config::default();
        if let Some(t) = self.c.table(root, "organisation") {
            config.organisation = self.organisation(&t);
        }
        if let Some(t) = self.c.table(root, "working_hours") {
            config.working_hours = self.working_hours(&t);
        }
        if let Some(t) = self.c.table(root, schema::RULES) {
            config.rules = self.rules(&t);
        }
        if root.items.contains_key("suppress") {
            config.suppress = self.suppressions(root);
        }
        if let Some(t) = self.c.table(root, "lists") {
            config.lists = self.lists(&t);
        }
        if let Some(t) = self.c.table(root, "state") {
            self.c.unknown_keys(&t, &section("state").key_names());
            if let Some(d) = self.c.duration(&t, "retention") {
                if d.0 > 0 {
                    config.state = StateSettings { retention: d };
                } else {
                    let at = t.value_at("retention");
                    let message = "`retention` must be longer than 0s";
                    self.c.report(Kind::InvalidValue, at, message);
                }
            }
        }
        if let Some(t) = self.c.table(root, "stream") {
            self.c.unknown_keys(&t, &section("stream").key_names());
            if let Some(d) = self.c.duration(&t, "lateness") {
                config.stream = StreamSettings { lateness: d };
            }
        }
        config
    }

    fn organisation(&mut self, t: &Scope) -> Organisation {
        self.c.unknown_keys(t, &section("organisation").key_names());
        let mut org = Organisation::default();
        for (p, at) in self.c.strings(t, "bucket_prefixes").unwrap_or_default() {
            if p.is_empty() {
                let message =
                    "`bucket_prefixes` holds an empty prefix, which would match every bucket";
                self.c.report(Kind::InvalidValue, at, message);
            } else if p.chars().any(|c| c.is_ascii_uppercase()) {
                let message = format!("bucket prefix {p:?} can never match: S3 and Cloud Storage bucket names are lower case");
                self.c.report(Kind::InvalidValue, at, message);
            } else {
                org.bucket_prefixes.push(p);
            }
        }
        for (c, at) in self.c.strings(t, "internal_cidrs").unwrap_or_default() {
            match Cidr::parse(&c) {
                Ok(c) => org.internal_cidrs.push(c),
                Err(e) => {
                    let message = format!("`internal_cidrs`: {e}");
                    self.c.report(Kind::InvalidValue, at, message);
                }
            }
        }
        for (c, at) in self.c.strings(t, "automation_cidrs").unwrap_or_default() {
            match Cidr::parse(&c) {
                Ok(c) => org.automation_cidrs.push(c),
                Err(e) => {
                    let message = format!("`automation_cidrs`: {e}");
                    self.c.report(Kind::InvalidValue, at, message);
                }
            }
        }
        for (r, at) in self.c.strings(t, "regions").unwrap_or_default() {
            let name = r.trim().to_lowercase();
            let valid = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            if valid {
                org.regions.push(name);
            } else {
                let message = format!(
                    "`regions`: {r:?} is not a region name (letters, digits and `-`, such as \"eu-west-1\")"
                );
                self.c.report(Kind::InvalidValue, at, message);
            }
        }
        for (p, at) in self.c.strings(t, "high_privilege").unwrap_or_default() {
            if p.is_empty() {
                let message = "`high_privilege` holds an empty pattern";
                self.c.report(Kind::InvalidValue, at, message);
            } else {
                org.high_privilege.push(p);
            }
        }
        org
    }

    fn working_hours(&mut self, t: &Scope) -> Option<WorkingHours> {
        self.c
            .unknown_keys(t, &section("working_hours").key_names());
        let before = self.c.errors.len();
        let timezone = self.c.required_string(t, "timezone");
        if let Some(tz) = &timezone {
            if let Err(e) = check_timezone(tz) {
                self.c.report(Kind::InvalidValue, t.value_at("timezone"), e);
            }
        }
        let days = self.days(t);
        let mut time = |key: &str, allow_24: bool| {
            let s = self.c.required_string(t, key)?;
            parse_time_of_day(&s, allow_24)
                .map_err(|e| {
                    let message = format!("`{key}`: {e}");
                    self.c.report(Kind::InvalidValue, t.value_at(key), message)
                })
                .ok()
        };
        let start = time("start", false);
        let end = time("end", true);
        if let (Some(s), Some(e)) = (start, end) {
            if s >= e {
                let message = format!(
                    "`end` ({:02}:{:02}) must be after `start` ({:02}:{:02}); working hours that span midnight are not supported",
                    e.0, e.1, s.0, s.1
                );
                self.c
                    .report(Kind::InvalidValue, t.value_at("end"), message);
            }
        }
        if self.c.errors.len() > before {
            return None;
        }
        let mut days = days?;
        days.sort();
        Some(WorkingHours {
            timezone: timezone?,
            days,
            start: start?,
            end: end?,
        })
    }

    /// `days` of `[working_hours]`: the working week when absent.
    fn days(&mut self, t: &Scope) -> Option<Vec<Weekday>> {
        if !t.items.contains_key("days") {
            return Some(Weekday::ALL[..5].to_vec());
        }
        let names = self.c.strings(t, "days")?;
        if names.is_empty() {
            let message = "`days` is empty: remove [working_hours] to turn working hours off";
            self.c
                .report(Kind::InvalidValue, t.value_at("days"), message);
            return None;
        }
        let mut days = Vec::new();
        for (n, at) in names {
            match Weekday::parse(&n) {
                Some(d) if days.contains(&d) => {
                    let message = format!("`days` lists {n:?} twice");
                    self.c.report(Kind::InvalidValue, at, message);
                }
                Some(d) => days.push(d),
                None => {
                    let message = format!(
                        "`days`: {n:?} is not a day; use mon, tue, wed, thu, fri, sat, sun"
                    );
                    self.c.report(Kind::InvalidValue, at, message);
                }
            }
        }
        Some(days)
    }

    fn rules(&mut self, t: &Scope) -> BTreeMap<String, toml::Table> {
        let mut rules = BTreeMap::new();
        for (id, item) in t.items.iter() {
            let Some(spec) = self.catalogue.get(id) else {
                let hint = match closest(id, self.catalogue.keys().map(String::as_str)) {
                    Some(near) => format!("did you mean `{near}`? "),
                    None => String::new(),
                };
                let at = item.span().map_or_else(|| t.key_at(id), |s| s.start);
                let message = format!("unknown rule id `{id}` in [rules.{id}]; {hint}`tripline rules list` shows the catalogue");
                self.c.report(Kind::UnknownRule, at, message);
                continue;
            };
            let Some(table) = t.table(id, format!("[rules.{id}]")) else {
                let message = format!("`rules.{id}` must be a table of the rule's parameters");
                self.c.report(Kind::WrongType, t.key_at(id), message);
                continue;
            };
            let overrides = table_of(table.items);
            let problems = validate_overrides(spec, &overrides);
            for (key, problem) in &problems {
                // The catalogue names the rule in most messages, not in duration errors.
                let message = if problem.contains(id) {
                    problem.clone()
                } else {
                    format!("`{key}` of rule {id}: {problem}")
                };
                let (kind, at) = match (spec.params.get(key), table.items.get(key)) {
                    (Some(default), Some(given)) if default.type_str() != type_name(given) => {
                        (Kind::WrongType, table.value_at(key))
                    }
                    (Some(_), _) => (Kind::InvalidValue, table.value_at(key)),
                    (None, _) => (Kind::UnknownKey, table.key_at(key)),
                };
                self.c.report(kind, at, message);
            }
            if problems.is_empty() {
                rules.insert(id.to_string(), overrides);
            }
        }
        rules
    }

    /// `[[suppress]]`, or the same entries written as an inline array of tables.
    fn suppressions(&mut self, root: &Scope) -> Vec<Suppression> {
        let item = root.items.get("suppress").expect("checked by the caller");
        let entries: Vec<(Option<&dyn TableLike>, usize)> = match item {
            Item::ArrayOfTables(a) => a
                .iter()
                .map(|t| (Some(t as &dyn TableLike), t.span().map_or(0, |s| s.start)))
                .collect(),
            Item::Value(Value::Array(a)) => a
                .iter()
                .map(|v| {
                    let at = v
                        .span()
                        .map_or_else(|| root.value_at("suppress"), |s| s.start);
                    (v.as_inline_table().map(|t| t as &dyn TableLike), at)
                })
                .collect(),
            _ => {
                let message =
                    "`suppress` must be an array of tables: write each entry as [[suppress]]";
                self.c
                    .report(Kind::WrongType, root.key_at("suppress"), message);
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (nth, (table, at)) in entries.into_iter().enumerate() {
            let name = format!("[[suppress]] entry {}", nth + 1);
            let Some(items) = table else {
                self.c
                    .report(Kind::WrongType, at, format!("{name} must be a table"));
                continue;
            };
            if let Some(s) = self.suppression(&Scope { items, name, at }) {
                out.push(s);
            }
        }
        out
    }

    fn suppression(&mut self, t: &Scope) -> Option<Suppression> {
        let before = self.c.errors.len();
        self.c.unknown_keys(t, &section("suppress").key_names());
        let rule = self.c.pattern(t, "rule");
        if let Some(r) = &rule {
            if !self.catalogue.contains_key(r) {
                let hint = match closest(r, self.catalogue.keys().map(String::as_str)) {
                    Some(near) => format!("; did you mean `{near}`?"),
                    None => "; `tripline rules list` shows the catalogue".to_string(),
                };
                let message = format!("`rule`: unknown rule id `{r}`{hint}");
                self.c
                    .report(Kind::UnknownRule, t.value_at("rule"), message);
            }
        }
        let identity = self.c.pattern(t, "identity");
        let user_agent = self.c.pattern(t, "user_agent");
        let account = self.c.pattern(t, "account");
        let source_cidr = self.c.pattern(t, "source_cidr").and_then(|s| {
            Cidr::parse(&s)
                .map_err(|e| {
                    let message = format!("`source_cidr`: {e}");
                    let at = t.value_at("source_cidr");
                    self.c.report(Kind::InvalidValue, at, message)
                })
                .ok()
        });
        let reason = self.c.required_string(t, "reason");
        if reason.as_deref().is_some_and(|r| r.trim().is_empty()) {
            let message = "`reason` is empty: say why these alerts are expected";
            self.c
                .report(Kind::InvalidValue, t.value_at("reason"), message);
        }
        let matching = ["identity", "user_agent", "source_cidr", "account"];
        if !matching.iter().any(|k| t.items.contains_key(k)) {
            let message = format!(
                "{} needs at least one of identity, user_agent, source_cidr, account (to silence a whole rule, use --disable)",
                t.name
            );
            self.c.report(Kind::MissingKey, t.at, message);
        }
        if self.c.errors.len() > before {
            return None;
        }
        Some(Suppression {
            rule,
            identity,
            user_agent,
            source_cidr,
            account,
            reason: reason?,
        })
    }

    fn lists(&mut self, t: &Scope) -> Lists {
        self.c.unknown_keys(t, &section("lists").key_names());
        let mut path = |key: &str| -> Option<PathBuf> {
            let s = self.c.pattern(t, key)?;
            let Some(base) = self.base else {
                return Some(PathBuf::from(s));
            };
            let p = base.join(&s);
            if p.is_file() {
                Some(p)
            } else {
                let message = format!("`{key}`: no such file: {}", p.display());
                self.c.report(Kind::MissingFile, t.value_at(key), message);
                None
            }
        };
        Lists {
            tor_exits: path("tor_exits"),
            geoip_country: path("geoip"),
            geoip_asn: path("asn"),
        }
    }
}
