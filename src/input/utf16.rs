//! UTF-16 input (with a byte-order mark) transcoded to UTF-8 as it streams, so every framer
//! and parser after it sees UTF-8. Windows tools write UTF-16: PowerShell 5's `Out-File` and
//! `>`, some Event Hub and Sentinel exports. Without a mark nothing says a file is UTF-16, and
//! it is read as it is.

use std::io::{self, Read};

pub const LE_BOM: &[u8] = b"\xFF\xFE";
pub const BE_BOM: &[u8] = b"\xFE\xFF";

/// Decodes UTF-16 (`big_endian` or little) from `inner`, whose mark was already consumed;
/// unpaired surrogates and a final odd byte become U+FFFD, as a lossy read does.
pub struct Utf16Reader<R> {
    inner: R,
    big_endian: bool,
    /// Raw bytes not yet decoded (an odd byte, a high surrogate waiting for its pair).
    raw: Vec<u8>,
    /// Decoded UTF-8 not yet handed out.
    out: Vec<u8>,
    out_at: usize,
    eof: bool,
}

impl<R: Read> Utf16Reader<R> {
    pub fn new(inner: R, big_endian: bool) -> Utf16Reader<R> {
        Utf16Reader {
            inner,
            big_endian,
            raw: Vec::new(),
            out: Vec::new(),
            out_at: 0,
            eof: false,
        }
    }

    fn unit(&self, i: usize) -> u16 {
        let pair = [self.raw[i], self.raw[i + 1]];
        if self.big_endian {
            u16::from_be_bytes(pair)
        } else {
            u16::from_le_bytes(pair)
        }
    }

    /// Decodes what `raw` holds into `out`, keeping a trailing odd byte or lone high
    /// surrogate for the next read (unless at the end of the input).
    fn decode(&mut self) {
        self.out.clear();
        self.out_at = 0;
        let mut units = Vec::with_capacity(self.raw.len() / 2);
        let mut i = 0;
        while i + 1 < self.raw.len() {
            units.push(self.unit(i));
            i += 2;
        }
        let mut keep = self.raw.len() - i;
        if !self.eof && units.last().is_some_and(|u| (0xD800..0xDC00).contains(u)) {
            units.pop();
            keep += 2;
        }
        let mut buf = [0u8; 4];
        for c in char::decode_utf16(units.iter().copied()) {
            let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
            self.out
                .extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
        if self.eof && keep > 0 {
            self.out
                .extend_from_slice(char::REPLACEMENT_CHARACTER.encode_utf8(&mut buf).as_bytes());
            keep = 0;
        }
        self.raw.drain(..self.raw.len() - keep);
    }
}

impl<R: Read> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.out_at == self.out.len() {
            if self.eof {
                return Ok(0);
            }
            let have = self.raw.len();
            self.raw.resize(have + 64 * 1024, 0);
            let n = match self.inner.read(&mut self.raw[have..]) {
                Ok(n) => n,
                Err(e) => {
                    self.raw.truncate(have);
                    return Err(e);
                }
            };
            self.raw.truncate(have + n);
            self.eof = n == 0;
            self.decode();
        }
        let n = buf.len().min(self.out.len() - self.out_at);
        buf[..n].copy_from_slice(&self.out[self.out_at..self.out_at + n]);
        self.out_at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8], big_endian: bool) -> String {
        // One byte per read: pairs and surrogates split across reads.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut s = String::new();
        Utf16Reader::new(Trickle(bytes), big_endian)
            .read_to_string(&mut s)
            .unwrap();
        s
    }

    #[test]
    fn decodes_both_orders_with_pairs_split_across_reads() {
        let text = "{\"userPrincipalName\":\"jösé@contoso.com\",\"x\":\"😀\"}\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode(&le, false), text);
        assert_eq!(decode(&be, true), text);
        assert_eq!(
            decode(&le[..le.len() - 1], false).chars().last(),
            Some('\u{fffd}')
        );
    }
}
