//! Text fitted to a width, for the table on a terminal: break at spaces, and inside a word
//! longer than the width after its last `/`, `,` or `;` that fits, else by characters.
//! Widths count characters: every value has been escaped before (no control characters), and
//! no crate for East Asian widths is in the dependency tree.

/// Display width in characters.
pub fn width(s: &str) -> usize {
    s.chars().count()
}

/// `text` in lines of at most `max` characters (at least one line; `max` 0 is taken as 1).
/// Nothing is dropped: joining the lines with the spaces they were broken at gives `text`.
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let need = if line.is_empty() { 0 } else { 1 };
        if width(&line) + need + width(word) <= max {
            if need == 1 {
                line.push(' ');
            }
            line.push_str(word);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        let mut rest: &str = word;
        while width(rest) > max {
            let (head, tail) = split_long(rest, max);
            lines.push(head.to_string());
            rest = tail;
        }
        line.push_str(rest);
    }
    lines.push(line);
    lines
}

/// Splits a word longer than `max`: after the last separator within the first `max`
/// characters, else at `max` characters.
fn split_long(word: &str, max: usize) -> (&str, &str) {
    let cut = word.char_indices().nth(max).map_or(word.len(), |(i, _)| i);
    let at = word[..cut]
        .rfind(['/', ',', ';', ':'])
        .map(|i| i + 1)
        .filter(|&i| i > cut / 3)
        .unwrap_or(cut);
    word.split_at(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_and_never_drops_text() {
        assert_eq!(wrap("aa bb cc", 5), vec!["aa bb", "cc"]);
        assert_eq!(wrap("", 5), vec![""]);
        let long = "arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin/alice@example.com";
        let lines = wrap(long, 20);
        assert!(lines.iter().all(|l| width(l) <= 20), "{lines:?}");
        assert_eq!(lines.concat(), long);
        assert_eq!(lines[0], "arn:aws:sts::");
        let text =
            "Escalations: high-privilege target, outside working hours SourceIP=203.0.113.66";
        for w in [1, 7, 13, 30, 200] {
            let lines = wrap(text, w);
            assert!(lines.iter().all(|l| width(l) <= w), "{w}: {lines:?}");
            assert_eq!(lines.concat().replace(' ', ""), text.replace(' ', ""));
        }
        assert_eq!(wrap("ééé ééé", 4), vec!["ééé", "ééé"]);
    }
}
