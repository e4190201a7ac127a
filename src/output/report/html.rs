//! The one way the report writes HTML. Markup comes only from `&'static str` (text the
//! report's own code holds); every other string — log values above all — goes through
//! [`Html::text`] or an attribute value, both escaped for their context, so no code path can
//! turn a `String` into markup. Attribute names are static too, and the ones that load or
//! run something (`href`, `src`, `style`, `on*`, ...) are refused outright: a log value can
//! never become a link, a resource or a handler, even by a later mistake.

use crate::output::escape;

/// An HTML fragment under construction.
#[derive(Default)]
pub struct Html {
    buf: String,
}

/// Attribute names that fetch, navigate, run script or restyle: never written by the report.
fn is_forbidden_attribute(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with("on")
        || matches!(
            n.as_str(),
            "href"
                | "src"
                | "srcset"
                | "style"
                | "action"
                | "formaction"
                | "xlink:href"
                | "background"
                | "poster"
                | "data"
                | "ping"
        )
}

/// Text from anywhere, for an HTML text node or a double-quoted attribute value: control,
/// bidi and invisible characters shown as visible `\u{..}` escapes (as on a terminal: a
/// right-to-left override must not reorder what the analyst reads), then entity-escaped.
pub fn escaped(s: &str) -> String {
    escape::html(&escape::terminal(s))
}

impl Html {
    pub fn new() -> Html {
        Html::default()
    }

    /// Markup the report itself wrote. `'static` keeps runtime strings out.
    pub fn markup(&mut self, s: &'static str) -> &mut Html {
        self.buf.push_str(s);
        self
    }

    /// A text node: any string, escaped.
    pub fn text(&mut self, s: &str) -> &mut Html {
        self.buf.push_str(&escaped(s));
        self
    }

    /// A number (never needs escaping).
    pub fn num(&mut self, n: impl Into<f64>) -> &mut Html {
        let n: f64 = n.into();
        if n.fract() == 0.0 && n.abs() < 1e15 {
            self.buf.push_str(&format!("{}", n as i64));
        } else {
            self.buf.push_str(&format!("{n:.1}"));
        }
        self
    }

    /// `<tag a="v" ...>` with every value escaped.
    ///
    /// # Panics
    /// On an attribute that loads, navigates or runs something (see the module comment): a
    /// programming error, caught by the unit tests of every section.
    pub fn open(&mut self, tag: &'static str, attrs: &[(&'static str, &str)]) -> &mut Html {
        self.buf.push('<');
        self.buf.push_str(tag);
        for (name, value) in attrs {
            assert!(
                !is_forbidden_attribute(name),
                "the report never writes a {name} attribute"
            );
            self.buf.push(' ');
            self.buf.push_str(name);
            self.buf.push_str("=\"");
            self.buf.push_str(&escaped(value));
            self.buf.push('"');
        }
        self.buf.push('>');
        self
    }

    pub fn close(&mut self, tag: &'static str) -> &mut Html {
        self.buf.push_str("</");
        self.buf.push_str(tag);
        self.buf.push('>');
        self
    }

    /// `<tag attrs>text</tag>`.
    pub fn elem(
        &mut self,
        tag: &'static str,
        attrs: &[(&'static str, &str)],
        text: &str,
    ) -> &mut Html {
        self.open(tag, attrs).text(text).close(tag)
    }

    /// Appends a fragment built elsewhere (itself made only of the calls above).
    pub fn append(&mut self, other: Html) -> &mut Html {
        self.buf.push_str(&other.buf);
        self
    }

    pub fn into_string(self) -> String {
        self.buf
    }

    #[cfg(test)]
    pub fn as_str(&self) -> &str {
        &self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped_and_hidden_characters_made_visible() {
        let mut h = Html::new();
        h.open("p", &[("title", "\"><img src=x onerror=alert(1)>")])
            .text("<script>x</script>&\u{202e}gpj")
            .close("p");
        assert_eq!(
            h.as_str(),
            "<p title=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\">&lt;script&gt;x&lt;/script&gt;&amp;\\u{202e}gpj</p>"
        );
    }

    #[test]
    #[should_panic(expected = "never writes a href attribute")]
    fn a_link_attribute_is_refused() {
        Html::new().open("a", &[("href", "javascript:alert(1)")]);
    }

    #[test]
    fn handlers_and_styles_are_refused_in_any_case() {
        for name in ["onclick", "ONLOAD", "style", "src", "xlink:href", "srcset"] {
            assert!(is_forbidden_attribute(name), "{name}");
        }
        for name in ["class", "title", "data-rule", "datetime", "hidden", "open"] {
            assert!(!is_forbidden_attribute(name), "{name}");
        }
    }
}
