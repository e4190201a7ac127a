//! `--timezone`: the zone in which the table, the HTML report and `investigate` show
//! times. Inside, time is UTC; only this function, at the edge, turns it into a local
//! wall clock, and JSON outputs never call it (they stay UTC).
//!
//! Zones come from `event::local_time`'s built-in table (the one working hours use), so a
//! name that table lacks is refused at start-up rather than shown as UTC.

use crate::event::local_time::Zone;
use crate::event::Timestamp;

/// How times are shown to a person: UTC (`Z`) unless a zone was asked for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DisplayZone(Option<Zone>);

impl DisplayZone {
    pub const UTC: DisplayZone = DisplayZone(None);

    /// The zone of an IANA name (`Europe/London`); `UTC` and `Etc/UTC` are the default.
    pub fn named(name: &str) -> Result<DisplayZone, String> {
        match name {
            "UTC" | "Etc/UTC" | "Z" => Ok(DisplayZone::UTC),
            _ => Zone::named(name).map(|z| DisplayZone(Some(z))),
        }
    }

    /// The zone's name as the user gave it (`Europe/London`), `UTC` by default: the label
    /// the report and `investigate` put beside the times they show.
    pub fn label(&self) -> &'static str {
        match self.0 {
            None => "UTC",
            Some(zone) => zone.name(),
        }
    }

    /// RFC 3339 with the zone's offset at that moment, keeping the source's fraction of a
    /// second: `2024-07-01T10:00:00.25+01:00`; in UTC exactly what `Timestamp` prints.
    pub fn show(&self, t: Timestamp) -> String {
        let Some(zone) = self.0 else {
            return t.to_string();
        };
        let offset = zone.offset_at(t);
        // The wall clock is the UTC rendering of the instant shifted by the offset, with the
        // `Z` replaced by that offset.
        let shifted = Timestamp(t.0.saturating_add(offset.saturating_mul(1_000_000_000)));
        let mut s = shifted.to_string();
        s.pop();
        let sign = if offset < 0 { '-' } else { '+' };
        let off = offset.abs();
        s.push_str(&format!("{sign}{:02}:{:02}", off / 3600, off % 3600 / 60));
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[test]
    fn utc_is_the_default_and_unchanged() {
        let z = DisplayZone::default();
        assert_eq!(
            z.show(t("2024-05-06T10:00:00.1234567Z")),
            "2024-05-06T10:00:00.1234567Z"
        );
        assert_eq!(DisplayZone::named("UTC").unwrap(), DisplayZone::UTC);
    }

    #[test]
    fn a_zone_shows_its_offset_on_each_side_of_a_change() {
        let london = DisplayZone::named("Europe/London").unwrap();
        // Summer time began at 01:00 UTC on 2024-03-31: one second before, and at it.
        assert_eq!(
            london.show(t("2024-03-31T00:59:59Z")),
            "2024-03-31T00:59:59+00:00"
        );
        assert_eq!(
            london.show(t("2024-03-31T01:00:00Z")),
            "2024-03-31T02:00:00+01:00"
        );
        let ny = DisplayZone::named("America/New_York").unwrap();
        // The fraction is kept, and the date rolls back across midnight.
        assert_eq!(
            ny.show(t("2024-01-02T03:04:05.5Z")),
            "2024-01-01T22:04:05.5-05:00"
        );
    }

    #[test]
    fn the_shown_time_is_the_same_instant() {
        let z = DisplayZone::named("Australia/Sydney").unwrap();
        for s in [
            "2024-04-06T15:59:59Z",
            "2024-04-06T16:00:00Z",
            "2024-10-05T16:00:00Z",
        ] {
            let shown = z.show(t(s));
            assert_eq!(Timestamp::parse(&shown), Some(t(s)), "{shown}");
        }
    }

    #[test]
    fn an_unknown_zone_is_refused() {
        assert!(DisplayZone::named("Mars/Olympus_Mons").is_err());
    }
}
