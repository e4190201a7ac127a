//! The page on hand-built alerts: every log value escaped in text and attributes, no log
//! value inside the script or a URL attribute, incidents highest risk first with their
//! alerts, suppressed alerts marked, times in the zone asked for.

use super::*;
use crate::event::activity::{ActionCount, ActivityPart, Bounded, ChangedResource};
use crate::event::{Access, Activity, Severity};
use crate::incidents::{ActorType, Reason, INCIDENT_SCHEMA};
use crate::output::sink::tests::sample_alert;
use crate::rules::stage::Stage;

const EVIL: &str =
    "<script>document.title='pwned'</script>\"><img src=x onerror=\"document.title='pwned'\">";

fn hostile_alert(id: &str, sev: Severity, risk: u8) -> Alert {
    let mut a = sample_alert();
    a.id = id.into();
    a.severity = sev;
    a.risk_score = risk;
    a.group.0[0].1 = format!("arn:aws:iam::123456789012:user/{EVIL}").into();
    a.fields.push(
        "UserAgents",
        serde_json::json!([EVIL, "javascript:document.title='pwned'"]),
    );
    a.evidence = vec![format!("trail-{EVIL}.json:3")];
    a.next_steps = vec![format!(
        "Scope: what it did: tripline investigate --identity '{EVIL}' LOGS..."
    )];
    let part = ActivityPart {
        events: 3,
        reads: 2,
        writes: 1,
        actions: vec![ActionCount {
            action: format!("Put{EVIL}").into(),
            access: Access::Write,
            count: 1,
            failed: 0,
            denied: 0,
            first: a.first_seen,
        }],
        actions_total: 1,
        changed: vec![ChangedResource {
            resource: format!("arn:aws:s3:::bucket-{EVIL}").into(),
            action: "PutBucketPolicy".into(),
            first: a.first_seen,
            count: 1,
        }],
        changed_total: 1,
        user_agents: Bounded {
            values: vec![EVIL.into()],
            total: 1,
        },
        ..ActivityPart::default()
    };
    a.activity = Some(Activity {
        actor: EVIL.into(),
        partial: false,
        before: part,
        after: ActivityPart::default(),
    });
    a
}

fn incident(id: &str, risk: u8, sev: Severity, alerts: &[&Alert]) -> Incident {
    Incident {
        schema: INCIDENT_SCHEMA,
        id: id.into(),
        actor: EVIL.into(),
        actor_type: ActorType::Identity,
        other_actors: vec![],
        first_seen: alerts[0].first_seen,
        last_seen: alerts[0].last_seen,
        risk_score: risk,
        severity: sev,
        stages: vec![Stage::Discovery],
        reasons: vec![Reason {
            points: 15,
            reason: format!("offensive tooling in a user agent: {EVIL}"),
        }],
        story: format!("{EVIL} listed everything"),
        alerts: alerts.iter().map(|a| a.id.clone()).collect(),
        rules: vec![alerts[0].rule.clone()],
        suppressed: false,
    }
}

fn render_with(alerts: &[&Alert], incidents: &[Incident], zone: DisplayZone) -> String {
    let summary = Summary {
        files: 1,
        events: 12,
        notes: vec![format!("coverage: no CloudTrail in {EVIL}")],
        time_range: Some((alerts[0].first_seen, alerts[0].last_seen)),
        ..Summary::default()
    };
    render(&ReportInput {
        inputs: &[format!("logs/{EVIL}")],
        summary: &summary,
        rules_run: &["cloud-discovery-burst".to_string()],
        incidents,
        alerts,
        zone,
        generated: None,
    })
}

/// The text between `<script>` and `</script>`: ours only.
fn scripts(doc: &str) -> Vec<&str> {
    doc.split("<script")
        .skip(1)
        .map(|s| &s[..s.find("</script>").unwrap()])
        .collect()
}

#[test]
fn log_values_are_escaped_everywhere_and_never_reach_the_script() {
    let low = hostile_alert("a1", Severity::Low, 25);
    let doc = render_with(
        &[&low],
        &[incident("i1", 50, Severity::Medium, &[&low])],
        DisplayZone::UTC,
    );
    assert_eq!(scripts(&doc), vec![format!(">{}", page::SCRIPT)]);
    assert!(!doc.contains("<img"), "an injected element");
    assert!(!doc.contains("onerror=\""), "an injected handler");
    assert!(!doc.contains("'pwned'"), "a raw quote of a log value");
    // The values are there, as text.
    assert!(doc.contains("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;"));
    assert!(doc.contains("javascript:document.title=&#39;pwned&#39;"));
    // Every `<...>` is the report's own markup (escaped text holds no `<`): none of it
    // links, loads, styles or handles an event.
    for tag in doc.split('<').skip(1).map(|t| &t[..t.find('>').unwrap()]) {
        for attr in [
            " href=",
            " src=",
            " style=",
            " onload=",
            " onclick=",
            " onerror=",
        ] {
            assert!(!tag.contains(attr), "{attr} in <{tag}>");
        }
    }
    // The only markup the page opens is the report's own (no tag from a log value).
    let tags: std::collections::BTreeSet<&str> = doc
        .split('<')
        .skip(1)
        .map(|t| {
            t.split(|c: char| !c.is_ascii_alphanumeric() && c != '!' && c != '/')
                .next()
                .unwrap()
        })
        .collect();
    for t in &tags {
        assert!(
            [
                "!DOCTYPE", "html", "head", "meta", "title", "style", "body", "header", "h1",
                "div", "main", "section", "h2", "h3", "h4", "span", "table", "thead", "tr", "th",
                "tbody", "td", "code", "ul", "li", "form", "strong", "label", "input", "select",
                "option", "article", "p", "svg", "line", "text", "rect", "details", "summary",
                "dl", "dt", "dd", "ol", "pre", "footer", "script"
            ]
            .contains(&t.trim_start_matches('/')),
            "unexpected tag {t}"
        );
    }
}

#[test]
fn incidents_come_highest_risk_first_with_their_alerts_and_suppressed_ones_are_marked() {
    let a = hostile_alert("a1", Severity::Low, 25);
    let mut b = hostile_alert("b2", Severity::High, 75);
    b.suppressed = true;
    b.reason = Some("nightly terraform plan".into());
    let c = hostile_alert("c3", Severity::Medium, 50);
    let incs = vec![
        incident("low-inc", 30, Severity::Low, &[&a]),
        incident("high-inc", 95, Severity::Critical, &[&b]),
    ];
    let doc = render_with(&[&a, &b, &c], &incs, DisplayZone::UTC);
    let at = |s: &str| doc.find(s).unwrap_or_else(|| panic!("{s} missing"));
    assert!(at("id=\"incident-high-inc\"") < at("id=\"incident-low-inc\""));
    assert!(at("id=\"incident-high-inc\"") < at("id=\"alert-b2\""));
    assert!(at("id=\"alert-b2\"") < at("id=\"incident-low-inc\""));
    // c3 belongs to no incident: after the incidents, in its own section.
    assert!(at("Alerts outside any incident") < at("id=\"alert-c3\""));
    assert!(doc.contains("data-suppressed=\"true\""));
    assert!(doc.contains("nightly terraform plan"));
    // Reasons with points, stages, story.
    assert!(doc.contains(">+15<"));
    assert!(doc.contains(">discovery<"));
    // Commands sit in <pre>, quoted as the alert holds them.
    assert!(doc.contains("<pre>tripline investigate --identity &#39;&lt;script&gt;"));
}

#[test]
fn times_are_shown_in_the_zone_asked_for_and_labelled() {
    let a = hostile_alert("a1", Severity::Low, 25);
    let ny = DisplayZone::named("America/New_York").unwrap();
    let doc = render_with(&[&a], &[], ny);
    // 2024-05-06T10:01:02Z is 06:01:02 in New York (daylight time, UTC-4).
    assert!(doc.contains("2024-05-06T06:01:02-04:00"), "{doc:.3000}");
    assert!(!doc.contains("2024-05-06T10:01:02Z"));
    assert!(doc.contains("Times in America/New_York."));
}
