//! The one list of characters that no output writes raw (SPEC §9).
//!
//! Log values are attacker-chosen. A terminal acts on control characters (ESC starts a
//! sequence that can recolour or clear the screen, BEL rings), bidi controls reorder what is
//! shown (`x\u{202e}gpj.exe` reads as `xexe.jpg`), and invisible characters make two
//! different identities print identically (`admin` and `ad\u{200b}min`). Line and paragraph
//! separators make line-splitting readers (JavaScript, many log shippers) cut a JSON line in
//! two. Every output shows these as visible escapes: the terminal as `\u{202e}`, JSON as
//! `\u202e`; none is ever dropped, so what the analyst sees still tells the values apart.

/// Whether `c` must be written as a visible escape. Covers:
/// - General_Category Cc: C0 controls, DEL and C1 controls (U+0085 NEL among them);
/// - Unicode's `Bidi_Control` property (PropList.txt): U+061C, U+200E–U+200F,
///   U+202A–U+202E, U+2066–U+2069;
/// - Unicode's `Default_Ignorable_Code_Point` property (DerivedCoreProperties.txt): code
///   points that render as nothing, among them U+00AD, U+034F, U+115F–U+1160, U+17B4–U+17B5,
///   U+180B–U+180F, U+200B–U+200F, U+2060–U+206F, U+3164, variation selectors
///   (U+FE00–U+FE0F, U+E0100–U+E01EF), U+FEFF, U+FFA0, U+FFF0–U+FFF8, U+1BCA0–U+1BCA3,
///   U+1D173–U+1D17A and the tag characters (U+E0000–U+E007F, within U+E0000–U+E0FFF);
/// - the interlinear annotation characters U+FFF9–U+FFFB (format characters that hide the
///   text between them);
/// - U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR.
pub fn needs_escape(c: char) -> bool {
    // ASCII is the overwhelming case; one comparison settles it.
    if (c as u32) < 0x7f {
        return (c as u32) < 0x20;
    }
    matches!(c,
        '\u{7f}'..='\u{9f}'             // DEL, C1 controls
        | '\u{ad}'                      // soft hyphen
        | '\u{34f}'                     // combining grapheme joiner
        | '\u{61c}'                     // Arabic letter mark (bidi)
        | '\u{115f}'..='\u{1160}'       // Hangul choseong / jungseong fillers
        | '\u{17b4}'..='\u{17b5}'       // Khmer inherent vowels
        | '\u{180b}'..='\u{180f}'       // Mongolian variation selectors, vowel separator
        | '\u{200b}'..='\u{200f}'       // zero-width space, ZWNJ, ZWJ, LRM, RLM
        | '\u{2028}'..='\u{202e}'       // line/paragraph separators, bidi embeddings
        | '\u{2060}'..='\u{206f}'       // word joiner, invisible operators, bidi isolates
        | '\u{3164}'                    // Hangul filler
        | '\u{fe00}'..='\u{fe0f}'       // variation selectors
        | '\u{feff}'                    // zero-width no-break space (BOM)
        | '\u{ffa0}'                    // halfwidth Hangul filler
        | '\u{fff0}'..='\u{fffb}'       // unassigned ignorables, interlinear annotation
        | '\u{1bca0}'..='\u{1bca3}'     // shorthand format controls
        | '\u{1d173}'..='\u{1d17a}'     // musical symbol format controls
        | '\u{e0000}'..='\u{e0fff}' // tags, variation selectors supplement
    )
}

#[cfg(test)]
mod tests {
    use super::needs_escape;

    #[test]
    fn the_issue_list_is_covered() {
        let must = [
            0x00, 0x07, 0x1b, 0x7f, 0x85, 0x9b, 0xad, 0x34f, 0x61c, 0x115f, 0x1160, 0x17b4, 0x17b5,
            0x180e, 0x200b, 0x200c, 0x200d, 0x200e, 0x200f, 0x2028, 0x2029, 0x202a, 0x202e, 0x2060,
            0x2064, 0x2066, 0x2069, 0x3164, 0xfe0f, 0xfeff, 0xffa0, 0xfff9, 0xfffb, 0xe0001,
            0xe007f, 0xe0100,
        ];
        for c in must {
            assert!(needs_escape(char::from_u32(c).unwrap()), "U+{c:04X}");
        }
        for c in [
            'a', ' ', '~', 'é', '中', '😀', '\u{a0}', '\u{2027}', '\u{fffd}',
        ] {
            assert!(!needs_escape(c), "{c:?}");
        }
    }
}
