//! Tuning at its edges (issue 11, point 1): the catalogue's two signals, `[[suppress]]` by
//! each field, per rule and for all, and the fail-closed cases. Alerts carry the values real
//! logs give: the invictus attacker's Terraform user agent, assumed-role ARNs, service names
//! such as `AWS Internal` among the sources.

use super::{Tuning, LIKELY_BENIGN};
use crate::config::{parse, Config};
use crate::event::alert::{Signals, MAX_SIGNAL_VALUES};
use crate::event::{Alert, Fields, Provider, Severity, Timestamp};

/// The invictus attacker's user agent, as CloudTrail logged it.
const TERRAFORM_UA: &str = "APN/1.0 HashiCorp/1.0 Terraform/1.1.2 (+https://www.terraform.io) terraform-provider-aws/3.76.1 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go/1.44.157 (go1.19.3; linux; amd64) HashiCorp-terraform-exec/0.17.3";
const CLI_UA: &str = "aws-cli/2.13.0 Python/3.11.4 Linux/5.15.0 exe/x86_64.ubuntu.22 prompt/off command/ec2.describe-instances";
const TERRAFORM_ROLE: &str =
    "arn:aws:sts::123456789012:assumed-role/terraform-plan/1700000000000000000";
const ATTACKER: &str = "arn:aws:iam::123837392027:user/bert-jan";

/// An alert of `rule` by `identity` in account 123456789012 whose contributing events came
/// with these (user agent, source) pairs.
fn alert(rule: &str, identity: &str, events: &[(&str, &str)]) -> Alert {
    let mut group = Fields::default();
    group.push("identity", identity);
    group.push("account", "123456789012");
    let mut fields = Fields::default();
    fields.push("Identity", identity);
    fields.push("AccountId", "123456789012");
    fields.push("DiscoveryCount", 12);
    let mut signals = Signals::default();
    for (ua, ip) in events {
        signals.add(ua, ip, "");
    }
    Alert {
        schema: crate::event::alert::ALERT_SCHEMA,
        id: "0".repeat(32),
        rule: rule.to_string(),
        title: "t".into(),
        attack: vec!["T1580".into()],
        severity: Severity::High,
        risk_score: 90,
        provider: Provider::Aws,
        group,
        window_start: Timestamp(0),
        window_end: Timestamp(0),
        first_seen: Timestamp(0),
        last_seen: Timestamp(0),
        count: 12,
        fields,
        evidence: Vec::new(),
        suppressed: false,
        reason: None,
        notes: Vec::new(),
        signals,
        incident: None,
        activity: None,
        next_steps: Vec::new(),
    }
}

fn config(text: &str) -> Config {
    parse(text, "test.toml").unwrap_or_else(|e| panic!("{e}"))
}

/// The alert after tuning with `cfg`.
fn tuned(cfg: &Config, a: Alert) -> Alert {
    let mut alerts = [a];
    Tuning::new(cfg).apply(&mut alerts);
    let [a] = alerts;
    a
}

fn likely_benign(a: &Alert) -> bool {
    a.notes.iter().any(|n| n.starts_with(LIKELY_BENIGN))
}

#[test]
fn catalogue_role_and_user_agent_suppress_with_the_tool_as_reason() {
    let a = tuned(
        &Config::default(),
        alert(
            "cloud-discovery-burst",
            TERRAFORM_ROLE,
            &[(TERRAFORM_UA, "203.0.113.9")],
        ),
    );
    assert!(a.suppressed);
    assert_eq!(
        a.reason.as_deref(),
        Some("benign enumerator: Terraform (identity and user agent)")
    );
}

#[test]
fn catalogue_user_agent_alone_is_likely_benign_not_suppressed() {
    // The invictus attacker: an ordinary IAM user sending Terraform's user agent.
    let a = tuned(
        &Config::default(),
        alert(
            "cloud-discovery-burst",
            ATTACKER,
            &[(TERRAFORM_UA, "203.0.113.9")],
        ),
    );
    assert!(!a.suppressed);
    assert_eq!(a.notes, ["likely_benign: Terraform user agent only"]);
}

#[test]
fn catalogue_role_alone_is_likely_benign_not_suppressed() {
    // A role named terraform, used from the CLI on an unknown network: stolen credentials
    // look exactly like this.
    let a = tuned(
        &Config::default(),
        alert(
            "cloud-discovery-burst",
            TERRAFORM_ROLE,
            &[(CLI_UA, "203.0.113.9")],
        ),
    );
    assert!(!a.suppressed);
    assert_eq!(a.notes, ["likely_benign: Terraform identity only"]);
}

#[test]
fn catalogue_role_and_automation_network_suppress_at_the_cidr_edge() {
    let cfg = config("[organisation]\nautomation_cidrs = [\"10.20.0.0/16\"]\n");
    let inside = tuned(
        &cfg,
        alert(
            "cloud-discovery-burst",
            TERRAFORM_ROLE,
            &[(CLI_UA, "10.20.255.255")],
        ),
    );
    assert!(inside.suppressed);
    assert_eq!(
        inside.reason.as_deref(),
        Some("benign enumerator: Terraform (identity and automation network)")
    );
    // One call from just outside the network: not every source agrees.
    let outside = tuned(
        &cfg,
        alert(
            "cloud-discovery-burst",
            TERRAFORM_ROLE,
            &[(CLI_UA, "10.20.0.1"), (CLI_UA, "10.21.0.0")],
        ),
    );
    assert!(!outside.suppressed);
    assert!(likely_benign(&outside));
    // The network alone names no tool: an ordinary user inside it is neither.
    let user = tuned(
        &cfg,
        alert("cloud-discovery-burst", ATTACKER, &[(CLI_UA, "10.20.0.1")]),
    );
    assert!(!user.suppressed && user.notes.is_empty());
}

#[test]
fn catalogue_needs_every_user_agent() {
    // The role ran Terraform, and someone also used the CLI with it in the same bin.
    let a = tuned(
        &Config::default(),
        alert(
            "cloud-discovery-burst",
            TERRAFORM_ROLE,
            &[(TERRAFORM_UA, "203.0.113.9"), (CLI_UA, "203.0.113.9")],
        ),
    );
    assert!(!a.suppressed);
    assert_eq!(a.notes, ["likely_benign: Terraform identity only"]);
}

#[test]
fn events_made_on_the_identitys_behalf_do_not_count() {
    // CloudFormation or S3 calling on the identity's behalf log a service name as source;
    // their user agent is the service's, not the identity's (SPEC §6).
    let a = tuned(
        &Config::default(),
        alert(
            "cloud-discovery-burst",
            TERRAFORM_ROLE,
            &[
                (TERRAFORM_UA, "203.0.113.9"),
                ("AWS Internal", "AWS Internal"),
                // The other shape CloudTrail logs (invictus: 215 such calls).
                ("AWS Internal", "10.8.8.10"),
                (
                    "secretsmanager.amazonaws.com",
                    "secretsmanager.amazonaws.com",
                ),
            ],
        ),
    );
    assert!(a.suppressed, "{:?}", a.notes);
}

#[test]
fn truncated_user_agents_fail_closed() {
    let mut a = alert("cloud-discovery-burst", TERRAFORM_ROLE, &[]);
    for i in 0..=MAX_SIGNAL_VALUES {
        let ua = format!("{TERRAFORM_UA} run-{i}");
        a.signals.add(&ua, "203.0.113.9", "");
    }
    assert!(a.signals.user_agents_truncated);
    let cfg = config("[[suppress]]\nuser_agent = \"*Terraform/*\"\nreason = \"tf\"\n");
    let a = tuned(&cfg, a);
    assert!(!a.suppressed, "an agent past the cap could be anything");
}

#[test]
fn suppress_by_identity_glob_is_case_sensitive() {
    let cfg = config(
        "[[suppress]]\nidentity = \"arn:aws:sts::*:assumed-role/terraform-*\"\nreason = \"nightly plan\"\n",
    );
    let a = tuned(
        &cfg,
        alert(
            "post-auth-enumeration",
            TERRAFORM_ROLE,
            &[(CLI_UA, "203.0.113.9")],
        ),
    );
    assert!(a.suppressed);
    assert_eq!(a.reason.as_deref(), Some("nightly plan"));
    let upper = TERRAFORM_ROLE.replace("terraform-plan", "Terraform-plan");
    let b = tuned(
        &cfg,
        alert("post-auth-enumeration", &upper, &[(CLI_UA, "203.0.113.9")]),
    );
    assert!(!b.suppressed);
}

#[test]
fn suppress_by_user_agent_is_case_insensitive_and_needs_every_event() {
    let cfg = config("[[suppress]]\nuser_agent = \"*terraform/*\"\nreason = \"tf\"\n");
    let a = tuned(
        &cfg,
        alert(
            "cloud-discovery-burst",
            ATTACKER,
            &[(TERRAFORM_UA, "1.2.3.4")],
        ),
    );
    assert!(a.suppressed);
    let b = tuned(
        &cfg,
        alert(
            "cloud-discovery-burst",
            ATTACKER,
            &[(TERRAFORM_UA, "1.2.3.4"), (CLI_UA, "1.2.3.4")],
        ),
    );
    assert!(!b.suppressed);
}

#[test]
fn suppress_by_source_cidr_ignores_service_names() {
    let cfg = config("[[suppress]]\nsource_cidr = \"10.1.0.0/16\"\nreason = \"office\"\n");
    let inside = alert(
        "cloud-discovery-burst",
        ATTACKER,
        &[
            (CLI_UA, "10.1.255.255"),
            (CLI_UA, "AWS Internal"),
            ("", "ec2.amazonaws.com"),
        ],
    );
    assert!(tuned(&cfg, inside).suppressed);
    let outside = alert(
        "cloud-discovery-burst",
        ATTACKER,
        &[(CLI_UA, "10.1.0.1"), (CLI_UA, "10.2.0.0")],
    );
    assert!(!tuned(&cfg, outside).suppressed);
    // Only service names: no address to judge, so nothing is suppressed.
    let none = alert(
        "cloud-discovery-burst",
        ATTACKER,
        &[(CLI_UA, "AWS Internal")],
    );
    assert!(!tuned(&cfg, none).suppressed);
}

#[test]
fn suppress_by_account() {
    let cfg = config("[[suppress]]\naccount = \"1234567890*\"\nreason = \"sandbox\"\n");
    assert!(
        tuned(
            &cfg,
            alert("cloud-discovery-burst", ATTACKER, &[(CLI_UA, "1.2.3.4")])
        )
        .suppressed
    );
    let cfg = config("[[suppress]]\naccount = \"999999999999\"\nreason = \"sandbox\"\n");
    assert!(
        !tuned(
            &cfg,
            alert("cloud-discovery-burst", ATTACKER, &[(CLI_UA, "1.2.3.4")])
        )
        .suppressed
    );
}

#[test]
fn suppress_per_rule_and_for_all_rules() {
    let per_rule = config(
        "[[suppress]]\nrule = \"cloud-discovery-burst\"\nidentity = \"*:user/bert-jan\"\nreason = \"lab\"\n",
    );
    let for_all = config("[[suppress]]\nidentity = \"*:user/bert-jan\"\nreason = \"lab\"\n");
    let burst = || alert("cloud-discovery-burst", ATTACKER, &[(CLI_UA, "1.2.3.4")]);
    let sliding = || alert("cloud-discovery-sliding", ATTACKER, &[(CLI_UA, "1.2.3.4")]);
    assert!(tuned(&per_rule, burst()).suppressed);
    assert!(!tuned(&per_rule, sliding()).suppressed);
    assert!(tuned(&for_all, burst()).suppressed);
    assert!(tuned(&for_all, sliding()).suppressed);
}

#[test]
fn suppress_needs_every_given_field() {
    let cfg = config(
        "[[suppress]]\nidentity = \"*:user/bert-jan\"\naccount = \"999999999999\"\nreason = \"x\"\n",
    );
    assert!(
        !tuned(
            &cfg,
            alert("cloud-discovery-burst", ATTACKER, &[(CLI_UA, "1.2.3.4")])
        )
        .suppressed
    );
}

#[test]
fn suppression_leaves_fields_id_and_severity_alone() {
    let cfg = config("[[suppress]]\nidentity = \"*\"\nreason = \"all\"\n");
    let before = alert(
        "cloud-discovery-burst",
        ATTACKER,
        &[(TERRAFORM_UA, "1.2.3.4")],
    );
    let after = tuned(&cfg, before.clone());
    assert!(after.suppressed);
    assert_eq!(after.fields, before.fields);
    assert_eq!(after.group, before.group);
    assert_eq!(
        (after.id, after.severity, after.risk_score),
        (before.id, before.severity, before.risk_score)
    );
}

#[test]
fn counts_by_reason() {
    let cfg = config("[[suppress]]\nidentity = \"*:user/bert-jan\"\nreason = \"lab\"\n");
    let mut alerts = vec![
        alert("cloud-discovery-burst", ATTACKER, &[(CLI_UA, "1.2.3.4")]),
        alert("cloud-discovery-sliding", ATTACKER, &[(CLI_UA, "1.2.3.4")]),
        alert(
            "cloud-discovery-burst",
            TERRAFORM_ROLE,
            &[(TERRAFORM_UA, "1.2.3.4")],
        ),
        alert(
            "cloud-discovery-burst",
            "arn:aws:iam::1:user/alice",
            &[(CLI_UA, "1.2.3.4")],
        ),
    ];
    let counts = Tuning::new(&cfg).apply(&mut alerts);
    assert_eq!(counts.get("lab"), Some(&2));
    assert_eq!(
        counts.get("benign enumerator: Terraform (identity and user agent)"),
        Some(&1)
    );
    assert_eq!(counts.values().sum::<u64>(), 3);
}
