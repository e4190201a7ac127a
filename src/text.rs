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

#[cfg(test)]
mod tests {
    use super::*;

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
