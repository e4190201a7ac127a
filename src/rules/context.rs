//! What the engine lends a rule: at build time the configuration ([`Setup`]), while it
//! runs read access to history and a place for its alerts ([`Context`]), and a sink for the
//! history facts it declares ([`Facts`]).

use crate::config::Config;
use crate::event::{Alert, Timestamp};
use crate::state::{PendingHistory, Store};

/// Where declared history facts go: a worker's buffer, or the store itself in the ordered
/// pass. `kind` is a short namespace ("env-block", "id-enum", …), `scope` the environment or
/// identity it belongs to, `value` what was seen at event time `at`.
pub trait Facts {
    fn record(&mut self, kind: &str, scope: &str, value: &str, at: Timestamp);
}

impl Facts for PendingHistory {
    fn record(&mut self, kind: &str, scope: &str, value: &str, at: Timestamp) {
        self.record_at(kind, scope, value, at);
    }
}

impl Facts for Store {
    fn record(&mut self, kind: &str, scope: &str, value: &str, at: Timestamp) {
        Store::record(self, kind, scope, value, at);
    }
}

/// A rule's view while it runs: history to read, alerts to emit.
pub struct Context<'a> {
    store: &'a mut Store,
    alerts: &'a mut Vec<Alert>,
}

impl<'a> Context<'a> {
    pub fn new(store: &'a mut Store, alerts: &'a mut Vec<Alert>) -> Context<'a> {
        Context { store, alerts }
    }

    /// The baseline store as of now: everything recorded before this call, by this scan
    /// (ahead or in order) and by earlier ones.
    pub fn history(&self) -> &Store {
        self.store
    }

    /// Records a conclusion of the ordered pass that other rules read as history (a
    /// new-source sign-in, which `access-key-created` and `first-seen-api` escalate on).
    /// Facts of the event itself are declared in `Rule::history`, never here.
    pub fn findings(&mut self) -> &mut dyn Facts {
        self.store
    }

    pub fn emit(&mut self, alert: Alert) {
        self.alerts.push(alert);
    }
}

/// What building a rule may consult: the configuration (and through it other rules'
/// parameters, `params::params_of`).
pub struct Setup<'a> {
    pub config: &'a Config,
}
