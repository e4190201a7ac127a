//! Rule window state is plain data: a driver stopped at any event, checkpointed, and
//! restored into freshly built rules gives the alerts one uninterrupted pass gives (what a
//! `serve` worker restarted between two messages relies on).

use std::sync::{Arc, Mutex};
use tripline::config::Config;
use tripline::engine::driver::Driver;
use tripline::event::{Alert, Event, LogFormat, Origin, Outcome, Provider, Timestamp};
use tripline::rules::registry::build;
use tripline::state::Store;

fn event(i: i64, provider: Provider, log: LogFormat) -> Event {
    let origin = Origin::line(&Arc::from("checkpoint-test"), i as u64 + 1);
    Event::new(
        provider,
        log,
        Timestamp::from_secs(1_714_989_600 + i * 20),
        origin,
    )
}

/// Discovery bursts by two identities, a password spray, bucket probes, key creations and
/// external object reads, interleaved in time.
fn events() -> Vec<Event> {
    let apis = [
        "DescribeInstances",
        "ListBuckets",
        "DescribeVpcs",
        "ListRoles",
        "GetCallerIdentity",
        "DescribeSubnets",
    ];
    let mut out = Vec::new();
    for i in 0..240i64 {
        let mut e = match i % 4 {
            0 | 1 => {
                let mut e = event(i, Provider::Aws, LogFormat::CloudTrail);
                e.identity = format!("arn:aws:iam::123456789012:user/u{}", i % 2);
                e.account = "123456789012".into();
                e.action = apis[(i as usize / 4) % apis.len()].into();
                e.region = "eu-west-1".into();
                e.source_ip = "198.51.100.7".into();
                e.outcome = Outcome::Success;
                e.key_id = "AKIAEXAMPLE000000001".into();
                if i % 40 == 1 {
                    e.action = "CreateAccessKey".into();
                    e.target = "svc".into();
                    e.key_id = format!("AKIANEW{i:013}");
                }
                if i % 40 == 5 {
                    e.action = "GetObject".into();
                    e.service = "s3.amazonaws.com".into();
                    e.resource = "acme-data".into();
                    e.source_ip = "203.0.113.9".into();
                }
                e
            }
            2 => {
                let mut e = event(i, Provider::Azure, LogFormat::EntraSignin);
                e.identity = format!("user{}@contoso.com", i % 7);
                e.account = "tenant".into();
                e.source_ip = "192.0.2.50".into();
                e.outcome = Outcome::Failure;
                e.status = "50126".into();
                e
            }
            _ => {
                let mut e = event(i, Provider::Aws, LogFormat::S3Access);
                e.source_ip = "192.0.2.77".into();
                e.action = "REST.GET.BUCKET".into();
                e.resource = format!("acme-{}", i % 9);
                e.request = "GET / HTTP/1.1".into();
                e.http_status = Some(404);
                e.outcome = Outcome::Failure;
                e
            }
        };
        e.event_id = format!("id-{i}");
        out.push(e);
    }
    out
}

fn config() -> Config {
    let mut cfg = Config::default();
    cfg.organisation.bucket_prefixes = vec!["acme".into()];
    cfg
}

fn driver(store: &Arc<Mutex<Store>>) -> Driver {
    let rules = build(&[], &[], &config()).unwrap().rules;
    Driver::new(rules, Arc::clone(store), false)
}

fn ids(alerts: &[Alert]) -> Vec<String> {
    let mut v: Vec<String> = alerts
        .iter()
        .map(|a| serde_json::to_string(a).unwrap())
        .collect();
    v.sort();
    v
}

#[test]
fn a_restored_driver_goes_on_as_the_uninterrupted_one() {
    let events = events();
    let store = Arc::new(Mutex::new(Store::open(":memory:").unwrap()));
    let mut whole = driver(&store);
    for e in &events {
        whole.push(e);
    }
    let (reference, _) = whole.finish();
    let rules: std::collections::BTreeSet<&str> =
        reference.iter().map(|a| a.rule.as_str()).collect();
    for r in [
        "cloud-discovery-burst",
        "cloud-discovery-sliding",
        "password-spray",
        "bucket-enumeration",
        "access-key-created",
        "external-object-read",
    ] {
        assert!(
            rules.contains(r),
            "the events must make {r} alert: {rules:?}"
        );
    }

    for stop in [1, 37, 120, 200, 239] {
        let store = Arc::new(Mutex::new(Store::open(":memory:").unwrap()));
        let mut first = driver(&store);
        for e in &events[..stop] {
            first.push(e);
        }
        let mut alerts = first.take_alerts();
        let saved = first.checkpoint().unwrap();
        drop(first);
        let mut second = driver(&store);
        second.restore(&saved).unwrap();
        for e in &events[stop..] {
            second.push(e);
        }
        alerts.extend(second.finish().0);
        assert_eq!(ids(&alerts), ids(&reference), "stopped after {stop} events");
    }
}

#[test]
fn a_checkpoint_missing_a_rule_is_refused() {
    let store = Arc::new(Mutex::new(Store::open(":memory:").unwrap()));
    let mut d = driver(&store);
    let mut c = d.checkpoint().unwrap();
    c.rules.retain(|(id, _)| id != "password-spray");
    let err = d.restore(&c).unwrap_err();
    assert_eq!(err.rule, "password-spray");
}
