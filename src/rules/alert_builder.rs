//! Alerts built from the rule's catalogue entry: rule id, title, ATT&CK ids and the
//! deterministic id (SPEC §4) come from the spec and the group, so a rule states only what
//! it found.
//!
//! ```ignore
//! cx.emit(
//!     self.spec.alert(group, start, end)
//!         .severity(self.severity)
//!         .seen(first, last, count)
//!         .fields(fields)
//!         .evidence(evidence)
//!         .signals(signals)
//!         .build(),
//! );
//! ```

use super::catalogue::RuleSpec;
use crate::event::alert::{Signals, ALERT_SCHEMA};
use crate::event::{alert_id, Alert, Fields, Provider, Severity, Timestamp};

/// The printed field of the contributing events' first distinct user agents (SPEC §4: every
/// rule but the seed's shows them, so an analyst sees Terraform or a browser at a glance).
pub const USER_AGENTS: &str = "UserAgents";

pub struct AlertBuilder<'a> {
    spec: &'a RuleSpec,
    alert: Alert,
    /// What the id hashes besides rule and group: (start, end, discriminator).
    id: (Timestamp, Timestamp, String),
    /// Whether [`AlertBuilder::build`] appends the printed `UserAgents` field.
    print_user_agents: bool,
}

impl RuleSpec {
    /// An alert of this rule for `group` over [`window_start`, `window_end`]; its id hashes
    /// rule, group and window unless [`AlertBuilder::id_from`] says otherwise.
    pub fn alert(
        &self,
        group: Fields,
        window_start: Timestamp,
        window_end: Timestamp,
    ) -> AlertBuilder<'_> {
        let severity = self.default_severity().unwrap_or(Severity::Medium);
        AlertBuilder {
            spec: self,
            alert: Alert {
                schema: ALERT_SCHEMA,
                id: String::new(),
                rule: self.id.clone(),
                title: self.title.clone(),
                attack: self.attack.clone(),
                severity,
                risk_score: severity.risk_score(),
                provider: Provider::Other,
                group,
                window_start,
                window_end,
                first_seen: window_start,
                last_seen: window_end,
                count: 0,
                fields: Fields::default(),
                evidence: Vec::new(),
                suppressed: false,
                reason: None,
                notes: Vec::new(),
                activity: None,
                next_steps: Vec::new(),
                signals: Default::default(),
                incident: None,
            },
            id: (window_start, window_end, String::new()),
            print_user_agents: false,
        }
    }
}

impl AlertBuilder<'_> {
    pub fn provider(mut self, p: Provider) -> Self {
        self.alert.provider = p;
        self
    }
    /// The severity, and the risk score that goes with it (SPEC §4: 25/50/75/95).
    pub fn severity(mut self, s: Severity) -> Self {
        self.alert.severity = s;
        self.alert.risk_score = s.risk_score();
        self
    }
    /// A risk score of the rule's own (the discovery rules' RiskScore) and its severity.
    pub fn risk(mut self, score: u8, s: Severity) -> Self {
        self.alert.severity = s;
        self.alert.risk_score = score;
        self
    }
    pub fn seen(mut self, first: Timestamp, last: Timestamp, count: u64) -> Self {
        self.alert.first_seen = first;
        self.alert.last_seen = last;
        self.alert.count = count;
        self
    }
    pub fn fields(mut self, f: Fields) -> Self {
        self.alert.fields = f;
        self
    }
    pub fn evidence(mut self, e: Vec<String>) -> Self {
        self.alert.evidence = e;
        self
    }
    pub fn notes(mut self, n: Vec<String>) -> Self {
        self.alert.notes = n;
        self
    }
    /// What the contributing events tell tuning and incidents (user agents, sources, keys).
    /// The alert also prints the first user agents as its last field, `UserAgents`, unless
    /// the rule's fields already name them or [`AlertBuilder::seed_columns_only`] says not.
    pub fn signals(mut self, s: Signals) -> Self {
        self.alert.signals = s;
        self.print_user_agents = true;
        self
    }
    /// The fields are exactly a seed query's columns (`cloud-discovery-burst`): the signals
    /// are kept for tuning but add no printed field.
    pub fn seed_columns_only(mut self) -> Self {
        self.print_user_agents = false;
        self
    }
    /// What identifies the alert besides rule and group, when not its window: an episode's
    /// start (an episode that grows keeps its id), a created key's id.
    pub fn id_from(mut self, start: Timestamp, end: Timestamp, discriminator: &str) -> Self {
        self.id = (start, end, discriminator.to_string());
        self
    }
    pub fn build(mut self) -> Alert {
        if self.print_user_agents && self.alert.fields.get(USER_AGENTS).is_none() {
            let printed = self.alert.signals.printed_user_agents();
            self.alert.fields.push(USER_AGENTS, printed);
        }
        let (start, end, extra) = &self.id;
        self.alert.id = alert_id(&self.spec.id, &self.alert.group, *start, *end, extra);
        self.alert
    }
}
