//! Whose credential a key-creation record created, as a full identity: the same form as the
//! event's `identity` (an IAM ARN, a service-account e-mail), so that `[organisation]
//! high_privilege` globs such as `arn:aws:iam::*:root` match it (SPEC §6: patterns match the
//! whole value) and an alert's `group` names the identity the way other alerts do.
//!
//! The vendors log the target in a shorter form: CloudTrail's `CreateAccessKey` names a bare
//! IAM user in `requestParameters.userName`, or no one when callers create their own key
//! (root included); GCP's `CreateServiceAccountKey` names a resource path that may hold the
//! e-mail or only the account's numeric unique id. Those conventions are vendor knowledge, so
//! they live here in `normalize`, and the rules read `Event::target` alone.

/// The owner of a key made by AWS `CreateAccessKey`, as an IAM ARN; empty when the key is the
/// caller's own (the rule then takes the caller's identity, which is already a full ARN:
/// `arn:aws:iam::ACCOUNT:root` for the root user).
///
/// - `requested`: `requestParameters.userName`, the user the key is for. IAM allows no key
///   for another account's user, so the account is the caller's.
/// - `responded`: `responseElements.accessKey.userName`, used only when the request named no
///   one (an export without request parameters): for a root caller it names root itself (the
///   Panther root-credentials data logs `Root`), so it is ignored then.
///
/// The ARN is built as `arn:PARTITION:iam::ACCOUNT:user/NAME`: CloudTrail does not log the
/// user's IAM path, so a user under a path (`user/ops/alice`) gets the path-less ARN unless
/// the user is the caller, whose logged ARN is kept.
pub fn aws_key_owner(
    caller_arn: &str,
    caller_type: &str,
    account: &str,
    requested: &str,
    responded: &str,
) -> String {
    let caller_is_root = caller_type == "Root" || caller_arn.ends_with(":root");
    let name = match requested.trim() {
        "" if caller_is_root => return String::new(),
        "" => responded.trim(),
        n => n,
    };
    if name.is_empty() || name.starts_with("arn:") {
        return name.to_string();
    }
    // The caller's own user: its logged ARN carries the IAM path that the name lacks.
    if let Some((caller_account, user_path)) = iam_user(caller_arn) {
        if caller_account == account && user_path.rsplit('/').next() == Some(name) {
            return String::new();
        }
    }
    if account.is_empty() {
        // Nothing to build an ARN from (a record without `userIdentity.accountId` or
        // `recipientAccountId`): the name as logged.
        return name.to_string();
    }
    let partition = caller_arn
        .strip_prefix("arn:")
        .and_then(|rest| rest.split(':').next())
        .filter(|p| !p.is_empty())
        .unwrap_or("aws");
    format!("arn:{partition}:iam::{account}:user/{name}")
}

/// `(account, path and name)` of an IAM user ARN `arn:aws:iam::ACCOUNT:user/PATH/NAME`.
fn iam_user(arn: &str) -> Option<(&str, &str)> {
    let mut parts = arn.splitn(6, ':');
    let (_, _, service, _, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    (service == "iam")
        .then(|| resource.strip_prefix("user/"))
        .flatten()
        .map(|user| (account, user))
}

/// The service account a GCP `CreateServiceAccountKey` made a key for, as its e-mail when the
/// entry logs one: the `email_id` resource label, else the `serviceAccounts/…` segment of the
/// request name (or resource name) when it is an e-mail, else that of the created key's name
/// (`projects/P/serviceAccounts/EMAIL/keys/ID`, which real entries write with the e-mail even
/// when the request used the numeric unique id), else the request's segment as logged.
pub fn gcp_service_account(email_label: &str, requested: &str, key_name: &str) -> String {
    if !email_label.trim().is_empty() {
        return email_label.trim().to_string();
    }
    let from_request = service_account_segment(requested);
    if from_request.contains('@') {
        return from_request.to_string();
    }
    let from_key = service_account_segment(key_name);
    if from_key.contains('@') {
        return from_key.to_string();
    }
    if from_request.is_empty() {
        requested.to_string()
    } else {
        from_request.to_string()
    }
}

/// `x` in `projects/P/serviceAccounts/x[/keys/K]`; empty when there is no such segment.
fn service_account_segment(path: &str) -> &str {
    path.split_once("serviceAccounts/")
        .map(|(_, rest)| rest.split('/').next().unwrap_or(rest))
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALICE: &str = "arn:aws:iam::123456789012:user/alice";
    const ROOT: &str = "arn:aws:iam::493859302102:root";

    #[test]
    fn aws_named_user_becomes_its_arn_in_the_callers_account() {
        assert_eq!(
            aws_key_owner(ALICE, "IAMUser", "123456789012", "bob", "bob"),
            "arn:aws:iam::123456789012:user/bob"
        );
        // An assumed-role session creating a key for a user.
        assert_eq!(
            aws_key_owner(
                "arn:aws-cn:sts::123456789012:assumed-role/Admin/mallory",
                "AssumedRole",
                "123456789012",
                "svc-backup",
                ""
            ),
            "arn:aws-cn:iam::123456789012:user/svc-backup"
        );
    }

    #[test]
    fn aws_own_key_is_the_caller() {
        // No user named: the caller's own key.
        assert_eq!(
            aws_key_owner(ALICE, "IAMUser", "123456789012", "", "alice"),
            ""
        );
        // Naming oneself: the caller's logged ARN (with its IAM path) is the better name.
        let pathed = "arn:aws:iam::123456789012:user/ops/alice";
        assert_eq!(
            aws_key_owner(pathed, "IAMUser", "123456789012", "alice", ""),
            ""
        );
        // Same name, other account: not the caller.
        assert_eq!(
            aws_key_owner(ALICE, "IAMUser", "210987654321", "alice", ""),
            "arn:aws:iam::210987654321:user/alice"
        );
    }

    #[test]
    fn aws_root_key_is_the_callers_root_not_a_user_named_root() {
        // Panther's compromised-root data: no request parameters, the response says `Root`.
        assert_eq!(aws_key_owner(ROOT, "Root", "493859302102", "", "Root"), "");
        // Root creating a key for a user: that user.
        assert_eq!(
            aws_key_owner(ROOT, "Root", "493859302102", "tracy_stone", "tracy_stone"),
            "arn:aws:iam::493859302102:user/tracy_stone"
        );
        // A user named Root, named in the request: the user.
        assert_eq!(
            aws_key_owner(ROOT, "Root", "493859302102", "Root", "Root"),
            "arn:aws:iam::493859302102:user/Root"
        );
    }

    #[test]
    fn aws_response_name_fills_a_missing_request_for_non_root_callers() {
        assert_eq!(
            aws_key_owner(ALICE, "IAMUser", "123456789012", "", "bob"),
            "arn:aws:iam::123456789012:user/bob"
        );
        // No account to build from: the name as logged.
        assert_eq!(aws_key_owner("", "", "", "bob", ""), "bob");
    }

    #[test]
    fn gcp_service_account_is_its_email() {
        let sa = "deploy@acme-prod.iam.gserviceaccount.com";
        let path = format!("projects/-/serviceAccounts/{sa}");
        let key = format!("projects/acme-prod/serviceAccounts/{sa}/keys/3f1c");
        assert_eq!(gcp_service_account("", &path, &key), sa);
        assert_eq!(gcp_service_account(sa, "", ""), sa);
        // Panther's real entry: the request names the numeric id; label and key name the e-mail.
        let by_id = "projects/gcp-project1/serviceAccounts/123456789098765434567";
        assert_eq!(gcp_service_account("", by_id, &key), sa);
        assert_eq!(gcp_service_account("", by_id, ""), "123456789098765434567");
        assert_eq!(gcp_service_account("", "odd-name", ""), "odd-name");
    }
}
