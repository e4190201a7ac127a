//! The corpus is valid CloudTrail, deterministic, and shaped as the benchmark needs.

use super::ops::DISCOVERY;
use super::*;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::io;
use std::rc::Rc;

fn small() -> CorpusSpec {
    CorpusSpec {
        events: 20_000,
        identities: 200,
        enumerators: 5,
        seed: 7,
        ..CorpusSpec::default()
    }
}

fn jsonl(spec: &CorpusSpec) -> Vec<u8> {
    let mut out = Vec::new();
    let n = write_cloudtrail_jsonl(spec, &mut out).unwrap();
    assert_eq!(n as usize, out.len());
    out
}

fn parse(line: &str) -> serde_json::Value {
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))
}

#[test]
fn same_spec_same_bytes() {
    let a = jsonl(&small());
    let b = jsonl(&small());
    assert!(a == b);
    let c = jsonl(&CorpusSpec { seed: 8, ..small() });
    assert!(a != c);
}

#[test]
fn every_line_is_a_cloudtrail_record() {
    let spec = small();
    let out = String::from_utf8(jsonl(&spec)).unwrap();
    let mut count = 0u64;
    let mut ids = HashSet::new();
    let mut last_time = String::new();
    let mut sizes = Vec::new();
    for line in out.lines() {
        let v = parse(line);
        count += 1;
        sizes.push(line.len());
        assert!(
            v["eventName"].as_str().is_some_and(|s| !s.is_empty()),
            "{line}"
        );
        let t = v["eventTime"].as_str().unwrap().to_string();
        assert!(t.starts_with("2024-05-06T") && t.ends_with('Z'), "{t}");
        // Same format length except for the optional milliseconds; compare as instants.
        let key = |s: &str| {
            let (base, ms) = s
                .trim_end_matches('Z')
                .split_once('.')
                .unwrap_or((s.trim_end_matches('Z'), "0"));
            (base.to_string(), ms.parse::<u32>().unwrap())
        };
        if !last_time.is_empty() {
            assert!(key(&last_time) <= key(&t), "{last_time} then {t}");
        }
        last_time = t;
        assert_eq!(v["eventVersion"], "1.08");
        assert!(
            ids.insert(v["eventID"].as_str().unwrap().to_string()),
            "duplicate eventID"
        );
        assert_eq!(v["eventID"].as_str().unwrap().len(), 36);
        let ui = &v["userIdentity"];
        assert!(ui["arn"]
            .as_str()
            .is_some_and(|s| s.starts_with("arn:aws:")));
        assert_eq!(ui["accountId"], v["recipientAccountId"]);
        match ui["type"].as_str().unwrap() {
            "IAMUser" => assert!(ui["userName"].is_string()),
            "AssumedRole" => assert_eq!(ui["sessionContext"]["sessionIssuer"]["type"], "Role"),
            other => panic!("type {other}"),
        }
        assert!(v["eventSource"]
            .as_str()
            .unwrap()
            .ends_with(".amazonaws.com"));
        assert!(v["awsRegion"].is_string() && v["sourceIPAddress"].is_string());
        assert!(v["userAgent"].is_string() && v["requestID"].is_string());
        assert!(v["readOnly"].is_boolean() && v["managementEvent"].is_boolean());
        assert!(v.get("requestParameters").is_some() && v.get("responseElements").is_some());
        assert!(matches!(
            v["eventType"].as_str(),
            Some("AwsApiCall" | "AwsConsoleSignIn")
        ));
        assert!(matches!(
            v["eventCategory"].as_str(),
            Some("Management" | "Data")
        ));
    }
    assert_eq!(count, spec.events);
    let mean = sizes.iter().sum::<usize>() / sizes.len();
    assert!((1250..=1450).contains(&mean), "mean record size {mean}");
    let min = *sizes.iter().min().unwrap();
    let max = *sizes.iter().max().unwrap();
    assert!(min >= 800 && max <= 2600, "record sizes {min}..{max}");
    let near = sizes
        .iter()
        .filter(|&&s| (1000..=1800).contains(&s))
        .count();
    assert!(
        near * 100 >= sizes.len() * 85,
        "{near} of {} near target",
        sizes.len()
    );
}

#[test]
fn identities_accounts_regions_and_discovery_share() {
    let spec = CorpusSpec {
        events: 100_000,
        ..CorpusSpec::default()
    };
    let out = String::from_utf8(jsonl(&spec)).unwrap();
    let discovery: BTreeSet<&str> = DISCOVERY.iter().map(|o| o.info().name).collect();
    let mut arns = BTreeSet::new();
    let mut accounts = BTreeSet::new();
    let mut regions = BTreeSet::new();
    let mut disc = 0u64;
    let mut writes = 0u64;
    // (arn, account, 15-minute bin) -> (count, distinct names)
    let mut bins: BTreeMap<(String, String, i64), (u64, BTreeSet<String>)> = BTreeMap::new();
    let t0 = spec.start_epoch_secs;
    // Full parsing is covered above; string look-ups keep this test fast in debug builds.
    // The first "arn" and "accountId" are userIdentity's.
    fn field<'a>(line: &'a str, key: &str) -> &'a str {
        let pat = format!("\"{key}\":\"");
        let at = line.find(&pat).unwrap_or_else(|| panic!("{key}: {line}")) + pat.len();
        &line[at..at + line[at..].find('"').unwrap()]
    }
    for line in out.lines() {
        let arn = field(line, "arn").to_string();
        arns.insert(arn.clone());
        accounts.insert(field(line, "recipientAccountId").to_string());
        regions.insert(field(line, "awsRegion").to_string());
        if line.contains("\"readOnly\":false") {
            writes += 1;
        }
        let name = field(line, "eventName");
        if discovery.contains(name) {
            disc += 1;
            let t = field(line, "eventTime");
            let h: i64 = t[11..13].parse().unwrap();
            let m: i64 = t[14..16].parse().unwrap();
            let day: i64 = t[8..10].parse().unwrap();
            let secs = (day - 6) * 86_400 + h * 3600 + m * 60;
            let acct = field(line, "accountId").to_string();
            let e = bins.entry((arn, acct, (t0 + secs) / 900)).or_default();
            e.0 += 1;
            e.1.insert(name.to_string());
        }
    }
    assert!(
        arns.len() > 900 && arns.len() <= 1000,
        "{} identities",
        arns.len()
    );
    assert_eq!(accounts.len(), 3);
    assert_eq!(regions.len(), 6);
    assert!(writes * 10 > spec.events, "too few write calls: {writes}");
    let share = disc as f64 / spec.events as f64;
    assert!((0.01..=0.03).contains(&share), "discovery share {share}");
    let alerting: BTreeSet<&String> = bins
        .iter()
        .filter(|(_, (n, d))| *n >= 10 || d.len() >= 5)
        .map(|((a, _, _), _)| a)
        .collect();
    // Only enumerators reach the seed thresholds (a short burst split by a bin edge may not).
    assert!(
        alerting.len() * 2 >= spec.enumerators as usize
            && alerting.len() <= spec.enumerators as usize,
        "{alerting:?}"
    );
}

#[test]
fn delivery_files_are_records_objects() {
    let spec = CorpusSpec {
        events: 2_500,
        identities: 50,
        enumerators: 2,
        seed: 3,
        ..CorpusSpec::default()
    };
    type Files = Vec<(String, Rc<RefCell<Vec<u8>>>)>;
    let files: Rc<RefCell<Files>> = Rc::default();
    struct Sink(Rc<RefCell<Vec<u8>>>);
    impl io::Write for Sink {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let f2 = files.clone();
    let mut new_file = move |name: &str| -> io::Result<Box<dyn io::Write>> {
        let data = Rc::new(RefCell::new(Vec::new()));
        f2.borrow_mut().push((name.to_string(), data.clone()));
        Ok(Box::new(Sink(data)))
    };
    let total = write_cloudtrail_delivery(&spec, 1000, &mut new_file).unwrap();
    let files = files.borrow();
    assert_eq!(files.len(), 3);
    let mut names = BTreeSet::new();
    let mut bytes = 0;
    let mut lines = Vec::new();
    for (name, data) in files.iter() {
        assert!(
            name.ends_with(".json") && name.contains("_CloudTrail_") && !name.contains('/'),
            "{name}"
        );
        assert!(names.insert(name.clone()));
        let data = data.borrow();
        bytes += data.len();
        let v: serde_json::Value = serde_json::from_slice(&data).unwrap();
        let recs = v["Records"].as_array().unwrap();
        assert!(recs.len() <= 1000);
        for r in recs {
            assert!(r["eventName"].is_string() && r["eventTime"].is_string());
            lines.push(r.clone());
        }
    }
    assert_eq!(bytes as u64, total);
    assert_eq!(lines.len(), 2_500);
    // The same records as the JSON-lines form.
    let jl = String::from_utf8(jsonl(&spec)).unwrap();
    for (a, b) in jl.lines().zip(&lines) {
        assert_eq!(&parse(a), b);
    }
}

#[test]
fn edge_specs() {
    assert!(jsonl(&CorpusSpec {
        events: 0,
        ..small()
    })
    .is_empty());
    let one = jsonl(&CorpusSpec {
        events: 1,
        identities: 1,
        enumerators: 5,
        ..small()
    });
    assert_eq!(one.iter().filter(|&&b| b == b'\n').count(), 1);
    let out = jsonl(&CorpusSpec {
        events: 500,
        identities: 3,
        enumerators: 0,
        ..small()
    });
    assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 500);
}
