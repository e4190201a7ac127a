//! `new-source-signin`: a successful authentication from a country, ASN or network block
//! (/24, /48) never seen before in that environment (provider and account or tenant), once
//! the environment's history covers `min_history` (SPEC §4 "Novelty needs history").
//!
//! Authentications are Entra sign-in successes, AWS `ConsoleLogin` successes, and the first
//! use of a long-term access key (`AKIA…`) from a block: any CloudTrail event made with that
//! key whose (key, block) pair was not seen before. Only real addresses count
//! ([`parse_source_ip`]); `AWS Internal` and service names are not sources.
//!
//! History lives in the baseline store and is judged in event time: "seen before" means seen
//! at an event time earlier than this event's, so re-scans, split scans and older logs scanned
//! after newer ones give the same answers. Every authentication is recorded as it is judged:
//! `env-block`, `env-country`, `env-asn` (scope: environment), `id-source` (scope: identity,
//! value: block) and `key-block` (scope: key id). Each attribute's novelty counts only once
//! that attribute's own history covers `min_history`, so turning on a GeoIP database later
//! does not make every country look new. Until the block history does, the rule learns in
//! silence and counts what it learned ([`NewSourceSignin::learned_silently`]).
//!
//! A new country or ASN (not only a new block) is the escalation. Each alert is also recorded
//! as a `new-source` sighting of the identity ([`record_new_source`]), which
//! `access-key-created` and `first-seen-api` ask about ([`new_source_within`]).
//!
//! This file also holds what the history rules share: how identities are compared for
//! baselines ([`baseline_identity`]) and how an environment is named ([`environment`]).

use super::catalogue::RuleSpec;
use super::context::{Context, Facts, Setup};
use super::history::{baseline_identity, environment, record_new_source, BEGINNING};
use super::rule::{HistoryUse, Interest, Needs, Rule, WorkAhead};
use crate::collections::{HashMap, HashSet};
use crate::enrich::{block, parse_source_ip};
use crate::event::alert::Signals;
use crate::event::{Duration, Event, Fields, LogFormat, Outcome, Provider, Severity, Timestamp};
use crate::state::Store;
use serde::Deserialize;

const DAY: Duration = Duration::secs(86_400);

/// Store kinds written by this rule.
pub const ENV_BLOCK: &str = "env-block";
pub const ENV_COUNTRY: &str = "env-country";
pub const ENV_ASN: &str = "env-asn";
pub const ID_SOURCE: &str = "id-source";
pub const KEY_BLOCK: &str = "key-block";
/// CloudTrail error codes that mean the key did not authenticate (the call was not made by a
/// holder of the key), as opposed to an authenticated call that was denied.
const AUTH_FAILURES: &[&str] = &[
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "IncompleteSignature",
    "InvalidAccessKeyId",
    "AuthFailure",
    "ExpiredToken",
    "UnrecognizedClientException",
    "InvalidSignatureException",
];

/// `(key id, block)`, `(environment, block, country, asn)`.
type PairKey = (String, String);
type SourceKey = (String, String, String, Option<u32>);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub min_history: Duration,
    pub ipv4_prefix: u8,
    pub ipv6_prefix: u8,
}

pub struct NewSourceSignin {
    spec: RuleSpec,
    severity: Severity,
    min_history: Duration,
    v4_prefix: u8,
    v6_prefix: u8,
}

#[derive(Default, serde::Serialize, serde::Deserialize)]
pub struct State {
    learned_silently: u64,
    /// (identity, block, day) already alerted.
    alerted: HashSet<(String, String, i64)>,
    /// Caches for the current UTC day, so that repeated sign-ins cost no store query. Each
    /// maps to the earliest time known to have been recorded; a later event finds it "seen
    /// before". Events come in time order, so an entry never becomes wrong within a scan.
    day: i64,
    key_blocks: HashMap<PairKey, Timestamp>,
    sources: HashMap<SourceKey, Timestamp>,
    /// (kind, environment) whose history covers `min_history`; once covered, covered later.
    covered: HashSet<(String, String)>,
}

/// What was new about a source, for the alert.
struct Novelty {
    country: bool,
    asn: bool,
    block: bool,
}

impl NewSourceSignin {
    fn is_key_use(e: &Event) -> bool {
        e.provider() == Provider::Aws
            && e.log() == LogFormat::CloudTrail
            && e.action != "ConsoleLogin"
    }

    fn covered(
        &self,
        st: &mut State,
        store: &Store,
        kind: &'static str,
        env: &str,
        t: Timestamp,
    ) -> bool {
        let key = (kind.to_string(), env.to_string());
        if st.covered.contains(&key) {
            return true;
        }
        let ok = store
            .first_seen(kind, env)
            .is_some_and(|f| f <= t.sub(self.min_history));
        if ok {
            st.covered.insert(key);
        }
        ok
    }

    #[allow(clippy::too_many_arguments)]
    fn emit(
        &self,
        e: &Event,
        identity: &str,
        env: &str,
        blk: &str,
        new: &Novelty,
        new_for_identity: bool,
        cx: &mut Context<'_>,
    ) {
        let mut g = Fields::default();
        g.push("identity", identity);
        g.push("environment", env);
        let country = e.country.trim();
        let mut newly = Vec::new();
        if new.country {
            newly.push("country");
        }
        if new.asn {
            newly.push("asn");
        }
        if new.block {
            newly.push("block");
        }
        let key_use = Self::is_key_use(e);
        let mut f = Fields::default();
        f.push("Identity", e.identity.as_str());
        f.push(
            "Authentication",
            if key_use { "access-key" } else { "sign-in" },
        );
        f.push("SourceIP", e.source_ip.as_str());
        f.push("Block", blk);
        // Typed and absent when unknown (no GeoIP / ASN database, or an address it does not
        // list): a placeholder string would be one more "country" to group and filter on.
        if !country.is_empty() {
            f.push("Country", country);
        }
        if let Some(asn) = e.asn {
            f.push("ASN", asn);
        }
        f.push("NewForEnvironment", newly);
        f.push("NewForIdentity", new_for_identity);
        if key_use {
            f.push("KeyId", e.key_id.as_str());
            f.push("Action", e.action.as_str());
        } else if !e.service.is_empty() {
            f.push("Application", e.service.as_str());
        }
        let severity = if new.country || new.asn {
            self.severity.escalate(1)
        } else {
            self.severity
        };
        let day = e.time.bin(DAY);
        let alert = self
            .spec
            .alert(g, e.time, e.time)
            // One alert per (identity, block) per day: the block tells two apart.
            .id_from(day, day.add(DAY), blk)
            .provider(e.provider())
            .severity(severity)
            .seen(e.time, e.time, 1)
            .fields(f)
            .evidence(vec![e.origin.to_string()])
            .signals(Signals::of(e))
            .build();
        cx.emit(alert);
    }
}

impl State {
    fn roll_day(&mut self, t: Timestamp) {
        let day = t.day();
        if day != self.day {
            self.day = day;
            self.key_blocks.clear();
            self.sources.clear();
            self.alerted.retain(|(_, _, d)| *d >= day);
        }
    }
}

impl Rule for NewSourceSignin {
    type Params = Params;
    type State = State;
    const CATALOGUE: &'static str = include_str!("catalogue/new-source-signin.toml");
    const HISTORY: HistoryUse = HistoryUse::ReadsAndWrites;

    fn build(spec: RuleSpec, p: Params, _: &Setup<'_>) -> Result<Self, String> {
        Ok(NewSourceSignin {
            severity: spec.default_severity().unwrap_or(Severity::Medium),
            spec,
            min_history: p.min_history,
            v4_prefix: p.ipv4_prefix.min(32),
            v6_prefix: p.ipv6_prefix.min(128),
        })
    }

    fn spec(&self) -> &RuleSpec {
        &self.spec
    }

    fn interest(&self) -> Interest {
        Interest::All
    }

    fn wants(&self, e: &Event) -> bool {
        let authenticated = match (e.provider(), e.log()) {
            (Provider::Azure, LogFormat::EntraSignin) => e.outcome == Outcome::Success,
            (Provider::Aws, LogFormat::CloudTrail) if e.action == "ConsoleLogin" => {
                e.outcome == Outcome::Success
            }
            // `CreateAccessKey` carries the key it created, not the key it was called with.
            (Provider::Aws, LogFormat::CloudTrail) => {
                e.key_id.starts_with("AKIA")
                    && e.action != "CreateAccessKey"
                    && !AUTH_FAILURES.contains(&e.error_code.as_str())
            }
            _ => false,
        };
        authenticated && !e.identity.trim().is_empty() && parse_source_ip(&e.source_ip).is_some()
    }

    /// The sources a sign-in or key use adds to its environment's and identity's history.
    fn history(&self, e: &Event, facts: &mut dyn Facts) {
        let Some(ip) = parse_source_ip(&e.source_ip) else {
            return;
        };
        let (t, blk, env) = (
            e.time,
            block(ip, self.v4_prefix, self.v6_prefix),
            environment(e),
        );
        facts.record(ENV_BLOCK, &env, &blk, t);
        let country = e.country.trim();
        if !country.is_empty() {
            facts.record(ENV_COUNTRY, &env, country, t);
        }
        if let Some(a) = e.asn {
            facts.record(ENV_ASN, &env, &a.to_string(), t);
        }
        facts.record(ID_SOURCE, &baseline_identity(&e.identity), &blk, t);
        if Self::is_key_use(e) {
            facts.record(KEY_BLOCK, &e.key_id, &blk, t);
        }
    }

    fn observe(&self, st: &mut State, e: &Event, cx: &mut Context<'_>) {
        let Some(ip) = parse_source_ip(&e.source_ip) else {
            return;
        };
        let t = e.time;
        st.roll_day(t);
        let blk = block(ip, self.v4_prefix, self.v6_prefix);
        let env = environment(e);
        let identity = baseline_identity(&e.identity);
        let country = e.country.trim().to_string();
        let asn = e.asn.map(|a| a.to_string());
        let store = cx.history();

        // A key already used from this block before is not a new authentication source.
        let mut judge = true;
        if Self::is_key_use(e) {
            let pair = (e.key_id.clone(), blk.clone());
            judge = match st.key_blocks.get(&pair) {
                Some(first) => *first >= t,
                None => !store.seen_between(KEY_BLOCK, &e.key_id, &blk, BEGINNING, t),
            };
            st.key_blocks
                .entry(pair)
                .or_insert(if judge { t } else { BEGINNING });
        }
        // The same (environment, block, country, asn) earlier today was recorded then.
        let source = (env.clone(), blk.clone(), country.clone(), e.asn);
        if judge {
            judge = st.sources.get(&source).is_none_or(|first| *first >= t);
        }
        st.sources.entry(source).or_insert(t);
        if !judge {
            return;
        }
        let unseen = |kind: &str, value: &str| !store.seen_between(kind, &env, value, BEGINNING, t);
        let block_new = unseen(ENV_BLOCK, &blk);
        let country_new = !country.is_empty() && unseen(ENV_COUNTRY, &country);
        let asn_new = asn.as_deref().is_some_and(|a| unseen(ENV_ASN, a));
        if !self.covered(st, store, ENV_BLOCK, &env, t) {
            if block_new || country_new || asn_new {
                st.learned_silently += 1;
            }
            return;
        }
        let new = Novelty {
            country: country_new && self.covered(st, store, ENV_COUNTRY, &env, t),
            asn: asn_new && self.covered(st, store, ENV_ASN, &env, t),
            block: block_new,
        };
        if (new.country || new.asn || new.block)
            && st.alerted.insert((identity.clone(), blk.clone(), t.day()))
        {
            let new_for_identity = !store.seen_between(ID_SOURCE, &identity, &blk, BEGINNING, t);
            record_new_source(cx.findings(), &identity, t);
            self.emit(e, &identity, &env, &blk, &new, new_for_identity, cx);
        }
    }

    fn advance(&self, _: &mut State, _: Timestamp, _: &mut Context<'_>) {}

    fn note(&self, st: &State) -> Option<String> {
        (st.learned_silently > 0).then(|| format!("new-source-signin: learned {} sources in silence (history shorter than min_history)", st.learned_silently))
    }
}

/// Only the first use of a (key, block) can be judged new (a key used again from a block it
/// was used from is not); sign-ins are few and all judged.
impl WorkAhead for NewSourceSignin {
    type Summary = ();

    fn plan(&self, e: &Event, _: &mut ()) -> Needs {
        let Some(ip) = parse_source_ip(&e.source_ip) else {
            return Needs::InOrder;
        };
        if Self::is_key_use(e) {
            let mut key = block(ip, self.v4_prefix, self.v6_prefix);
            key.push('\0');
            key.push_str(&e.key_id);
            Needs::FirstOf(key)
        } else {
            Needs::InOrder
        }
    }

    fn merge(&self, _: &mut (), _: ()) {}

    fn accept(&self, _: &mut State, _: ()) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::rules::history::new_source_within;

    #[test]
    fn identities_for_baselines() {
        assert_eq!(
            baseline_identity("arn:aws:sts::123456789012:assumed-role/Admin/mallory"),
            "arn:aws:iam::123456789012:role/Admin"
        );
        assert_eq!(
            baseline_identity("arn:aws-cn:sts::123456789012:assumed-role/R/s/x"),
            "arn:aws-cn:iam::123456789012:role/R"
        );
        assert_eq!(
            baseline_identity("arn:aws:iam::123456789012:user/Alice"),
            "arn:aws:iam::123456789012:user/Alice"
        );
        assert_eq!(
            baseline_identity(" Alice@Contoso.COM "),
            "alice@contoso.com"
        );
        assert_eq!(
            baseline_identity("arn:aws:sts::123456789012:federated-user/bob"),
            "arn:aws:sts::123456789012:federated-user/bob"
        );
    }

    fn at(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    fn signin(time: &str, ip: &str) -> Event {
        let mut e = Event::new(
            Provider::Azure,
            LogFormat::EntraSignin,
            at(time),
            crate::event::Origin::default(),
        );
        e.identity = "alice@contoso.com".into();
        e.account = "tenant-1".into();
        e.source_ip = ip.into();
        e.outcome = Outcome::Success;
        e
    }

    #[test]
    fn learning_is_silent_and_counted() {
        let cfg = Config::default();
        let reg = crate::rules::registry::registration("new-source-signin").unwrap();
        let mut rule = (reg.build)(&Setup { config: &cfg }).unwrap();
        let mut store = Store::open(":memory:").unwrap();
        let mut out = Vec::new();
        let mut observe = |e: &Event, out: &mut Vec<crate::event::Alert>| {
            rule.history(e, &mut store);
            rule.observe(e, &mut Context::new(&mut store, out));
        };
        for (time, ip) in [
            ("2024-05-01T09:00:00Z", "198.51.100.7"),
            ("2024-05-02T09:00:00Z", "198.51.100.8"),
            ("2024-05-03T09:00:00Z", "203.0.113.9"),
            ("2024-05-04T09:00:00Z", "192.0.2.1"),
            ("2024-05-09T09:00:00Z", "192.0.2.2"),
        ] {
            observe(&signin(time, ip), &mut out);
        }
        assert!(out.is_empty());
        observe(&signin("2024-05-09T10:00:00Z", "2001:db8::1"), &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(
            rule.note().as_deref(),
            Some("new-source-signin: learned 3 sources in silence (history shorter than min_history)"),
            "three new blocks while history was short; a known one"
        );
        assert!(!rule.wants(&signin("2024-05-09T10:00:00Z", "AWS Internal")));
    }

    #[test]
    fn new_source_within_is_exact_even_with_two_sightings_hours_apart() {
        let mut store = Store::open(":memory:").unwrap();
        record_new_source(&mut store, "alice", at("2024-05-06T01:00:00Z"));
        record_new_source(&mut store, "alice", at("2024-05-06T23:00:00Z"));
        let hour = Duration::minutes(60);
        // The day's span straddles noon, but nothing happened near it.
        assert!(!new_source_within(
            &store,
            "alice",
            at("2024-05-06T12:00:00Z"),
            hour
        ));
        assert!(new_source_within(
            &store,
            "alice",
            at("2024-05-06T01:59:59Z"),
            hour
        ));
        assert!(
            !new_source_within(&store, "alice", at("2024-05-06T02:00:00Z"), hour),
            "exactly 60 minutes is not within"
        );
        assert!(
            new_source_within(&store, "alice", at("2024-05-06T01:00:00Z"), hour),
            "the same instant is within"
        );
        assert!(
            !new_source_within(&store, "alice", at("2024-05-06T00:59:59Z"), hour),
            "before the sign-in"
        );
        assert!(new_source_within(
            &store,
            "alice",
            at("2024-05-06T23:30:00Z"),
            hour
        ));
        assert!(!new_source_within(
            &store,
            "bob",
            at("2024-05-06T01:30:00Z"),
            hour
        ));
        store.commit().unwrap();
        assert!(!new_source_within(
            &store,
            "alice",
            at("2024-05-06T12:00:00Z"),
            hour
        ));
        assert!(
            new_source_within(
                &store,
                "alice",
                at("2024-05-07T00:30:00Z"),
                Duration::minutes(120)
            ),
            "across midnight"
        );
    }
}
