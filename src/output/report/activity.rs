//! An alert's activity (SPEC §8): what its actor read and changed up to the detection and
//! after it — counts of reads, writes, sign-ins and denied calls; the actions with their
//! counts; the notable ones; the resources changed; objects read, sources, regions and user
//! agents — each list with its exact total when it was capped.

use super::html::Html;
use crate::event::activity::{Activity, ActivityPart, Bounded};
use crate::output::display_time::DisplayZone;

pub fn activity(act: &Activity, zone: DisplayZone) -> Html {
    let mut h = Html::new();
    h.markup("<h4>Activity</h4>");
    h.open("div", &[("class", "muted")])
        .text(&format!(
            "actor {}{}",
            act.actor,
            if act.partial {
                " (partial: read from standard input, only the records the rules needed)"
            } else {
                ""
            }
        ))
        .close("div");
    for (label, part) in [
        ("Up to the detection", &act.before),
        ("After the detection", &act.after),
    ] {
        h.markup("<div class=\"activity-part\">");
        h.elem("h3", &[], label);
        part_html(&mut h, part, zone);
        h.markup("</div>");
    }
    h
}

fn part_html(h: &mut Html, p: &ActivityPart, zone: DisplayZone) {
    if p.events == 0 {
        h.elem("p", &[("class", "muted")], "no events");
        return;
    }
    let span = match (p.first, p.last) {
        (Some(f), Some(l)) => format!(", {} .. {}", zone.show(f), zone.show(l)),
        _ => String::new(),
    };
    h.elem(
        "p",
        &[],
        &format!(
            "{} events{span}: {} reads, {} writes, {} sign-ins, {} unclassified; {} denied, {} failed sign-ins",
            p.events, p.reads, p.writes, p.sign_ins, p.unclassified, p.denied, p.failed_sign_ins
        ),
    );
    if !p.notable.is_empty() {
        h.markup("<div><strong>Notable:</strong> ");
        for a in &p.notable {
            h.open("span", &[("class", "chip")])
                .text(&format!("{} ×{}", a.action, a.count))
                .close("span");
        }
        h.markup("</div>");
    }
    if !p.actions.is_empty() {
        h.markup("<table><thead><tr><th>action</th><th>access</th><th class=\"n\">count</th><th class=\"n\">failed</th><th class=\"n\">denied</th><th>first</th></tr></thead><tbody>");
        for a in &p.actions {
            h.markup("<tr><td><code>")
                .text(&a.action)
                .markup("</code></td><td>");
            h.text(a.access.as_str()).markup("</td><td class=\"n\">");
            h.num(a.count as f64).markup("</td><td class=\"n\">");
            h.num(a.failed as f64).markup("</td><td class=\"n\">");
            h.num(a.denied as f64).markup("</td><td>");
            h.text(&zone.show(a.first)).markup("</td></tr>");
        }
        h.markup("</tbody></table>");
        more(h, p.actions.len(), p.actions_total, "actions");
    }
    if !p.changed.is_empty() {
        h.markup("<h4>Resources changed</h4><table><thead><tr><th>resource</th><th>first write</th><th class=\"n\">writes</th><th>first</th></tr></thead><tbody>");
        for c in &p.changed {
            h.markup("<tr><td class=\"mono\">")
                .text(&c.resource)
                .markup("</td><td><code>");
            h.text(&c.action).markup("</code></td><td class=\"n\">");
            h.num(c.count as f64).markup("</td><td>");
            h.text(&zone.show(c.first)).markup("</td></tr>");
        }
        h.markup("</tbody></table>");
        more(h, p.changed.len(), p.changed_total, "resources");
    }
    h.markup("<dl class=\"kv\">");
    for (label, b) in [
        ("objects read", &p.objects_read),
        ("source IPs", &p.source_ips),
        ("regions", &p.regions),
        ("user agents", &p.user_agents),
    ] {
        bounded(h, label, b);
    }
    h.markup("</dl>");
}

fn bounded(h: &mut Html, label: &str, b: &Bounded) {
    if b.values.is_empty() {
        return;
    }
    h.elem("dt", &[], &format!("{label} ({})", b.total));
    h.markup("<dd>");
    for v in &b.values {
        h.open("span", &[("class", "chip mono")])
            .text(v)
            .close("span");
    }
    if b.total > b.values.len() {
        h.text(&format!(" and {} more", b.total - b.values.len()));
    }
    h.markup("</dd>");
}

fn more(h: &mut Html, listed: usize, total: usize, what: &str) {
    if total > listed {
        h.elem(
            "div",
            &[("class", "muted")],
            &format!("first {listed} of {total} {what} listed"),
        );
    }
}
