//! `password-spray`: from one source IP, at least `min_failures` credential failures across
//! at least `min_accounts` distinct accounts within `window` (sliding; "within w" is
//! u − w < t ≤ u, SPEC §4). One alert per episode: it opens when a window first meets both
//! thresholds and closes after a window's length without a failure from that IP.
//!
//! A failure is an Entra sign-in whose error code is in `entra_failure_codes` (interrupts
//! such as 50074, 50076 and 50140 ask for MFA or a device and say nothing about the password)
//! or an AWS `ConsoleLogin` with `Failure`. Accounts are compared case-folded, AWS
//! assumed-role sessions as their role.

use super::catalogue::RuleSpec;
use super::context::{Context, Setup};
use super::discovery::MAX_EVIDENCE;
use super::keyed::Keyed;
use super::rule::{Interest, Rule};
use super::window;
use crate::collections::{HashMap, HashSet};
use crate::event::alert::Signals;
use crate::event::{Duration, Event, Fields, LogFormat, Outcome, Provider, Severity, Timestamp};
use serde::Deserialize;
use std::collections::VecDeque;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub min_failures: u64,
    pub min_accounts: u64,
    pub window: Duration,
    pub spray_median_max: u64,
    pub entra_failure_codes: Vec<String>,
}

const MAX_ACCOUNT_LIST: usize = 50;

/// One failure as the window keeps it.
#[derive(serde::Serialize, serde::Deserialize)]
struct Failure {
    time: Timestamp,
    /// The case-folded account; empty when the record names none.
    account: String,
    /// The account as first logged, for `AccountList`.
    shown: String,
    provider: Provider,
    origin: String,
    user_agent: String,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Episode {
    start: Timestamp,
    first: Timestamp,
    last: Timestamp,
    failures: u64,
    per_account: HashMap<String, u64>,
    accounts: Vec<String>,
    providers: Vec<Provider>,
    evidence: Vec<String>,
    /// The failures' user agents; the source address (the key) is added when it closes.
    signals: Signals,
    peak_failures: u64,
    peak_accounts: u64,
}

impl window::Episode<Failure> for Episode {
    fn add(&mut self, f: &Failure) {
        if self.failures == 0 {
            self.first = f.time;
        }
        self.failures += 1;
        self.last = self.last.max(f.time);
        if !f.account.is_empty() {
            let n = self.per_account.entry(f.account.clone()).or_default();
            if *n == 0 && self.accounts.len() < MAX_ACCOUNT_LIST {
                self.accounts.push(f.shown.clone());
            }
            *n += 1;
        }
        if !self.providers.contains(&f.provider) {
            self.providers.push(f.provider);
        }
        if self.evidence.len() < MAX_EVIDENCE {
            self.evidence.push(f.origin.clone());
        }
        self.signals.add(&f.user_agent, "", "");
    }
}

impl Episode {
    /// The median number of failures per account (the mean of the middle two when even).
    fn median_per_account(&self) -> f64 {
        let mut counts: Vec<u64> = self.per_account.values().copied().collect();
        counts.sort_unstable();
        let n = counts.len();
        match n {
            0 => 0.0,
            _ if n % 2 == 1 => counts[n / 2] as f64,
            _ => (counts[n / 2 - 1] + counts[n / 2]) as f64 / 2.0,
        }
    }
}

#[derive(Default, serde::Serialize, serde::Deserialize)]
pub struct IpState {
    window: VecDeque<Failure>,
    per_account: HashMap<String, u32>,
    episode: Option<Episode>,
    last: Timestamp,
}

pub type State = Keyed<String, IpState>;

pub struct PasswordSpray {
    spec: RuleSpec,
    severity: Severity,
    p: Params,
    entra_codes: HashSet<String>,
}

/// Case-folded account; `arn:aws:sts::1:assumed-role/Role/session` counts as
/// `arn:aws:iam::1:role/role` (the session issuer).
pub fn account_key(identity: &str) -> String {
    let folded = identity.trim().to_lowercase();
    if let Some((head, rest)) = folded.split_once(":assumed-role/") {
        if let (Some(account), Some((role, _session))) =
            (head.strip_prefix("arn:aws:sts::"), rest.rsplit_once('/'))
        {
            return format!("arn:aws:iam::{account}:role/{role}");
        }
    }
    folded
}

impl PasswordSpray {
    fn is_failure(&self, e: &Event) -> bool {
        match e.log() {
            LogFormat::EntraSignin => {
                e.outcome == Outcome::Failure && self.entra_codes.contains(e.status.as_str())
            }
            LogFormat::CloudTrail => e.action == "ConsoleLogin" && e.outcome == Outcome::Failure,
            _ => false,
        }
    }

    fn close(&self, ip: &str, ep: Episode, cx: &mut Context<'_>) {
        let signals = ep.signals.clone().keyed_by_source(ip);
        let mut g = Fields::default();
        g.push("source_ip", ip);
        let median = ep.median_per_account();
        let technique = if median <= self.p.spray_median_max as f64 {
            "spraying"
        } else {
            "stuffing"
        };
        let mut f = Fields::default();
        f.push("SourceIP", ip);
        f.push("Failures", ep.failures);
        f.push("DistinctAccounts", ep.per_account.len() as u64);
        f.push("AccountList", ep.accounts.clone());
        f.push("Technique", technique);
        f.push("MedianFailuresPerAccount", median);
        f.push("PeakWindowFailures", ep.peak_failures);
        f.push("PeakWindowAccounts", ep.peak_accounts);
        f.push(
            "Providers",
            ep.providers.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
        );
        f.push("FirstSeen", ep.first.to_string());
        f.push("LastSeen", ep.last.to_string());
        let provider = if ep.providers.len() == 1 {
            ep.providers[0]
        } else {
            Provider::Other
        };
        let alert = self
            .spec
            .alert(g, ep.start, ep.last)
            // The episode's start identifies it; its end depends on how much later data came.
            .id_from(ep.start, ep.start, "")
            .provider(provider)
            .severity(self.severity)
            .seen(ep.first, ep.last, ep.failures)
            .fields(f)
            .evidence(ep.evidence)
            .signals(signals)
            .build();
        cx.emit(alert);
    }
}

impl Rule for PasswordSpray {
    type Params = Params;
    type State = State;
    const CATALOGUE: &'static str = include_str!("catalogue/password-spray.toml");

    fn build(spec: RuleSpec, p: Params, _: &Setup<'_>) -> Result<Self, String> {
        Ok(PasswordSpray {
            severity: spec.default_severity().unwrap_or(Severity::High),
            spec,
            entra_codes: p
                .entra_failure_codes
                .iter()
                .map(|c| c.trim().to_string())
                .collect(),
            p,
        })
    }

    fn spec(&self) -> &RuleSpec {
        &self.spec
    }

    fn interest(&self) -> Interest {
        Interest::All
    }

    fn wants(&self, e: &Event) -> bool {
        !e.source_ip.is_empty() && self.is_failure(e)
    }

    fn observe(&self, st: &mut State, e: &Event, cx: &mut Context<'_>) {
        let ip = e.source_ip.clone();
        let (window, min_failures, min_accounts) =
            (self.p.window, self.p.min_failures, self.p.min_accounts);
        // An episode that went quiet for a whole window before this failure is over.
        let quiet = st
            .get_mut(&ip)
            .filter(|s| s.last.add(window) <= e.time)
            .and_then(|s| s.episode.take());
        if let Some(ep) = quiet {
            self.close(&ip, ep, cx);
        }
        let state = st.entry(ip.clone());
        while state
            .window
            .front()
            .is_some_and(|f| f.time <= e.time.sub(window))
        {
            let old = state.window.pop_front().expect("front exists");
            if let Some(n) = state.per_account.get_mut(&old.account) {
                *n -= 1;
                if *n == 0 {
                    state.per_account.remove(&old.account);
                }
            }
        }
        let account = account_key(&e.identity);
        if !account.is_empty() {
            *state.per_account.entry(account.clone()).or_default() += 1;
        }
        let failure = Failure {
            time: e.time,
            account,
            shown: e.identity.trim().to_string(),
            provider: e.provider(),
            origin: e.origin.to_string(),
            user_agent: e.user_agent.clone(),
        };
        state.window.push_back(failure);
        state.last = e.time;
        let failures = state.window.len() as u64;
        let accounts = state.per_account.len() as u64;
        let open = |first: &Failure| Episode {
            start: first.time,
            first: first.time,
            last: first.time,
            failures: 0,
            per_account: HashMap::default(),
            accounts: Vec::new(),
            providers: Vec::new(),
            evidence: Vec::new(),
            signals: Signals::default(),
            peak_failures: 0,
            peak_accounts: 0,
        };
        let qualifies = failures >= min_failures && accounts >= min_accounts;
        if let Some(ep) = window::extend_or_open(&mut state.episode, &state.window, qualifies, open)
        {
            ep.peak_failures = ep.peak_failures.max(failures);
            ep.peak_accounts = ep.peak_accounts.max(accounts);
        }
        st.expire_at(e.time.add(window), ip);
    }

    fn advance(&self, st: &mut State, watermark: Timestamp, cx: &mut Context<'_>) {
        for (ip, state) in st.take_quiet(watermark, self.p.window, |s| s.last) {
            if let Some(ep) = state.episode {
                self.close(&ip, ep, cx);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::account_key;
    #[test]
    fn accounts_fold() {
        assert_eq!(account_key("Alice@Contoso.com"), "alice@contoso.com");
        assert_eq!(
            account_key("arn:aws:sts::123456789012:assumed-role/Admin/mallory"),
            "arn:aws:iam::123456789012:role/admin"
        );
        assert_eq!(account_key("bob"), "bob");
    }
}
