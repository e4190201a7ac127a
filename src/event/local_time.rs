//! Local wall-clock time in the organisation's time zone, for the working-hours escalation of
//! `access-key-created` (SPEC §6 `[working_hours] timezone`).
//!
//! There is no time-zone database in the binary, so this is a small table of the zones
//! organisations commonly configure, each with its standard offset and its *current* daylight
//! saving rule: EU (since 1996: last Sunday of March 01:00 UTC to last Sunday of October 01:00
//! UTC), US (since 2007: second Sunday of March 02:00 local to first Sunday of November 02:00
//! local) and south-east Australia (since 2008: first Sunday of October 02:00 standard time to
//! first Sunday of April 03:00 daylight time). Older rules are not modelled: logs from before
//! those years are judged by today's rules. A name missing from the table is an error, never
//! a silent UTC.
//!
//! ```
//! use tripline::event::Timestamp;
//! use tripline::event::local_time::Zone;
//!
//! let london = Zone::named("Europe/London").unwrap();
//! // Summer time began at 01:00 UTC that morning.
//! let t = Timestamp::parse("2024-03-31T07:00:00Z").unwrap();
//! assert_eq!(london.local(t).to_string(), "2024-03-31T08:00:00+01:00");
//! assert!(Zone::named("Mars/Olympus_Mons").is_err());
//! ```

use super::time::{civil_from_days, days_from_civil};
use super::Timestamp;
use std::fmt;

/// A day of the week, as working hours name them (`mon` … `sun`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    /// `mon` … `sun`, any case.
    pub fn parse(s: &str) -> Option<Weekday> {
        Weekday::ALL
            .into_iter()
            .find(|d| d.name().eq_ignore_ascii_case(s))
    }

    pub fn name(self) -> &'static str {
        match self {
            Weekday::Mon => "mon",
            Weekday::Tue => "tue",
            Weekday::Wed => "wed",
            Weekday::Thu => "thu",
            Weekday::Fri => "fri",
            Weekday::Sat => "sat",
            Weekday::Sun => "sun",
        }
    }

    /// The weekday of a day counted from 1970-01-01 (a Thursday), as `Timestamp::day` gives.
    pub fn from_days_since_epoch(day: i64) -> Weekday {
        Weekday::ALL[(day + 3).rem_euclid(7) as usize]
    }
}

impl fmt::Display for Weekday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

const HOUR: i64 = 3600;
const DAY: i64 = 86_400;

/// Which daylight-saving rule a zone follows; daylight time is standard time plus one hour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dst {
    None,
    /// European Union: last Sunday of March 01:00 UTC → last Sunday of October 01:00 UTC.
    Eu,
    /// United States and Canada: second Sunday of March 02:00 local standard time → first
    /// Sunday of November 02:00 local daylight time.
    Us,
    /// New South Wales, Victoria, ACT, Tasmania: first Sunday of October 02:00 standard time →
    /// first Sunday of April 03:00 daylight time (southern summer, across the new year).
    AuSouth,
}

/// (IANA name, standard offset from UTC in seconds, daylight rule).
const ZONES: &[(&str, i64, Dst)] = &[
    ("UTC", 0, Dst::None),
    ("GMT", 0, Dst::None),
    ("Etc/UTC", 0, Dst::None),
    ("Etc/GMT", 0, Dst::None),
    ("Europe/London", 0, Dst::Eu),
    ("Europe/Dublin", 0, Dst::Eu),
    ("Europe/Lisbon", 0, Dst::Eu),
    ("Europe/Paris", HOUR, Dst::Eu),
    ("Europe/Berlin", HOUR, Dst::Eu),
    ("Europe/Amsterdam", HOUR, Dst::Eu),
    ("Europe/Madrid", HOUR, Dst::Eu),
    ("Europe/Rome", HOUR, Dst::Eu),
    ("Europe/Brussels", HOUR, Dst::Eu),
    ("Europe/Luxembourg", HOUR, Dst::Eu),
    ("Europe/Vienna", HOUR, Dst::Eu),
    ("Europe/Stockholm", HOUR, Dst::Eu),
    ("Europe/Oslo", HOUR, Dst::Eu),
    ("Europe/Copenhagen", HOUR, Dst::Eu),
    ("Europe/Warsaw", HOUR, Dst::Eu),
    ("Europe/Zurich", HOUR, Dst::Eu),
    ("Europe/Prague", HOUR, Dst::Eu),
    ("Europe/Budapest", HOUR, Dst::Eu),
    ("Europe/Helsinki", 2 * HOUR, Dst::Eu),
    ("Europe/Athens", 2 * HOUR, Dst::Eu),
    ("Europe/Kyiv", 2 * HOUR, Dst::Eu),
    ("Europe/Kiev", 2 * HOUR, Dst::Eu),
    ("Europe/Bucharest", 2 * HOUR, Dst::Eu),
    ("America/New_York", -5 * HOUR, Dst::Us),
    ("America/Toronto", -5 * HOUR, Dst::Us),
    ("America/Chicago", -6 * HOUR, Dst::Us),
    ("America/Denver", -7 * HOUR, Dst::Us),
    ("America/Phoenix", -7 * HOUR, Dst::None),
    ("America/Los_Angeles", -8 * HOUR, Dst::Us),
    ("America/Vancouver", -8 * HOUR, Dst::Us),
    ("Asia/Tokyo", 9 * HOUR, Dst::None),
    ("Asia/Singapore", 8 * HOUR, Dst::None),
    ("Asia/Hong_Kong", 8 * HOUR, Dst::None),
    ("Asia/Shanghai", 8 * HOUR, Dst::None),
    ("Asia/Kolkata", 5 * HOUR + 30 * 60, Dst::None),
    ("Asia/Dubai", 4 * HOUR, Dst::None),
    ("Australia/Sydney", 10 * HOUR, Dst::AuSouth),
    ("Australia/Melbourne", 10 * HOUR, Dst::AuSouth),
    ("Australia/Canberra", 10 * HOUR, Dst::AuSouth),
    ("Australia/Brisbane", 10 * HOUR, Dst::None),
];

/// A time zone from the built-in table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Zone {
    name: &'static str,
    std_offset: i64,
    dst: Dst,
}

/// A moment as a wall clock in some zone shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocalTime {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub weekday: Weekday,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    /// Offset from UTC in seconds at that moment.
    pub offset: i64,
}

impl fmt::Display for LocalTime {
    /// RFC 3339 with the numeric offset: `2024-03-31T08:00:00+01:00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.offset < 0 { '-' } else { '+' };
        let off = self.offset.abs();
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            off / HOUR,
            off % HOUR / 60
        )
    }
}

impl Zone {
    /// The zone of an IANA name in the built-in table; an unknown name is an error that lists
    /// the known ones (the config loader can show it as is).
    pub fn named(name: &str) -> Result<Zone, String> {
        ZONES.iter().find(|(n, _, _)| *n == name).map(|&(name, std_offset, dst)| Zone { name, std_offset, dst }).ok_or_else(|| {
            format!("time zone {name:?} is not in tripline's built-in table (no tz database is bundled); known zones: {}", known_zones().join(", "))
        })
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Offset from UTC, in seconds, in effect at `t`.
    pub fn offset_at(&self, t: Timestamp) -> i64 {
        let s = t.secs();
        let year = civil_from_days(s.div_euclid(DAY)).0;
        let summer = match self.dst {
            Dst::None => false,
            Dst::Eu => {
                let start = last_sunday(year, 3) * DAY + HOUR;
                let end = last_sunday(year, 10) * DAY + HOUR;
                (start..end).contains(&s)
            }
            Dst::Us => {
                // 02:00 standard time, and 02:00 daylight time (01:00 standard), as UTC.
                let start = nth_sunday(year, 3, 2) * DAY + 2 * HOUR - self.std_offset;
                let end = nth_sunday(year, 11, 1) * DAY + 2 * HOUR - (self.std_offset + HOUR);
                (start..end).contains(&s)
            }
            Dst::AuSouth => {
                // Summer spans the new year: daylight time before April's change or after
                // October's, both in the same UTC year (the changes are far from 1 January).
                let end = nth_sunday(year, 4, 1) * DAY + 3 * HOUR - (self.std_offset + HOUR);
                let start = nth_sunday(year, 10, 1) * DAY + 2 * HOUR - self.std_offset;
                s < end || s >= start
            }
        };
        self.std_offset + if summer { HOUR } else { 0 }
    }

    /// The wall clock at `t`.
    pub fn local(&self, t: Timestamp) -> LocalTime {
        let offset = self.offset_at(t);
        let s = t.secs() + offset;
        let days = s.div_euclid(DAY);
        let sod = s.rem_euclid(DAY);
        let (year, month, day) = civil_from_days(days);
        LocalTime {
            year,
            month,
            day,
            weekday: Weekday::from_days_since_epoch(days),
            hour: (sod / HOUR) as u8,
            minute: (sod % HOUR / 60) as u8,
            second: (sod % 60) as u8,
            offset,
        }
    }
}

/// The names [`Zone::named`] accepts, in table order.
pub fn known_zones() -> Vec<&'static str> {
    ZONES.iter().map(|(n, _, _)| *n).collect()
}

/// Days since the epoch of the `n`-th Sunday (1-based) of a month.
fn nth_sunday(year: i64, month: u32, n: i64) -> i64 {
    let first = days_from_civil(year, month, 1);
    // 1970-01-01 was a Thursday: (days + 3) mod 7 is 0 on Mondays, 6 on Sundays.
    let weekday = (first + 3).rem_euclid(7);
    first + (6 - weekday) + 7 * (n - 1)
}

/// Days since the epoch of the last Sunday of a month.
fn last_sunday(year: i64, month: u32) -> i64 {
    let next = if month == 12 {
        days_from_civil(year + 1, 1, 1)
    } else {
        days_from_civil(year, month + 1, 1)
    };
    let last = next - 1;
    let weekday = (last + 3).rem_euclid(7);
    last - (weekday + 1).rem_euclid(7)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    fn local(zone: &str, utc: &str) -> String {
        Zone::named(zone).unwrap().local(t(utc)).to_string()
    }

    fn date(days: i64) -> String {
        let (y, m, d) = civil_from_days(days);
        format!("{y:04}-{m:02}-{d:02}")
    }

    #[test]
    fn sundays() {
        assert_eq!(date(last_sunday(2024, 3)), "2024-03-31");
        assert_eq!(date(last_sunday(2024, 10)), "2024-10-27");
        assert_eq!(date(last_sunday(2023, 3)), "2023-03-26");
        assert_eq!(date(last_sunday(2023, 12)), "2023-12-31");
        assert_eq!(date(nth_sunday(2024, 3, 2)), "2024-03-10");
        assert_eq!(date(nth_sunday(2024, 11, 1)), "2024-11-03");
        assert_eq!(
            date(nth_sunday(2024, 9, 1)),
            "2024-09-01",
            "the 1st itself is a Sunday"
        );
        assert_eq!(date(nth_sunday(2024, 4, 1)), "2024-04-07");
        assert_eq!(date(nth_sunday(2024, 10, 1)), "2024-10-06");
    }

    #[test]
    fn london_spring_forward_at_01_utc() {
        assert_eq!(
            local("Europe/London", "2024-03-31T00:59:59Z"),
            "2024-03-31T00:59:59+00:00"
        );
        assert_eq!(
            local("Europe/London", "2024-03-31T01:00:00Z"),
            "2024-03-31T02:00:00+01:00"
        );
        // The working-hours edge on the change day: 08:00 local is 07:00 UTC.
        assert_eq!(
            local("Europe/London", "2024-03-31T06:59:00Z"),
            "2024-03-31T07:59:00+01:00"
        );
        assert_eq!(
            local("Europe/London", "2024-03-31T07:00:00Z"),
            "2024-03-31T08:00:00+01:00"
        );
        // The day before, 08:00 local is 08:00 UTC.
        assert_eq!(
            local("Europe/London", "2024-03-30T07:59:00Z"),
            "2024-03-30T07:59:00+00:00"
        );
        assert_eq!(
            local("Europe/London", "2024-03-30T08:00:00Z"),
            "2024-03-30T08:00:00+00:00"
        );
    }

    #[test]
    fn london_fall_back_at_01_utc() {
        assert_eq!(
            local("Europe/London", "2024-10-27T00:59:59Z"),
            "2024-10-27T01:59:59+01:00"
        );
        assert_eq!(
            local("Europe/London", "2024-10-27T01:00:00Z"),
            "2024-10-27T01:00:00+00:00"
        );
        assert_eq!(
            local("Europe/London", "2024-10-27T07:59:00Z"),
            "2024-10-27T07:59:00+00:00"
        );
        assert_eq!(
            local("Europe/London", "2024-10-27T08:00:00Z"),
            "2024-10-27T08:00:00+00:00"
        );
    }

    #[test]
    fn central_and_eastern_europe_change_at_the_same_instant() {
        assert_eq!(
            local("Europe/Paris", "2024-03-31T00:59:59Z"),
            "2024-03-31T01:59:59+01:00"
        );
        assert_eq!(
            local("Europe/Paris", "2024-03-31T01:00:00Z"),
            "2024-03-31T03:00:00+02:00"
        );
        assert_eq!(
            local("Europe/Helsinki", "2024-03-31T01:00:00Z"),
            "2024-03-31T04:00:00+03:00"
        );
        assert_eq!(
            local("Europe/Helsinki", "2024-10-27T01:00:00Z"),
            "2024-10-27T03:00:00+02:00"
        );
    }

    #[test]
    fn new_york_spring_forward_at_02_local() {
        assert_eq!(
            local("America/New_York", "2024-03-10T06:59:59Z"),
            "2024-03-10T01:59:59-05:00"
        );
        assert_eq!(
            local("America/New_York", "2024-03-10T07:00:00Z"),
            "2024-03-10T03:00:00-04:00"
        );
        // 08:00 local on the change day is 12:00 UTC; 07:59 is 11:59 UTC.
        assert_eq!(
            local("America/New_York", "2024-03-10T11:59:00Z"),
            "2024-03-10T07:59:00-04:00"
        );
        assert_eq!(
            local("America/New_York", "2024-03-10T12:00:00Z"),
            "2024-03-10T08:00:00-04:00"
        );
        assert_eq!(
            local("America/New_York", "2024-03-09T12:59:00Z"),
            "2024-03-09T07:59:00-05:00"
        );
        assert_eq!(
            local("America/New_York", "2024-03-09T13:00:00Z"),
            "2024-03-09T08:00:00-05:00"
        );
    }

    #[test]
    fn us_fall_back_at_02_local_daylight_time() {
        assert_eq!(
            local("America/New_York", "2024-11-03T05:59:59Z"),
            "2024-11-03T01:59:59-04:00"
        );
        assert_eq!(
            local("America/New_York", "2024-11-03T06:00:00Z"),
            "2024-11-03T01:00:00-05:00"
        );
        assert_eq!(
            local("America/Los_Angeles", "2024-11-03T08:59:59Z"),
            "2024-11-03T01:59:59-07:00"
        );
        assert_eq!(
            local("America/Los_Angeles", "2024-11-03T09:00:00Z"),
            "2024-11-03T01:00:00-08:00"
        );
        assert_eq!(
            local("America/Chicago", "2024-03-10T08:00:00Z"),
            "2024-03-10T03:00:00-05:00"
        );
        assert_eq!(
            local("America/Denver", "2024-07-01T12:00:00Z"),
            "2024-07-01T06:00:00-06:00"
        );
        assert_eq!(
            local("America/Phoenix", "2024-07-01T12:00:00Z"),
            "2024-07-01T05:00:00-07:00"
        );
    }

    #[test]
    fn sydney_summer_spans_the_new_year() {
        // April: daylight time ends 03:00 local (16:00 UTC the day before).
        assert_eq!(
            local("Australia/Sydney", "2024-04-06T15:59:59Z"),
            "2024-04-07T02:59:59+11:00"
        );
        assert_eq!(
            local("Australia/Sydney", "2024-04-06T16:00:00Z"),
            "2024-04-07T02:00:00+10:00"
        );
        // October: daylight time begins 02:00 local (16:00 UTC the day before).
        assert_eq!(
            local("Australia/Sydney", "2024-10-05T15:59:59Z"),
            "2024-10-06T01:59:59+10:00"
        );
        assert_eq!(
            local("Australia/Sydney", "2024-10-05T16:00:00Z"),
            "2024-10-06T03:00:00+11:00"
        );
        assert_eq!(
            local("Australia/Sydney", "2023-12-31T20:00:00Z"),
            "2024-01-01T07:00:00+11:00"
        );
        assert_eq!(
            local("Australia/Sydney", "2024-07-01T00:00:00Z"),
            "2024-07-01T10:00:00+10:00"
        );
    }

    #[test]
    fn fixed_offsets_and_weekdays() {
        assert_eq!(
            local("Asia/Kolkata", "2024-03-31T02:29:00Z"),
            "2024-03-31T07:59:00+05:30"
        );
        assert_eq!(
            local("Asia/Tokyo", "2024-12-31T15:00:00Z"),
            "2025-01-01T00:00:00+09:00"
        );
        assert_eq!(
            local("UTC", "2024-03-31T08:00:00Z"),
            "2024-03-31T08:00:00+00:00"
        );
        let tokyo = Zone::named("Asia/Tokyo").unwrap();
        // 2024-12-31 is a Tuesday in UTC and already Wednesday in Tokyo.
        assert_eq!(tokyo.local(t("2024-12-31T15:00:00Z")).weekday, Weekday::Wed);
        let london = Zone::named("Europe/London").unwrap();
        assert_eq!(
            london.local(t("2024-03-31T07:00:00Z")).weekday,
            Weekday::Sun
        );
    }

    #[test]
    fn unknown_zones_are_errors() {
        for bad in [
            "Mars/Olympus_Mons",
            "Europe/Atlantis",
            "europe/london",
            "",
            "UTC+1",
        ] {
            let err = Zone::named(bad).unwrap_err();
            assert!(
                err.contains("not in tripline's built-in table") && err.contains("Europe/London"),
                "{err}"
            );
        }
        for ok in known_zones() {
            assert_eq!(Zone::named(ok).unwrap().name(), ok);
        }
    }
}
