//! Attacker-controlled text (user agents, user names, bucket names) is escaped for every
//! place it is written: terminals lose control characters, CSV cells cannot start a
//! formula, HTML is entity-escaped. Which characters count as hidden is decided in one
//! place, `invisible::needs_escape`.

use std::borrow::Cow;

use super::invisible::needs_escape;

/// For a terminal: control, bidi and invisible characters (`invisible::needs_escape`) become
/// `\u{..}`, so that a log value can neither move the cursor, recolour the screen, reorder
/// what is shown nor pass for another value.
pub fn terminal(s: &str) -> String {
    if !s.chars().any(needs_escape) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// For a CSV cell: the value as it is, but for a `'` in front when a spreadsheet would read
/// it as a formula: when it would start with `=`, `+`, `-`, `@`, tab or CR once its leading
/// control, invisible and blank characters are passed over. The test looks past those
/// because a spreadsheet or a later clean-up step may drop them: `"\x07=HYPERLINK(..)"` must
/// not come out live. Nothing else changes, so a CSV reader gives the logged value back less
/// the `'`; quoting is the CSV writer's job (RFC 4180).
pub fn csv_formula_guard(s: &str) -> Cow<'_, str> {
    let first = s
        .chars()
        .find(|&c| matches!(c, '\t' | '\r') || !(needs_escape(c) || c.is_whitespace()));
    if matches!(first, Some('=' | '+' | '-' | '@' | '\t' | '\r')) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// For HTML text and attribute values.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => out.push_str(&format!("&#{};", c as u32)),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn hostile_values_are_defused() {
        assert_eq!(terminal("a\u{1b}[31mred\u{7}"), "a\\u{1b}[31mred\\u{7}");
        assert_eq!(terminal("x\u{202e}gpj.exe"), "x\\u{202e}gpj.exe");
        assert_eq!(csv_formula_guard("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_formula_guard("-1+2"), "'-1+2");
        // The formula test looks past leading control, invisible and blank characters.
        assert_eq!(csv_formula_guard("\u{7}=1+1"), "'\u{7}=1+1");
        assert_eq!(csv_formula_guard("\u{200b}@SUM(A1)"), "'\u{200b}@SUM(A1)");
        assert_eq!(csv_formula_guard(" \n+1"), "' \n+1");
        assert_eq!(csv_formula_guard("\tx"), "'\tx");
        assert_eq!(csv_formula_guard("\rx"), "'\rx");
        assert_eq!(csv_formula_guard("a=1"), "a=1");
        assert_eq!(csv_formula_guard("1-2"), "1-2");
        assert_eq!(csv_formula_guard(""), "");
        assert_eq!(terminal("ad\u{200b}min"), "ad\\u{200b}min");
        assert_eq!(terminal("tag\u{e0041}"), "tag\\u{e0041}");
        assert_eq!(
            html("<script>alert('x')</script>"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
        );
    }
}
