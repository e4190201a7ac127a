//! Calendar text for generated records: no time-zone rules, only UTC civil dates.

use std::fmt::Write as _;

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    (y, m, d)
}

pub(crate) struct Civil {
    pub(crate) year: i64,
    pub(crate) month: u32,
    pub(crate) day: u32,
    pub(crate) hour: u32,
    pub(crate) minute: u32,
    pub(crate) second: u32,
}

pub(crate) fn civil(secs: i64) -> Civil {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400) as u32;
    let (year, month, day) = civil_from_days(days);
    Civil {
        year,
        month,
        day,
        hour: rem / 3600,
        minute: rem / 60 % 60,
        second: rem % 60,
    }
}

/// `2024-05-06T10:03:12` (no zone).
pub(crate) fn push_rfc3339_secs(buf: &mut String, secs: i64) {
    let c = civil(secs);
    let _ = write!(
        buf,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    );
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The Java-style date CloudTrail uses inside some payloads: `May 6, 2024, 11:03:12 AM`.
pub(crate) fn push_java_date(buf: &mut String, secs: i64) {
    let c = civil(secs);
    let (h12, ampm) = match c.hour {
        0 => (12, "AM"),
        1..=11 => (c.hour, "AM"),
        12 => (12, "PM"),
        h => (h - 12, "PM"),
    };
    let _ = write!(
        buf,
        "{} {}, {}, {}:{:02}:{:02} {}",
        MONTHS[(c.month - 1) as usize],
        c.day,
        c.year,
        h12,
        c.minute,
        c.second,
        ampm
    );
}

/// `2024-05-06T10:03:12Z`, or with `frac` fractional digits (`.1230000Z` for 7: Azure's
/// precision) taken from the milliseconds.
pub(crate) fn push_time(buf: &mut String, ms: i64, frac: usize) {
    push_rfc3339_secs(buf, ms.div_euclid(1000));
    if frac > 0 {
        let mut digits = [b'0'; 9];
        let m = ms.rem_euclid(1000) as u32;
        digits[0] = b'0' + (m / 100) as u8;
        digits[1] = b'0' + (m / 10 % 10) as u8;
        digits[2] = b'0' + (m % 10) as u8;
        buf.push('.');
        buf.push_str(std::str::from_utf8(&digits[..frac.min(9)]).unwrap_or(""));
    }
    buf.push('Z');
}

/// `[06/May/2024:10:03:12 +0000]` without the brackets: the time of S3 access and combined
/// logs.
pub(crate) fn push_clf_time(buf: &mut String, secs: i64) {
    let c = civil(secs);
    let _ = write!(
        buf,
        "{:02}/{}/{:04}:{:02}:{:02}:{:02} +0000",
        c.day,
        MONTHS[(c.month - 1) as usize],
        c.year,
        c.hour,
        c.minute,
        c.second
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::DEFAULT_START;

    #[test]
    fn time_helpers() {
        let mut s = String::new();
        push_rfc3339_secs(&mut s, DEFAULT_START + 10 * 3600 + 3 * 60 + 12);
        assert_eq!(s, "2024-05-06T10:03:12");
        s.clear();
        push_java_date(&mut s, DEFAULT_START + 11 * 3600 + 3 * 60 + 12);
        assert_eq!(s, "May 6, 2024, 11:03:12 AM");
        s.clear();
        push_rfc3339_secs(&mut s, 951_782_400); // 2000-02-29
        assert_eq!(s, "2000-02-29T00:00:00");
    }
}
