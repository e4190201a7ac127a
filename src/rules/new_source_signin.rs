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

use super::catalogue::{Params, RuleSpec};
use super::history::{
    baseline_identity, environment, lock, record_new_source, SharedStore, BEGINNING,
};
use super::rule::{Interest, Needs, Rule, Summary};
use crate::collections::{HashMap, HashSet};
use crate::config::Config;
use crate::enrich::{block, parse_source_ip};
use crate::event::{
    alert_id, Alert, Duration, Event, Fields, LogFormat, Outcome, Provider, Severity, Timestamp,
};
use crate::state::PendingHistory;
use crate::state::Store;
use std::sync::Arc;

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

pub struct NewSourceSignin {
    spec: RuleSpec,
    severity: Severity,
    min_history: Duration,
    v4_prefix: u8,
    v6_prefix: u8,
    store: SharedStore,
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
    covered: HashSet<(&'static str, String)>,
}

/// What was new about a source, for the alert.
struct Novelty {
    country: bool,
    asn: bool,
    block: bool,
}

impl NewSourceSignin {
    pub fn new(spec: RuleSpec, p: &Params, _cfg: &Config, store: SharedStore) -> Self {
        NewSourceSignin {
            severity: spec.default_severity().unwrap_or(Severity::Medium),
            spec,
            min_history: p.duration("min_history"),
            v4_prefix: p.int("ipv4_prefix").clamp(0, 32) as u8,
            v6_prefix: p.int("ipv6_prefix").clamp(0, 128) as u8,
            store,
            learned_silently: 0,
            alerted: HashSet::default(),
            day: i64::MIN,
            key_blocks: HashMap::default(),
            sources: HashMap::default(),
            covered: HashSet::default(),
        }
    }

    /// New sources met while an environment's history was still shorter than `min_history`:
    /// learned without an alert (the scan summary should say so).
    pub fn learned_silently(&self) -> u64 {
        self.learned_silently
    }

    fn is_key_use(e: &Event) -> bool {
        e.provider() == Provider::Aws
            && e.log() == LogFormat::CloudTrail
            && e.action != "ConsoleLogin"
    }

    fn covered(&mut self, store: &Store, kind: &'static str, env: &str, t: Timestamp) -> bool {
        if self.covered.contains(&(kind, env.to_string())) {
            return true;
        }
        let ok = store
            .first_seen(kind, env)
            .is_some_and(|f| f <= t.sub(self.min_history));
        if ok {
            self.covered.insert((kind, env.to_string()));
        }
        ok
    }

    fn roll_day(&mut self, t: Timestamp) {
        let day = t.day();
        if day != self.day {
            self.day = day;
            self.key_blocks.clear();
            self.sources.clear();
            self.alerted.retain(|(_, _, d)| *d >= day);
        }
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
        out: &mut Vec<Alert>,
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
        f.push(
            "Country",
            if country.is_empty() {
                "unknown"
            } else {
                country
            },
        );
        f.push(
            "ASN",
            e.asn
                .map_or(serde_json::Value::from("unknown"), serde_json::Value::from),
        );
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
        out.push(Alert {
            schema: crate::event::alert::ALERT_SCHEMA,
            // One alert per (identity, block) per day: the block tells two apart.
            id: alert_id(&self.spec.id, &g, day, day.add(DAY), blk),
            rule: self.spec.id.clone(),
            title: self.spec.title.clone(),
            attack: self.spec.attack.clone(),
            severity,
            risk_score: severity.risk_score(),
            provider: e.provider(),
            group: g,
            window_start: e.time,
            window_end: e.time,
            first_seen: e.time,
            last_seen: e.time,
            count: 1,
            fields: f,
            evidence: vec![e.origin.to_string()],
            suppressed: false,
            reason: None,
            notes: Vec::new(),
        });
    }
}

impl Rule for NewSourceSignin {
    fn id(&self) -> &str {
        &self.spec.id
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

    fn observe(&mut self, e: &Event, out: &mut Vec<Alert>) {
        let Some(ip) = parse_source_ip(&e.source_ip) else {
            return;
        };
        let t = e.time;
        self.roll_day(t);
        let blk = block(ip, self.v4_prefix, self.v6_prefix);
        let env = environment(e);
        let identity = baseline_identity(&e.identity);
        let country = e.country.trim().to_string();
        let asn = e.asn.map(|a| a.to_string());
        let store_handle = Arc::clone(&self.store);
        let mut store = lock(&store_handle);

        // A key already used from this block before is not a new authentication source.
        let mut judge = true;
        if Self::is_key_use(e) {
            let pair = (e.key_id.clone(), blk.clone());
            judge = match self.key_blocks.get(&pair) {
                Some(first) => *first >= t,
                None => !store.seen_between(KEY_BLOCK, &e.key_id, &blk, BEGINNING, t),
            };
            self.key_blocks
                .entry(pair)
                .or_insert(if judge { t } else { BEGINNING });
            store.record(KEY_BLOCK, &e.key_id, &blk, t);
        }
        // The same (environment, block, country, asn) earlier today was recorded then.
        let source = (env.clone(), blk.clone(), country.clone(), e.asn);
        if judge {
            judge = self.sources.get(&source).is_none_or(|first| *first >= t);
        }
        self.sources.entry(source).or_insert(t);

        if judge {
            let unseen =
                |kind: &str, value: &str| !store.seen_between(kind, &env, value, BEGINNING, t);
            let block_new = unseen(ENV_BLOCK, &blk);
            let country_new = !country.is_empty() && unseen(ENV_COUNTRY, &country);
            let asn_new = asn.as_deref().is_some_and(|a| unseen(ENV_ASN, a));
            if !self.covered(&store, ENV_BLOCK, &env, t) {
                if block_new || country_new || asn_new {
                    self.learned_silently += 1;
                }
            } else {
                let new = Novelty {
                    country: country_new && self.covered(&store, ENV_COUNTRY, &env, t),
                    asn: asn_new && self.covered(&store, ENV_ASN, &env, t),
                    block: block_new,
                };
                if (new.country || new.asn || new.block)
                    && self
                        .alerted
                        .insert((identity.clone(), blk.clone(), t.day()))
                {
                    let new_for_identity =
                        !store.seen_between(ID_SOURCE, &identity, &blk, BEGINNING, t);
                    record_new_source(&mut store, &identity, t);
                    self.emit(e, &identity, &env, &blk, &new, new_for_identity, out);
                }
            }
        }
        store.record(ENV_BLOCK, &env, &blk, t);
        if !country.is_empty() {
            store.record(ENV_COUNTRY, &env, &country, t);
        }
        if let Some(a) = &asn {
            store.record(ENV_ASN, &env, a, t);
        }
        store.record(ID_SOURCE, &identity, &blk, t);
    }

    fn advance(&mut self, _watermark: Timestamp, _out: &mut Vec<Alert>) {}

    fn store(&self) -> Option<SharedStore> {
        Some(Arc::clone(&self.store))
    }

    /// Records the sources; only the first use of a (key, block) can be judged new (a key
    /// used again from a block it was used from is not), and sign-ins are few and all judged.
    fn ahead(&self, e: &Event, h: &mut PendingHistory, _: Option<&mut Summary>) -> Needs {
        let Some(ip) = parse_source_ip(&e.source_ip) else {
            return Needs::InOrder;
        };
        let (t, blk, env) = (
            e.time,
            block(ip, self.v4_prefix, self.v6_prefix),
            environment(e),
        );
        h.record_at(ENV_BLOCK, &env, &blk, t);
        let country = e.country.trim();
        if !country.is_empty() {
            h.record_at(ENV_COUNTRY, &env, country, t);
        }
        if let Some(a) = e.asn {
            h.record_at(ENV_ASN, &env, &a.to_string(), t);
        }
        h.record_at(ID_SOURCE, &baseline_identity(&e.identity), &blk, t);
        if Self::is_key_use(e) {
            h.record_at(KEY_BLOCK, &e.key_id, &blk, t);
            let mut key = blk;
            key.push('\0');
            key.push_str(&e.key_id);
            Needs::FirstOf(key)
        } else {
            Needs::InOrder
        }
    }

    fn summary_note(&self) -> Option<String> {
        (self.learned_silently > 0).then(|| format!("new-source-signin: learned {} sources in silence (history shorter than min_history)", self.learned_silently))
    }

    fn finish(&mut self, _out: &mut Vec<Alert>) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::history::new_source_within;
    use std::sync::Mutex;

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
        let spec = crate::rules::catalogue::spec("new-source-signin").unwrap();
        let p = Params::new(&spec, None);
        let store: SharedStore = Arc::new(Mutex::new(Store::open(":memory:").unwrap()));
        let mut rule = NewSourceSignin::new(spec, &p, &Config::default(), store);
        let mut out = Vec::new();
        for (time, ip) in [
            ("2024-05-01T09:00:00Z", "198.51.100.7"),
            ("2024-05-02T09:00:00Z", "198.51.100.8"),
            ("2024-05-03T09:00:00Z", "203.0.113.9"),
            ("2024-05-04T09:00:00Z", "192.0.2.1"),
            ("2024-05-09T09:00:00Z", "192.0.2.2"),
        ] {
            let e = signin(time, ip);
            assert!(rule.wants(&e));
            rule.observe(&e, &mut out);
        }
        assert!(out.is_empty());
        assert_eq!(
            rule.learned_silently(),
            3,
            "three new blocks while history was short; a known one"
        );
        rule.observe(&signin("2024-05-09T10:00:00Z", "2001:db8::1"), &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(rule.learned_silently(), 3);
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
