//! Writes not yet committed. `record` is called for every interesting event, so it must not
//! touch SQLite: it merges into these maps (min/max per day, as the table does) and `commit`
//! writes them in one transaction. Reads consult this buffer as well as the table, so a rule
//! sees its own scan's history before it is committed.
//!
//! Nested maps keyed kind → scope → value let `record` look up with borrowed `&str` and only
//! allocate for a key it has not seen, and give the reads the same access paths as the
//! table's primary key and its (kind, scope, day) index.

use crate::collections::HashMap;
use std::collections::BTreeMap;

/// First and last event time (ns) seen on one UTC day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub first_ns: i64,
    pub last_ns: i64,
}

impl Span {
    fn merge(&mut self, at: i64) {
        self.first_ns = self.first_ns.min(at);
        self.last_ns = self.last_ns.max(at);
    }

    /// The span covering both, when there is any.
    pub fn union(a: Option<Span>, b: Option<Span>) -> Option<Span> {
        match (a, b) {
            (Some(a), Some(b)) => Some(Span {
                first_ns: a.first_ns.min(b.first_ns),
                last_ns: a.last_ns.max(b.last_ns),
            }),
            (a, b) => a.or(b),
        }
    }

    /// Whether the span meets [from, before): exact unless the span's day holds both `from`
    /// and `before` (see `Store::seen_between`).
    pub fn meets(&self, from: i64, before: i64) -> bool {
        self.first_ns < before && self.last_ns >= from
    }

    /// The latest known observation strictly before `before`, if any.
    pub fn latest_before(&self, before: i64) -> Option<i64> {
        if self.last_ns < before {
            Some(self.last_ns)
        } else if self.first_ns < before {
            Some(self.first_ns)
        } else {
            None
        }
    }
}

type Days = BTreeMap<i64, Span>;

/// One (kind, scope): its values' days, and the union of them per day — what the table's
/// `scope_days` holds. "How far back does this environment's history reach" and "when did
/// this identity last enumerate" read the union in O(log days), never every value: with a
/// fresh value per event (a new access key or address each time) a walk over the values
/// made the scan quadratic (issue 10, point 8).
#[derive(Default)]
struct Scope {
    values: HashMap<String, Days>,
    days: Days,
}

#[derive(Default)]
pub struct PendingHistory {
    by_kind: HashMap<String, HashMap<String, Scope>>,
    rows: usize,
    newest: Option<i64>,
}

/// One buffered row, borrowed.
pub struct PendingRow<'a> {
    pub kind: &'a str,
    pub scope: &'a str,
    pub value: &'a str,
    pub day: i64,
    pub span: Span,
}

/// The buffered values of one (kind, scope), sorted by value.
pub struct ScopeGroup<'a> {
    pub kind: &'a str,
    pub scope: &'a str,
    pub values: Vec<(&'a str, &'a Days)>,
}

impl PendingHistory {
    pub fn record(&mut self, kind: &str, scope: &str, value: &str, day: i64, at: i64) {
        self.newest = Some(self.newest.map_or(at, |n| n.max(at)));
        let scopes = match self.by_kind.get_mut(kind) {
            Some(s) => s,
            None => self.by_kind.entry(kind.to_string()).or_default(),
        };
        let entry = match scopes.get_mut(scope) {
            Some(v) => v,
            None => scopes.entry(scope.to_string()).or_default(),
        };
        entry
            .days
            .entry(day)
            .and_modify(|s| s.merge(at))
            .or_insert(Span {
                first_ns: at,
                last_ns: at,
            });
        let values = &mut entry.values;
        let days = match values.get_mut(value) {
            Some(d) => d,
            None => values.entry(value.to_string()).or_default(),
        };
        match days.get_mut(&day) {
            Some(span) => span.merge(at),
            None => {
                days.insert(
                    day,
                    Span {
                        first_ns: at,
                        last_ns: at,
                    },
                );
                self.rows += 1;
            }
        }
    }

    /// Records a sighting at an event time (what rules call; `Store::record` has the same
    /// shape).
    pub fn record_at(&mut self, kind: &str, scope: &str, value: &str, at: crate::event::Timestamp) {
        self.record(kind, scope, value, at.day(), at.0);
    }

    /// Folds another buffer into this one (a worker's batch into the scan's).
    pub fn merge(&mut self, other: PendingHistory) {
        if let Some(n) = other.newest {
            self.newest = Some(self.newest.map_or(n, |m| m.max(n)));
        }
        for (kind, scopes) in other.by_kind {
            let mine = self.by_kind.entry(kind).or_default();
            for (scope, theirs) in scopes {
                let mine = mine.entry(scope).or_default();
                for (day, span) in theirs.days {
                    let d = mine.days.entry(day).or_insert(span);
                    d.merge(span.first_ns);
                    d.merge(span.last_ns);
                }
                let mine = &mut mine.values;
                for (value, days) in theirs.values {
                    let mine = mine.entry(value).or_default();
                    for (day, span) in days {
                        match mine.get_mut(&day) {
                            Some(s) => {
                                s.merge(span.first_ns);
                                s.merge(span.last_ns);
                            }
                            None => {
                                mine.insert(day, span);
                                self.rows += 1;
                            }
                        }
                    }
                }
            }
        }
    }

    /// The newest event time buffered, if any.
    pub fn newest_ns(&self) -> Option<i64> {
        self.newest
    }

    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    pub fn clear(&mut self) {
        self.by_kind.clear();
        self.rows = 0;
        self.newest = None;
    }

    /// Days recorded for one (kind, scope, value).
    pub fn days(&self, kind: &str, scope: &str, value: &str) -> Option<&Days> {
        self.by_kind.get(kind)?.get(scope)?.values.get(value)
    }

    /// The union of every value's days for one (kind, scope).
    pub fn scope_days(&self, kind: &str, scope: &str) -> Option<&Days> {
        Some(&self.by_kind.get(kind)?.get(scope)?.days)
    }

    /// The earliest event time buffered for `kind` in any scope (ns).
    pub fn earliest(&self, kind: &str) -> Option<i64> {
        self.by_kind
            .get(kind)?
            .values()
            .filter_map(|s| s.days.first_key_value().map(|(_, span)| span.first_ns))
            .min()
    }

    /// Every value recorded for one (kind, scope), with its days.
    pub fn values(&self, kind: &str, scope: &str) -> impl Iterator<Item = (&str, &Days)> {
        self.by_kind
            .get(kind)
            .and_then(|s| s.get(scope))
            .into_iter()
            .flat_map(|entry| entry.values.iter().map(|(v, d)| (v.as_str(), d)))
    }

    /// Every buffered (kind, scope) with its values, all in primary-key order: inserting in
    /// key order keeps SQLite's B-tree writes local, which matters once the table outgrows
    /// the page cache. Sorting level by level compares short lists, not a million tuples.
    pub fn sorted_groups(&self) -> Vec<ScopeGroup<'_>> {
        let mut kinds: Vec<_> = self.by_kind.iter().collect();
        kinds.sort_unstable_by_key(|(k, _)| k.as_str());
        let mut groups = Vec::new();
        for (kind, scopes) in kinds {
            let mut scopes: Vec<_> = scopes.iter().collect();
            scopes.sort_unstable_by_key(|(s, _)| s.as_str());
            for (scope, entry) in scopes {
                let mut values: Vec<(&str, &Days)> =
                    entry.values.iter().map(|(v, d)| (v.as_str(), d)).collect();
                values.sort_unstable_by_key(|(v, _)| *v);
                groups.push(ScopeGroup {
                    kind,
                    scope,
                    values,
                });
            }
        }
        groups
    }

    /// Every buffered row, unordered.
    pub fn iter(&self) -> impl Iterator<Item = PendingRow<'_>> {
        self.by_kind.iter().flat_map(|(kind, scopes)| {
            scopes.iter().flat_map(move |(scope, entry)| {
                entry.values.iter().flat_map(move |(value, days)| {
                    days.iter().map(move |(&day, &span)| PendingRow {
                        kind,
                        scope,
                        value,
                        day,
                        span,
                    })
                })
            })
        })
    }
}
