//! The page skeleton: doctype, head with the Content-Security-Policy, the inline style and
//! script, and the body the sections fill. The policy allows nothing but this page's own
//! style and script, identified by their SHA-256, and `data:` images: even if a log value
//! slipped through unescaped, the browser would run no other script and fetch nothing.

use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::html::Html;

/// The report's stylesheet and script, compiled in: the page needs no other file.
pub const STYLE: &str = include_str!("style.css");
pub const SCRIPT: &str = include_str!("filter.js");

/// The page's own title: tests assert that nothing in the logs changed it.
pub const TITLE: &str = "tripline report";

/// `'sha256-…'` of an inline element's exact text, as CSP hashes it.
pub fn csp_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The policy: nothing by default; only our style and script (by hash); images only as
/// `data:`; no `<base>`, no form target. `connect-src` and the rest fall back to `'none'`.
pub fn content_security_policy() -> String {
    format!(
        "default-src 'none'; style-src {}; script-src {}; img-src data:; base-uri 'none'; form-action 'none'",
        csp_hash(STYLE),
        csp_hash(SCRIPT)
    )
}

/// The whole document around `body` (the sections).
pub fn page(body: Html) -> String {
    let mut h = Html::new();
    h.markup("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    // First in <head>: the policy applies to everything after it.
    h.open(
        "meta",
        &[
            ("http-equiv", "Content-Security-Policy"),
            ("content", &content_security_policy()),
        ],
    );
    h.markup("\n<meta name=\"referrer\" content=\"no-referrer\">\n");
    h.markup("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.markup("<meta name=\"generator\" content=\"tripline\">\n");
    h.elem("title", &[], TITLE);
    h.markup("\n<style>");
    // The hash covers these exact bytes; `STYLE` is ours (compiled in), never log text.
    h.markup(STYLE);
    h.markup("</style>\n</head>\n<body>\n");
    h.append(body);
    h.markup("\n<script>");
    h.markup(SCRIPT);
    h.markup("</script>\n</body>\n</html>\n");
    h.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_names_the_hashes_of_the_exact_inline_texts() {
        let doc = page(Html::new());
        let csp = content_security_policy();
        assert!(csp.starts_with("default-src 'none';"));
        assert!(doc.contains(&format!("<style>{STYLE}</style>")));
        assert!(doc.contains(&format!("<script>{SCRIPT}</script>")));
        // A known vector: SHA-256 of the empty string.
        assert_eq!(
            csp_hash(""),
            "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
        );
        // The policy is before the first style or script.
        let at = doc.find("Content-Security-Policy").unwrap();
        assert!(at < doc.find("<style>").unwrap() && at < doc.find("<script>").unwrap());
    }

    #[test]
    fn our_assets_hold_no_url_and_no_closing_tag_of_their_own_element() {
        for asset in [STYLE, SCRIPT] {
            for bad in ["http:", "https:", "//", "url(", "@import"] {
                // `//` opens comments in the script; the check is for URLs, so allow
                // comment lines and nothing else.
                let hits = asset
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .any(|l| l.contains(bad));
                assert!(!hits, "{bad} in an asset");
            }
        }
        assert!(!STYLE.contains("</style"));
        assert!(!SCRIPT.contains("</script"));
    }
}
