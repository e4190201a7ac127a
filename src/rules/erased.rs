//! The one place where rules' types are erased: the engine drives every rule through
//! [`DynRule`], and [`Registration`]s build them. A rule's `State`, `Params` and work-ahead
//! `Summary` stay typed in the rule's own file; here they go behind `dyn`, and a summary
//! that is not the rule's own type is an engine bug that panics with the rule's name, never
//! a silent no-op.

use super::catalogue::RuleSpec;
use super::context::{Context, Facts, Setup};
use super::params::{typed_params, ParamsError};
use super::rule::{HistoryUse, Interest, Needs, Rule, WorkAhead};
use crate::collections::HashSet;
use crate::event::codec::KeepFields;
use crate::event::{Event, Timestamp};
use crate::state::Store;
use std::any::Any;

/// A worker's order-free summary for one rule, of that rule's `WorkAhead::Summary` type.
pub struct ErasedSummary(Box<dyn Any + Send>);

/// A built rule with its state, as the engine drives it.
pub trait DynRule: Send + Sync {
    fn spec(&self) -> &RuleSpec;
    fn id(&self) -> &str {
        &self.spec().id
    }
    fn interest(&self) -> Interest;
    fn wants(&self, e: &Event) -> bool;
    fn history_use(&self) -> HistoryUse;
    fn history(&self, e: &Event, facts: &mut dyn Facts);
    fn observe(&mut self, e: &Event, cx: &mut Context<'_>);
    fn advance(&mut self, watermark: Timestamp, cx: &mut Context<'_>);
    fn note(&self) -> Option<String>;
    /// The rule's window state as bytes (a checkpoint), and back.
    fn save(&self) -> Result<Vec<u8>, CheckpointError>;
    fn restore(&mut self, bytes: &[u8]) -> Result<(), CheckpointError>;

    /// Work ahead (rules without a plan need every wanted event in order).
    fn works_ahead(&self) -> bool {
        false
    }
    fn defers(&self) -> bool {
        false
    }
    fn new_summary(&self) -> Option<ErasedSummary> {
        None
    }
    fn plan(&self, _e: &Event, _summary: Option<&mut ErasedSummary>) -> Needs {
        Needs::InOrder
    }
    fn merge(&self, _into: &mut ErasedSummary, _from: ErasedSummary) {}
    fn accept(&mut self, _summary: ErasedSummary) {}
    fn deferred_fields(&self) -> KeepFields {
        KeepFields::ALL
    }
    fn deferred_keys(&mut self, _history: &Store) -> Option<HashSet<String>> {
        None
    }
}

impl std::fmt::Debug for dyn DynRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// A rule that only works in order.
struct InOrder<R: Rule> {
    rule: R,
    state: R::State,
}

/// A rule with a work-ahead plan.
struct Ahead<R: WorkAhead> {
    rule: R,
    state: R::State,
}

macro_rules! core_methods {
    () => {
        fn spec(&self) -> &RuleSpec {
            self.rule.spec()
        }
        fn interest(&self) -> Interest {
            self.rule.interest()
        }
        fn wants(&self, e: &Event) -> bool {
            self.rule.wants(e)
        }
        fn history_use(&self) -> HistoryUse {
            R::HISTORY
        }
        fn history(&self, e: &Event, facts: &mut dyn Facts) {
            self.rule.history(e, facts)
        }
        fn observe(&mut self, e: &Event, cx: &mut Context<'_>) {
            self.rule.observe(&mut self.state, e, cx)
        }
        fn advance(&mut self, watermark: Timestamp, cx: &mut Context<'_>) {
            self.rule.advance(&mut self.state, watermark, cx)
        }
        fn note(&self) -> Option<String> {
            self.rule.note(&self.state)
        }
        fn save(&self) -> Result<Vec<u8>, CheckpointError> {
            let mut out = Vec::new();
            ciborium::into_writer(&self.state, &mut out).map_err(|e| CheckpointError {
                rule: self.rule.spec().id.clone(),
                message: e.to_string(),
            })?;
            Ok(out)
        }
        fn restore(&mut self, bytes: &[u8]) -> Result<(), CheckpointError> {
            self.state = ciborium::from_reader(bytes).map_err(|e| CheckpointError {
                rule: self.rule.spec().id.clone(),
                message: e.to_string(),
            })?;
            Ok(())
        }
    };
}

impl<R: Rule> DynRule for InOrder<R> {
    core_methods!();
}

impl<R: WorkAhead> Ahead<R> {
    fn summary<'s>(&self, s: &'s mut ErasedSummary) -> &'s mut R::Summary {
        s.0.downcast_mut::<R::Summary>().unwrap_or_else(|| {
            panic!(
                "engine bug: a summary of another type reached {}",
                self.rule.spec().id
            )
        })
    }
    fn owned(&self, s: ErasedSummary) -> R::Summary {
        *s.0.downcast::<R::Summary>().unwrap_or_else(|_| {
            panic!(
                "engine bug: a summary of another type reached {}",
                self.rule.spec().id
            )
        })
    }
}

impl<R: WorkAhead> DynRule for Ahead<R> {
    core_methods!();

    fn works_ahead(&self) -> bool {
        true
    }
    fn defers(&self) -> bool {
        R::DEFERS
    }
    fn new_summary(&self) -> Option<ErasedSummary> {
        Some(ErasedSummary(Box::new(R::Summary::default())))
    }
    fn plan(&self, e: &Event, summary: Option<&mut ErasedSummary>) -> Needs {
        // `new_summary` always gives this rule one, so the engine always passes it.
        let s = summary.unwrap_or_else(|| {
            panic!(
                "engine bug: {} planned without its summary",
                self.rule.spec().id
            )
        });
        self.rule.plan(e, self.summary(s))
    }
    fn merge(&self, into: &mut ErasedSummary, from: ErasedSummary) {
        let from = self.owned(from);
        let into = self.summary(into);
        self.rule.merge(into, from);
    }
    fn accept(&mut self, summary: ErasedSummary) {
        let s = self.owned(summary);
        self.rule.accept(&mut self.state, s);
    }
    fn deferred_fields(&self) -> KeepFields {
        self.rule.deferred_fields()
    }
    fn deferred_keys(&mut self, history: &Store) -> Option<HashSet<String>> {
        self.rule.deferred_keys(&mut self.state, history)
    }
}

/// A rule state that could not be saved or read back.
#[derive(Debug)]
pub struct CheckpointError {
    pub rule: String,
    pub message: String,
}

impl std::fmt::Display for CheckpointError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "checkpoint of rule {}: {}", self.rule, self.message)
    }
}

impl std::error::Error for CheckpointError {}

/// Why a rule could not be built.
#[derive(Debug)]
pub enum BuildError {
    Params(ParamsError),
    /// The rule's own setup failed (a list file that cannot be read, …).
    Setup {
        rule: String,
        message: String,
    },
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::Params(e) => e.fmt(f),
            BuildError::Setup { rule, message } => write!(f, "rule {rule}: {message}"),
        }
    }
}

impl std::error::Error for BuildError {}

/// One line of the registry: a rule's id, its catalogue text and how to build it.
pub struct Registration {
    pub id: &'static str,
    pub catalogue: &'static str,
    pub history: HistoryUse,
    pub build: fn(&Setup<'_>) -> Result<Box<dyn DynRule>, BuildError>,
    /// Checks a `[rules.<id>]` table by deserialising the merged parameters.
    pub check: fn(&toml::Table) -> Result<(), ParamsError>,
}

fn build_parts<R: Rule>(setup: &Setup<'_>) -> Result<R, BuildError> {
    let spec = RuleSpec::parse(R::CATALOGUE);
    let params = typed_params::<R::Params>(&spec, setup.config.rules.get(&spec.id))
        .map_err(BuildError::Params)?;
    let rule = spec.id.clone();
    R::build(spec, params, setup).map_err(|message| BuildError::Setup { rule, message })
}

fn build_in_order<R: Rule>(setup: &Setup<'_>) -> Result<Box<dyn DynRule>, BuildError> {
    Ok(Box::new(InOrder {
        rule: build_parts::<R>(setup)?,
        state: R::State::default(),
    }))
}

fn build_ahead<R: WorkAhead>(setup: &Setup<'_>) -> Result<Box<dyn DynRule>, BuildError> {
    Ok(Box::new(Ahead {
        rule: build_parts::<R>(setup)?,
        state: R::State::default(),
    }))
}

fn check<R: Rule>(table: &toml::Table) -> Result<(), ParamsError> {
    let spec = RuleSpec::parse(R::CATALOGUE);
    typed_params::<R::Params>(&spec, Some(table)).map(|_| ())
}

impl Registration {
    /// A rule that works in order only.
    pub const fn in_order<R: Rule>(id: &'static str) -> Registration {
        Registration {
            id,
            catalogue: R::CATALOGUE,
            history: R::HISTORY,
            build: build_in_order::<R>,
            check: check::<R>,
        }
    }

    /// A rule with a [`WorkAhead`] plan.
    pub const fn ahead<R: WorkAhead>(id: &'static str) -> Registration {
        Registration {
            id,
            catalogue: R::CATALOGUE,
            history: R::HISTORY,
            build: build_ahead::<R>,
            check: check::<R>,
        }
    }
}
