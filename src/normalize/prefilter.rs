//! Skipping records before parsing them, on their raw bytes (SPEC §9 allows it for records
//! no enabled rule needs). Two questions are asked this way:
//! - detection: for CloudTrail the cheap field is `eventName`, found with a substring
//!   search, compared with the rules' names, and the record is parsed only when it can
//!   matter. Anything unusual (no `eventName`, an escape in the value) is parsed in full.
//! - activity's second read (SPEC §8): only records that mention one of the actors with
//!   alerts (their identity, role name or address) can be theirs ([`Prefilter::mentions`]).

/// What a scan's workers may skip unparsed.
pub struct Prefilter {
    kind: Kind,
}

enum Kind {
    // Boxed: the name filter's buckets are large and the two modes never mix.
    Names(Box<NameFilter>),
    Mentions(MentionFilter),
}

impl Prefilter {
    pub fn new(names: impl IntoIterator<Item = String>) -> Prefilter {
        Prefilter {
            kind: Kind::Names(Box::new(NameFilter::new(names))),
        }
    }

    /// Keeps the records whose bytes contain one of `exact` (case-sensitive: ARNs,
    /// addresses) or, ASCII case-folded, one of `folded` (given lower-case: UPNs, e-mails,
    /// SSO session names). A record with any backslash is kept too: an escape (`\/`,
    /// `\u0041`) could hide a name from a byte search, and the parser decides.
    pub fn mentions(exact: Vec<String>, folded: Vec<String>) -> Prefilter {
        Prefilter {
            kind: Kind::Mentions(MentionFilter::new(exact, folded, None)),
        }
    }

    /// [`Prefilter::mentions`], also keeping the records in which some string value that
    /// starts with `arn:` satisfies `arn_wanted`. One search for `"arn:` per record, however
    /// many ARNs are wanted: a second read for a thousand actors costs what it costs for one.
    pub fn mentions_with_arns(
        exact: Vec<String>,
        folded: Vec<String>,
        arn_wanted: ArnTest,
    ) -> Prefilter {
        Prefilter {
            kind: Kind::Mentions(MentionFilter::new(exact, folded, Some(arn_wanted))),
        }
    }

    /// True when the record certainly does not matter.
    pub fn skip(&self, rec: &[u8]) -> bool {
        match &self.kind {
            Kind::Names(n) => n.skip(rec),
            Kind::Mentions(m) => m.skip(rec),
        }
    }
}

/// Whether an ARN (a JSON string value as written) belongs to a wanted actor.
pub type ArnTest = std::sync::Arc<dyn Fn(&str) -> bool + Send + Sync>;

struct MentionFilter {
    arns: Option<(ArnTest, memchr::memmem::Finder<'static>)>,
    exact: Vec<memchr::memmem::Finder<'static>>,
    folded: Vec<memchr::memmem::Finder<'static>>,
    /// A folded needle with non-ASCII letters: records are then folded by Unicode rules,
    /// as `rules::history` folds identities.
    unicode: bool,
}

impl MentionFilter {
    fn new(exact: Vec<String>, folded: Vec<String>, arns: Option<ArnTest>) -> MentionFilter {
        let finder = |s: String| memchr::memmem::Finder::new(s.as_bytes()).into_owned();
        MentionFilter {
            arns: arns.map(|t| (t, memchr::memmem::Finder::new(b"\"arn:").into_owned())),
            unicode: folded.iter().any(|f| !f.is_ascii()),
            exact: exact
                .into_iter()
                .filter(|s| !s.is_empty())
                .map(finder)
                .collect(),
            folded: folded
                .into_iter()
                .filter(|s| !s.is_empty())
                .map(finder)
                .collect(),
        }
    }

    fn skip(&self, rec: &[u8]) -> bool {
        if memchr::memchr(b'\\', rec).is_some() {
            return false;
        }
        if self.exact.iter().any(|f| f.find(rec).is_some()) {
            return false;
        }
        if let Some((wanted, finder)) = &self.arns {
            for at in finder.find_iter(rec) {
                let value = &rec[at + 1..];
                let end = memchr::memchr(b'"', value).unwrap_or(value.len());
                if std::str::from_utf8(&value[..end]).is_ok_and(|v| wanted(v)) {
                    return false;
                }
            }
        }
        if self.folded.is_empty() {
            return true;
        }
        let found = |lower: &[u8]| self.folded.iter().any(|f| f.find(lower).is_some());
        if self.unicode {
            return !found(String::from_utf8_lossy(rec).to_lowercase().as_bytes());
        }
        FOLD_BUFFER.with(|buf| {
            let mut buf = buf.borrow_mut();
            buf.clear();
            buf.extend(rec.iter().map(u8::to_ascii_lowercase));
            !found(&buf)
        })
    }
}

thread_local! {
    /// One reusable buffer per worker for the case-folded copy of a record.
    static FOLD_BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The rules' names, bucketed by length and sorted within a bucket: most records are
/// rejected by their name's length alone, and the rest after a comparison or two. Hashing
/// every record's name (even with FNV) cost 7 % of a prefiltered scan.
struct NameFilter {
    by_len: Vec<Vec<Box<[u8]>>>,
    finder: memchr::memmem::Finder<'static>,
}

impl NameFilter {
    fn new(names: impl IntoIterator<Item = String>) -> NameFilter {
        let mut by_len: Vec<Vec<Box<[u8]>>> = Vec::new();
        for name in names {
            let name = name.into_bytes().into_boxed_slice();
            if by_len.len() <= name.len() {
                by_len.resize(name.len() + 1, Vec::new());
            }
            by_len[name.len()].push(name);
        }
        for bucket in &mut by_len {
            bucket.sort_unstable();
            bucket.dedup();
        }
        NameFilter {
            by_len,
            finder: memchr::memmem::Finder::new(b"\"eventName\""),
        }
    }

    fn wants(&self, name: &[u8]) -> bool {
        self.by_len.get(name.len()).is_some_and(|bucket| {
            bucket
                .binary_search_by(|candidate| (**candidate).cmp(name))
                .is_ok()
        })
    }

    /// True when the record is a CloudTrail event whose name no enabled rule wants.
    fn skip(&self, rec: &[u8]) -> bool {
        let Some(name) = self.event_name(rec) else {
            return false;
        };
        let stripped = strip_version(name);
        !self.wants(name) && (stripped.len() == name.len() || !self.wants(stripped))
    }

    fn event_name<'a>(&self, rec: &'a [u8]) -> Option<&'a [u8]> {
        let at = self.finder.find(rec)?;
        // A second `"eventName"` anywhere (an envelope, a rule-test wrapper, a nested or a
        // duplicated key) makes the record unusual, and it is parsed: which of two values
        // counts is then the parser's decision alone, so the alerts never depend on which
        // rules are enabled (a crafted record with the key twice used to be skipped here on
        // its first value and read by the parser with its last).
        if self.finder.find(&rec[at + 11..]).is_some() {
            return None;
        }
        // A key can be written with escapes (`"event\u004eame"`): the parser decodes it and
        // this search would not see it, so a record with any escape is parsed too (one
        // byte search; real CloudTrail escapes rarely, in quoted policy documents).
        if memchr::memchr(b'\\', rec).is_some() {
            return None;
        }
        let mut i = at + 11;
        while rec.get(i)?.is_ascii_whitespace() {
            i += 1;
        }
        if rec[i] != b':' {
            return None;
        }
        i += 1;
        while rec.get(i)?.is_ascii_whitespace() {
            i += 1;
        }
        if rec[i] != b'"' {
            return None;
        }
        let start = i + 1;
        let len = memchr::memchr2(b'"', b'\\', &rec[start..])?;
        if rec[start + len] == b'\\' {
            return None;
        }
        Some(&rec[start..start + len])
    }
}

fn strip_version(name: &[u8]) -> &[u8] {
    let digits = name.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    if digits == 8 && name.len() > 8 {
        &name[..name.len() - 8]
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn mentions_keep_records_naming_an_actor_exactly_or_case_folded() {
        let p = Prefilter::mentions(
            vec!["arn:aws:iam::1:user/bert".into(), "role/deploy".into()],
            vec!["alice@contoso.com".into()],
        );
        assert!(!p.skip(br#"{"userIdentity":{"arn":"arn:aws:iam::1:user/bert"}}"#));
        assert!(
            p.skip(br#"{"userIdentity":{"arn":"arn:aws:iam::1:user/Bert"}}"#),
            "ARNs are case-sensitive"
        );
        assert!(!p.skip(br#"{"arn":"arn:aws:sts::1:assumed-role/deploy/run-1"}"#));
        assert!(!p.skip(br#"{"userPrincipalName":"Alice@Contoso.COM"}"#));
        assert!(p.skip(br#"{"userPrincipalName":"alic@contoso.com"}"#));
        assert!(
            !p.skip(br#"{"arn":"arn:aws:iam::1:user\/bert"}"#),
            "an escape is parsed"
        );
        let arns = Prefilter::mentions_with_arns(
            vec![],
            vec![],
            std::sync::Arc::new(|v: &str| v.starts_with("arn:aws:sts::1:assumed-role/deploy/")),
        );
        assert!(!arns.skip(br#"{"x":1,"arn":"arn:aws:sts::1:assumed-role/deploy/s1"}"#));
        assert!(arns.skip(br#"{"arn":"arn:aws:sts::1:assumed-role/deployer/s1"}"#));
        assert!(arns.skip(br#"{"arn":"arn:aws:iam::1:user/deploy"}"#));
        let unicode = Prefilter::mentions(vec![], vec!["élodie@exemple.fr".into()]);
        assert!(!unicode.skip("{\"upn\":\"ÉLODIE@exemple.fr\"}".as_bytes()));
        assert!(unicode.skip("{\"upn\":\"elodie@exemple.fr\"}".as_bytes()));
    }

    #[test]
    fn skips_only_what_is_certain() {
        let p = Prefilter::new(["DescribeInstances".to_string(), "ListFunctions".to_string()]);
        assert!(!p.skip(br#"{"eventName":"DescribeInstances","x":1}"#));
        assert!(!p.skip(br#"{"eventName" : "ListFunctions20150331"}"#));
        assert!(p.skip(br#"{"eventName":"PutObject"}"#));
        assert!(
            !p.skip(br#"{"EventName":"PutObject"}"#),
            "Sentinel shape is parsed"
        );
        assert!(
            !p.skip(br#"{"eventName":"Put\u004fbject"}"#),
            "escapes are parsed"
        );
        assert!(!p.skip(br#"{"log":{"eventName":"PutObject"},"eventName":"x"}"#));
        // Two names anywhere: the parser decides (issue 10, point 9).
        assert!(!p.skip(
            br#"{"eventVersion":"1.08","eventName":"PutObject","requestParameters":{"eventName":"DescribeInstances"}}"#
        ));
        assert!(!p.skip(
            br#"{"eventVersion":"1.08","eventName":"PutObject","awsRegion":"x","eventName":"DescribeInstances"}"#
        ));
        assert!(!p.skip(
            br#"{"eventVersion":"1.08","userIdentity":{"eventName":"PutObject"},"event\u004eame":"DescribeInstances"}"#
        ));
        assert!(!p.skip(
            br#"{"eventVersion":"1.08","eventName":"DescribeInstances","requestParameters":{"eventName":"PutObject"}}"#
        ));
        assert!(!p.skip(br#"{"operationName":"x"}"#));
        assert!(!p.skip(br#"{"eventName":"#));
    }
}
