//! Randomness: splitmix64 streams, and random text (hex, base-32/62/64, UUIDs) written
//! straight into the output buffer.

use std::fmt::Write as _;

/// splitmix64's output function: a bijection on u64, which is what makes event ids unique.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// splitmix64: tiny, fast, and good enough for synthetic logs.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    /// An independent stream per purpose, so adding draws in one place does not shift another.
    pub(crate) fn stream(seed: u64, stream: u64) -> Rng {
        Rng(mix(seed
            ^ mix(stream
                .wrapping_mul(GOLDEN)
                .wrapping_add(0x5851_F42D_4C95_7F2D))))
    }
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix(self.0)
    }
    /// Uniform in `0..n` (0 when n is 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((self.next() as u128 * n as u128) >> 64) as u64
    }
    /// Uniform in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    pub(crate) fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }
    pub(crate) fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
    pub(crate) fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.index(xs.len())]
    }
    /// Index drawn with the given weights.
    pub(crate) fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| w as u64).sum();
        let mut x = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if x < w as u64 {
                return i;
            }
            x -= w as u64;
        }
        weights.len() - 1
    }
}

pub(crate) const HEX: &[u8; 16] = b"0123456789abcdef";
pub(crate) const UPPER_ALNUM: &[u8; 36] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
pub(crate) const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
pub(crate) const BASE62: &[u8; 62] =
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
pub(crate) const BASE64: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub(crate) fn push_chars(buf: &mut String, rng: &mut Rng, alphabet: &[u8], n: usize) {
    let mut bits = 0u64;
    for i in 0..n {
        if i % 8 == 0 {
            bits = rng.next();
        }
        let c = alphabet[((bits & 0xFF) as usize * alphabet.len()) >> 8];
        bits >>= 8;
        buf.push(c as char);
    }
}

pub(crate) fn push_hex_u64(buf: &mut String, mut v: u64, n: usize) {
    let mut tmp = [0u8; 16];
    for i in (0..n).rev() {
        tmp[i] = HEX[(v & 0xF) as usize];
        v >>= 4;
    }
    buf.push_str(std::str::from_utf8(&tmp[..n]).unwrap_or(""));
}

pub(crate) fn push_hex(buf: &mut String, rng: &mut Rng, n: usize) {
    let mut left = n;
    while left > 0 {
        let k = left.min(16);
        push_hex_u64(buf, rng.next(), k);
        left -= k;
    }
}

/// A version-4 shaped UUID whose first 48 bits and node come from `unique` when given: the
/// caller passes a bijective mix of the record index, so event ids never repeat.
pub(crate) fn push_uuid(buf: &mut String, rng: &mut Rng, unique: Option<u64>) {
    let a = unique.unwrap_or_else(|| rng.next());
    let b = rng.next();
    push_hex_u64(buf, a >> 32, 8);
    buf.push('-');
    push_hex_u64(buf, (a >> 16) & 0xFFFF, 4);
    buf.push_str("-4");
    push_hex_u64(buf, b & 0xFFF, 3);
    buf.push('-');
    buf.push(HEX[8 + ((b >> 12) & 0x3) as usize] as char);
    push_hex_u64(buf, (b >> 14) & 0xFFF, 3);
    buf.push('-');
    push_hex_u64(buf, a & 0xFFFF, 4);
    push_hex_u64(buf, b >> 32, 8);
}

pub(crate) fn push_u64(buf: &mut String, v: u64) {
    let _ = write!(buf, "{v}");
}
impl Rng {
    pub(crate) fn pick_str(&mut self, xs: &[String]) -> String {
        xs[self.index(xs.len())].clone()
    }
}
