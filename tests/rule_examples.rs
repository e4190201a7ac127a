//! Issue 9, point 2: every rule carries its own true-positive and true-negative examples in
//! its catalogue entry, and the test suite runs the same examples `tripline rules test` runs
//! (`engine::rule_examples`, through the real engine). One test per rule, so a failure names
//! the rule; then the examples are shown to pin each threshold from both sides: raising a
//! threshold makes an at-threshold true positive fail, lowering it makes a just-below true
//! negative fail.

use tripline::config::Config;
use tripline::engine::rule_examples::{run_rule, RuleResult};
use tripline::rules::catalogue::{catalogue, spec};
use tripline::rules::examples::Expect;

fn report(r: &RuleResult) -> String {
    let mut out = r.malformed.join("\n");
    for ex in r.examples.iter().filter(|e| !e.passed()) {
        out.push_str(&format!(
            "\nexample `{}`:\n  {}",
            ex.name,
            ex.problems.join("\n  ")
        ));
    }
    out
}

fn examples_pass(id: &str) {
    let s = spec(id).unwrap_or_else(|| panic!("no catalogue entry {id}"));
    let r = run_rule(&s, &Config::default());
    assert!(r.passed(), "{id}:\n{}", report(&r));
    assert!(
        r.examples.iter().any(|e| e.expect == Expect::Alert)
            && r.examples.iter().any(|e| e.expect == Expect::None),
        "{id} needs at least one true positive and one true negative"
    );
}

macro_rules! rule_tests {
    ($($name:ident => $id:literal),* $(,)?) => {
        $(#[test] fn $name() { examples_pass($id); })*
        const TESTED: &[&str] = &[$($id),*];
    };
}

rule_tests! {
    cloud_discovery_burst => "cloud-discovery-burst",
    cloud_discovery_sliding => "cloud-discovery-sliding",
    password_spray => "password-spray",
    bucket_enumeration => "bucket-enumeration",
    tenant_enumeration => "tenant-enumeration",
    new_source_signin => "new-source-signin",
    post_auth_enumeration => "post-auth-enumeration",
    access_key_created => "access-key-created",
    legacy_auth_signin => "legacy-auth-signin",
    anonymizer_signin => "anonymizer-signin",
    unused_region_activity => "unused-region-activity",
    first_seen_api => "first-seen-api",
    external_object_read => "external-object-read",
}

#[test]
fn every_catalogue_rule_has_a_test_and_both_kinds_of_example() {
    let all = catalogue();
    let ids: Vec<&str> = all.iter().map(|r| r.id.as_str()).collect();
    let mut tested = TESTED.to_vec();
    tested.sort_unstable();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(tested, sorted, "one test per catalogue rule");
    for r in &all {
        for kind in [Expect::Alert, Expect::None] {
            assert!(
                r.examples.iter().any(|e| e.expect == kind),
                "{} has no `{}` example",
                r.id,
                kind.as_str()
            );
        }
        assert!(tripline::rules::examples::check(&r.id, &r.examples, &ids).is_empty());
    }
}

/// Runs `id`'s examples on a config whose `[rules.<id>]` is `params`: the names of the
/// examples that fail, with the expectation each had.
fn failing_with(id: &str, params: &str) -> Vec<(Expect, String)> {
    let cfg = tripline::config::parse(&format!("[rules.{id}]\n{params}\n"), "test.toml")
        .unwrap_or_else(|e| panic!("{e}"));
    let r = run_rule(&spec(id).unwrap(), &cfg);
    assert!(r.malformed.is_empty(), "{}", report(&r));
    r.examples
        .iter()
        .filter(|e| !e.passed())
        .map(|e| (e.expect, e.name.clone()))
        .collect()
}

#[test]
fn a_raised_threshold_fails_an_at_threshold_true_positive() {
    for (id, params) in [
        ("cloud-discovery-burst", "min_distinct = 6\nmin_count = 11"),
        ("cloud-discovery-sliding", "min_distinct = 6"),
        ("password-spray", "min_failures = 7"),
        ("password-spray", "min_accounts = 5"),
        ("password-spray", "window = \"9m\""),
        ("bucket-enumeration", "min_responses = 12"),
        ("tenant-enumeration", "min_requests = 22"),
        ("new-source-signin", "min_history = \"8d\""),
        ("post-auth-enumeration", "min_distinct = 7"),
        ("post-auth-enumeration", "quiet_period = \"31d\""),
        ("access-key-created", "after_new_source = \"59m\""),
        ("legacy-auth-signin", "protocols = [\"POP3\"]"),
        ("unused-region-activity", "min_history = \"8d\""),
        ("first-seen-api", "min_history = \"8d\""),
        ("first-seen-api", "after_new_source = \"29m\""),
    ] {
        let failing = failing_with(id, params);
        assert!(
            failing.iter().any(|(expect, _)| *expect == Expect::Alert),
            "{id} with {params:?}: no true positive failed ({failing:?})"
        );
    }
}

#[test]
fn a_lowered_threshold_fails_a_just_below_true_negative() {
    for (id, params) in [
        ("cloud-discovery-burst", "min_distinct = 4"),
        ("cloud-discovery-burst", "min_count = 9"),
        ("cloud-discovery-sliding", "window = \"16m\""),
        ("password-spray", "min_failures = 5"),
        ("password-spray", "min_accounts = 3"),
        ("password-spray", "window = \"11m\""),
        ("bucket-enumeration", "min_responses = 10"),
        ("bucket-enumeration", "window = \"61m\""),
        ("tenant-enumeration", "min_requests = 20"),
        ("tenant-enumeration", "window = \"11m\""),
        ("new-source-signin", "min_history = \"6d\""),
        ("post-auth-enumeration", "min_distinct = 5"),
        ("post-auth-enumeration", "window = \"3m\""),
        ("post-auth-enumeration", "quiet_period = \"29d\""),
        ("legacy-auth-signin", "protocols = [\"IMAP4\", \"Browser\"]"),
        ("unused-region-activity", "min_history = \"6d\""),
        ("first-seen-api", "min_history = \"6d\""),
        ("first-seen-api", "after_new_source = \"31m\""),
    ] {
        let failing = failing_with(id, params);
        assert!(
            failing.iter().any(|(expect, _)| *expect == Expect::None),
            "{id} with {params:?}: no true negative failed ({failing:?})"
        );
    }
}

/// A record the normalizers refuse fails its example: a typo never turns into a silent
/// "no alert" that passes a true negative.
#[test]
fn an_unreadable_record_fails_its_example() {
    let mut s = spec("password-spray").unwrap();
    let tn = s
        .examples
        .iter_mut()
        .find(|e| e.expect == Expect::None)
        .unwrap();
    tn.records
        .push("{\"time\": \"2024-05-06T10:00:00Z\", \"broken".into());
    let r = run_rule(&s, &Config::default());
    assert_eq!(r.failed_examples(), 1);
    let problems = &r.examples.iter().find(|e| !e.passed()).unwrap().problems;
    assert!(
        problems[0].contains("records not read") && problems[0].contains("record-"),
        "{problems:?}"
    );
}
