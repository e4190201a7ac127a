//! The history that rules share: what "identity", "environment" and "a new-source sign-in"
//! mean for every rule that reads or writes the store. Separate from any one rule, so that
//! the engine and the rule SDK never import a rule (`new-source-signin` records new-source
//! sightings, `access-key-created` and `first-seen-api` read them).

use super::context::Facts;
use crate::event::{Duration, Event, Timestamp};
use crate::state::Store;

/// Earlier than any event: "seen before t" asks about [`BEGINNING`, t).
pub const BEGINNING: Timestamp = Timestamp(i64::MIN);

/// A new-source sign-in of an identity (scope: the identity as [`baseline_identity`] gives it).
pub const NEW_SOURCE: &str = "new-source";

/// The identity as baselines compare it (SPEC §4): an AWS assumed-role session counts as its
/// role (`arn:aws:sts::A:assumed-role/R/s` → `arn:aws:iam::A:role/R`), other ARNs as logged,
/// and everything else (UPNs, e-mails, object ids) case-folded.
pub fn baseline_identity(identity: &str) -> String {
    // Called for every event by the history rules: one allocation, of the right size.
    let mut out = String::with_capacity(identity.len());
    baseline_identity_into(identity, &mut out);
    out
}

/// [`baseline_identity`] appended to `out`.
fn baseline_identity_into(identity: &str, out: &mut String) {
    let id = crate::text::trim(identity);
    if let Some(rest) = id.strip_prefix("arn:") {
        // partition : service : region : account : resource
        let [partition, service, _, account, resource] = arn_parts(rest);
        if let (Some(partition), Some("sts"), Some(account), Some(resource)) =
            (partition, service, account, resource)
        {
            if let Some((role, _session)) = resource
                .strip_prefix("assumed-role/")
                .and_then(|r| r.split_once('/'))
            {
                for piece in ["arn:", partition, ":iam::", account, ":role/", role] {
                    out.push_str(piece);
                }
                return;
            }
        }
        out.push_str(id);
        return;
    }
    push_lowercase(id, out);
}

/// `s.to_lowercase()` appended to `out`, without a string of its own when `s` is ASCII.
fn push_lowercase(s: &str, out: &mut String) {
    if s.is_ascii() {
        let at = out.len();
        out.push_str(s);
        out[at..].make_ascii_lowercase();
    } else {
        // Unicode's rules (a final sigma) are the standard library's, whole-string.
        out.push_str(&s.to_lowercase());
    }
}

/// An ARN after `arn:`, cut at its first four colons (the resource keeps the rest): a byte
/// loop, for this runs several times for every event.
fn arn_parts(rest: &str) -> [Option<&str>; 5] {
    let mut parts = [None; 5];
    let mut left = rest;
    for slot in &mut parts[..4] {
        // The fields before the resource are short: a plain scan beats a searcher's set-up.
        match left.bytes().position(|b| b == b':') {
            Some(i) => {
                *slot = Some(&left[..i]);
                left = &left[i + 1..];
            }
            None => {
                *slot = Some(left);
                return parts;
            }
        }
    }
    parts[4] = Some(left);
    parts
}

/// The actor behind an identity, as incidents and activity group alerts (SPEC §4): its
/// [`baseline_identity`], except that a session of an AWS SSO permission set
/// (`assumed-role/AWSReservedSSO_*/person`) is the person, its session name, case-folded:
/// the role is shared by everyone with that permission set.
pub fn actor_of(identity: &str) -> String {
    let mut out = String::with_capacity(identity.len());
    actor_into(identity, &mut out);
    out
}

/// [`actor_of`] written into `out`, which is cleared first: a caller that needs the actor
/// of every event (to share kept events out by actor) reuses one buffer.
pub fn actor_into(identity: &str, out: &mut String) {
    out.clear();
    let id = crate::text::trim(identity);
    if let Some(resource) = id.strip_prefix("arn:").and_then(|rest| arn_parts(rest)[4]) {
        if let Some((role, session)) = resource
            .strip_prefix("assumed-role/")
            .and_then(|r| r.split_once('/'))
        {
            if role.starts_with("AWSReservedSSO_") && !session.is_empty() {
                return push_lowercase(session, out);
            }
        }
    }
    baseline_identity_into(id, out)
}

/// The environment an event belongs to: `aws/123456789012`, `azure/<tenant>`, `gcp/<project>`.
pub fn environment(e: &Event) -> String {
    let (provider, account) = (e.provider().as_str(), crate::text::trim(&e.account));
    let mut out = String::with_capacity(provider.len() + 1 + account.len());
    out.push_str(provider);
    out.push('/');
    out.push_str(account);
    out
}

/// The minute an event time falls in, as a store value: new-source sightings are recorded per
/// minute as well, because the store keeps one first/last span per value and day, and a
/// question about one hour of a day with two sightings hours apart would otherwise be answered
/// by the span between them.
fn minute_value(t: Timestamp) -> String {
    format!("m{}", t.0.div_euclid(Duration::minutes(1).0))
}

/// Records a new-source sign-in of `identity` (already [`baseline_identity`]) at `at`: once
/// with the value `""` (the day's span), once with the minute (exact answers).
pub fn record_new_source(findings: &mut dyn Facts, identity: &str, at: Timestamp) {
    findings.record(NEW_SOURCE, identity, "", at);
    findings.record(NEW_SOURCE, identity, &minute_value(at), at);
}

/// Whether `identity` had a new-source sign-in within `window` before `at`: at a time s with
/// at − window < s ≤ at (SPEC §4 "within"). Exact for windows of a minute or more.
pub fn new_source_within(store: &Store, identity: &str, at: Timestamp, window: Duration) -> bool {
    let from = Timestamp(at.sub(window).0.saturating_add(1));
    let before = Timestamp(at.0.saturating_add(1));
    // The day spans answer "no" exactly; "yes" may be a span around the window.
    if !store.seen_between(NEW_SOURCE, identity, "", from, before) {
        return false;
    }
    // Every minute the window touches. A window at least a minute long covers the start or
    // the end of each of them, where a minute's own first/last span answers exactly.
    let minute = Duration::minutes(1).0;
    let (first, last) = (from.0.div_euclid(minute), at.0.div_euclid(minute));
    (first..=last)
        .rev()
        .any(|m| store.seen_between(NEW_SOURCE, identity, &format!("m{m}"), from, before))
}

#[cfg(test)]
mod tests {
    /// The byte loop cuts an ARN exactly where `splitn(5, ':')` did.
    #[test]
    fn arn_parts_cut_as_splitn_did() {
        use proptest::prelude::*;
        proptest!(ProptestConfig::with_cases(3000), |(s in "[a:/é]{0,16}")| {
            let mut want = [None; 5];
            for (slot, part) in want.iter_mut().zip(s.splitn(5, ':')) {
                *slot = Some(part);
            }
            prop_assert_eq!(super::arn_parts(&s), want);
        });
    }

    use super::actor_of;

    #[test]
    fn actor_of_sso_session_is_the_person_other_sessions_their_role() {
        assert_eq!(
            actor_of("arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0a1b/Alice@Example.com"),
            "alice@example.com"
        );
        assert_eq!(
            actor_of("arn:aws:sts::111122223333:assumed-role/deploy/run-42"),
            "arn:aws:iam::111122223333:role/deploy"
        );
        assert_eq!(actor_of("Bob@Contoso.COM"), "bob@contoso.com");
        assert_eq!(
            actor_of("arn:aws:iam::111122223333:user/Carol"),
            "arn:aws:iam::111122223333:user/Carol"
        );
    }

    /// Case-folding is the standard library's whole-string lower case (a final sigma
    /// included) whether or not the text is ASCII, and `actor_into` gives what `actor_of`
    /// gives whatever its buffer held. (Guards the ASCII shortcut and the buffer reuse.)
    #[test]
    fn actor_into_is_actor_of_with_any_text_in_any_buffer() {
        use super::{actor_into, baseline_identity};
        use proptest::prelude::*;
        for (id, actor, baseline) in [
            ("  Bob@Contoso.COM ", "bob@contoso.com", "bob@contoso.com"),
            ("ΟΔΟΣ@contoso.com", "οδος@contoso.com", "οδος@contoso.com"),
            (
                "arn:aws:sts::1:assumed-role/AWSReservedSSO_X/ΟΔΟΣ",
                "οδος",
                "arn:aws:iam::1:role/AWSReservedSSO_X",
            ),
        ] {
            assert_eq!(super::actor_of(id), actor, "{id}");
            assert_eq!(baseline_identity(id), baseline, "{id}");
        }
        let id = prop_oneof![
            "[ a-zA-Z@.ΣΟΔİ]{0,12}",
            "(arn:)?[a-z]{0,3}:(sts|iam)?:[a-z0-9-]{0,3}:[0-9]{0,4}:(assumed-role/)?(AWSReservedSSO_|deploy)?[A-Za-zΣ]{0,3}/?[A-Za-zΣ@.]{0,6}",
        ];
        proptest!(ProptestConfig::with_cases(3000), |(id in id, junk in "[a-zΣ]{0,20}")| {
            let mut buf = junk;
            actor_into(&id, &mut buf);
            prop_assert_eq!(&buf, &super::actor_of(&id));
            let trimmed = id.trim();
            if !trimmed.starts_with("arn:") {
                prop_assert_eq!(&buf, &trimmed.to_lowercase());
            }
        });
    }
}
