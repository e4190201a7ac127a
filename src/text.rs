//! Text helpers for the per-event paths.

/// `str::trim`, answering at once for the usual value that neither starts nor ends with
/// white space. Every Unicode white-space character is either an ASCII byte up to the space
/// or starts with a byte of 0x80 or more, so a value whose first and last bytes lie strictly
/// between the two has nothing to trim. Readers and rules trim every field of every event,
/// and the general trim decodes characters from both ends.
#[inline]
pub fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(&a), Some(&z)) if (b'!'..0x80).contains(&a) && (b'!'..0x80).contains(&z) => s,
        _ => s.trim(),
    }
}

/// Whether two values are equal, their ends compared first: logged values of one kind share
/// long prefixes (`arn:aws:sts::ACCOUNT:assumed-role/`, `aws-cli/2.15.0 Python/3.11.6 `) and
/// differ at the end, where a plain comparison arrives last.
#[inline]
pub fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.last_chunk::<8>() == b.last_chunk::<8>() && a == b
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two values are the same text exactly when they are equal, whatever their
    /// lengths and where they differ.
    #[test]
    fn same_text_is_equality() {
        let ids = [
            "",
            "a",
            "arn:aws:iam::1:user/a",
            "arn:aws:iam::1:user/b",
            "brn:aws:iam::1:user/a",
            "arn:aws:sts::111122223333:assumed-role/app/i-0123456789",
            "arn:aws:sts::111122223333:assumed-role/app/i-0123456788",
            "arn:aws:sts::111122223333:assumed-role/bpp/i-0123456789",
        ];
        for a in ids {
            for b in ids {
                assert_eq!(same_text(a, b), a == b, "{a:?} {b:?}");
            }
        }
    }

    /// The fast answer must be `str::trim`'s, whatever the ends hold (watched failing with the
    /// bounds widened to take in the space).
    #[test]
    fn trim_is_str_trim() {
        for s in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\ta\n",
            "\u{85}a",
            "a\u{a0}",
            "\u{3000}x\u{2029}",
            "é",
            "-",
            "x y",
            "\u{7f}a\u{7f}",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
        use proptest::prelude::*;
        proptest!(ProptestConfig::with_cases(4000), |(s in "[ \\t\\n\\u{85}\\u{a0}\\u{2000}a-z!~\\u{7f}é]{0,8}")| {
            prop_assert_eq!(trim(&s), s.trim());
        });
    }
}
