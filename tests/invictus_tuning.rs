//! Tuning on the real attack simulation (invictus-ir/aws_dataset, MIT; copy in
//! tests/fixtures/invictus-ir-aws-dataset), issue 11 point 1. The attacker, IAM user
//! `bert-jan`, enumerates the account with Terraform (`APN/1.0 HashiCorp/1.0 Terraform/1.1.2
//! ... terraform-provider-aws/...`), with the console and the CLI in between. Two goldens pin
//! the discovery rules' alerts, each line the alert as printed plus its `signals` (never
//! printed; what tuning decided on). Re-bless with BLESS=1; the rows are explained in
//! tests/golden-alerts/README-invictus-tuning.md.
//!
//! - `invictus-tuning-default.jsonl`, no config: an ordinary IAM user sending Terraform's
//!   user agent is exactly what an attacker can fake, so the catalogue's Terraform entry
//!   agrees on the user agent only. His Terraform-only alerts carry
//!   `likely_benign: Terraform user agent only`; nothing is suppressed.
//! - `invictus-tuning-suppressed.jsonl`, with
//!   `[[suppress]] identity = "arn:aws:iam::*:user/bert-jan"`, `user_agent = "*Terraform/*"`:
//!   the alerts whose every contributing call came from Terraform are suppressed with the
//!   entry's reason; those that also hold console or CLI calls are not.

use std::path::Path;
use tripline::engine::scan::{scan, ScanOptions};
use tripline::event::Alert;
use tripline::input::expand;
use tripline::rules::registry::build;
use tripline::tuning::Tuning;

const INVICTUS: &str = "tests/fixtures/invictus-ir-aws-dataset/CloudTrail";

fn tuned_alerts(config: &str) -> Vec<Alert> {
    let cfg = tripline::config::parse(config, "test.toml").unwrap();
    let (inputs, errors) = expand(&[INVICTUS.to_string()]);
    assert!(errors.is_empty());
    let sel = build(
        &[
            "cloud-discovery-burst".into(),
            "cloud-discovery-sliding".into(),
        ],
        &[],
        &cfg,
    )
    .unwrap();
    let mut alerts = scan(inputs, sel.rules, &ScanOptions::default())
        .unwrap()
        .alerts;
    Tuning::new(&cfg).apply(&mut alerts);
    alerts
}

/// The alert as printed, plus its signals (what tuning read).
fn lines(alerts: &[Alert]) -> String {
    alerts
        .iter()
        .map(|a| {
            let mut v = serde_json::to_value(a).unwrap();
            v["signals"] = serde_json::to_value(&a.signals).unwrap();
            serde_json::to_string(&v).unwrap() + "\n"
        })
        .collect()
}

fn check_golden(name: &str, got: &str) {
    let golden = Path::new("tests/golden-alerts").join(name);
    if std::env::var("BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&golden, got).unwrap();
    }
    let want = std::fs::read_to_string(&golden).unwrap();
    assert_eq!(got, want, "{name} differs (BLESS=1 to accept)");
}

fn terraform_only(a: &Alert) -> bool {
    !a.signals.user_agents.is_empty()
        && a.signals
            .user_agents
            .iter()
            .all(|u| u.contains("Terraform/"))
}

#[test]
fn invictus_attacker_running_terraform_is_likely_benign_not_suppressed() {
    let alerts = tuned_alerts("");
    check_golden("invictus-tuning-default.jsonl", &lines(&alerts));
    assert!(alerts.iter().all(|a| !a.suppressed));
    let attacker: Vec<&Alert> = alerts
        .iter()
        .filter(|a| {
            a.group.get("identity").and_then(|v| v.as_str())
                == Some("arn:aws:iam::123837392027:user/bert-jan")
        })
        .collect();
    assert!(attacker.iter().any(|a| terraform_only(a)));
    for a in attacker {
        let noted = a
            .notes
            .contains(&"likely_benign: Terraform user agent only".to_string());
        assert_eq!(noted, terraform_only(a), "{} {}", a.rule, a.window_start);
    }
}

#[test]
fn invictus_suppress_entry_hides_only_the_terraform_only_alerts() {
    let config = "[[suppress]]\nidentity = \"arn:aws:iam::*:user/bert-jan\"\nuser_agent = \"*Terraform/*\"\nreason = \"attack simulation run with Terraform\"\n";
    let alerts = tuned_alerts(config);
    check_golden("invictus-tuning-suppressed.jsonl", &lines(&alerts));
    let suppressed = alerts.iter().filter(|a| a.suppressed).count();
    assert!(suppressed > 0 && suppressed < alerts.len(), "{suppressed}");
    for a in &alerts {
        let attacker = a.group.get("identity").and_then(|v| v.as_str())
            == Some("arn:aws:iam::123837392027:user/bert-jan");
        assert_eq!(
            a.suppressed,
            attacker && terraform_only(a),
            "{} {}",
            a.rule,
            a.window_start
        );
        if a.suppressed {
            assert_eq!(
                a.reason.as_deref(),
                Some("attack simulation run with Terraform")
            );
        }
    }
    // The seed rule's rows stay the seed's rows: suppression changes no field.
    let plain = tuned_alerts("");
    assert_eq!(plain.len(), alerts.len());
    for (p, s) in plain.iter().zip(&alerts) {
        assert_eq!((&p.id, &p.fields, &p.group), (&s.id, &s.fields, &s.group));
    }
}
