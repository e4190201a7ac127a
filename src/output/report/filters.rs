//! The filter bar: severity boxes, rule and provider menus, free text, and the toggle that
//! shows suppressed alerts. `filter.js` reads it; the options come from the alerts on the
//! page (escaped like every other value), so the menus offer only what can match.

use std::collections::BTreeSet;

use super::html::Html;
use super::ReportInput;

pub fn filters(r: &ReportInput<'_>) -> Html {
    let mut h = Html::new();
    h.markup("<form id=\"filters\" autocomplete=\"off\"><strong>Filter</strong>");
    for sev in ["critical", "high", "medium", "low"] {
        h.markup("<label>");
        h.open(
            "input",
            &[
                ("type", "checkbox"),
                ("name", "sev"),
                ("value", sev),
                ("checked", ""),
            ],
        );
        h.markup(" ");
        h.open("span", &[("class", &format!("badge sev-{sev}"))])
            .text(sev)
            .close("span");
        h.markup("</label>");
    }
    let rules: BTreeSet<&str> = r.alerts.iter().map(|a| a.rule.as_str()).collect();
    let providers: BTreeSet<&str> = r.alerts.iter().map(|a| a.provider.as_str()).collect();
    h.markup("<label>Rule <select id=\"f-rule\"><option value=\"\">all rules</option>");
    for rule in rules {
        h.elem("option", &[("value", rule)], rule);
    }
    h.markup("</select></label>");
    h.markup("<label>Provider <select id=\"f-provider\"><option value=\"\">all providers</option>");
    for p in providers {
        h.elem("option", &[("value", p)], p);
    }
    h.markup("</select></label>");
    h.markup("<input type=\"search\" id=\"f-text\" placeholder=\"Search identity, IP, user agent, bucket...\" aria-label=\"free text\">");
    h.markup("<label><input type=\"checkbox\" id=\"f-suppressed\"> show suppressed</label>");
    h.markup("<span id=\"f-count\"></span></form>\n");
    h
}
