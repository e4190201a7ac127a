//! One day of one source: `n` background records spread over the day (evenly spaced slots,
//! a random time inside each, so times never go back), with the planted records merged in
//! by time.

use super::sink::Rotating;
use crate::rng::Rng;
use std::io;

pub(crate) const DAY_MS: i64 = 86_400_000;

/// Writes the day that starts at `day_ms`. `background(buf, rng, ms, k)` appends background
/// record `k` of the day, at `ms`.
pub(crate) fn write_day(
    day_ms: i64,
    n: u64,
    rng: &mut Rng,
    planted: &[(i64, String)],
    files: &mut Rotating<'_>,
    mut background: impl FnMut(&mut String, &mut Rng, i64, u64),
) -> io::Result<()> {
    let slot = DAY_MS / n.max(1) as i64;
    let mut planted = planted.iter().peekable();
    let mut k = 0u64;
    let mut next_bg = (n > 0).then(|| day_ms + rng.below(slot.max(1) as u64) as i64);
    loop {
        let take_planted = match (planted.peek(), next_bg) {
            (Some((t, _)), Some(b)) => *t <= b,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return Ok(()),
        };
        if take_planted {
            let (t, text) = planted.next().expect("peeked");
            files.at(*t)?.push(text)?;
        } else {
            let t = next_bg.expect("some");
            let f = files.at(t)?;
            background(f.next(), rng, t, k);
            f.end_record()?;
            k += 1;
            next_bg = (k < n).then(|| {
                day_ms
                    + (k as i128 * DAY_MS as i128 / n as i128) as i64
                    + rng.below(slot.max(1) as u64) as i64
            });
        }
    }
}
