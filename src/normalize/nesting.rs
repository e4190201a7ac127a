//! Nesting depth of raw JSON, checked before any parser sees a record. sonic-rs recurses
//! once per level without a limit, so a 40 KB line of `[` overflowed the stack and aborted
//! the whole process (issue 10, class 2); serde_json stops at 128 levels on its own. No log
//! format nests anywhere near that deep, so deeper records are skipped as invalid JSON.

/// serde_json's own recursion limit: both parsers refuse the same records.
pub const MAX_DEPTH: usize = 128;

/// Whether `bytes` opens more than `MAX_DEPTH` arrays or objects inside one another. Linear,
/// iterative, and almost free for real records: fewer opening brackets than the limit (a
/// count that stops at the limit) cannot nest deeper, whatever the strings hold.
pub fn too_deep(bytes: &[u8]) -> bool {
    if memchr::memchr2_iter(b'{', b'[', bytes)
        .nth(MAX_DEPTH)
        .is_none()
    {
        return false;
    }
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escape = false;
    for &b in bytes {
        if in_string {
            match b {
                _ if escape => escape = false,
                b'\\' => escape = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return true;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_structure_not_strings() {
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert!(too_deep(deep.as_bytes()));
        let limit = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(!too_deep(limit.as_bytes()));
        let in_string = format!("{{\"a\":\"{}\\\"\"}}", "[".repeat(1000));
        assert!(!too_deep(in_string.as_bytes()));
        let wide = format!("[{}1]", "[1],".repeat(1000));
        assert!(!too_deep(wide.as_bytes()));
    }
}
