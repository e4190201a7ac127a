//! `first-seen-api`: the first time an identity does one of the things the seed singles out
//! (SPEC §4), each a clause with its own baseline in the store:
//!
//! | clause | fires on | store kind (scope: identity, value) |
//! | --- | --- | --- |
//! | `sa-storage-buckets-list` | GCP `storage.buckets.list` by a service account | `sa-api`, the method |
//! | `projects-list` | GCP `resourcemanager.projects.list` (or v3 `SearchProjects` / `ListProjects`) | `id-api`, the method |
//! | `get-caller-identity-new-ip` | AWS `GetCallerIdentity` from an address | `id-gci-ip`, the address |
//! | `cross-account-assume-role-new-source` | AWS `AssumeRole` of a role in another account, from a block | `id-xacct-src`, the /24 or /48 |
//! | `entra-new-application` | a successful Entra sign-in to an application (`service`) | `id-app`, the application |
//!
//! "Never" means not at an earlier event time, in what the store holds (retention bounds it).
//! The last clause fires only when the identity also had a `new-source-signin` alert within
//! `after_new_source` (30 minutes) before the sign-in; that is decided once the watermark has
//! passed the sign-in by that much (at the end of input in `scan`), so it does not depend on
//! which rule saw the sign-in first.
//!
//! Every clause needs history (SPEC §4 "Novelty needs history"): the identity's environment
//! (provider and account, project or tenant) must have recorded activity reaching back
//! `min_history` before the event (kind `env-seen`, written for every event of the
//! environment's logs); before that, first uses are learned in silence and counted
//! ([`FirstSeenApi::learned_silently`]). One alert per (identity, clause, value) per UTC day.

use super::catalogue::RuleSpec;
use super::context::{Context, Facts, Setup};
use super::history::{baseline_identity, environment, new_source_within, BEGINNING};
use super::rule::{HistoryUse, Interest, Needs, Rule, WorkAhead};
use crate::collections::HashSet;
use crate::enrich::{block, parse_source_ip, DEFAULT_V4_PREFIX, DEFAULT_V6_PREFIX};
use crate::event::alert::Signals;
use crate::event::{Duration, Event, Fields, LogFormat, Outcome, Provider, Severity, Timestamp};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub min_history: Duration,
    pub after_new_source: Duration,
}

/// Store kind: days on which an environment's logs had events (how far its history reaches).
pub const ENV_SEEN: &str = "env-seen";

const DAY: Duration = Duration::secs(86_400);

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Clause {
    SaBucketsList,
    ProjectsList,
    CallerIdentityIp,
    CrossAccountAssumeRole,
    EntraApplication,
}

impl Clause {
    pub fn name(self) -> &'static str {
        match self {
            Clause::SaBucketsList => "sa-storage-buckets-list",
            Clause::ProjectsList => "projects-list",
            Clause::CallerIdentityIp => "get-caller-identity-new-ip",
            Clause::CrossAccountAssumeRole => "cross-account-assume-role-new-source",
            Clause::EntraApplication => "entra-new-application",
        }
    }

    /// The store kind holding the clause's baseline.
    pub fn kind(self) -> &'static str {
        match self {
            Clause::SaBucketsList => "sa-api",
            Clause::ProjectsList => "id-api",
            Clause::CallerIdentityIp => "id-gci-ip",
            Clause::CrossAccountAssumeRole => "id-xacct-src",
            Clause::EntraApplication => "id-app",
        }
    }
}

/// One event a clause applies to.
struct Candidate {
    clause: Clause,
    /// What must be new, as the store keeps it.
    value: String,
    /// The role assumed, for `AssumeRole`.
    role: String,
}

/// The account id in an ARN (`arn:aws:iam::222222222222:role/x` → `222222222222`).
fn arn_account(arn: &str) -> Option<&str> {
    let account = arn.strip_prefix("arn:")?.split(':').nth(3)?;
    (!account.is_empty()).then_some(account)
}

fn is_projects_list(method: &str) -> bool {
    let m = method.to_ascii_lowercase();
    m == "resourcemanager.projects.list"
        || m.ends_with(".projects.searchprojects")
        || m.ends_with(".projects.listprojects")
}

fn candidate(e: &Event) -> Option<Candidate> {
    let c = |clause, value: String| {
        Some(Candidate {
            clause,
            value,
            role: String::new(),
        })
    };
    match (e.provider(), e.log()) {
        (Provider::Gcp, LogFormat::GcpAudit) => {
            if e.action.eq_ignore_ascii_case("storage.buckets.list")
                && e.identity
                    .to_ascii_lowercase()
                    .ends_with(".gserviceaccount.com")
            {
                c(Clause::SaBucketsList, "storage.buckets.list".into())
            } else if is_projects_list(&e.action) {
                c(Clause::ProjectsList, "resourcemanager.projects.list".into())
            } else {
                None
            }
        }
        (Provider::Aws, LogFormat::CloudTrail) => {
            let ip = parse_source_ip(&e.source_ip)?;
            match e.action.as_str() {
                "GetCallerIdentity" => c(Clause::CallerIdentityIp, ip.to_string()),
                "AssumeRole" => {
                    let role_account = arn_account(e.resource.trim())?;
                    let caller = e.account.trim();
                    if caller.is_empty() || role_account == caller {
                        return None;
                    }
                    Some(Candidate {
                        clause: Clause::CrossAccountAssumeRole,
                        value: block(ip, DEFAULT_V4_PREFIX, DEFAULT_V6_PREFIX),
                        role: e.resource.trim().to_string(),
                    })
                }
                _ => None,
            }
        }
        (Provider::Azure, LogFormat::EntraSignin)
            if e.outcome == Outcome::Success && !e.service.trim().is_empty() =>
        {
            c(Clause::EntraApplication, e.service.trim().to_lowercase())
        }
        _ => None,
    }
}

/// A first use, judged new and waiting to be emitted (Entra applications wait for the
/// new-source window).
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Finding {
    clause: Clause,
    value: String,
    role: String,
    identity: String,
    event: Event,
}

pub struct FirstSeenApi {
    spec: RuleSpec,
    severity: Severity,
    min_history: Duration,
    after_new_source: Duration,
}

#[derive(Default, serde::Serialize, serde::Deserialize)]
pub struct State {
    learned_silently: u64,
    /// (identity, clause, value, day) already alerted.
    alerted: HashSet<(String, Clause, String, i64)>,
    /// Entra application first uses: (due, arrival) → finding.
    waiting: BTreeMap<(Timestamp, u64), Finding>,
    arrivals: u64,
    /// Per UTC day: (identity, clause, value) already judged today. Cleared each day.
    day: i64,
    judged: HashSet<(String, Clause, String)>,
    /// Environments whose history covers `min_history` (stays true as event time moves on).
    covered: HashSet<String>,
}

impl FirstSeenApi {
    fn emit(&self, st: &mut State, f: Finding, cx: &mut Context<'_>) {
        let t = f.event.time;
        if !st
            .alerted
            .insert((f.identity.clone(), f.clause, f.value.clone(), t.day()))
        {
            return;
        }
        let mut g = Fields::default();
        g.push("identity", f.identity.as_str());
        g.push("clause", f.clause.name());
        let e = &f.event;
        let mut fields = Fields::default();
        fields.push("Identity", e.identity.as_str());
        fields.push("Clause", f.clause.name());
        let shown = match f.clause {
            Clause::EntraApplication => e.service.trim().to_string(),
            _ => f.value.clone(),
        };
        fields.push("Value", shown);
        fields.push("Action", e.action.as_str());
        fields.push("Environment", environment(e));
        fields.push("SourceIP", e.source_ip.as_str());
        if !f.role.is_empty() {
            fields.push("RoleArn", f.role.as_str());
        }
        if f.clause == Clause::EntraApplication {
            fields.push("AfterNewSourceSignIn", true);
        }
        let day = t.bin(DAY);
        let alert = self
            .spec
            .alert(g, t, t)
            // One alert per (identity, clause, value) per day.
            .id_from(day, day.add(DAY), &f.value)
            .provider(e.provider())
            .severity(self.severity)
            .seen(t, t, 1)
            .fields(fields)
            .evidence(vec![e.origin.to_string()])
            .signals(Signals::of(e))
            .build();
        cx.emit(alert);
    }

    /// Emits waiting Entra findings whose new-source window has passed by `watermark` (all of
    /// them when `None`), when the identity had a new-source sign-in in it.
    fn release(&self, st: &mut State, watermark: Timestamp, cx: &mut Context<'_>) {
        while let Some(entry) = st.waiting.first_entry() {
            if entry.key().0 > watermark {
                break;
            }
            let f = entry.remove();
            let after = new_source_within(
                cx.history(),
                &f.identity,
                f.event.time,
                self.after_new_source,
            );
            if after {
                self.emit(st, f, cx);
            }
        }
    }
}

impl Rule for FirstSeenApi {
    type Params = Params;
    type State = State;
    const CATALOGUE: &'static str = include_str!("catalogue/first-seen-api.toml");
    const HISTORY: HistoryUse = HistoryUse::ReadsAndWrites;

    fn build(spec: RuleSpec, p: Params, _: &Setup<'_>) -> Result<Self, String> {
        Ok(FirstSeenApi {
            severity: spec.default_severity().unwrap_or(Severity::Medium),
            spec,
            min_history: p.min_history,
            after_new_source: p.after_new_source,
        })
    }

    fn spec(&self) -> &RuleSpec {
        &self.spec
    }

    fn interest(&self) -> Interest {
        Interest::All
    }

    fn wants(&self, e: &Event) -> bool {
        // Every event of these logs extends its environment's history.
        matches!(
            (e.provider(), e.log()),
            (Provider::Gcp, LogFormat::GcpAudit)
                | (Provider::Aws, LogFormat::CloudTrail)
                | (Provider::Azure, LogFormat::EntraSignin)
        ) && !crate::text::trim(&e.account).is_empty()
    }

    /// Every event extends its environment's history; a clause's event records its value
    /// for the identity.
    fn history(&self, e: &Event, facts: &mut dyn Facts) {
        facts.record(ENV_SEEN, &environment(e), e.log().as_str(), e.time);
        if e.identity.trim().is_empty() {
            return;
        }
        if let Some(c) = candidate(e) {
            facts.record(
                c.clause.kind(),
                &baseline_identity(&e.identity),
                &c.value,
                e.time,
            );
        }
    }

    fn observe(&self, st: &mut State, e: &Event, cx: &mut Context<'_>) {
        let t = e.time;
        if t.day() != st.day {
            st.day = t.day();
            st.judged.clear();
            st.alerted.retain(|(_, _, _, d)| *d >= t.day());
        }
        let env = environment(e);
        let Some(c) = candidate(e) else { return };
        if e.identity.trim().is_empty() {
            return;
        }
        let identity = baseline_identity(&e.identity);
        // Judged earlier today: recorded then, so not new now (or, at the same instant, the
        // same answer as then).
        if !st
            .judged
            .insert((identity.clone(), c.clause, c.value.clone()))
        {
            return;
        }
        let store = cx.history();
        if store.seen_between(c.clause.kind(), &identity, &c.value, BEGINNING, t) {
            return;
        }
        let covered = st.covered.contains(&env)
            || store
                .first_seen(ENV_SEEN, &env)
                .is_some_and(|f| f <= t.sub(self.min_history));
        if !covered {
            st.learned_silently += 1;
            return;
        }
        st.covered.insert(env);
        let finding = Finding {
            clause: c.clause,
            value: c.value,
            role: c.role,
            identity,
            event: e.clone(),
        };
        if c.clause == Clause::EntraApplication {
            st.arrivals += 1;
            st.waiting
                .insert((t.add(self.after_new_source), st.arrivals), finding);
        } else {
            self.emit(st, finding, cx);
        }
    }

    fn advance(&self, st: &mut State, watermark: Timestamp, cx: &mut Context<'_>) {
        self.release(st, watermark, cx);
    }

    fn note(&self, st: &State) -> Option<String> {
        (st.learned_silently > 0).then(|| {
            format!(
                "first-seen-api: learned {} sources in silence (history shorter than min_history)",
                st.learned_silently
            )
        })
    }
}

/// Only the clauses' events are judged; the rest only extend history.
impl WorkAhead for FirstSeenApi {
    type Summary = ();

    fn plan(&self, e: &Event, _: &mut ()) -> Needs {
        if !e.identity.trim().is_empty() && candidate(e).is_some() {
            Needs::InOrder
        } else {
            Needs::Nothing
        }
    }

    fn merge(&self, _: &mut (), _: ()) {}

    fn accept(&self, _: &mut State, _: ()) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_accounts() {
        assert_eq!(
            arn_account("arn:aws:iam::222222222222:role/reader"),
            Some("222222222222")
        );
        assert_eq!(arn_account("arn:aws:iam:::role/x"), None);
        assert_eq!(arn_account("reader"), None);
    }

    #[test]
    fn projects_list_methods() {
        assert!(is_projects_list("resourcemanager.projects.list"));
        assert!(is_projects_list(
            "google.cloud.resourcemanager.v3.Projects.SearchProjects"
        ));
        assert!(is_projects_list(
            "google.cloud.resourcemanager.v3.Projects.ListProjects"
        ));
        assert!(!is_projects_list("resourcemanager.projects.get"));
    }
}
