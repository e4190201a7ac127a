//! The validator's tools: problems recorded at the place `toml_edit`'s spans give them, and
//! typed getters that report a wrong type themselves and return None, so each section's check
//! reads as a list of rules rather than of type tests.

use super::error::{ConfigError, ConfigErrorKind as Kind};
use super::position::Lines;
use super::toml_value::type_name;
use crate::event::Duration;
use toml_edit::{Item, TableLike};

/// A table being checked.
pub(super) struct Scope<'t> {
    pub items: &'t dyn TableLike,
    /// How messages name it: "[organisation]", "[[suppress]] entry 2", "the top level".
    pub name: String,
    /// Byte offset that problems about the whole table point at: its header, its inline value,
    /// or (for a table only implied by dotted keys or deeper headers) its first key.
    pub at: usize,
}

impl<'t> Scope<'t> {
    /// Where `key` is written; the table when it is not.
    pub fn key_at(&self, key: &str) -> usize {
        self.items
            .key(key)
            .and_then(|k| k.span())
            .map_or(self.at, |s| s.start)
    }

    /// Where the value of `key` starts; the key when the value has no span of its own (a
    /// table made of dotted keys).
    pub fn value_at(&self, key: &str) -> usize {
        self.items
            .get(key)
            .and_then(Item::span)
            .map_or_else(|| self.key_at(key), |s| s.start)
    }

    /// The table under `key`, when it is one (a `[header]`, inline or dotted table).
    pub fn table(&self, key: &str, name: String) -> Option<Scope<'t>> {
        let items = self.items.get(key)?.as_table_like()?;
        let at = self
            .items
            .get(key)
            .and_then(Item::span)
            .map_or_else(|| self.key_at(key), |s| s.start);
        Some(Scope { items, name, at })
    }
}

pub(super) struct Checker<'a> {
    lines: Lines<'a>,
    pub errors: Vec<ConfigError>,
}

impl<'a> Checker<'a> {
    pub fn new(text: &'a str) -> Checker<'a> {
        Checker {
            lines: Lines::new(text),
            errors: Vec::new(),
        }
    }

    /// 1-based line and column of a byte offset.
    pub fn place(&self, offset: usize) -> (usize, usize) {
        self.lines.locate(offset)
    }

    pub fn report(&mut self, kind: Kind, offset: usize, message: impl Into<String>) {
        let place = Some(self.place(offset));
        self.errors.push(ConfigError::new(kind, place, message));
    }

    /// Reports each key of the scope not in `known`, at the key (for a whole unknown table,
    /// `[organisation.extra]`, the key is in its header).
    pub fn unknown_keys(&mut self, s: &Scope, known: &[&str]) {
        for (key, _) in s.items.iter() {
            if known.contains(&key) {
                continue;
            }
            let near = closest(key, known.iter().copied())
                .map(|n| format!("did you mean `{n}`? "))
                .unwrap_or_default();
            let message = format!(
                "unknown key `{key}` in {}; {near}known keys: {}",
                s.name,
                known.join(", ")
            );
            self.report(Kind::UnknownKey, s.key_at(key), message);
        }
    }

    /// The table under `key` of `parent`, reporting anything else found there.
    pub fn table<'t>(&mut self, parent: &Scope<'t>, key: &str) -> Option<Scope<'t>> {
        let item = parent.items.get(key)?;
        let table = parent.table(key, format!("[{key}]"));
        if table.is_none() {
            let message = format!(
                "`{key}` must be a table, written [{key}]; found {}",
                type_name(item)
            );
            self.report(Kind::WrongType, parent.key_at(key), message);
        }
        table
    }

    pub fn string(&mut self, s: &Scope, key: &str) -> Option<String> {
        let item = s.items.get(key)?;
        match item.as_str() {
            Some(v) => Some(v.to_string()),
            None => {
                let message = format!(
                    "`{key}` in {} must be a string; found {}",
                    s.name,
                    type_name(item)
                );
                self.report(Kind::WrongType, s.value_at(key), message);
                None
            }
        }
    }

    /// A string that must not be empty (patterns, paths, ids).
    pub fn pattern(&mut self, s: &Scope, key: &str) -> Option<String> {
        let v = self.string(s, key)?;
        if v.is_empty() {
            let message = format!("`{key}` in {} is empty; remove it or give a value", s.name);
            self.report(Kind::InvalidValue, s.value_at(key), message);
            return None;
        }
        Some(v)
    }

    pub fn required_string(&mut self, s: &Scope, key: &str) -> Option<String> {
        if !s.items.contains_key(key) {
            let message = format!("{} is missing `{key}`", s.name);
            self.report(Kind::MissingKey, s.at, message);
            return None;
        }
        self.string(s, key)
    }

    /// A list of strings, each with its offset so a problem with one element points at it.
    pub fn strings(&mut self, s: &Scope, key: &str) -> Option<Vec<(String, usize)>> {
        let item = s.items.get(key)?;
        let at = s.value_at(key);
        let list = item.as_array().and_then(|a| {
            a.iter()
                .map(|v| {
                    let start = v.span().map_or(at, |r| r.start);
                    Some((v.as_str()?.to_string(), start))
                })
                .collect::<Option<Vec<_>>>()
        });
        if list.is_none() {
            let message = format!("`{key}` in {} must be a list of strings", s.name);
            self.report(Kind::WrongType, at, message);
        }
        list
    }

    pub fn duration(&mut self, s: &Scope, key: &str) -> Option<Duration> {
        let v = self.string(s, key)?;
        Duration::parse(&v)
            .map_err(|e| {
                let message = format!("`{key}` in {}: {e}", s.name);
                self.report(Kind::InvalidValue, s.value_at(key), message)
            })
            .ok()
    }
}

/// The known name closest to a misspelt one, if it is close enough to be a typo.
pub(super) fn closest<'k>(wrong: &str, known: impl Iterator<Item = &'k str>) -> Option<&'k str> {
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
