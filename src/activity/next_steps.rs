//! `next_steps` (SPEC §8): the response guidance of the seed guide — "establish what the
//! identity accessed and changed; if the access was not legitimate, rotate the credential,
//! revoke active sessions, and review what was accessed in the window between first access
//! and detection" — filled in with one alert's identity, keys and window, with the command
//! each step takes in the provider's own CLI. Every value taken from the logs goes through
//! [`quote`]; the printers escape what reaches a terminal.

use super::collect::{alert_actor, SOURCE_PREFIX};
use super::shell::quote;
use crate::event::{Alert, Provider, Timestamp};

/// The steps for one alert, in the order an analyst takes them: scope, then contain.
pub fn next_steps(a: &Alert) -> Vec<String> {
    let Some(actor) = alert_actor(a) else {
        return vec![format!(
            "Scope: nothing in this alert names an identity or a source; review its evidence ({} records).",
            a.evidence.len()
        )];
    };
    let (from, to, end) = window(a);
    let mut steps = vec![rule_guidance(a)];
    if let Some(ip) = actor.strip_prefix(SOURCE_PREFIX) {
        steps.push(format!(
            "Scope: every identity {} reached from {ip}, {from} to {end}: tripline investigate --source-ip {} --from {from} --to {end} LOGS...",
            rule_noun(a),
            quote(ip),
        ));
        steps.push(format!(
            "Check for a successful sign-in from {ip} after the failures (activity.after: sign_ins); if there is one, treat that account as compromised: rotate its credential and revoke its sessions."
        ));
        steps.push(format!(
            "Contain: block {ip} at the perimeter (WAF / network security group / Conditional Access named location) if it is not a known egress address."
        ));
        return steps;
    }
    let identity = group_identity(a);
    steps.push(format!(
        "Scope: what {} read and changed from its first access ({from}) to the detection ({to}) and after it (activity.before / activity.after): tripline investigate --identity {} --from {from} --to {end} LOGS...",
        actor,
        quote(&actor),
    ));
    match provider_of(a, &actor) {
        Provider::Aws => aws_steps(a, &actor, &identity, from, end, &mut steps),
        Provider::Gcp => gcp_steps(&actor, &account(a), from, end, &mut steps),
        Provider::Azure => azure_steps(&actor, from, end, &mut steps),
        Provider::Other => {}
    }
    steps.push(format!(
        "Review: whatever {} changed between {from} and {end} (activity.before.changed, activity.after.changed) is the attacker's until shown otherwise: revert it or confirm it with its owner.",
        actor
    ));
    steps
}

/// First access, detection, end of the actor's activity in the input.
fn window(a: &Alert) -> (Timestamp, Timestamp, Timestamp) {
    let act = a.activity.as_ref();
    let from = act
        .and_then(|x| x.before.first)
        .unwrap_or(a.first_seen)
        .min(a.first_seen);
    let end = act
        .and_then(|x| x.after.last)
        .unwrap_or(a.last_seen)
        .max(a.last_seen);
    (from, a.last_seen, end)
}

fn rule_noun(a: &Alert) -> &'static str {
    match a.rule.as_str() {
        "password-spray" => "was tried against",
        "bucket-enumeration" => "probed",
        _ => "reached",
    }
}

/// Why this rule fired and what to establish first, in the seed guide's words.
fn rule_guidance(a: &Alert) -> String {
    match a.rule.as_str() {
        "cloud-discovery-burst" | "cloud-discovery-sliding" | "post-auth-enumeration" => {
            "Establish first whether this enumeration was expected (a deploy pipeline, a scanner, an administrator) before acting: blocking is not the first step.".into()
        }
        "access-key-created" => {
            let key = field(a, &["key_id", "KeyId"]);
            format!(
                "Confirm with the owner that key {} was created on purpose; a key created by someone else, or right after a new-source sign-in, is persistence.",
                if key.is_empty() { "(not logged)".to_string() } else { key }
            )
        }
        "password-spray" | "tenant-enumeration" | "bucket-enumeration" => {
            "Reconnaissance from one address: establish whether any attempt succeeded before anything else.".into()
        }
        "new-source-signin" | "anonymizer-signin" | "legacy-auth-signin" => {
            "Confirm with the user that this sign-in was theirs (travel, new network, new device) before acting.".into()
        }
        "external-object-read" => {
            "Establish which objects were read (activity.before.objects_read) and what data they hold.".into()
        }
        "unused-region-activity" => {
            "Establish what was created in the unused region: resources there are easy to miss and to pay for.".into()
        }
        _ => "Establish whether this activity was expected before acting.".into(),
    }
}

fn field(a: &Alert, names: &[&str]) -> String {
    names
        .iter()
        .find_map(|n| a.fields.get(n).and_then(|v| v.as_str()))
        .unwrap_or("")
        .to_string()
}

fn group_identity(a: &Alert) -> String {
    a.group
        .get("identity")
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string()
}

fn account(a: &Alert) -> String {
    let from_group = a
        .group
        .get("account")
        .and_then(|v| v.as_str())
        .unwrap_or("");
    if !from_group.is_empty() {
        return from_group.to_string();
    }
    field(a, &["AccountId", "account"])
}

/// The provider whose CLI contains the actor: the alert's, or the actor's shape when the
/// alert does not say (an ARN is AWS, a service account GCP).
fn provider_of(a: &Alert, actor: &str) -> Provider {
    if actor.starts_with("arn:") {
        return Provider::Aws;
    }
    if actor.ends_with(".gserviceaccount.com") {
        return Provider::Gcp;
    }
    a.provider
}

/// The IAM user name of a user ARN (`arn:aws:iam::A:user/path/name` → `name`), or a bare
/// user name as `access-key-created` logs its target.
fn iam_user_name(identity: &str) -> Option<String> {
    if let Some((_, rest)) = identity.split_once(":user/") {
        return rest.rsplit('/').next().map(str::to_string);
    }
    if identity.is_empty() || identity.contains(':') || identity.contains('/') {
        return None;
    }
    if identity.eq_ignore_ascii_case("root") {
        return None;
    }
    Some(identity.to_string())
}

/// The AWS "revoke active sessions" policy: deny everything to sessions issued before now.
fn revoke_sessions_policy() -> &'static str {
    "\"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Deny\\\",\\\"Action\\\":[\\\"*\\\"],\\\"Resource\\\":[\\\"*\\\"],\\\"Condition\\\":{\\\"DateLessThan\\\":{\\\"aws:TokenIssueTime\\\":\\\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\\\"}}}]}\""
}

fn aws_steps(
    a: &Alert,
    actor: &str,
    identity: &str,
    from: Timestamp,
    end: Timestamp,
    steps: &mut Vec<String>,
) {
    let lookup_user = iam_user_name(actor)
        .or_else(|| actor.split_once(":role/").map(|(_, r)| r.to_string()))
        .unwrap_or_else(|| actor.to_string());
    steps.push(format!(
        "Scope in CloudTrail (90 days of management events): aws cloudtrail lookup-events --lookup-attributes AttributeKey=Username,AttributeValue={} --start-time {from} --end-time {end}",
        quote(&lookup_user)
    ));
    // Keys: those the alert's events used or created. A created key belongs to the target.
    let key_owner = if a.rule == "access-key-created" {
        identity.to_string()
    } else {
        actor.to_string()
    };
    let owner_name = iam_user_name(&key_owner);
    let is_root = key_owner.ends_with(":root") || key_owner.eq_ignore_ascii_case("root");
    let mut keys: Vec<String> = a.signals.key_ids.clone();
    let logged = field(a, &["key_id", "KeyId"]);
    if !logged.is_empty() && !keys.contains(&logged) {
        keys.push(logged);
    }
    // Temporary keys (ASIA...) die with their session: revoking sessions covers them.
    keys.retain(|k| !k.starts_with("ASIA"));
    for k in &keys {
        let user = match (&owner_name, is_root) {
            (Some(u), false) => format!(" --user-name {}", quote(u)),
            _ => String::new(),
        };
        steps.push(format!(
            "Rotate: deactivate access key {k} (delete it once nothing legitimate breaks): aws iam update-access-key --access-key-id {} --status Inactive{user}",
            quote(k)
        ));
    }
    if is_root {
        steps.push("Rotate: the root user's password and MFA device, signed in as root; root access keys should not exist: delete them.".into());
    }
    if let Some((_, role)) = actor.split_once(":role/") {
        steps.push(format!(
            "Revoke sessions: deny every session of role {role} issued before now (the AWS \"revoke active sessions\" policy): aws iam put-role-policy --role-name {} --policy-name AWSRevokeOlderSessions --policy-document {}",
            quote(role),
            revoke_sessions_policy()
        ));
    } else if let Some(user) = iam_user_name(actor) {
        if keys.is_empty() {
            steps.push(format!(
                "Rotate: list and deactivate the user's access keys: aws iam list-access-keys --user-name {}",
                quote(&user)
            ));
        }
        steps.push(format!(
            "Revoke sessions: deny the user's temporary credentials issued before now: aws iam put-user-policy --user-name {} --policy-name AWSRevokeOlderSessions --policy-document {}",
            quote(&user),
            revoke_sessions_policy()
        ));
    } else if !actor.starts_with("arn:") {
        // An SSO permission set's session name: the person.
        let role = identity
            .split_once(":assumed-role/")
            .and_then(|(_, r)| r.split('/').next())
            .unwrap_or("");
        steps.push(format!(
            "Revoke sessions: sign {actor} out in IAM Identity Center and remove their assignment until cleared{}",
            if role.is_empty() {
                String::new()
            } else {
                format!(
                    "; deny older sessions of the permission set's role: aws iam put-role-policy --role-name {} --policy-name AWSRevokeOlderSessions --policy-document {}",
                    quote(role),
                    revoke_sessions_policy()
                )
            }
        ));
    }
}

fn azure_steps(actor: &str, from: Timestamp, end: Timestamp, steps: &mut Vec<String>) {
    steps.push(format!(
        "Scope in the Activity Log: az monitor activity-log list --caller {} --start-time {from} --end-time {end}",
        quote(actor)
    ));
    steps.push(format!(
        "Rotate: force a password change at next sign-in: az ad user update --id {} --force-change-password-next-sign-in true",
        quote(actor)
    ));
    steps.push(format!(
        "Revoke sessions (refresh tokens and session cookies): az rest --method post --url {} (PowerShell: Revoke-MgUserSignInSession -UserId {})",
        quote(&format!(
            "https://graph.microsoft.com/v1.0/users/{actor}/revokeSignInSessions"
        )),
        quote(actor)
    ));
}

fn gcp_steps(actor: &str, project: &str, from: Timestamp, end: Timestamp, steps: &mut Vec<String>) {
    let filter = format!(
        "protoPayload.authenticationInfo.principalEmail=\"{actor}\" AND timestamp>=\"{from}\" AND timestamp<=\"{end}\""
    );
    let project = if project.is_empty() {
        String::new()
    } else {
        format!(" --project {}", quote(project))
    };
    steps.push(format!(
        "Scope in Cloud Audit Logs: gcloud logging read {}{project}",
        quote(&filter)
    ));
    if actor.ends_with(".gserviceaccount.com") {
        steps.push(format!(
            "Rotate: list the service account's keys, then disable each one not known to be in use: gcloud iam service-accounts keys list --iam-account {} ; gcloud iam service-accounts keys disable KEY_ID --iam-account {}",
            quote(actor),
            quote(actor)
        ));
    } else {
        steps.push(format!(
            "Revoke sessions: reset {actor}'s sign-in cookies and password in the Google Admin console (Users > {actor} > Security), and review their OAuth tokens."
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::alert::ALERT_SCHEMA;
    use crate::event::{Fields, Severity};

    fn alert(rule: &str, identity: &str) -> Alert {
        let t = Timestamp::parse("2024-05-06T10:00:00Z").unwrap();
        let mut group = Fields::default();
        group.push("identity", identity);
        Alert {
            schema: ALERT_SCHEMA,
            id: "x".into(),
            rule: rule.into(),
            title: "t".into(),
            attack: vec![],
            severity: Severity::High,
            risk_score: 75,
            provider: Provider::Aws,
            group,
            window_start: t,
            window_end: t,
            first_seen: t,
            last_seen: t,
            count: 1,
            fields: Fields::default(),
            evidence: vec![],
            suppressed: false,
            reason: None,
            notes: vec![],
            activity: None,
            next_steps: vec![],
            signals: Default::default(),
            incident: None,
        }
    }

    /// The command after `prefix` in the step that has it, run word by word through a real
    /// shell's word splitting: each value must come back whole and unchanged.
    fn shell_words(cmd: &str) -> Vec<String> {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("for w in {cmd}; do printf '%s\\0' \"$w\"; done"))
            .output()
            .unwrap();
        assert!(out.status.success());
        out.stdout
            .split(|b| *b == 0)
            .filter(|w| !w.is_empty())
            .map(|w| String::from_utf8(w.to_vec()).unwrap())
            .collect()
    }

    #[test]
    fn aws_user_key_is_deactivated_with_its_user_name_and_hostile_names_stay_one_word() {
        let hostile = "arn:aws:iam::123456789012:user/evil'$(id)`id`\nx";
        let mut a = alert("access-key-created", hostile);
        a.fields
            .push("actor", "arn:aws:iam::123456789012:user/bert-jan");
        a.fields.push("key_id", "AKIA'; rm -rf ~");
        let steps = next_steps(&a);
        let rotate = steps
            .iter()
            .find(|s| s.contains("update-access-key"))
            .expect("a rotate step");
        let cmd = rotate.split_once(": aws").unwrap().1;
        let words = shell_words(&format!("aws{cmd}"));
        assert_eq!(
            words,
            [
                "aws",
                "iam",
                "update-access-key",
                "--access-key-id",
                "AKIA'; rm -rf ~",
                "--status",
                "Inactive",
                "--user-name",
                "evil'$(id)`id`\nx",
            ]
        );
    }

    #[test]
    fn a_role_is_revoked_with_the_token_issue_time_policy() {
        let a = alert(
            "post-auth-enumeration",
            "arn:aws:sts::123456789012:assumed-role/deploy/run-1",
        );
        let steps = next_steps(&a);
        let revoke = steps
            .iter()
            .find(|s| s.contains("put-role-policy"))
            .unwrap();
        assert!(revoke.contains("--role-name deploy "), "{revoke}");
        assert!(revoke.contains("aws:TokenIssueTime"), "{revoke}");
        let scope = steps.iter().find(|s| s.contains("lookup-events")).unwrap();
        assert!(
            scope.contains("AttributeValue=deploy --start-time 2024-05-06T10:00:00Z"),
            "{scope}"
        );
    }

    #[test]
    fn entra_user_sessions_are_revoked_and_a_quote_in_the_upn_is_quoted() {
        let mut a = alert("new-source-signin", "O'Brien@Contoso.com");
        a.provider = Provider::Azure;
        let steps = next_steps(&a);
        let revoke = steps
            .iter()
            .find(|s| s.contains("revokeSignInSessions"))
            .unwrap();
        assert!(
            revoke.contains("'https://graph.microsoft.com/v1.0/users/o'\\''brien@contoso.com/revokeSignInSessions'"),
            "{revoke}"
        );
        assert!(revoke.contains("Revoke-MgUserSignInSession -UserId 'o'\\''brien@contoso.com'"));
    }

    #[test]
    fn a_service_account_key_is_disabled_with_gcloud() {
        let mut a = alert(
            "first-seen-api",
            "scanner@acme-prod.iam.gserviceaccount.com",
        );
        a.provider = Provider::Gcp;
        a.group.push("account", "acme-prod");
        let steps = next_steps(&a);
        assert!(steps.iter().any(|s| s.contains(
            "gcloud iam service-accounts keys disable KEY_ID --iam-account scanner@acme-prod.iam.gserviceaccount.com"
        )));
        assert!(steps.iter().any(|s| s.contains("--project acme-prod")));
    }

    #[test]
    fn a_source_only_alert_is_investigated_by_address() {
        let mut a = alert("password-spray", "");
        a.group = Fields::default();
        a.group.push("source_ip", "203.0.113.9");
        let steps = next_steps(&a);
        assert!(steps
            .iter()
            .any(|s| s.contains("tripline investigate --source-ip 203.0.113.9 ")));
    }
}
