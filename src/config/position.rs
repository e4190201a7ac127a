//! From the byte offsets that `toml_edit` spans carry to the line and column a person looks
//! for in an editor.

pub(super) struct Lines<'a> {
    text: &'a str,
    /// Byte offset of the start of each line; line 1 starts at 0.
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub(super) fn new(text: &'a str) -> Lines<'a> {
        let starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        Lines { text, starts }
    }

    /// 1-based (line, column) of a byte offset; the column counts characters, so a key after
    /// a non-ASCII value is where the editor shows it. Offsets past the end clamp to the end.
    pub(super) fn locate(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let before = &self.text.as_bytes()[start..offset];
        // Count characters by their first bytes: a span never ends inside one, but this
        // stays right (and never panics) if one did.
        let column = before.iter().filter(|&&b| (b as i8) >= -0x40).count() + 1;
        (line, column)
    }
}

#[cfg(test)]
mod tests {
    use super::Lines;

    #[test]
    fn lines_and_columns() {
        let l = Lines::new("a = 1\r\nbé = \"x\"\n\nlast");
        assert_eq!(l.locate(0), (1, 1));
        assert_eq!(l.locate(4), (1, 5));
        assert_eq!(l.locate(7), (2, 1));
        // `=` after a two-byte character is in column 4.
        assert_eq!(l.locate(11), (2, 4));
        assert_eq!(l.locate(17), (3, 1));
        assert_eq!(l.locate(18), (4, 1));
        assert_eq!(l.locate(999), (4, 5));
        assert_eq!(Lines::new("").locate(0), (1, 1));
    }
}
