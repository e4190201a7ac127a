//! An incident's one-line story, in event order (SPEC §4): when it began, then each step as
//! an offset from that start, e.g.
//! `2024-05-06T10:01:02Z password-spray from 198.51.100.7 → +39m new-source-signin from
//! 198.51.100.7 → +44m post-auth-enumeration → +1h01m access-key-created key AKIA…`.
//! Values come from logs: the JSON keeps them as they are, printers escape them.

use super::facts::AlertFacts;
use crate::event::{Alert, Duration, Timestamp};

/// `+39m`, `+1h01m`, `+2d03h`: coarse enough to read at a glance.
fn offset(from: Timestamp, to: Timestamp) -> String {
    let mins = (to.0 - from.0).max(0) / Duration::minutes(1).0;
    match mins {
        0..=59 => format!("+{mins}m"),
        60..=1439 => format!("+{}h{:02}m", mins / 60, mins % 60),
        _ => format!("+{}d{:02}h", mins / 1440, (mins % 1440) / 60),
    }
}

/// What one step adds after the rule: the created key, or where it came from.
fn detail(a: &Alert, f: &AlertFacts) -> String {
    if a.rule == "access-key-created" && !f.key_ids.is_empty() {
        return format!(" key {}", f.key_ids.join(", "));
    }
    if let Some(src) = &f.keyed_source {
        return format!(" from {src}");
    }
    if matches!(a.rule.as_str(), "new-source-signin" | "anonymizer-signin") {
        if let Some(ip) = f.addresses.first() {
            return format!(" from {ip}");
        }
    }
    String::new()
}

/// `members` in (first_seen, id) order. Consecutive alerts of one rule with the same detail
/// are one step (`cloud-discovery-burst ×3`).
pub fn story(members: &[(&Alert, &AlertFacts)]) -> String {
    let Some((first, _)) = members.first() else {
        return String::new();
    };
    let start = first.first_seen;
    let mut steps: Vec<(Timestamp, String, usize)> = Vec::new();
    for (a, f) in members {
        let text = format!("{}{}", a.rule, detail(a, f));
        match steps.last_mut() {
            Some((_, last, n)) if *last == text => *n += 1,
            _ => steps.push((a.first_seen, text, 1)),
        }
    }
    steps
        .iter()
        .enumerate()
        .map(|(i, (at, text, n))| {
            let when = if i == 0 {
                start.to_string()
            } else {
                offset(start, *at)
            };
            let times = if *n > 1 {
                format!(" ×{n}")
            } else {
                String::new()
            };
            format!("{when} {text}{times}")
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_read_at_a_glance() {
        let t0 = Timestamp(0);
        assert_eq!(offset(t0, t0.add(Duration::minutes(39))), "+39m");
        assert_eq!(offset(t0, t0.add(Duration::minutes(61))), "+1h01m");
        assert_eq!(
            offset(t0, t0.add(Duration::minutes(3 * 1440 + 125))),
            "+3d02h"
        );
    }
}
