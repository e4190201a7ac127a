//! Where things are in a config file. The `toml` crate's `Table` keeps no positions, so after
//! a successful parse we scan the text once more for table headers and `key =` lines, and
//! answer "which line holds key K of table T". The scan understands strings, multi-line
//! strings, comments and multi-line arrays, so a `[` or `key =` inside them is not mistaken for
//! structure. It runs only on text `toml` has already accepted.

/// One `[table]` or `[[array]]` section, or the root before the first header.
struct Section {
    path: Vec<String>,
    array: bool,
    /// None for the root section.
    header_line: Option<usize>,
    /// Dotted key as written (`a.b = 1` gives `["a", "b"]`) and the 1-based line it starts on.
    keys: Vec<(Vec<String>, usize)>,
}

pub(super) struct SourceMap {
    sections: Vec<Section>,
}

impl SourceMap {
    pub(super) fn new(text: &str) -> SourceMap {
        Scanner {
            s: text.as_bytes(),
            i: 0,
            line: 1,
        }
        .run()
    }

    /// The line of `key` in the table at `table`, or of the table itself when `key` is None.
    /// `nth` picks the element when `table` names an array of tables (`[[suppress]]`); it is
    /// ignored otherwise. Falls back to the table's own line when the key is not found (an
    /// inline table, say), and to None when the table is nowhere either.
    pub(super) fn line_of(&self, table: &[&str], nth: usize, key: Option<&str>) -> Option<usize> {
        let own = self.own_section(table, nth);
        if let Some(key) = key {
            if let Some(line) = own.and_then(|s| find_key(s, &[key])) {
                return Some(line);
            }
            // `[organisation]` may be absent and the key written as a dotted key in a parent
            // section: `organisation.bucket_prefixes = [...]` at the top.
            for s in self.sections.iter().filter(|s| {
                !s.array && s.path.len() < table.len() && same(&s.path, &table[..s.path.len()])
            }) {
                let mut dotted: Vec<&str> = table[s.path.len()..].to_vec();
                dotted.push(key);
                if let Some(line) = find_key(s, &dotted) {
                    return Some(line);
                }
            }
            // The key may be a table of its own: `[suppress]` written for `[[suppress]]`.
            let mut sub = table.to_vec();
            sub.push(key);
            if let Some(line) = self.own_section(&sub, 0).and_then(|s| s.header_line) {
                return Some(line);
            }
        }
        if let Some(line) = own.and_then(|s| s.header_line) {
            return Some(line);
        }
        // The table itself may be a key of its parent (`organisation = { ... }`), or only
        // implied by a deeper header (`[rules.x]` implies `[rules]`).
        let (last, parent) = table.split_last()?;
        if let Some(line) = self.line_of(parent, 0, Some(last)) {
            return Some(line);
        }
        self.sections
            .iter()
            .find(|s| s.path.len() > table.len() && same(&s.path[..table.len()], table))
            .and_then(|s| s.header_line)
    }

    fn own_section(&self, table: &[&str], nth: usize) -> Option<&Section> {
        if table.is_empty() {
            return self.sections.first();
        }
        let mut matching = self.sections.iter().filter(|s| same(&s.path, table));
        let first = matching.clone().next()?;
        if first.array {
            matching.filter(|s| s.array).nth(nth)
        } else {
            matching.next()
        }
    }
}

fn same(a: &[String], b: &[&str]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

fn find_key(section: &Section, dotted: &[&str]) -> Option<usize> {
    // The first key equal to `dotted`, or the first that starts with it (`a.b.c = 1` holds `a.b`).
    section
        .keys
        .iter()
        .find(|(k, _)| k.len() >= dotted.len() && same(&k[..dotted.len()], dotted))
        .map(|(_, line)| *line)
}

struct Scanner<'a> {
    s: &'a [u8],
    i: usize,
    line: usize,
}

impl Scanner<'_> {
    fn run(mut self) -> SourceMap {
        let mut sections = vec![Section {
            path: Vec::new(),
            array: false,
            header_line: None,
            keys: Vec::new(),
        }];
        loop {
            self.skip_blank_and_comments();
            let Some(c) = self.peek() else { break };
            let line = self.line;
            if c == b'[' {
                let array = self.s.get(self.i + 1) == Some(&b'[');
                self.i += if array { 2 } else { 1 };
                let path = self.key();
                sections.push(Section {
                    path,
                    array,
                    header_line: Some(line),
                    keys: Vec::new(),
                });
                self.skip_to_line_end();
            } else {
                let key = self.key();
                if self.peek() == Some(b'=') && !key.is_empty() {
                    self.i += 1;
                    sections
                        .last_mut()
                        .expect("root section")
                        .keys
                        .push((key, line));
                    self.value();
                } else {
                    // Not TOML we understand (the parser accepted it, so this should not
                    // happen); resynchronise at the next line.
                    self.skip_to_line_end();
                }
            }
        }
        SourceMap { sections }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        if c == b'\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn starts_with(&self, pat: &[u8]) -> bool {
        self.s[self.i..].starts_with(pat)
    }

    fn skip_spaces(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    fn skip_blank_and_comments(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\r' | b'\n') => {
                    self.bump();
                }
                Some(b'#') => self.skip_to_line_end(),
                _ => return,
            }
        }
    }

    /// Leaves the position at the `\n` (or the end), which the caller's next skip consumes.
    fn skip_to_line_end(&mut self) {
        while !matches!(self.peek(), None | Some(b'\n')) {
            self.i += 1;
        }
    }

    /// A dotted key: bare, "basic" or 'literal' parts joined by dots. Stops before `=`, `]`.
    fn key(&mut self) -> Vec<String> {
        let mut parts = Vec::new();
        loop {
            self.skip_spaces();
            let part = match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    self.quoted(b'"')
                }
                Some(b'\'') => {
                    self.i += 1;
                    self.quoted(b'\'')
                }
                _ => {
                    let start = self.i;
                    while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
                    {
                        self.i += 1;
                    }
                    String::from_utf8_lossy(&self.s[start..self.i]).into_owned()
                }
            };
            parts.push(part);
            self.skip_spaces();
            if self.peek() == Some(b'.') {
                self.i += 1;
            } else {
                return parts;
            }
        }
    }

    /// The text of a one-line string whose opening quote is consumed; escapes kept as written
    /// except `\"`, which is enough to compare keys.
    fn quoted(&mut self, quote: u8) -> String {
        let mut out = Vec::new();
        while let Some(c) = self.peek() {
            if c == b'\n' {
                break;
            }
            self.i += 1;
            if c == quote {
                break;
            }
            if c == b'\\' && quote == b'"' {
                if let Some(next) = self.peek().filter(|&n| n != b'\n') {
                    self.i += 1;
                    if next != b'"' && next != b'\\' {
                        out.push(b'\\');
                    }
                    out.push(next);
                    continue;
                }
            }
            out.push(c);
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Skips a value and the rest of its (last) line, following arrays across lines.
    fn value(&mut self) {
        let mut depth = 0usize;
        while let Some(c) = self.peek() {
            match c {
                b'\n' if depth == 0 => return,
                b'"' if self.starts_with(b"\"\"\"") => self.multi_line(b"\"\"\"", true),
                b'\'' if self.starts_with(b"'''") => self.multi_line(b"'''", false),
                b'"' | b'\'' => {
                    self.i += 1;
                    self.quoted(c);
                }
                b'#' => self.skip_to_line_end(),
                b'[' | b'{' => {
                    depth += 1;
                    self.i += 1;
                }
                b']' | b'}' => {
                    depth = depth.saturating_sub(1);
                    self.i += 1;
                }
                _ => {
                    self.bump();
                }
            }
        }
    }

    fn multi_line(&mut self, delim: &[u8], escapes: bool) {
        self.i += delim.len();
        while self.peek().is_some() {
            if escapes && self.peek() == Some(b'\\') {
                self.bump();
                self.bump();
            } else if self.starts_with(delim) {
                self.i += delim.len();
                // Up to two more quotes may close the string: `""""" ` is `""` then `"""`.
                while self.peek() == Some(delim[0]) {
                    self.i += 1;
                }
                return;
            } else {
                self.bump();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SourceMap;

    const TEXT: &str = r#"# comment [not.a.table]
top = 1
[organisation]
bucket_prefixes = [
  "a",
  "[x]",   # not = a key
]
internal_cidrs = ["10.0.0.0/8"]
notes = """
[fake]
fake = 1
"""
high_privilege = []
[rules."password-spray"]
window = "10m"
[[suppress]]
reason = "one"
[[suppress]]
identity = 'x = y'
reason = "two"
[lists]
stream.lateness = "1m"
"#;

    #[test]
    fn finds_keys_within_their_section() {
        let m = SourceMap::new(TEXT);
        assert_eq!(m.line_of(&[], 0, Some("top")), Some(2));
        assert_eq!(m.line_of(&["organisation"], 0, None), Some(3));
        assert_eq!(
            m.line_of(&["organisation"], 0, Some("bucket_prefixes")),
            Some(4)
        );
        assert_eq!(
            m.line_of(&["organisation"], 0, Some("internal_cidrs")),
            Some(8)
        );
        assert_eq!(
            m.line_of(&["organisation"], 0, Some("high_privilege")),
            Some(13)
        );
        assert_eq!(
            m.line_of(&["rules", "password-spray"], 0, Some("window")),
            Some(15)
        );
        assert_eq!(m.line_of(&["suppress"], 0, Some("reason")), Some(17));
        assert_eq!(m.line_of(&["suppress"], 1, Some("reason")), Some(20));
        assert_eq!(m.line_of(&["suppress"], 1, None), Some(18));
        assert_eq!(
            m.line_of(&["lists", "stream"], 0, Some("lateness")),
            Some(22)
        );
        assert_eq!(m.line_of(&["fake"], 0, None), None);
        // `[rules]` is implied by `[rules."password-spray"]`.
        assert_eq!(m.line_of(&["rules"], 0, None), Some(14));
        // A missing key falls back to its table.
        assert_eq!(m.line_of(&["organisation"], 0, Some("missing")), Some(3));
    }

    #[test]
    fn dotted_and_inline_tables() {
        let m = SourceMap::new(
            "organisation.bucket_prefixes = [\"a\"]\nworking_hours = { timezone = \"UTC\" }\n",
        );
        assert_eq!(
            m.line_of(&["organisation"], 0, Some("bucket_prefixes")),
            Some(1)
        );
        assert_eq!(m.line_of(&["working_hours"], 0, Some("timezone")), Some(2));
        assert_eq!(m.line_of(&["working_hours"], 0, None), Some(2));
    }

    #[test]
    fn crlf_line_endings() {
        let m = SourceMap::new("a = 1\r\n[organisation]\r\n\r\nbucket_prefixes = [\r\n  \"x\",\r\n]\r\nhigh_privilege = []\r\n");
        assert_eq!(
            m.line_of(&["organisation"], 0, Some("bucket_prefixes")),
            Some(4)
        );
        assert_eq!(
            m.line_of(&["organisation"], 0, Some("high_privilege")),
            Some(7)
        );
    }
}
