//! Incidents on alerts shaped as the rules make them (group keys, fields, signals).

use super::*;
use crate::event::alert::{alert_id, ALERT_SCHEMA};
use crate::event::{Duration, Fields, Provider};
use proptest::prelude::*;

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";
const BOB: &str = "arn:aws:iam::111122223333:user/bob";
const NAT: &str = "198.51.100.7";

fn t(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

/// An alert of `rule` keyed by `group`, over [first, last], with the alert's real id.
fn alert(rule: &str, group: &[(&str, &str)], first: Timestamp, last: Timestamp) -> Alert {
    let mut g = Fields::default();
    for (k, v) in group {
        g.push(k, *v);
    }
    let severity = crate::rules::catalogue::spec(rule)
        .and_then(|s| s.default_severity())
        .unwrap_or(Severity::Medium);
    Alert {
        schema: ALERT_SCHEMA,
        id: alert_id(rule, &g, first, last, ""),
        rule: rule.into(),
        title: rule.into(),
        attack: vec![],
        severity,
        risk_score: severity.risk_score(),
        provider: Provider::Aws,
        group: g,
        window_start: first,
        window_end: last,
        first_seen: first,
        last_seen: last,
        count: 1,
        fields: Fields::default(),
        evidence: vec![],
        suppressed: false,
        reason: None,
        notes: vec![],
        incident: None,
        signals: Default::default(),
        activity: None,
        next_steps: Vec::new(),
    }
}

fn by_identity(rule: &str, identity: &str, ip: &str, first: &str, last: &str) -> Alert {
    let mut a = alert(
        rule,
        &[("identity", identity), ("account", "111122223333")],
        t(first),
        t(last),
    );
    a.signals.add("aws-cli/2.15.0", ip, "");
    a
}

fn spray(ip: &str, first: &str, last: &str) -> Alert {
    let mut a = alert("password-spray", &[("source_ip", ip)], t(first), t(last));
    a.signals.add("", ip, "");
    a
}

fn run(alerts: &mut [Alert]) -> Vec<Incident> {
    let f = facts(alerts, &[]);
    let uses = address::uses_from_alerts(alerts, &f);
    assign(alerts, &f, uses, None)
}

fn incident_of<'a>(alerts: &'a [Alert], rule: &str) -> &'a str {
    alerts
        .iter()
        .find(|a| a.rule == rule)
        .and_then(|a| a.incident.as_deref())
        .unwrap()
}

#[test]
fn every_alert_carries_its_incident_and_one_actor_is_one_incident() {
    let mut alerts = vec![
        by_identity(
            "new-source-signin",
            ALICE,
            NAT,
            "2024-05-06T10:00:00Z",
            "2024-05-06T10:00:00Z",
        ),
        by_identity(
            "post-auth-enumeration",
            ALICE,
            NAT,
            "2024-05-06T10:05:00Z",
            "2024-05-06T10:06:00Z",
        ),
        by_identity(
            "cloud-discovery-sliding",
            BOB,
            "203.0.113.50",
            "2024-05-06T10:05:00Z",
            "2024-05-06T10:20:00Z",
        ),
    ];
    let inc = run(&mut alerts);
    assert_eq!(inc.len(), 2);
    assert!(alerts.iter().all(|a| a.incident.is_some()));
    assert_eq!(
        incident_of(&alerts, "new-source-signin"),
        incident_of(&alerts, "post-auth-enumeration")
    );
    assert_ne!(
        incident_of(&alerts, "new-source-signin"),
        incident_of(&alerts, "cloud-discovery-sliding")
    );
    let alice = inc.iter().find(|i| i.actor == ALICE).unwrap();
    assert_eq!(alice.alerts.len(), 2);
    assert_eq!(alice.stages, vec![Stage::InitialAccess, Stage::Discovery]);
    // The id comes from the member with the smallest (first_seen, id).
    assert_eq!(alice.id, incident_id(&alerts[0].id));
}

#[test]
fn two_actors_behind_one_nat_address_never_merge() {
    // Alice and Bob both work from the office NAT address at the same time; a spray comes
    // from it too. The spray joins one of them (the earliest user), never both.
    let mut alerts = vec![
        by_identity(
            "post-auth-enumeration",
            ALICE,
            NAT,
            "2024-05-06T10:00:00Z",
            "2024-05-06T10:01:00Z",
        ),
        by_identity(
            "cloud-discovery-sliding",
            BOB,
            NAT,
            "2024-05-06T10:02:00Z",
            "2024-05-06T10:10:00Z",
        ),
        spray(NAT, "2024-05-06T10:03:00Z", "2024-05-06T10:08:00Z"),
    ];
    let inc = run(&mut alerts);
    assert_eq!(inc.len(), 2, "{inc:#?}");
    assert_ne!(
        incident_of(&alerts, "post-auth-enumeration"),
        incident_of(&alerts, "cloud-discovery-sliding")
    );
    assert_eq!(
        incident_of(&alerts, "password-spray"),
        incident_of(&alerts, "post-auth-enumeration"),
        "the earliest user of the address"
    );
}

#[test]
fn an_identity_less_spray_links_to_the_actor_that_signed_in_from_its_address() {
    // A spray from 203.0.113.66 at 09:10–09:20, then Alice signs in from it at 10:15 (55
    // minutes after the spray's last failure) and enumerates; Bob works from elsewhere.
    let attacker = "203.0.113.66";
    let mut alerts = vec![
        spray(attacker, "2024-05-06T09:10:00Z", "2024-05-06T09:20:00Z"),
        by_identity(
            "new-source-signin",
            ALICE,
            attacker,
            "2024-05-06T10:15:00Z",
            "2024-05-06T10:15:00Z",
        ),
        by_identity(
            "post-auth-enumeration",
            ALICE,
            attacker,
            "2024-05-06T10:16:00Z",
            "2024-05-06T10:17:00Z",
        ),
        by_identity(
            "new-source-signin",
            BOB,
            "198.51.100.200",
            "2024-05-06T09:15:00Z",
            "2024-05-06T09:15:00Z",
        ),
    ];
    let inc = run(&mut alerts);
    let alice = inc.iter().find(|i| i.actor == ALICE).unwrap();
    assert_eq!(alice.alerts.len(), 3, "{alice:#?}");
    assert_eq!(alice.rules[0], "password-spray");
    assert!(alice.story.starts_with("2024-05-06T09:10:00Z password-spray from 203.0.113.66 → +1h05m new-source-signin from 203.0.113.66"), "{}", alice.story);
    assert_eq!(alice.stages[0], Stage::CredentialAccess);

    // One minute later the sign-in is outside the ±60 minutes: the spray stands alone,
    // its actor the address.
    let mut late = alerts.clone();
    for a in late
        .iter_mut()
        .filter(|a| a.group.get("identity").is_some_and(|v| v == ALICE))
    {
        a.first_seen = a.first_seen.add(Duration::minutes(6));
        a.last_seen = a.last_seen.add(Duration::minutes(6));
    }
    let inc = run(&mut late);
    let spray_inc = inc.iter().find(|i| i.rules == ["password-spray"]).unwrap();
    assert_eq!(
        (spray_inc.actor.as_str(), spray_inc.actor_type),
        (attacker, ActorType::SourceIp)
    );
}

#[test]
fn an_address_outside_the_public_internet_or_inside_internal_cidrs_links_nobody() {
    let office = "10.20.0.5";
    let mut alerts = vec![
        spray(office, "2024-05-06T09:10:00Z", "2024-05-06T09:20:00Z"),
        by_identity(
            "new-source-signin",
            ALICE,
            office,
            "2024-05-06T09:30:00Z",
            "2024-05-06T09:30:00Z",
        ),
    ];
    assert_eq!(run(&mut alerts).len(), 2);
    let mut alerts = vec![
        spray(NAT, "2024-05-06T09:10:00Z", "2024-05-06T09:20:00Z"),
        by_identity(
            "new-source-signin",
            ALICE,
            NAT,
            "2024-05-06T09:30:00Z",
            "2024-05-06T09:30:00Z",
        ),
    ];
    let internal = [Cidr::parse("198.51.100.0/24").unwrap()];
    let f = facts(&alerts, &internal);
    let uses = address::uses_from_alerts(&alerts, &f);
    assert_eq!(assign(&mut alerts, &f, uses, None).len(), 2);
}

#[test]
fn chaining_edge_59_60_61_minutes_after_the_latest_last_seen() {
    for (gap, incidents) in [(59, 1), (60, 2), (61, 2)] {
        let first = by_identity(
            "cloud-discovery-sliding",
            ALICE,
            NAT,
            "2024-05-06T10:00:00Z",
            "2024-05-06T10:30:00Z",
        );
        let mut second = by_identity(
            "post-auth-enumeration",
            ALICE,
            NAT,
            "2024-05-06T10:00:00Z",
            "2024-05-06T10:00:00Z",
        );
        second.first_seen = t("2024-05-06T10:30:00Z").add(Duration::minutes(gap));
        second.last_seen = second.first_seen.add(Duration::minutes(1));
        let mut alerts = vec![first, second];
        assert_eq!(run(&mut alerts).len(), incidents, "gap {gap} minutes");
    }
}

#[test]
fn alerts_sharing_an_access_key_are_linked_across_actors() {
    // Alice creates a key for backdoor-user; ten minutes later the key is used from a new
    // source by backdoor-user: one incident, Alice first, the key's user another actor.
    let mut created = alert(
        "access-key-created",
        &[("identity", "backdoor-user")],
        t("2024-05-06T10:00:00Z"),
        t("2024-05-06T10:00:00Z"),
    );
    created.fields.push("actor", ALICE);
    created.fields.push("key_id", "AKIAEXAMPLE000000001");
    let mut used = by_identity(
        "new-source-signin",
        "arn:aws:iam::111122223333:user/backdoor-user",
        "203.0.113.9",
        "2024-05-06T10:10:00Z",
        "2024-05-06T10:10:00Z",
    );
    used.signals.add("", "", "AKIAEXAMPLE000000001");
    let mut alerts = vec![used, created];
    let inc = run(&mut alerts);
    assert_eq!(inc.len(), 1, "{inc:#?}");
    assert_eq!(inc[0].actor, ALICE);
    assert_eq!(
        inc[0].other_actors,
        vec!["arn:aws:iam::111122223333:user/backdoor-user".to_string()]
    );
    assert!(
        inc[0]
            .story
            .contains("access-key-created key AKIAEXAMPLE000000001"),
        "{}",
        inc[0].story
    );
}

fn points(inc: &Incident) -> Vec<(i32, &str)> {
    inc.reasons
        .iter()
        .map(|r| (r.points, r.reason.as_str()))
        .collect()
}

#[test]
fn scoring_reasons_and_points() {
    // Spray (high 75) → new-country sign-in (medium escalated to high, 75) → enumeration
    // (high 75) → key creation (medium 50), Kali user agent on the enumeration.
    let attacker = "203.0.113.66";
    let mut signin = by_identity(
        "new-source-signin",
        ALICE,
        attacker,
        "2024-05-06T09:30:00Z",
        "2024-05-06T09:30:00Z",
    );
    signin.severity = Severity::High;
    signin.risk_score = 75;
    signin.fields.push("SourceIP", attacker);
    signin
        .fields
        .push("NewForEnvironment", serde_json::json!(["country", "block"]));
    let mut enumeration = by_identity(
        "post-auth-enumeration",
        ALICE,
        attacker,
        "2024-05-06T09:31:00Z",
        "2024-05-06T09:32:00Z",
    );
    enumeration.signals.add(
        "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.6.9-amd64 distrib#kali.2024",
        attacker,
        "",
    );
    let mut created = alert(
        "access-key-created",
        &[("identity", "svc")],
        t("2024-05-06T09:40:00Z"),
        t("2024-05-06T09:40:00Z"),
    );
    created.fields.push("actor", ALICE);
    let mut alerts = vec![
        spray(attacker, "2024-05-06T09:10:00Z", "2024-05-06T09:20:00Z"),
        signin,
        enumeration,
        created,
    ];
    let inc = run(&mut alerts);
    assert_eq!(inc.len(), 1);
    assert_eq!(
        points(&inc[0]),
        vec![
            (75, "highest alert risk: password-spray (high)"),
            (10, "further stage: initial access"),
            (10, "further stage: discovery"),
            (10, "further stage: persistence"),
            (15, "sign-in from a new country (203.0.113.66)"),
            (15, "offensive tooling in a user agent: Kali Linux"),
        ]
    );
    assert_eq!(
        (inc[0].risk_score, inc[0].severity),
        (100, Severity::Critical),
        "clamped at 100"
    );
}

#[test]
fn suppressed_alerts_do_not_raise_and_all_benign_takes_20() {
    let mut burst = by_identity(
        "cloud-discovery-burst",
        ALICE,
        NAT,
        "2024-05-06T10:00:00Z",
        "2024-05-06T10:10:00Z",
    );
    burst.risk_score = 90;
    burst.severity = Severity::High;
    burst.suppressed = true;
    let mut sliding = by_identity(
        "cloud-discovery-sliding",
        ALICE,
        NAT,
        "2024-05-06T10:00:00Z",
        "2024-05-06T10:12:00Z",
    );
    sliding.risk_score = 50;
    sliding.severity = Severity::Low;
    sliding.notes = vec!["likely_benign: Terraform".into()];
    let mut alerts = vec![burst.clone(), sliding.clone()];
    let inc = run(&mut alerts);
    // Base from the one not suppressed (50), −20 because every alert is suppressed or
    // likely benign: 30, low.
    assert_eq!(
        points(&inc[0]),
        vec![
            (50, "highest alert risk: cloud-discovery-sliding (low)"),
            (-20, "every alert suppressed or likely benign")
        ]
    );
    assert_eq!((inc[0].risk_score, inc[0].severity), (30, Severity::Low));

    // All suppressed: the base is the highest of all of them.
    sliding.suppressed = true;
    let mut alerts = vec![burst.clone(), sliding.clone()];
    let inc = run(&mut alerts);
    assert_eq!((inc[0].risk_score, inc[0].suppressed), (70, true));

    // One alert without the note: no −20.
    sliding.suppressed = false;
    sliding.notes.clear();
    let mut alerts = vec![burst, sliding];
    assert_eq!(run(&mut alerts)[0].risk_score, 50);
}

#[test]
fn severity_bands_at_their_edges() {
    for (risk, sev) in [
        (100, Severity::Critical),
        (90, Severity::Critical),
        (89, Severity::High),
        (70, Severity::High),
        (69, Severity::Medium),
        (40, Severity::Medium),
        (39, Severity::Low),
        (0, Severity::Low),
    ] {
        assert_eq!(score::severity_of(risk), sev, "{risk}");
    }
}

/// A baseline that knows `known` since `since`, and reaches back to `reaches`.
struct MapBaseline {
    reaches: Option<Timestamp>,
    known: Vec<(&'static str, Timestamp)>,
}
impl IdentityBaseline for MapBaseline {
    fn first_sighting(&self, identity: &str) -> Option<Timestamp> {
        self.known
            .iter()
            .find(|(i, _)| *i == identity)
            .map(|(_, t)| *t)
    }
    fn reaches_back_to(&self) -> Option<Timestamp> {
        self.reaches
    }
}

#[test]
fn an_identity_new_to_an_existing_baseline_adds_10() {
    let one = || {
        vec![by_identity(
            "post-auth-enumeration",
            ALICE,
            NAT,
            "2024-05-06T10:00:00Z",
            "2024-05-06T10:01:00Z",
        )]
    };
    let score_with = |b: &MapBaseline| {
        let mut alerts = one();
        let f = facts(&alerts, &[]);
        assign(&mut alerts, &f, vec![], Some(b))[0].risk_score
    };
    let week_ago = Some(t("2024-04-29T00:00:00Z"));
    // Never seen, baseline a week old: +10.
    assert_eq!(
        score_with(&MapBaseline {
            reaches: week_ago,
            known: vec![]
        }),
        85
    );
    // First seen 59 minutes before the incident (its own sign-in): still new.
    assert_eq!(
        score_with(&MapBaseline {
            reaches: week_ago,
            known: vec![(ALICE, t("2024-05-06T09:01:00Z"))]
        }),
        85
    );
    // Seen 61 minutes before: known.
    assert_eq!(
        score_with(&MapBaseline {
            reaches: week_ago,
            known: vec![(ALICE, t("2024-05-06T08:59:00Z"))]
        }),
        75
    );
    // A baseline that starts with this scan cannot say: no points.
    assert_eq!(
        score_with(&MapBaseline {
            reaches: Some(t("2024-05-06T09:30:00Z")),
            known: vec![]
        }),
        75
    );
}

fn fixture() -> Vec<Alert> {
    let attacker = "203.0.113.66";
    let mut created = alert(
        "access-key-created",
        &[("identity", "svc")],
        t("2024-05-06T10:40:00Z"),
        t("2024-05-06T10:40:00Z"),
    );
    created.fields.push("actor", ALICE);
    created.fields.push("key_id", "AKIAEXAMPLE000000001");
    let mut key_use = by_identity(
        "new-source-signin",
        "arn:aws:iam::111122223333:user/svc",
        "192.0.2.1",
        "2024-05-06T11:00:00Z",
        "2024-05-06T11:00:00Z",
    );
    key_use.signals.add("", "", "AKIAEXAMPLE000000001");
    vec![
        spray(attacker, "2024-05-06T09:10:00Z", "2024-05-06T09:20:00Z"),
        // Same first event as the spray that joins Alice's incident: which of the two leads
        // (and so the incident id) is decided by alert id, never by input order.
        by_identity(
            "cloud-discovery-sliding",
            ALICE,
            NAT,
            "2024-05-06T09:10:00Z",
            "2024-05-06T09:25:00Z",
        ),
        spray(NAT, "2024-05-06T10:03:00Z", "2024-05-06T10:08:00Z"),
        spray("192.0.2.77", "2024-05-06T10:03:00Z", "2024-05-06T10:08:00Z"),
        by_identity(
            "new-source-signin",
            ALICE,
            attacker,
            "2024-05-06T10:15:00Z",
            "2024-05-06T10:15:00Z",
        ),
        by_identity(
            "post-auth-enumeration",
            ALICE,
            attacker,
            "2024-05-06T10:16:00Z",
            "2024-05-06T10:17:00Z",
        ),
        by_identity(
            "cloud-discovery-burst",
            ALICE,
            NAT,
            "2024-05-06T10:00:00Z",
            "2024-05-06T10:14:00Z",
        ),
        by_identity(
            "cloud-discovery-sliding",
            BOB,
            NAT,
            "2024-05-06T10:02:00Z",
            "2024-05-06T10:10:00Z",
        ),
        by_identity(
            "cloud-discovery-sliding",
            BOB,
            NAT,
            "2024-05-06T12:02:00Z",
            "2024-05-06T12:10:00Z",
        ),
        by_identity(
            "post-auth-enumeration",
            BOB,
            NAT,
            "2024-05-06T11:10:00Z",
            "2024-05-06T11:11:00Z",
        ),
        created,
        key_use,
    ]
}

/// Incident ids and membership as a comparable value: (incident, sorted member ids).
fn membership(alerts: &[Alert], incidents: &[Incident]) -> Vec<(String, Vec<String>)> {
    let mut m: Vec<(String, Vec<String>)> = incidents
        .iter()
        .map(|i| {
            let mut ids: Vec<String> = alerts
                .iter()
                .filter(|a| a.incident.as_deref() == Some(i.id.as_str()))
                .map(|a| a.id.clone())
                .collect();
            ids.sort();
            (i.id.clone(), ids)
        })
        .collect();
    m.sort();
    m
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn incident_ids_and_membership_do_not_depend_on_alert_order(seed in any::<u64>()) {
        let mut reference = fixture();
        let want_incidents = run(&mut reference);
        let want = membership(&reference, &want_incidents);
        // A Fisher-Yates shuffle driven by the seed (splitmix64).
        let mut shuffled = fixture();
        let mut s = seed;
        for i in (1..shuffled.len()).rev() {
            s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            let j = ((z ^ (z >> 31)) % (i as u64 + 1)) as usize;
            shuffled.swap(i, j);
        }
        let got_incidents = run(&mut shuffled);
        prop_assert_eq!(membership(&shuffled, &got_incidents), want);
        prop_assert_eq!(got_incidents, want_incidents);
    }
}

/// The store answers `reaches_back_to` with a scan of every stored scope: `assign` asks it
/// once however many incidents it builds (it was asked per incident).
#[test]
fn the_baselines_reach_is_asked_once_per_assign() {
    struct Counting(std::cell::Cell<u32>);
    impl IdentityBaseline for Counting {
        fn first_sighting(&self, _: &str) -> Option<Timestamp> {
            None
        }
        fn reaches_back_to(&self) -> Option<Timestamp> {
            self.0.set(self.0.get() + 1);
            Some(t("2024-04-01T00:00:00Z"))
        }
    }
    let mut alerts = vec![
        by_identity(
            "post-auth-enumeration",
            ALICE,
            NAT,
            "2024-05-06T10:00:00Z",
            "2024-05-06T10:01:00Z",
        ),
        by_identity(
            "post-auth-enumeration",
            BOB,
            NAT,
            "2024-05-06T12:00:00Z",
            "2024-05-06T12:01:00Z",
        ),
    ];
    let f = facts(&alerts, &[]);
    let counting = Counting(std::cell::Cell::new(0));
    let incidents = assign(&mut alerts, &f, vec![], Some(&counting));
    assert_eq!(incidents.len(), 2);
    assert!(
        incidents.iter().all(|i| i.risk_score == 85),
        "both new: 75 + 10"
    );
    assert_eq!(counting.0.get(), 1);
}
