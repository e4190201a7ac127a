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

/// The first string value of `key` in a record (the first "arn" and "accountId" are
/// userIdentity's). Full parsing is covered by `every_line_is_a_cloudtrail_record`; string
/// look-ups keep the statistics tests fast in debug builds.
fn field<'a>(line: &'a str, key: &str) -> &'a str {
    let pat = format!("\"{key}\":\"");
    let at = line.find(&pat).unwrap_or_else(|| panic!("{key}: {line}")) + pat.len();
    &line[at..at + line[at..].find('"').unwrap()]
}

/// FNV-1a, to pin a corpus's bytes without storing them.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
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

/// The classic corpus is the benchmark table's: its bytes must not move when the generator is
/// reorganised or another profile is added. A deliberate change updates this pin and says so
/// in the README's benchmark section.
#[test]
fn classic_bytes_are_pinned() {
    let out = jsonl(&small());
    assert_eq!((out.len(), fnv1a(&out)), (PINNED_LEN, PINNED_FNV));
}

#[test]
fn realistic_profile_has_realistic_cardinality() {
    let spec = CorpusSpec::realistic(60_000);
    let out = String::from_utf8(jsonl(&spec)).unwrap();
    assert_eq!(out.lines().count(), 60_000);
    let discovery: BTreeSet<&str> = DISCOVERY.iter().map(|o| o.info().name).collect();
    let mut keys_of: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut blocks_of: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut bins: BTreeMap<(&str, &str), (u64, BTreeSet<&str>)> = BTreeMap::new();
    let (mut read_only, mut disc, mut denied, mut roles) = (0u64, 0u64, 0u64, 0u64);
    for line in out.lines() {
        let arn = field(line, "arn");
        keys_of.entry(arn).or_default().extend(
            line.contains("\"accessKeyId\"")
                .then(|| field(line, "accessKeyId")),
        );
        let ip = field(line, "sourceIPAddress");
        if ip.starts_with(|c: char| c.is_ascii_digit()) {
            let block = &ip[..ip.rfind('.').unwrap()];
            blocks_of.entry(arn).or_default().insert(block);
        }
        roles += u64::from(line.contains("\"type\":\"AssumedRole\""));
        read_only += u64::from(line.contains("\"readOnly\":true"));
        denied += u64::from(line.contains("\"errorCode\""));
        let name = field(line, "eventName");
        if discovery.contains(name) {
            disc += 1;
            let t = field(line, "eventTime");
            // Within one day: the hour and the quarter of it are the 15-minute bin.
            let e = bins.entry((arn, &t[..15])).or_default();
            e.0 += 1;
            e.1.insert(name);
        }
    }
    let n = spec.events as f64;
    assert!(keys_of.len() >= 2_950, "{} identities", keys_of.len());
    assert!(
        keys_of.values().all(|k| !k.is_empty()),
        "an identity without a key"
    );
    let keys: BTreeSet<&str> = keys_of.values().flatten().copied().collect();
    // Sessions of one to twelve hours: in under two hours a fifth of them have rotated.
    assert!(keys.len() > keys_of.len() * 11 / 10, "{} keys", keys.len());
    let mean_blocks =
        blocks_of.values().map(|b| b.len()).sum::<usize>() as f64 / blocks_of.len() as f64;
    // Two to four each, one per session: in under two hours most sessions have not ended.
    assert!(mean_blocks >= 1.15, "{mean_blocks} /24 blocks per identity");
    assert!(roles as f64 / n > 0.3, "{roles} assumed-role records");
    assert!(read_only as f64 / n >= 0.25, "read-only {read_only}");
    assert!(
        (0.25..0.45).contains(&(disc as f64 / n)),
        "discovery {disc}"
    );
    assert!(
        (0.01..0.04).contains(&(denied as f64 / n)),
        "denied {denied}"
    );
    // Everyday discovery stays under the seed thresholds: only enumerators reach them.
    let alerting: BTreeSet<&str> = bins
        .iter()
        .filter(|(_, (c, d))| *c >= 10 || d.len() >= 5)
        .map(|((a, _), _)| *a)
        .collect();
    assert!(alerting.len() <= spec.enumerators as usize, "{alerting:?}");
}

const PINNED_LEN: usize = 28_931_866;
const PINNED_FNV: u64 = 10_808_715_973_445_566_406;
