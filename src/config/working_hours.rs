//! `[working_hours]`: when the organisation works, in its own time zone. `access-key-created`
//! escalates keys created outside these hours.
//!
//! The time zone is checked for shape only (`Europe/London`, `America/Argentina/Salta`, `UTC`):
//! there is no tz database in the binary, so a well-formed but unknown name passes here and is
//! the concern of whatever converts times.

pub use crate::event::local_time::Weekday;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkingHours {
    /// An IANA time zone name, checked for shape only.
    pub timezone: String,
    pub days: Vec<Weekday>,
    /// (hour, minute), local time, inclusive.
    pub start: (u8, u8),
    /// (hour, minute), local time, exclusive; `24:00` is the end of the day.
    pub end: (u8, u8),
}

impl WorkingHours {
    /// Whether a local weekday and time of day fall inside working hours.
    pub fn contains(&self, day: Weekday, hour: u8, minute: u8) -> bool {
        self.days.contains(&day) && (hour, minute) >= self.start && (hour, minute) < self.end
    }
}

/// The IANA areas; a name is `UTC`, `GMT` or `Area/Location[/Sublocation]`.
const AREAS: &[&str] = &[
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
    "Etc",
];

/// A name of IANA shape whose offset rules tripline knows (the working-hours escalation
/// needs them; there is no time-zone database in the binary).
pub(super) fn check_timezone(tz: &str) -> Result<(), String> {
    check_timezone_shape(tz)?;
    crate::event::local_time::Zone::named(tz).map(|_| ()).map_err(|_| {
        format!(
            "timezone {tz:?}: tripline's built-in table has no daylight-saving rules for it; known zones: {}",
            crate::event::local_time::known_zones().join(", ")
        )
    })
}

fn check_timezone_shape(tz: &str) -> Result<(), String> {
    if tz == "UTC" || tz == "GMT" {
        return Ok(());
    }
    let mut parts = tz.split('/');
    let area = parts.next().unwrap_or_default();
    let rest: Vec<&str> = parts.collect();
    let part_ok = |p: &&str| {
        !p.is_empty()
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
            && p.starts_with(|c: char| c.is_ascii_alphabetic())
    };
    if AREAS.contains(&area) && (1..=2).contains(&rest.len()) && rest.iter().all(part_ok) {
        Ok(())
    } else {
        Err(format!(
            "timezone {tz:?} is not an IANA time zone name such as \"Europe/London\", \"America/New_York\" or \"UTC\""
        ))
    }
}

/// `HH:MM`, 24-hour clock. `24:00` only where `allow_24` (the end of the day).
pub(super) fn parse_time_of_day(s: &str, allow_24: bool) -> Result<(u8, u8), String> {
    let bad = || {
        format!("{s:?} is not a time of day in HH:MM form (24-hour clock, such as \"08:00\" or \"17:30\")")
    };
    let b = s.as_bytes();
    if b.len() != 5 || b[2] != b':' || ![b[0], b[1], b[3], b[4]].iter().all(u8::is_ascii_digit) {
        return Err(bad());
    }
    let hour = (b[0] - b'0') * 10 + (b[1] - b'0');
    let minute = (b[3] - b'0') * 10 + (b[4] - b'0');
    if (hour < 24 && minute < 60) || (allow_24 && hour == 24 && minute == 0) {
        Ok((hour, minute))
    } else {
        Err(bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timezones_are_checked_for_shape() {
        for ok in [
            "UTC",
            "GMT",
            "Europe/London",
            "America/New_York",
            "America/Argentina/Salta",
            "Etc/GMT+5",
            "America/Port-au-Prince",
        ] {
            assert!(check_timezone_shape(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "London",
            "europe/london",
            "Europe/",
            "Europe/London/",
            "+01:00",
            "UTC+1",
            "Mars/Olympus",
            "Europe/Lon don",
        ] {
            assert!(check_timezone_shape(bad).is_err(), "{bad}");
        }
        assert!(check_timezone("Europe/London").is_ok());
        assert!(check_timezone("America/New_York").is_ok());
        let unknown = check_timezone("America/Argentina/Salta").unwrap_err();
        assert!(unknown.contains("known zones"), "{unknown}");
    }

    #[test]
    fn times_of_day() {
        assert_eq!(parse_time_of_day("08:00", false), Ok((8, 0)));
        assert_eq!(parse_time_of_day("23:59", false), Ok((23, 59)));
        assert_eq!(parse_time_of_day("24:00", true), Ok((24, 0)));
        for bad in [
            "24:00", "8:00", "08:60", "25:00", "08-00", "0800", "08:00:00", "ab:cd",
        ] {
            assert!(parse_time_of_day(bad, false).is_err(), "{bad}");
        }
        assert!(parse_time_of_day("24:01", true).is_err());
    }

    #[test]
    fn weekdays() {
        assert_eq!(Weekday::parse("Mon"), Some(Weekday::Mon));
        assert_eq!(Weekday::parse("monday"), None);
        assert_eq!(Weekday::from_days_since_epoch(0), Weekday::Thu);
        assert_eq!(Weekday::from_days_since_epoch(-1), Weekday::Wed);
        let wh = WorkingHours {
            timezone: "UTC".into(),
            days: vec![Weekday::Mon],
            start: (8, 0),
            end: (18, 0),
        };
        assert!(wh.contains(Weekday::Mon, 8, 0));
        assert!(!wh.contains(Weekday::Mon, 18, 0));
        assert!(!wh.contains(Weekday::Tue, 9, 0));
    }
}
