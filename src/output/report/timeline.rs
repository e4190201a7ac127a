//! An incident's timeline chart: inline SVG, one lane per alert, a bar from its first to
//! its last event on a shared time axis, coloured by severity (suppressed alerts greyed).
//! Drawn on the server: no script and no external resource. The tick labels use the
//! report's `--timezone`; a bar's tooltip (`<title>`) gives its exact times.

use super::html::Html;
use crate::event::{Alert, Timestamp};
use crate::output::display_time::DisplayZone;

const WIDTH: f64 = 1000.0;
/// Left column for the rule names, right margin, top band for the tick labels.
const LABEL_W: f64 = 230.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 26.0;
const LANE: f64 = 22.0;
const TICKS: i64 = 5;
/// The narrowest bar: an alert of one instant must still be seen and hovered.
const MIN_BAR: f64 = 6.0;

/// The chart of `alerts` (one incident's, in `first_seen` order).
pub fn timeline(alerts: &[&Alert], zone: DisplayZone) -> Html {
    let mut h = Html::new();
    let Some(start) = alerts.iter().map(|a| a.first_seen).min() else {
        return h;
    };
    let end = alerts.iter().map(|a| a.last_seen).max().unwrap_or(start);
    // A span of zero (one instant) is drawn as one minute either side.
    let (start, end) = if end.0 <= start.0 {
        (
            Timestamp(start.0 - 60_000_000_000),
            Timestamp(end.0 + 60_000_000_000),
        )
    } else {
        (start, end)
    };
    let span = (end.0 - start.0) as f64;
    let plot = WIDTH - LABEL_W - RIGHT;
    let x = |t: Timestamp| LABEL_W + plot * ((t.0 - start.0) as f64 / span);
    let height = TOP + LANE * alerts.len() as f64 + 8.0;
    let f = |v: f64| format!("{v:.1}");
    h.open(
        "svg",
        &[
            ("class", "timeline"),
            ("viewBox", &format!("0 0 {WIDTH} {}", f(height))),
            ("role", "img"),
            (
                "aria-label",
                &format!(
                    "timeline of {} alerts, times in {}",
                    alerts.len(),
                    zone.label()
                ),
            ),
        ],
    );
    // Ticks: evenly spaced, labelled with the wall clock (and the date when the span
    // crosses days) in the report's zone.
    let multi_day = end.0 - start.0 >= 86_400_000_000_000
        || zone.show(start).get(..10) != zone.show(end).get(..10);
    for i in 0..=TICKS {
        let t = Timestamp(start.0 + (end.0 - start.0) / TICKS * i);
        let tx = x(t);
        h.open(
            "line",
            &[
                ("class", "grid"),
                ("x1", &f(tx)),
                ("x2", &f(tx)),
                ("y1", &f(TOP - 6.0)),
                ("y2", &f(height - 4.0)),
            ],
        )
        .close("line");
        let shown = zone.show(t);
        let label = if multi_day {
            shown.get(5..16).unwrap_or(&shown).replace('T', " ")
        } else {
            shown.get(11..16).unwrap_or(&shown).to_string()
        };
        let anchor = match i {
            0 => "start",
            TICKS => "end",
            _ => "middle",
        };
        h.elem(
            "text",
            &[
                ("class", "axis"),
                ("x", &f(tx)),
                ("y", "14"),
                ("text-anchor", anchor),
            ],
            &label,
        );
    }
    h.elem(
        "text",
        &[("class", "axis"), ("x", "4"), ("y", "14")],
        zone.label(),
    );
    for (lane, a) in alerts.iter().enumerate() {
        let y = TOP + LANE * lane as f64;
        let x1 = x(a.first_seen);
        let w = (x(a.last_seen) - x1).max(MIN_BAR);
        // Keep a minimum-width bar inside the plot at the right edge.
        let x1 = x1.min(WIDTH - RIGHT - w);
        h.elem(
            "text",
            &[("x", "4"), ("y", &f(y + 14.0))],
            &clip(&a.rule, 34),
        );
        let class = if a.suppressed {
            "bar suppressed".to_string()
        } else {
            format!("bar sev-{}", a.severity.as_str())
        };
        h.open(
            "rect",
            &[
                ("class", &class),
                ("x", &f(x1)),
                ("y", &f(y + 4.0)),
                ("width", &f(w)),
                ("height", &f(LANE - 8.0)),
            ],
        );
        h.elem(
            "title",
            &[],
            &format!(
                "{} ({}{}): {} events, {} .. {}",
                a.rule,
                a.severity.as_str(),
                if a.suppressed { ", suppressed" } else { "" },
                a.count,
                zone.show(a.first_seen),
                zone.show(a.last_seen)
            ),
        );
        h.close("rect");
    }
    h.close("svg");
    h
}

/// At most `n` characters, with an ellipsis when cut (rule ids are ours, but short lanes
/// read better).
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n - 1).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::sink::tests::sample_alert;

    fn bar_xs(svg: &str) -> Vec<(f64, f64)> {
        svg.split("<rect ")
            .skip(1)
            .map(|r| {
                let attr = |name: &str| -> f64 {
                    let at = r.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
                    r[at..r[at..].find('"').unwrap() + at].parse().unwrap()
                };
                (attr("x"), attr("width"))
            })
            .collect()
    }

    #[test]
    fn bars_sit_on_a_shared_axis_in_time_order() {
        let mut a = sample_alert();
        let mut b = sample_alert();
        b.rule = "post-auth-enumeration".into();
        b.first_seen = Timestamp::parse("2024-05-06T10:30:00Z").unwrap();
        b.last_seen = Timestamp::parse("2024-05-06T11:01:02Z").unwrap();
        a.suppressed = true;
        let svg = timeline(&[&a, &b], DisplayZone::UTC).into_string();
        let bars = bar_xs(&svg);
        assert_eq!(bars.len(), 2);
        // The first alert starts at the left edge of the plot; the last ends at the right.
        assert!((bars[0].0 - LABEL_W).abs() < 0.2, "{bars:?}");
        assert!(
            (bars[1].0 + bars[1].1 - (WIDTH - RIGHT)).abs() < 0.2,
            "{bars:?}"
        );
        assert!(svg.contains("class=\"bar suppressed\""));
        assert!(svg.contains("class=\"bar sev-low\""));
        assert!(svg.contains(">10:01<"), "first tick: {svg}");
        assert!(svg.contains(">11:01<"), "last tick");
    }

    #[test]
    fn ticks_follow_the_zone_and_one_instant_still_shows_a_bar() {
        let mut a = sample_alert();
        a.last_seen = a.first_seen;
        let ny = DisplayZone::named("America/New_York").unwrap();
        let svg = timeline(&[&a], ny).into_string();
        // 10:01:02Z is 06:01 in New York in May (UTC-4); the span is padded to ±1 minute.
        assert!(svg.contains(">06:00<") && svg.contains(">06:02<"), "{svg}");
        assert!(svg.contains(">America/New_York<"));
        let bars = bar_xs(&svg);
        assert!(bars[0].1 >= MIN_BAR);
    }
}
