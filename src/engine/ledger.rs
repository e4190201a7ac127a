//! What a scan reports, after the alerts are found: the alert ledger behind `--new-only`
//! (SPEC §7: an alert is reported again when its severity or risk rose or its suppression
//! was lifted), suppressed alerts hidden unless asked for, and the worst severity shown,
//! which `--fail-on` compares.

use crate::event::{Alert, Severity};
use crate::state::{lock, SharedStore, Standing};

#[derive(Clone, Copy, Debug, Default)]
pub struct ReportOptions {
    /// Leave out alerts the ledger has seen at the same standing (`--new-only`).
    pub new_only: bool,
    /// Show alerts a suppression matched (`--show-suppressed`).
    pub show_suppressed: bool,
}

/// The alerts to print, in order, and what the summary says about the others.
#[derive(Debug, Default)]
pub struct Report<'a> {
    pub shown: Vec<&'a Alert>,
    /// Alerts left out because an earlier run reported them (`--new-only`).
    pub already_reported: u64,
    /// The highest severity of the shown alerts that are not suppressed.
    pub worst: Option<Severity>,
    /// Suppressed alerts left out of `shown` (no `--show-suppressed`) that `--new-only`
    /// would have shown: the HTML report lists them collapsed, behind a toggle.
    pub hidden_suppressed: Vec<&'a Alert>,
}

impl<'a> Report<'a> {
    /// What the HTML report lists: the shown alerts and the hidden suppressed ones, in the
    /// engine's order.
    pub fn for_report(&self, all: &'a [Alert]) -> Vec<&'a Alert> {
        let keep: std::collections::HashSet<*const Alert> = self
            .shown
            .iter()
            .chain(&self.hidden_suppressed)
            .map(|a| *a as *const Alert)
            .collect();
        all.iter()
            .filter(|a| keep.contains(&(*a as *const Alert)))
            .collect()
    }
}

/// Records every alert in the ledger (when there is a store) and picks those to print.
pub fn report<'a>(
    alerts: &'a [Alert],
    store: Option<&SharedStore>,
    o: ReportOptions,
) -> Report<'a> {
    let mut r = Report::default();
    for alert in alerts {
        if let Some(st) = store {
            let fresh = lock(st).mark_emitted(
                &alert.id,
                &alert.rule,
                alert.window_end,
                Standing {
                    severity: alert.severity as u8,
                    risk: alert.risk_score,
                    suppressed: alert.suppressed,
                },
            );
            if !fresh && o.new_only {
                r.already_reported += 1;
                continue;
            }
        }
        if alert.suppressed && !o.show_suppressed {
            r.hidden_suppressed.push(alert);
            continue;
        }
        if !alert.suppressed {
            r.worst = r.worst.max(Some(alert.severity));
        }
        r.shown.push(alert);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::sink::tests::sample_alert;

    fn alerts() -> Vec<Alert> {
        let mut v = Vec::new();
        for (id, suppressed) in [("a", false), ("b", true), ("c", false)] {
            let mut a = sample_alert();
            a.id = id.into();
            a.suppressed = suppressed;
            v.push(a);
        }
        v
    }

    fn ids(list: &[&Alert]) -> Vec<String> {
        list.iter().map(|a| a.id.clone()).collect()
    }

    #[test]
    fn the_report_gets_hidden_suppressed_alerts_in_engine_order() {
        let all = alerts();
        let hidden = report(&all, None, ReportOptions::default());
        assert_eq!(ids(&hidden.shown), ["a", "c"]);
        assert_eq!(ids(&hidden.hidden_suppressed), ["b"]);
        assert_eq!(ids(&hidden.for_report(&all)), ["a", "b", "c"]);
        let shown = report(
            &all,
            None,
            ReportOptions {
                show_suppressed: true,
                ..ReportOptions::default()
            },
        );
        assert!(shown.hidden_suppressed.is_empty());
        assert_eq!(ids(&shown.for_report(&all)), ["a", "b", "c"]);
    }
}
