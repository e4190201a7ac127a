//! One alert, collapsed to a line (severity, risk, title, rule, who, when, count, whether
//! suppressed) that opens onto its window, ATT&CK, group, the rule's fields, the activity,
//! the evidence and the next steps (commands in `<pre>`). Its `data-` attributes carry what
//! the filters match on.

use serde_json::Value;

use super::activity::activity;
use super::html::Html;
use crate::event::{Alert, Timestamp};
use crate::output::display_time::DisplayZone;

/// Command words that start the runnable part of a next step (`Scope: ...: tripline ...`).
const COMMANDS: [&str; 4] = ["tripline ", "aws ", "gcloud ", "az "];

/// Who the alert is about, as a person reads it: the group's values.
fn who(a: &Alert) -> String {
    a.group
        .0
        .iter()
        .map(|(_, v)| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// `open`: shown expanded (the first alert of the highest-risk incident, so the page opens
/// on the evidence that matters most).
pub fn alert(a: &Alert, zone: DisplayZone, open: bool) -> Html {
    let mut h = Html::new();
    let class = format!(
        "alert sev-{}{}",
        a.severity.as_str(),
        if a.suppressed { " is-suppressed" } else { "" }
    );
    let id = format!("alert-{}", a.id);
    let mut attrs: Vec<(&'static str, &str)> = vec![
        ("class", &class),
        ("id", &id),
        ("data-severity", a.severity.as_str()),
        ("data-rule", &a.rule),
        ("data-provider", a.provider.as_str()),
        (
            "data-suppressed",
            if a.suppressed { "true" } else { "false" },
        ),
    ];
    if open {
        attrs.push(("open", ""));
    }
    h.open("details", &attrs);
    h.markup("<summary>");
    h.open("span", &[("class", "badge sev")])
        .text(a.severity.as_str())
        .close("span");
    h.open("span", &[("class", "risk")])
        .text(&a.risk_score.to_string())
        .close("span");
    h.open("span", &[("class", "title")])
        .text(&a.title)
        .close("span");
    h.markup("<code>").text(&a.rule).markup("</code>");
    h.open("span", &[("class", "who")])
        .text(&who(a))
        .close("span");
    h.open("span", &[("class", "muted")])
        .text(&format!("{} · {} events", zone.show(a.first_seen), a.count))
        .close("span");
    if a.suppressed {
        h.open("span", &[("class", "badge sup")])
            .text("suppressed")
            .close("span");
    }
    for n in &a.notes {
        h.open("span", &[("class", "badge note")])
            .text(n)
            .close("span");
    }
    h.markup("</summary><div class=\"alert-body\">");

    h.markup("<dl class=\"kv\">");
    let dt = |h: &mut Html, k: &str, v: &str| {
        h.elem("dt", &[], k).elem("dd", &[], v);
    };
    if a.suppressed {
        dt(
            &mut h,
            "suppressed",
            a.reason.as_deref().unwrap_or("(no reason given)"),
        );
    }
    dt(
        &mut h,
        "window",
        &format!(
            "{} .. {}",
            zone.show(a.window_start),
            zone.show(a.window_end)
        ),
    );
    dt(
        &mut h,
        "seen",
        &format!("{} .. {}", zone.show(a.first_seen), zone.show(a.last_seen)),
    );
    dt(&mut h, "ATT&CK", &a.attack.join(", "));
    dt(&mut h, "provider", a.provider.as_str());
    for (k, v) in &a.group.0 {
        dt(&mut h, &format!("group {k}"), &plain(v));
    }
    dt(&mut h, "alert id", &a.id);
    if let Some(i) = &a.incident {
        dt(&mut h, "incident", i);
    }
    h.markup("</dl>");

    if !a.fields.0.is_empty() {
        h.markup("<h4>Fields</h4><table class=\"fields\"><tbody>");
        for (k, v) in &a.fields.0 {
            h.markup("<tr><th>").text(k).markup("</th><td>");
            field_value(&mut h, v, zone);
            h.markup("</td></tr>");
        }
        h.markup("</tbody></table>");
    }
    if let Some(act) = &a.activity {
        h.append(activity(act, zone));
    }
    if !a.evidence.is_empty() {
        h.markup("<h4>Evidence</h4><ul class=\"plain mono\">");
        for e in &a.evidence {
            h.elem("li", &[], e);
        }
        h.markup("</ul>");
    }
    if !a.next_steps.is_empty() {
        h.markup("<h4>Next steps</h4><ol class=\"steps\">");
        for step in &a.next_steps {
            h.markup("<li>");
            let (prose, command) = split_command(step);
            h.text(prose);
            if let Some(c) = command {
                h.elem("pre", &[], c);
            }
            h.markup("</li>");
        }
        h.markup("</ol>");
    }
    h.markup("</div></details>\n");
    h
}

/// A field's value: strings as they are, lists as chips, anything else as compact JSON.
fn field_value(h: &mut Html, v: &Value, zone: DisplayZone) {
    match v {
        Value::Array(items) => {
            for item in items {
                h.open("span", &[("class", "chip")])
                    .text(&plain(item))
                    .close("span");
            }
        }
        Value::String(s) => {
            h.text(&in_zone(s, zone));
        }
        other => {
            h.text(&plain(other));
        }
    }
}

/// A field that holds an RFC 3339 time (`FirstSeen`, `TimeGenerated`) in the report's
/// zone, like every other time on the page; any other text as it is.
fn in_zone(s: &str, zone: DisplayZone) -> String {
    let looks_like_time = s.len() >= 20 && s.as_bytes().get(10) == Some(&b'T');
    match Timestamp::parse(s) {
        Some(t) if looks_like_time => zone.show(t),
        _ => s.to_string(),
    }
}

fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A step's prose and the command it ends with, when it ends with one: the first
/// `": "` followed by a known command word starts the command.
fn split_command(step: &str) -> (&str, Option<&str>) {
    let mut from = 0;
    while let Some(at) = step[from..].find(": ") {
        let start = from + at + 2;
        if COMMANDS.iter().any(|c| step[start..].starts_with(c)) {
            return (&step[..from + at + 1], Some(&step[start..]));
        }
        from = start;
    }
    (step, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_splits_at_its_command() {
        let (p, c) = split_command(
            "Scope: what x read (a: b): tripline investigate --identity 'x y' LOGS...",
        );
        assert_eq!(p, "Scope: what x read (a: b):");
        assert_eq!(c, Some("tripline investigate --identity 'x y' LOGS..."));
        let (p, c) = split_command("Review: nothing to run here.");
        assert_eq!((p, c), ("Review: nothing to run here.", None));
    }
}
