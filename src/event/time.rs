//! Event time: nanoseconds since the Unix epoch, UTC. Every parser in `normalize` turns
//! vendor timestamps into this, and every printer formats it back as RFC 3339.

use std::fmt;

/// A point in time, UTC, in nanoseconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub i64);

pub const NANOS_PER_SEC: i64 = 1_000_000_000;

impl Timestamp {
    pub fn from_secs(secs: i64) -> Timestamp {
        Timestamp(secs.saturating_mul(NANOS_PER_SEC))
    }
    pub fn secs(self) -> i64 {
        self.0.div_euclid(NANOS_PER_SEC)
    }
    /// Start of the epoch-aligned bin of `width` containing this time (KQL `bin()`).
    pub fn bin(self, width: Duration) -> Timestamp {
        let w = width.0.max(1);
        Timestamp(self.0 - self.0.rem_euclid(w))
    }
    pub fn add(self, d: Duration) -> Timestamp {
        Timestamp(self.0.saturating_add(d.0))
    }
    pub fn sub(self, d: Duration) -> Timestamp {
        Timestamp(self.0.saturating_sub(d.0))
    }
    /// Days since the epoch (UTC), for per-day history buckets.
    pub fn day(self) -> i64 {
        self.0.div_euclid(86_400 * NANOS_PER_SEC)
    }
    /// The wall clock, for the one place that may read it: the bounds of valid event times
    /// fixed at the start of a run (`normalize::ValidTimes`). Rules never call this.
    pub fn now() -> Timestamp {
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Timestamp(i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
    }
    /// Parses the timestamp shapes that cloud logs really carry; `None` when it is not one.
    pub fn parse(s: &str) -> Option<Timestamp> {
        parse_timestamp(s.trim())
    }
}

/// A span of time in nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration(pub i64);

impl Duration {
    pub const fn secs(s: i64) -> Duration {
        Duration(s * NANOS_PER_SEC)
    }
    pub const fn minutes(m: i64) -> Duration {
        Duration(m * 60 * NANOS_PER_SEC)
    }
    /// `30s`, `10m`, `1h`, `7d`: an integer and a unit (SPEC §1).
    pub fn parse(s: &str) -> Result<Duration, String> {
        let s = s.trim();
        let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let (num, unit) = s.split_at(split);
        let n: i64 = num.parse().map_err(|_| {
            format!(
                "invalid duration {s:?}: expected an integer and a unit such as 30s, 10m, 1h, 7d"
            )
        })?;
        let mult = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            _ => return Err(format!("invalid duration {s:?}: unit must be s, m, h or d")),
        };
        n.checked_mul(mult * NANOS_PER_SEC)
            .map(Duration)
            .ok_or_else(|| format!("duration {s:?} is too large"))
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0 / NANOS_PER_SEC;
        if s % 86_400 == 0 && s != 0 {
            write!(f, "{}d", s / 86_400)
        } else if s % 3600 == 0 && s != 0 {
            write!(f, "{}h", s / 3600)
        } else if s % 60 == 0 && s != 0 {
            write!(f, "{}m", s / 60)
        } else {
            write!(f, "{s}s")
        }
    }
}

/// RFC 3339, UTC, with the fraction of the source kept and trailing zeros trimmed.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((b, len)) = self.rfc3339_bytes() {
            return f.write_str(std::str::from_utf8(&b[..len]).map_err(|_| fmt::Error)?);
        }
        let secs = self.0.div_euclid(NANOS_PER_SEC);
        let nanos = self.0.rem_euclid(NANOS_PER_SEC);
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        // The sentinels at the ends of time: rare, so the general formatter.
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
            sod / 3600,
            sod % 3600 / 60,
            sod % 60
        )?;
        if nanos != 0 {
            let mut frac = format!("{nanos:09}");
            while frac.ends_with('0') {
                frac.pop();
            }
            write!(f, ".{frac}")?;
        }
        f.write_str("Z")
    }
}

impl Timestamp {
    /// The RFC 3339 text of a time in years 0 to 9999, in a buffer on the stack, and its
    /// length; `None` for the sentinels at the ends of time. Digits by hand: an alert prints
    /// dozens of times (its activity lists a first time per action and resource), and
    /// `write!` with widths cost more than the rest of the alert's JSON.
    pub fn rfc3339_bytes(&self) -> Option<([u8; 30], usize)> {
        let secs = self.0.div_euclid(NANOS_PER_SEC);
        let nanos = self.0.rem_euclid(NANOS_PER_SEC);
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        if !(0..=9999).contains(&y) {
            return None;
        }
        let mut b = *b"0000-00-00T00:00:00.000000000Z";
        let mut put = |at: usize, width: usize, mut v: u64| {
            for i in (at..at + width).rev() {
                b[i] = b'0' + (v % 10) as u8;
                v /= 10;
            }
        };
        put(0, 4, y as u64);
        put(5, 2, u64::from(m));
        put(8, 2, u64::from(d));
        put(11, 2, (sod / 3600) as u64);
        put(14, 2, (sod % 3600 / 60) as u64);
        put(17, 2, (sod % 60) as u64);
        let end = if nanos == 0 {
            19
        } else {
            put(20, 9, nanos as u64);
            // Trailing zeros of the fraction are dropped.
            let mut end = 29;
            while b[end - 1] == b'0' {
                end -= 1;
            }
            end
        };
        b[end] = b'Z';
        Some((b, end + 1))
    }
}

/// Durations in rule parameters and config are written as in SPEC §1 (`"10m"`).
impl<'de> serde::Deserialize<'de> for Duration {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let s = String::deserialize(d)?;
        Duration::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// RFC 3339 in text formats (alerts, `normalize`); nanoseconds in binary ones (rule state
/// checkpoints), where every value, the sentinels at the ends of time included, must come
/// back exactly.
impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            // Straight to the serializer's string writer: `collect_str` goes through the
            // formatting machinery, which cost more than the digits.
            if let Some((b, len)) = self.rfc3339_bytes() {
                if let Ok(text) = std::str::from_utf8(&b[..len]) {
                    return s.serialize_str(text);
                }
            }
            s.collect_str(self)
        } else {
            s.serialize_i64(self.0)
        }
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        if d.is_human_readable() {
            let s = String::deserialize(d)?;
            Timestamp::parse(&s)
                .ok_or_else(|| serde::de::Error::custom(format!("not a time: {s:?}")))
        } else {
            i64::deserialize(d).map(Timestamp)
        }
    }
}

/// Howard Hinnant's days-from-civil: proleptic Gregorian, no tables, no time zone database.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

fn assemble(
    y: i64,
    mo: u32,
    d: u32,
    h: u32,
    mi: u32,
    s: u32,
    nanos: i64,
    offset_secs: i64,
) -> Option<Timestamp> {
    if !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 60
    {
        return None;
    }
    if !(1..=9999).contains(&y) {
        return None;
    }
    // A leap second is folded onto the next second; no cloud log relies on it.
    let secs = days_from_civil(y, mo, d) * 86_400 + (h * 3600 + mi * 60 + s) as i64 - offset_secs;
    // Nanoseconds in an i64 reach only 1677..2262: a year outside saturates to the end of
    // the range, which `normalize::ValidTimes` then rejects as out of range — never wrapped
    // into another date (1601 used to become 2185). Computed wide, then clamped: saturating
    // the seconds first and adding the fraction after gave a year 1066 the time
    // 1677-09-21T00:12:43.154224192Z, one step inside the range, and the earliest time the
    // type holds did not parse back from its own RFC 3339 text.
    let nanos_total = i128::from(secs) * i128::from(NANOS_PER_SEC) + i128::from(nanos);
    Some(Timestamp(
        nanos_total.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64,
    ))
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn digits(&mut self, min: usize, max: usize) -> Option<u32> {
        let start = self.i;
        let mut v: u32 = 0;
        while self.i < self.b.len() && self.i - start < max && self.b[self.i].is_ascii_digit() {
            v = v * 10 + (self.b[self.i] - b'0') as u32;
            self.i += 1;
        }
        (self.i - start >= min).then_some(v)
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn done(&self) -> bool {
        self.i >= self.b.len()
    }
    /// `.fffffffff`: any number of digits, nanosecond precision kept.
    fn fraction(&mut self) -> i64 {
        let mut nanos: i64 = 0;
        let mut n = 0;
        if self.eat(b'.') || self.eat(b',') {
            while let Some(c) = self.peek().filter(u8::is_ascii_digit) {
                if n < 9 {
                    nanos = nanos * 10 + (c - b'0') as i64;
                    n += 1;
                }
                self.i += 1;
            }
        }
        while n < 9 {
            nanos *= 10;
            n += 1;
        }
        nanos
    }
    /// `Z`, `+hh:mm`, `+hhmm`, ` +0000`, or nothing (UTC, as Sentinel and Panther write it).
    fn zone(&mut self) -> Option<i64> {
        while self.eat(b' ') {}
        if self.done() || self.eat(b'Z') || self.eat(b'z') {
            return Some(0);
        }
        if self.b[self.i..].eq_ignore_ascii_case(b"UTC") {
            self.i = self.b.len();
            return Some(0);
        }
        let sign = if self.eat(b'+') {
            1
        } else if self.eat(b'-') {
            -1
        } else {
            return None;
        };
        let h = self.digits(2, 2)? as i64;
        self.eat(b':');
        let m = self.digits(2, 2)? as i64;
        Some(sign * (h * 3600 + m * 60))
    }
}

fn parse_timestamp(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    if b.len() < 8 {
        return None;
    }
    let mut c = Cursor { b, i: 0 };
    if b[0] == b'[' {
        // S3 access log and Apache: [01/Aug/2019:00:24:41 +0000]
        c.i = 1;
        let d = c.digits(1, 2)?;
        c.eat(b'/').then_some(())?;
        let mon = month_abbrev(b.get(c.i..c.i + 3)?)?;
        c.i += 3;
        c.eat(b'/').then_some(())?;
        let y = c.digits(4, 4)? as i64;
        c.eat(b':').then_some(())?;
        let h = c.digits(2, 2)?;
        c.eat(b':').then_some(())?;
        let mi = c.digits(2, 2)?;
        c.eat(b':').then_some(())?;
        let sec = c.digits(2, 2)?;
        let nanos = c.fraction();
        while c.eat(b' ') {}
        let off = if c.peek() == Some(b']') {
            0
        } else {
            zone_hhmm(&mut c)?
        };
        c.eat(b']').then_some(())?;
        return if c.done() {
            assemble(y, mon, d, h, mi, sec, nanos, off)
        } else {
            None
        };
    }
    let first = c.digits(1, 4)?;
    if c.i == 4 && c.eat(b'-') {
        // ISO 8601 / RFC 3339, with `T` or a space, zone optional.
        let y = first as i64;
        let mo = c.digits(2, 2)?;
        c.eat(b'-').then_some(())?;
        let d = c.digits(2, 2)?;
        if !(c.eat(b'T') || c.eat(b't') || c.eat(b' ')) {
            return None;
        }
        let h = c.digits(2, 2)?;
        c.eat(b':').then_some(())?;
        let mi = c.digits(2, 2)?;
        c.eat(b':').then_some(())?;
        let sec = c.digits(2, 2)?;
        let nanos = c.fraction();
        let off = c.zone()?;
        return if c.done() {
            assemble(y, mo, d, h, mi, sec, nanos, off)
        } else {
            None
        };
    }
    // Sentinel CSV exports: "21/04/2025, 09:45:54.000" (day first, 24 h) and
    // "4/28/2021, 2:08:45.221 PM" (month first, 12 h). Neither has a zone; the header says UTC.
    // Read alone, a date is guessed; a CSV file's rows are read in one order decided for the
    // whole file (`parse_slash_date`).
    let parts = slash_parts(b)?;
    // 12-hour exports are US-style month first; 24-hour exports are day first unless
    // the second number cannot be a month.
    let order = if parts.twelve || parts.second > 12 {
        DateOrder::Mdy
    } else {
        DateOrder::Dmy
    };
    parts.assemble(order)
}

/// The order of day and month in a zone-less slash date (`21/04/2025, 09:45`). Sentinel's CSV
/// export writes the browser's locale, so the order is decided per file (SPEC §9), never
/// per row: in a US 24-hour export, a per-row guess put two rows two minutes apart eight
/// months apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateOrder {
    /// Day first (`21/04/2025`).
    Dmy,
    /// Month first (`4/21/2025`).
    Mdy,
}

impl DateOrder {
    pub fn as_str(self) -> &'static str {
        match self {
            DateOrder::Dmy => "dmy",
            DateOrder::Mdy => "mdy",
        }
    }
}

/// What one cell says about the file's order: `Some` when only one order can read it (a
/// number above 12 in one place, or a 12-hour clock, which only US exports use), `None` when
/// both can or it is no slash date.
pub fn slash_date_evidence(s: &str) -> Option<DateOrder> {
    let p = slash_parts(s.trim().as_bytes())?;
    let dmy = p.assemble(DateOrder::Dmy).is_some() && !p.twelve;
    let mdy = p.assemble(DateOrder::Mdy).is_some();
    match (dmy, mdy) {
        (true, false) => Some(DateOrder::Dmy),
        (false, true) => Some(DateOrder::Mdy),
        _ => None,
    }
}

/// A cell read as a zone-less slash date in a file's order (`read_slash_date`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlashDate {
    /// Not a slash date at all: the cell is kept as it is.
    NotOne,
    Read(Timestamp),
    /// A slash date that cannot be read in that order (a row that contradicts its file).
    Contradicts,
}

/// `s` read in `order`, in one parse: what it is, and the time when it can be read.
pub fn read_slash_date(s: &str, order: DateOrder) -> SlashDate {
    match slash_parts(s.trim().as_bytes()) {
        None => SlashDate::NotOne,
        Some(p) => p
            .assemble(order)
            .map_or(SlashDate::Contradicts, SlashDate::Read),
    }
}

/// A slash date read in `order`; `None` when it is not one, or cannot be read in that order.
pub fn parse_slash_date(s: &str, order: DateOrder) -> Option<Timestamp> {
    match read_slash_date(s, order) {
        SlashDate::Read(t) => Some(t),
        _ => None,
    }
}

struct SlashParts {
    first: u32,
    second: u32,
    y: i64,
    h: u32,
    mi: u32,
    sec: u32,
    nanos: i64,
    twelve: bool,
}

impl SlashParts {
    fn assemble(&self, order: DateOrder) -> Option<Timestamp> {
        if self.twelve && order == DateOrder::Dmy {
            // No export writes a day-first date with a 12-hour clock.
            return None;
        }
        let (mo, d) = match order {
            DateOrder::Mdy => (self.first, self.second),
            DateOrder::Dmy => (self.second, self.first),
        };
        assemble(self.y, mo, d, self.h, self.mi, self.sec, self.nanos, 0)
    }
}

fn slash_parts(b: &[u8]) -> Option<SlashParts> {
    let mut c = Cursor { b, i: 0 };
    let first = c.digits(1, 2)?;
    c.eat(b'/').then_some(())?;
    let second = c.digits(1, 2)?;
    c.eat(b'/').then_some(())?;
    let y = c.digits(4, 4)? as i64;
    c.eat(b',');
    while c.eat(b' ') {}
    let mut h = c.digits(1, 2)?;
    c.eat(b':').then_some(())?;
    let mi = c.digits(2, 2)?;
    let sec = if c.eat(b':') { c.digits(2, 2)? } else { 0 };
    let nanos = c.fraction();
    while c.eat(b' ') {}
    let rest = &b[c.i..];
    let (pm, twelve) = if rest.eq_ignore_ascii_case(b"PM") {
        (true, true)
    } else if rest.eq_ignore_ascii_case(b"AM") {
        (false, true)
    } else if rest.is_empty() {
        (false, false)
    } else {
        return None;
    };
    if twelve {
        if h == 0 || h > 12 {
            return None;
        }
        h = h % 12 + if pm { 12 } else { 0 };
    }
    Some(SlashParts {
        first,
        second,
        y,
        h,
        mi,
        sec,
        nanos,
        twelve,
    })
}

fn zone_hhmm(c: &mut Cursor<'_>) -> Option<i64> {
    let sign = if c.eat(b'+') {
        1
    } else if c.eat(b'-') {
        -1
    } else {
        return None;
    };
    let h = c.digits(2, 2)? as i64;
    c.eat(b':');
    let m = c.digits(2, 2)? as i64;
    Some(sign * (h * 3600 + m * 60))
}

fn month_abbrev(b: &[u8]) -> Option<u32> {
    const M: [&[u8; 3]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    M.iter()
        .position(|m| m.eq_ignore_ascii_case(b))
        .map(|i| i as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        Timestamp::parse(s)
            .map(|t| t.to_string())
            .unwrap_or_else(|| "NONE".into())
    }

    #[test]
    fn parses_every_shape_seen_in_real_exports() {
        assert_eq!(p("2023-07-10T11:42:36Z"), "2023-07-10T11:42:36Z");
        assert_eq!(
            p("2019-10-18T09:45:48.0729893Z"),
            "2019-10-18T09:45:48.0729893Z"
        );
        assert_eq!(
            p("2019-10-18T04:45:48.0729893-05:00"),
            "2019-10-18T09:45:48.0729893Z"
        );
        assert_eq!(p("2022-11-21 18:06:52"), "2022-11-21T18:06:52Z");
        assert_eq!(p("2020-06-21 20:41:25.000000000"), "2020-06-21T20:41:25Z");
        assert_eq!(
            p("2021-01-01T00:00:00.123456789Z"),
            "2021-01-01T00:00:00.123456789Z"
        );
        assert_eq!(p("[01/Aug/2019:00:24:41 +0000]"), "2019-08-01T00:24:41Z");
        assert_eq!(p("[10/Oct/2000:13:55:36 -0700]"), "2000-10-10T20:55:36Z");
        assert_eq!(p("21/04/2025, 09:45:54.000"), "2025-04-21T09:45:54Z");
        assert_eq!(p("4/28/2021, 2:08:45.221 PM"), "2021-04-28T14:08:45.221Z");
        assert_eq!(p("4/28/2021, 12:08:45 AM"), "2021-04-28T00:08:45Z");
        assert_eq!(p("eventTime"), "NONE");
        assert_eq!(p("redacted"), "NONE");
        assert_eq!(p("2021-02-30T00:00:00Z"), "NONE");
        assert_eq!(p("2021-01-01T00:00:00Zjunk"), "NONE");
    }

    #[test]
    fn bins_align_to_the_epoch_like_kql() {
        let t = Timestamp::parse("2024-05-06T10:14:59.9999999Z").unwrap();
        assert_eq!(
            t.bin(Duration::minutes(15)).to_string(),
            "2024-05-06T10:00:00Z"
        );
        let t = Timestamp::parse("2024-05-06T10:15:00Z").unwrap();
        assert_eq!(
            t.bin(Duration::minutes(15)).to_string(),
            "2024-05-06T10:15:00Z"
        );
    }

    #[test]
    fn durations() {
        assert_eq!(Duration::parse("10m").unwrap(), Duration::minutes(10));
        assert_eq!(Duration::parse("7d").unwrap(), Duration::secs(7 * 86400));
        assert!(Duration::parse("10").is_err());
        assert!(Duration::parse("m").is_err());
        assert!(Duration::parse("10w").is_err());
    }

    /// The hand-written digits print exactly what the general formatter printed, fraction
    /// and all, up to the ends of time; JSON writes the same text.
    #[test]
    fn display_matches_the_general_formatter() {
        use proptest::prelude::*;
        fn reference(t: Timestamp) -> String {
            let secs = t.0.div_euclid(NANOS_PER_SEC);
            let nanos = t.0.rem_euclid(NANOS_PER_SEC);
            let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
            let sod = secs.rem_euclid(86_400);
            let mut out = format!(
                "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
                sod / 3600,
                sod % 3600 / 60,
                sod % 60
            );
            if nanos != 0 {
                out.push_str(format!(".{nanos:09}").trim_end_matches('0'));
            }
            out + "Z"
        }
        for t in [
            0,
            1,
            999_999_999,
            1_000_000_000,
            -1,
            i64::MIN,
            i64::MAX,
            1_714_000_000_120_000_000,
        ] {
            assert_eq!(Timestamp(t).to_string(), reference(Timestamp(t)));
            assert_eq!(
                serde_json::to_string(&Timestamp(t)).unwrap(),
                format!("\"{}\"", reference(Timestamp(t)))
            );
        }
        proptest!(ProptestConfig::with_cases(4000), |(t in any::<i64>(), whole in any::<bool>())| {
            let t = if whole { t - t.rem_euclid(NANOS_PER_SEC) } else { t };
            prop_assert_eq!(Timestamp(t).to_string(), reference(Timestamp(t)));
            prop_assert_eq!(
                serde_json::to_string(&Timestamp(t)).unwrap(),
                format!("\"{}\"", reference(Timestamp(t)))
            );
        });
    }
}
