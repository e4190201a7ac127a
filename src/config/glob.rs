//! Suppression and high-privilege patterns (SPEC §6): `*` matches any run of characters, `/`
//! included, and the pattern must match the whole value. There is no other special character,
//! so ARNs, user agents and paths are written as they appear in the logs.

/// Whether `pattern` matches all of `value`. With `case_insensitive` both sides are compared
/// lower-cased (user agents); identities, accounts and the rest are case-sensitive.
///
/// No recursion and no backtracking beyond one star, so it runs in O(pattern × value) at
/// worst and patterns such as `****a` cannot blow up the stack or the running time: the
/// patterns come from config, the values from attacker-influenced logs.
///
/// It allocates nothing unless a case-blind match meets non-ASCII text: suppression and the
/// tooling catalogue try dozens of patterns on every alert's identities and user agents.
pub fn glob_match(pattern: &str, value: &str, case_insensitive: bool) -> bool {
    if !case_insensitive {
        // Byte by byte is character by character here: `*` is one byte that no multi-byte
        // character contains, and every literal run starts with a lead byte, which never
        // equals a continuation byte, and ends with a whole character.
        return match_bytes(pattern.as_bytes(), value.as_bytes(), false);
    }
    if pattern.is_ascii() && value.is_ascii() {
        return match_bytes(pattern.as_bytes(), value.as_bytes(), true);
    }
    // Unicode lower-casing can change lengths: lower both, then compare by character.
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let v: Vec<char> = value.to_lowercase().chars().collect();
    match_chars(&p, &v)
}

/// Star-only globs need no backtracking: the literal before the first star must start the
/// value, the one after the last star end it, and the runs between are found leftmost, in
/// order (a leftmost find never leaves less room for the runs after it). Each run is a
/// substring search, so a `*Terraform/*` on a long user agent costs one scan.
fn match_bytes(p: &[u8], v: &[u8], fold: bool) -> bool {
    let same = |a: &[u8], b: &[u8]| {
        if fold {
            a.eq_ignore_ascii_case(b)
        } else {
            a == b
        }
    };
    let (Some(first_star), Some(last_star)) = (
        p.iter().position(|&b| b == b'*'),
        p.iter().rposition(|&b| b == b'*'),
    ) else {
        return same(p, v);
    };
    let (head, tail) = (&p[..first_star], &p[last_star + 1..]);
    if v.len() < head.len() + tail.len()
        || !same(&v[..head.len()], head)
        || !same(&v[v.len() - tail.len()..], tail)
    {
        return false;
    }
    let mut hay = &v[head.len()..v.len() - tail.len()];
    for run in p[first_star..last_star]
        .split(|&b| b == b'*')
        .filter(|r| !r.is_empty())
    {
        match find(hay, run, fold) {
            Some(at) => hay = &hay[at + run.len()..],
            None => return false,
        }
    }
    true
}

/// The first place `needle` (not empty) occurs in `hay`.
fn find(hay: &[u8], needle: &[u8], fold: bool) -> Option<usize> {
    if !fold {
        return memchr::memmem::find(hay, needle);
    }
    // Jump between the places the first byte occurs, in either case: the tooling catalogues
    // try dozens of patterns on every user agent, and a byte-by-byte walk was most of that.
    let last = hay.len().checked_sub(needle.len())?;
    let first = needle[0];
    memchr::memchr2_iter(
        first.to_ascii_lowercase(),
        first.to_ascii_uppercase(),
        &hay[..=last],
    )
    .find(|&i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

/// Character by character with a single backtrack point (the last `*` seen): the non-ASCII
/// case-blind path.
fn match_chars(p: &[char], v: &[char]) -> bool {
    let (mut pi, mut vi) = (0, 0);
    // Where to resume after the most recent `*`: the pattern index just past it, and the value
    // index that star currently extends to. Only the latest star matters: an earlier star can
    // never need to absorb more, because the later one can absorb it instead.
    let mut resume: Option<(usize, usize)> = None;
    while vi < v.len() {
        if pi < p.len() && p[pi] == '*' {
            // Consecutive stars are one star.
            while pi < p.len() && p[pi] == '*' {
                pi += 1;
            }
            resume = Some((pi, vi));
        } else if pi < p.len() && p[pi] == v[vi] {
            pi += 1;
            vi += 1;
        } else if let Some((star_p, star_v)) = resume {
            // Let the last star swallow one more character and retry from there.
            pi = star_p;
            vi = star_v + 1;
            resume = Some((star_p, star_v + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn whole_value_and_literal() {
        assert!(glob_match("terraform", "terraform", false));
        assert!(!glob_match("terraform", "terraform-plan", false));
        assert!(!glob_match("terraform", "xterraform", false));
        assert!(glob_match("", "", false));
        assert!(!glob_match("", "a", false));
        assert!(!glob_match("a", "", false));
        assert!(glob_match("a?b", "a?b", false), "`?` is a literal");
        assert!(!glob_match("a?b", "axb", false));
    }

    #[test]
    fn star_spans_slashes() {
        assert!(glob_match(
            "arn:aws:iam::*:role/terraform-*",
            "arn:aws:iam::123456789012:role/terraform-ci",
            false
        ));
        assert!(glob_match(
            "arn:aws:iam::*:root",
            "arn:aws:iam::123456789012:root",
            false
        ));
        assert!(glob_match(
            "*Terraform/*",
            "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io)",
            false
        ));
        assert!(glob_match("a*c", "a/b/c", false));
        assert!(glob_match("*", "", false));
        assert!(glob_match("*", "any/thing", false));
        assert!(glob_match("*admin*", "arn:aws:iam::1:user/admin", false));
        assert!(glob_match("*admin*", "admin", false));
        assert!(!glob_match("*admin*", "adm1n", false));
    }

    #[test]
    fn backtracking_cases() {
        assert!(glob_match("*ab", "aab", false));
        assert!(glob_match("*a*b", "xaxxab", false));
        assert!(glob_match("a*b*c", "abbbc", false));
        assert!(!glob_match("a*b*c", "abbbcd", false));
        assert!(glob_match("*.log", "x.log.log", false));
        assert!(!glob_match("*.log", "x.log.txt", false));
        assert!(glob_match("**a**", "bab", false));
        assert!(!glob_match("a*", "ba", false));
    }

    #[test]
    fn case_sensitivity_is_chosen_by_the_caller() {
        assert!(glob_match("Terraform/*", "terraform/1.7", true));
        assert!(glob_match("terraform/*", "TERRAFORM/1.7", true));
        assert!(
            glob_match("*TERRA*", "x-terraform-y", true),
            "between stars too"
        );
        assert!(!glob_match("*TERRA*", "x-terraform-y", false));
        assert!(!glob_match("Terraform/*", "terraform/1.7", false));
        assert!(!glob_match(
            "arn:aws:iam::*:ROOT",
            "arn:aws:iam::1:root",
            false
        ));
        assert!(
            glob_match("*É*", "café", true),
            "non-ASCII letters fold too"
        );
    }

    #[test]
    fn many_stars_stay_fast() {
        // A naive recursive matcher takes exponential time here.
        let pattern = "*a".repeat(30) + "b";
        let value = "a".repeat(5_000);
        let start = std::time::Instant::now();
        assert!(!glob_match(&pattern, &value, false));
        assert!(!glob_match(
            "****************************a",
            &"b".repeat(100_000),
            false
        ));
        assert!(glob_match(
            "****************************a",
            &("b".repeat(100_000) + "a"),
            false
        ));
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }

    /// The byte matcher must answer exactly as matching character by character on the
    /// lower-cased text would (the matcher before it, kept here as the reference), on
    /// multi-byte and mixed-case text.
    #[test]
    fn byte_matching_agrees_with_matching_by_character() {
        use proptest::prelude::*;
        fn reference(p: &str, v: &str, ci: bool) -> bool {
            let (p, v) = if ci {
                (p.to_lowercase(), v.to_lowercase())
            } else {
                (p.to_string(), v.to_string())
            };
            let p: Vec<char> = p.chars().collect();
            let v: Vec<char> = v.chars().collect();
            super::match_chars(&p, &v)
        }
        // Mixed text, and ASCII alone (the case-blind byte path), with many stars.
        for text in ["[aAbB*é€É😀/:]{0,12}", "[aAbB*/]{0,14}"] {
            proptest!(ProptestConfig::with_cases(4000), |(p in text, v in text, ci in any::<bool>())| {
                prop_assert_eq!(glob_match(&p, &v, ci), reference(&p, &v, ci), "{:?} {:?} {}", p, v, ci);
            });
        }
    }
}
