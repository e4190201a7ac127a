//! Incidents, highest risk first: actor, risk and severity, time span, stages, the story,
//! the reasons with their points, the timeline chart, then the member alerts. Alerts in no
//! incident follow in a section of their own.

use super::alert::alert;
use super::html::Html;
use super::timeline::timeline;
use super::Grouped;
use crate::event::Alert;
use crate::incidents::Incident;
use crate::output::display_time::DisplayZone;

pub fn incidents(g: &Grouped<'_>, zone: DisplayZone) -> Html {
    let mut h = Html::new();
    h.markup("<section id=\"incidents\"><h2>Incidents</h2>\n");
    if g.incidents.is_empty() {
        h.elem("p", &[("class", "muted")], "No incident.");
    }
    for (i, (inc, members)) in g.incidents.iter().enumerate() {
        h.append(incident(inc, members, zone, i == 0));
    }
    h.markup("</section>\n");
    h
}

fn incident(inc: &Incident, members: &[&Alert], zone: DisplayZone, first: bool) -> Html {
    let mut h = Html::new();
    let class = format!("incident sev-{}", inc.severity.as_str());
    h.open(
        "article",
        &[
            ("class", &class),
            ("data-group", "incident"),
            ("id", &format!("incident-{}", inc.id)),
        ],
    );
    h.markup("<div class=\"group-text\"><div class=\"incident-head\">");
    h.open("span", &[("class", "badge sev")])
        .text(inc.severity.as_str())
        .close("span");
    h.open("span", &[("class", "risk")])
        .text(&format!("risk {}", inc.risk_score))
        .close("span");
    h.open("span", &[("class", "actor")])
        .text(&inc.actor)
        .close("span");
    if inc.suppressed {
        h.open("span", &[("class", "badge sup")])
            .text("all suppressed")
            .close("span");
    }
    h.open("span", &[("class", "muted")])
        .text(&format!(
            "{} .. {}",
            zone.show(inc.first_seen),
            zone.show(inc.last_seen)
        ))
        .close("span");
    h.markup("</div>");
    if !inc.other_actors.is_empty() {
        h.open("div", &[("class", "muted")])
            .text(&format!("also: {}", inc.other_actors.join(", ")))
            .close("div");
    }
    h.markup("<div>");
    for s in &inc.stages {
        h.open("span", &[("class", "chip")])
            .text(s.label())
            .close("span");
    }
    h.markup("</div>");
    h.elem("p", &[("class", "story")], &inc.story);
    h.markup("</div>");
    if !inc.reasons.is_empty() {
        h.markup("<table class=\"reasons\"><thead><tr><th class=\"n\">points</th><th>why</th></tr></thead><tbody>");
        for reason in &inc.reasons {
            h.markup("<tr><td class=\"n\">");
            h.text(&format!("{:+}", reason.points));
            h.markup("</td><td>")
                .text(&reason.reason)
                .markup("</td></tr>");
        }
        h.markup("</tbody></table>");
    }
    h.append(timeline(members, zone));
    h.elem(
        "div",
        &[("class", "muted")],
        &format!("incident {} · {} alerts", inc.id, members.len()),
    );
    for (i, a) in members.iter().enumerate() {
        h.append(alert(a, zone, first && i == 0));
    }
    h.close("article");
    h.markup("\n");
    h
}

pub fn unlinked(g: &Grouped<'_>, zone: DisplayZone) -> Html {
    let mut h = Html::new();
    if g.unlinked.is_empty() {
        return h;
    }
    h.markup(
        "<section id=\"alerts\" data-group=\"unlinked\"><h2>Alerts outside any incident</h2>\n",
    );
    for a in &g.unlinked {
        h.append(alert(a, zone, false));
    }
    h.markup("</section>\n");
    h
}
