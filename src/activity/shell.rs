//! POSIX shell quoting for values taken from the logs (SPEC §9: commands in `next_steps`
//! shell-quote every value from the logs). Inside single quotes a POSIX shell expands
//! nothing — no `$(..)`, backticks, `$VAR`, globs or backslashes — so the only character to
//! handle is the single quote itself, written `'\''` (close, escaped quote, reopen).
//! Control characters stay inside the quotes as they are: the shell would pass them on
//! literally, and the terminal printer (`output::escape`) shows them as visible escapes.

/// `value` as one POSIX shell word that means exactly `value`.
pub fn quote(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.,:/@+=%".contains(&b));
    if plain {
        // Nothing a shell would interpret: left bare, as an analyst would type it.
        return value.to_string();
    }
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::quote;

    /// What `sh -c 'printf %s WORD'` prints for the quoted word: the quoting is checked by a
    /// real shell, not by reading our own rule back.
    fn through_shell(word: &str) -> Vec<u8> {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("printf %s {word}"))
            .output()
            .expect("sh runs");
        assert!(out.status.success(), "sh failed on {word:?}");
        out.stdout
    }

    #[test]
    fn hostile_values_reach_the_command_unchanged() {
        for hostile in [
            "it's",
            "'",
            "''",
            "$(touch /tmp/tripline-pwned)",
            "`id`",
            "${HOME}",
            "a b\tc",
            "line1\nline2",
            "x\u{1b}[2Jy",
            "\u{202e}gnp.exe",
            "*",
            "a;b|c&d>e<f",
            "\\'\\",
            "-rf",
            "",
        ] {
            let q = quote(hostile);
            assert_eq!(
                through_shell(&q),
                hostile.as_bytes(),
                "{hostile:?} quoted as {q}"
            );
        }
        assert!(
            !std::path::Path::new("/tmp/tripline-pwned").exists(),
            "a command substitution ran"
        );
    }

    #[test]
    fn ordinary_ids_stay_bare_and_anything_else_is_quoted() {
        assert_eq!(quote("AKIAIOSFODNN7EXAMPLE"), "AKIAIOSFODNN7EXAMPLE");
        assert_eq!(
            quote("arn:aws:iam::123456789012:user/bert-jan"),
            "arn:aws:iam::123456789012:user/bert-jan"
        );
        assert_eq!(quote("alice@contoso.com"), "alice@contoso.com");
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("$x"), "'$x'");
    }
}
