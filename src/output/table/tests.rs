//! The triage table: incidents first, fitted widths, escaping, colours, the summary.

use super::*;
use crate::event::Timestamp;
use crate::incidents::{self, Reason};
use crate::output::sink::tests::sample_alert;
use crate::output::wrap::width;

fn print_with(alerts: &[Alert], incidents: &[Incident], hidden: u64, layout: Layout) -> String {
    let mut out = Vec::new();
    let mut sink = TableSink::new(&mut out, layout);
    sink.overview(&Overview {
        incidents,
        hidden_suppressed: hidden,
    })
    .unwrap();
    for a in alerts {
        sink.alert(a).unwrap();
    }
    sink.finish().unwrap();
    String::from_utf8(out).unwrap()
}

fn print(alerts: &[Alert], color: bool) -> String {
    print_with(
        alerts,
        &[],
        0,
        Layout {
            color,
            ..Layout::default()
        },
    )
}

/// Alerts of two actors, grouped by the incidents module itself.
fn scenario() -> (Vec<Alert>, Vec<Incident>) {
    let mut low = sample_alert(); // alice, cloud-discovery-burst, low 50
    low.id = "a1".into();
    let mut spray = sample_alert();
    spray.id = "a2".into();
    spray.rule = "password-spray".into();
    spray.severity = Severity::High;
    spray.risk_score = 75;
    spray.group.0 = vec![("source_ip".into(), "203.0.113.66".into())];
    spray.fields.0.clear();
    spray.fields.push("Failures", 14);
    spray.fields.push(
        "Accounts",
        serde_json::json!(["a@x.com", "b@x.com", "c@x.com", "d@x.com"]),
    );
    spray.first_seen = Timestamp::parse("2024-05-06T03:35:12Z").unwrap();
    spray.last_seen = Timestamp::parse("2024-05-06T03:41:00Z").unwrap();
    spray.window_start = Timestamp::parse("2024-05-06T00:00:00Z").unwrap();
    let mut key = sample_alert();
    key.id = "a3".into();
    key.rule = "access-key-created".into();
    key.severity = Severity::Critical;
    key.risk_score = 95;
    key.group.0 = vec![(
        "identity".into(),
        "arn:aws:iam::123456789012:user/bob".into(),
    )];
    key.fields.0.clear();
    key.fields
        .push("Actor", "arn:aws:iam::123456789012:user/bob");
    key.fields.push(
        "Escalations",
        serde_json::json!([
            "high-privilege target",
            "outside working hours",
            "after new-source sign-in"
        ]),
    );
    key.fields.push("SourceIP", "203.0.113.66");
    key.fields.push("UserAgent", "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.6.9-amd64 md/arch#x86_64 lang/python#3.11.8 distrib#kali.2024");
    key.fields.push("KeyId", "AKIAEXAMPLE000000001");
    key.first_seen = Timestamp::parse("2024-05-06T03:50:00Z").unwrap();
    key.last_seen = key.first_seen;
    let mut alerts = vec![low, spray, key];
    let f = incidents::facts(&alerts, &[]);
    let uses = incidents::address::uses_from_alerts(&alerts, &f);
    let inc = incidents::assign(&mut alerts, &f, uses, None);
    (alerts, inc)
}

#[test]
fn empty_run() {
    assert_eq!(print(&[], false), "No alerts.\n");
    assert_eq!(print(&[], true), "No alerts.\n");
    assert_eq!(
        print_with(&[], &[], 3, Layout::default()),
        "No alerts shown; 3 suppressed (--show-suppressed shows them).\n"
    );
}

#[test]
fn without_incidents_one_plain_table_and_the_summary() {
    let mut low2 = sample_alert();
    low2.rule = "x".into();
    let mut high = sample_alert();
    high.severity = Severity::High;
    let text = print(&[sample_alert(), high, low2], false);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("  TIME                  SEVERITY  RISK  RULE"),
        "{text}"
    );
    assert_eq!(lines[4], "");
    assert_eq!(lines[5], "3 alerts (1 high, 2 low)");
    assert_eq!(lines[6], "  cloud-discovery-burst     2  (1 high, 1 low)");
    let at = |l: &str, pat: &str| l.find(pat).map(|b| l[..b].chars().count());
    assert_eq!(at(lines[0], "RULE"), at(lines[1], "cloud-discovery-burst"));
    assert_eq!(at(lines[0], "DETAILS"), at(lines[3], "SourceIPs"));
    assert!(lines.iter().all(|l| !l.ends_with(' ')));
    assert!(lines[1].contains("arn:aws:iam::123456789012:user/alice / 123456789012"));
}

#[test]
fn time_is_the_first_event_for_every_rule() {
    // A sign-in at 03:35:12 in a daily window: TIME shows 03:35:12, not the window's 00:00.
    let (alerts, _) = scenario();
    let text = print(&alerts, false);
    assert!(text.contains("2024-05-06T03:35:12Z  high"), "{text}");
    assert!(!text.contains("2024-05-06T00:00:00Z"), "{text}");
}

#[test]
fn incidents_first_highest_risk_first_with_their_alerts_under_them() {
    let (alerts, inc) = scenario();
    assert_eq!(inc.len(), 2);
    let text = print_with(&alerts, &inc, 0, Layout::default());
    let lines: Vec<&str> = text.lines().collect();
    // Bob's incident (spray linked by address, Kali key creation) comes first.
    assert!(
        lines[0].starts_with("INCIDENT CRITICAL 100  arn:aws:iam::123456789012:user/bob"),
        "{text}"
    );
    assert!(
        lines[1].starts_with(&format!(
            "  id {}  2024-05-06T03:35:12Z .. 2024-05-06T03:50:00Z  2 alerts",
            inc[0].id
        )),
        "{text}"
    );
    assert_eq!(lines[2], "  stages: credential access, persistence");
    assert!(lines[3].starts_with("  risk: +95 highest alert risk: access-key-created (critical); +10 further stage: credential access; +15 offensive tooling in a user agent: Kali Linux"), "{text}");
    assert!(lines[4].starts_with("  story: 2024-05-06T03:35:12Z password-spray from 203.0.113.66 → +14m access-key-created key AKIAEXAMPLE000000001"), "{text}");
    assert!(lines[5].starts_with("  TIME"));
    assert!(
        lines[6].contains("password-spray") && lines[7].contains("access-key-created"),
        "{text}"
    );
    // Decisive facts first in DETAILS.
    assert!(lines[7].contains("Escalations: high-privilege target, outside working hours, after new-source sign-in SourceIP=203.0.113.66 UserAgent=aws-cli"), "{text}");
    assert_eq!(lines[8], "");
    assert!(
        lines[9].starts_with("INCIDENT MEDIUM    50  arn:aws:iam::123456789012:user/alice"),
        "{text}"
    );
    let summary = &lines[lines.len() - 5..];
    assert_eq!(summary[0], "2 incidents (1 critical, 1 medium)");
    assert_eq!(summary[1], "3 alerts (1 critical, 1 high, 1 low)");
    assert_eq!(summary[2], "  access-key-created        1  (1 critical)");

    let only = print_with(
        &alerts,
        &inc,
        0,
        Layout {
            incidents_only: true,
            ..Layout::default()
        },
    );
    assert!(!only.contains("  TIME"), "{only}");
    assert!(only.contains("INCIDENT CRITICAL") && only.contains("2 incidents"));
}

#[test]
fn suppressed_alerts_are_counted_hidden_or_shown() {
    let mut a = sample_alert();
    a.suppressed = true;
    a.reason = Some("nightly terraform plan".into());
    let text = print_with(&[a, sample_alert()], &[], 2, Layout::default());
    assert!(
        text.contains("2 alerts (2 low), 3 suppressed (2 hidden; --show-suppressed shows them)"),
        "{text}"
    );
    assert!(
        text.contains("(suppressed: nightly terraform plan)"),
        "{text}"
    );
}

/// The text with each side-by-side column read top to bottom (the GROUP cells of a block,
/// then its DETAILS cells), without white space: wrapping breaks lines at spaces and inside
/// words, and side by side a row's lines interleave two columns.
fn columns_joined(text: &str) -> String {
    let mut out = String::new();
    let (mut group, mut details) = (String::new(), String::new());
    let mut cols: Option<(usize, usize)> = None;
    for line in text.lines() {
        let chars: Vec<char> = line.chars().collect();
        if let (Some(g), Some(d)) = (line.find("GROUP "), line.find("DETAILS")) {
            if line.trim_start().starts_with("TIME") {
                cols = Some((line[..g].chars().count(), line[..d].chars().count()));
                continue;
            }
        }
        match cols {
            Some((g, d)) if !line.is_empty() => {
                out.extend(chars[..g.min(chars.len())].iter());
                group.extend(chars.get(g..d.min(chars.len())).unwrap_or(&[]));
                details.extend(chars.get(d..).unwrap_or(&[]));
            }
            _ => {
                out += &group;
                out += &details;
                group.clear();
                details.clear();
                cols = None;
                out += line;
            }
        }
    }
    out += &group;
    out += &details;
    out.chars().filter(|c| !c.is_whitespace()).collect()
}

fn widest(text: &str) -> usize {
    text.lines().map(width).max().unwrap_or(0)
}

#[test]
fn the_table_fits_80_and_200_columns_and_wide_keeps_each_row_on_one_line() {
    let (mut alerts, inc) = scenario();
    alerts[0].group.0[0].1 = format!(
        "arn:aws:sts::123456789012:assumed-role/{}/session",
        "r".repeat(150)
    )
    .into();
    let apis: Vec<String> = (0..50).map(|i| format!("DescribeThing{i}")).collect();
    alerts[0].fields.push("APIList", apis);
    for cols in [80, 120, 200] {
        let text = print_with(
            &alerts,
            &inc,
            0,
            Layout {
                width: Some(cols),
                ..Layout::default()
            },
        );
        assert!(widest(&text) <= cols, "{cols}:\n{text}");
        // Fitted by the layout, not by the last-resort cut: every line is a header, an
        // indented row or continuation, or the summary.
        for line in text.lines().filter(|l| !l.is_empty()) {
            assert!(
                line.starts_with("INCIDENT ")
                    || line.starts_with("  ")
                    || line.starts_with(|c: char| c.is_ascii_digit()),
                "{cols}: a line cut to fit: {line:?}\n{text}"
            );
        }
        // Nothing that decides triage is cut away: the whole identity and every escalation,
        // source and user agent are there once the wrapped lines are joined.
        let joined = columns_joined(&text);
        for fact in [
            "r".repeat(150).as_str(),
            "after new-source sign-in",
            "203.0.113.66",
            "distrib#kali.2024",
            "AKIAEXAMPLE000000001",
        ] {
            let fact: String = fact.chars().filter(|c| !c.is_whitespace()).collect();
            assert!(joined.contains(&fact), "{cols}: {fact} missing in\n{text}");
        }
        // A long non-decisive list says how much it left out.
        assert!(joined.contains("(+"), "{text}");
    }
    let wide = print_with(&alerts, &inc, 0, Layout::default());
    assert!(widest(&wide) > 200);
    assert!(wide.contains("DescribeThing49"));
    let row = wide.lines().find(|l| l.contains("assumed-role")).unwrap();
    assert!(row.contains(&"r".repeat(150)) && row.contains("DescribeThing49"));
    // At 80 columns rows are stacked: short columns, then the group, then the details.
    let narrow = print_with(
        &alerts,
        &inc,
        0,
        Layout {
            width: Some(80),
            ..Layout::default()
        },
    );
    assert!(narrow.contains("      GROUP, then DETAILS"), "{narrow}");
    // At 200, side by side.
    let roomy = print_with(
        &alerts,
        &inc,
        0,
        Layout {
            width: Some(200),
            ..Layout::default()
        },
    );
    assert!(
        roomy
            .lines()
            .any(|l| l.starts_with("  TIME") && l.ends_with("DETAILS")),
        "{roomy}"
    );
}

fn hostile() -> Alert {
    let mut a = sample_alert();
    a.severity = Severity::High;
    a.group.0[0].1 = "evil\u{1b}[2J".into();
    a.fields
        .push("UserAgent", "curl\u{1b}]0;pwned\u{7}\u{9b}31m");
    a.suppressed = true;
    a.reason = Some("ci\u{1b}[5m".into());
    a
}

#[test]
fn log_values_cannot_emit_escape_sequences() {
    let a = hostile();
    let inc = Incident {
        schema: incidents::INCIDENT_SCHEMA,
        id: "i1".into(),
        actor: "evil\u{1b}[2J".into(),
        actor_type: incidents::ActorType::Identity,
        other_actors: vec!["x\u{202e}y".into()],
        first_seen: a.first_seen,
        last_seen: a.last_seen,
        risk_score: 75,
        severity: Severity::High,
        stages: vec![],
        reasons: vec![Reason {
            points: 75,
            reason: "r\u{1b}[1m".into(),
        }],
        story: "s\u{7}".into(),
        alerts: vec![a.id.clone()],
        rules: vec![a.rule.clone()],
        suppressed: true,
    };
    let mut shown = a.clone();
    shown.incident = Some("i1".into());
    for width in [None, Some(80), Some(200)] {
        let text = print_with(
            &[shown.clone()],
            std::slice::from_ref(&inc),
            0,
            Layout {
                width,
                ..Layout::default()
            },
        );
        assert!(!text.contains('\u{1b}'), "{text:?}");
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{text:?}"
        );
        let joined: String = text.lines().map(str::trim).collect();
        assert!(joined.contains("evil\\u{1b}[2J"), "{text}");
        assert!(joined.contains("x\\u{202e}y") && joined.contains("s\\u{7}"));
    }
}

#[test]
fn with_colour_only_our_sgr_codes_appear() {
    let mut crit = hostile();
    crit.severity = Severity::Critical;
    let mut medium = sample_alert();
    medium.severity = Severity::Medium;
    let alerts = [hostile(), crit, medium, sample_alert()];
    for width in [None, Some(80)] {
        let text = print_with(
            &alerts,
            &[],
            0,
            Layout {
                color: true,
                width,
                incidents_only: false,
            },
        );
        for code in [
            "\x1b[31mhigh    \x1b[0m",
            "\x1b[1;31mcritical\x1b[0m",
            "\x1b[33mmedium  \x1b[0m",
            "\x1b[34mlow     \x1b[0m",
        ] {
            assert!(text.contains(code), "{code:?} missing in {text:?}");
        }
        let rest = strip_sgr(&text);
        assert!(!rest.contains('\u{1b}'), "{rest:?}");
        // Colour wraps cells without shifting them.
        assert_eq!(
            rest,
            print_with(
                &alerts,
                &[],
                0,
                Layout {
                    width,
                    ..Layout::default()
                }
            )
        );
    }
}
