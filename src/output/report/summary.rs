//! The page's header, scan summary and footer: what was read (inputs, files, events by
//! format, time range), which rules ran, what was found (by severity, rule and provider),
//! and the notes and coverage warnings the scan printed on stderr, each as a list item.

use std::collections::BTreeMap;

use super::html::Html;
use super::{Grouped, ReportInput};
use crate::event::Severity;

const SEVERITIES: [Severity; 4] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
];

pub fn header(r: &ReportInput<'_>, g: &Grouped<'_>) -> Html {
    let mut h = Html::new();
    h.markup("<header class=\"top\"><h1>");
    h.text(super::TITLE);
    h.markup("</h1><div class=\"sub\">");
    let active = r.alerts.iter().filter(|a| !a.suppressed).count();
    h.text(&format!(
        "{} incidents, {} alerts ({} suppressed) from {} events in {} files. Times in {}.",
        g.incidents.len(),
        active,
        r.alerts.len() - active,
        r.summary.events,
        r.summary.files,
        r.zone.label()
    ));
    h.markup("</div></header>\n");
    h
}

fn card(h: &mut Html, key: &str, value: &str, small: bool) {
    // A small value is a long one (the time range): it takes three cards' width.
    h.markup(if small {
        "<div class=\"card wide\"><div class=\"k\">"
    } else {
        "<div class=\"card\"><div class=\"k\">"
    });
    h.text(key);
    h.markup(if small {
        "</div><div class=\"v small\">"
    } else {
        "</div><div class=\"v\">"
    });
    h.text(value);
    h.markup("</div></div>");
}

fn table_head(h: &mut Html, cols: &[(&'static str, bool)]) {
    h.markup("<table><thead><tr>");
    for (name, numeric) in cols {
        h.open("th", if *numeric { &[("class", "n")] } else { &[] })
            .text(name)
            .close("th");
    }
    h.markup("</tr></thead><tbody>");
}

pub fn summary(r: &ReportInput<'_>, g: &Grouped<'_>) -> Html {
    let s = r.summary;
    let mut h = Html::new();
    h.markup("<section id=\"summary\"><h2>Scan summary</h2><div class=\"cards\">");
    card(&mut h, "Incidents", &g.incidents.len().to_string(), false);
    let active = r.alerts.iter().filter(|a| !a.suppressed).count();
    card(&mut h, "Alerts", &active.to_string(), false);
    card(
        &mut h,
        "Suppressed",
        &(r.alerts.len() - active).to_string(),
        false,
    );
    card(&mut h, "Events", &s.events.to_string(), false);
    card(&mut h, "Files", &s.files.to_string(), false);
    card(&mut h, "Rules run", &r.rules_run.len().to_string(), false);
    let range = match s.time_range {
        Some((first, last)) => format!("{} .. {}", r.zone.show(first), r.zone.show(last)),
        None => "no events".to_string(),
    };
    card(&mut h, "Event time range", &range, true);
    h.markup("</div>");

    h.markup("<div class=\"cols\">");
    // What was found: severity, rule, provider.
    h.markup("<div class=\"panel\"><h3>Alerts by severity</h3>");
    table_head(
        &mut h,
        &[("severity", false), ("alerts", true), ("incidents", true)],
    );
    for sev in SEVERITIES {
        let alerts = r
            .alerts
            .iter()
            .filter(|a| !a.suppressed && a.severity == sev)
            .count();
        let incidents = g
            .incidents
            .iter()
            .filter(|(i, _)| i.severity == sev)
            .count();
        h.markup("<tr><td>");
        h.open("span", &[("class", &format!("badge sev-{}", sev.as_str()))])
            .text(sev.as_str())
            .close("span");
        h.markup("</td><td class=\"n\">")
            .num(alerts as f64)
            .markup("</td><td class=\"n\">")
            .num(incidents as f64)
            .markup("</td></tr>");
    }
    h.markup("</tbody></table></div>");

    let mut by_rule: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    let mut by_provider: BTreeMap<&str, u64> = BTreeMap::new();
    for a in r.alerts {
        let e = by_rule.entry(a.rule.as_str()).or_default();
        if a.suppressed {
            e.1 += 1;
        } else {
            e.0 += 1;
        }
        *by_provider.entry(a.provider.as_str()).or_default() += 1;
    }
    h.markup("<div class=\"panel\"><h3>Alerts by rule</h3>");
    table_head(
        &mut h,
        &[("rule", false), ("alerts", true), ("suppressed", true)],
    );
    for (rule, (n, sup)) in &by_rule {
        h.markup("<tr><td><code>")
            .text(rule)
            .markup("</code></td><td class=\"n\">");
        h.num(*n as f64)
            .markup("</td><td class=\"n\">")
            .num(*sup as f64);
        h.markup("</td></tr>");
    }
    h.markup("</tbody></table>");
    h.markup("<h3>By provider</h3>");
    for (p, n) in &by_provider {
        h.open("span", &[("class", "chip")])
            .text(&format!("{p}: {n}"))
            .close("span");
    }
    h.markup("</div>");

    // What was read.
    h.markup("<div class=\"panel\"><h3>Inputs</h3><ul class=\"plain mono\">");
    for p in r.inputs {
        h.elem("li", &[], p);
    }
    h.markup("</ul><h3>Events by format</h3>");
    table_head(&mut h, &[("format", false), ("events", true)]);
    for (f, n) in &s.events_by_format {
        h.markup("<tr><td>")
            .text(f.as_str())
            .markup("</td><td class=\"n\">");
        h.num(*n as f64).markup("</td></tr>");
    }
    h.markup("</tbody></table>");
    h.text(&format!(
        "{} records, {:.1} MB read",
        s.records,
        s.bytes as f64 / 1e6
    ));
    h.markup("<h3>Rules run</h3>");
    for id in r.rules_run {
        h.open("span", &[("class", "chip")]).text(id).close("span");
    }
    h.markup("</div>");
    h.markup("</div>");

    // The notes and warnings the scan printed on stderr, as data rather than text.
    h.markup("<div class=\"panel\"><h3>Notes and coverage warnings</h3><ul class=\"notes\">");
    let mut any = false;
    if let Some(line) = crate::coverage::warning::line(&s.coverage_warnings) {
        h.elem("li", &[("class", "warning")], &line);
        any = true;
    }
    for n in &s.notes {
        h.elem("li", &[], n);
        any = true;
    }
    for (reason, (n, firsts)) in &s.bad {
        h.markup("<li>");
        h.text(&format!("skipped {n} records: {}", reason.as_str()));
        if !firsts.is_empty() {
            h.markup("<ul class=\"plain mono\">");
            for o in firsts {
                h.elem("li", &[], o);
            }
            h.markup("</ul>");
        }
        h.markup("</li>");
        any = true;
    }
    for e in &s.file_errors {
        h.elem("li", &[], &format!("file error: {e}"));
        any = true;
    }
    if !any {
        h.elem("li", &[("class", "muted")], "none");
    }
    h.markup("</ul></div></section>\n");
    h
}

pub fn footer(r: &ReportInput<'_>) -> Html {
    let mut h = Html::new();
    h.markup("<footer>");
    h.text(&format!(
        "tripline {}. Self-contained: this page loads nothing from any network (Content-Security-Policy default-src 'none'). Times in {}.",
        env!("CARGO_PKG_VERSION"),
        r.zone.label()
    ));
    if let Some(t) = r.generated {
        h.text(&format!(" Generated {}.", r.zone.show(t)));
    }
    h.markup("</footer>\n");
    h
}
