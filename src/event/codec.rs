//! A compact binary encoding of [`Event`] for spilling sorted runs to disk. Private to this
//! process: written and read back by the same binary, never a file format users see.

use super::{
    Access, Event, LogField, LogFormat, LogKind, Outcome, Provider, ProviderField, Shape, Timestamp,
};
use std::sync::Arc;

/// Which fields `encode_fields` writes: provider, log format and time always; the
/// other fields (the origin among them) only when named here (the rest decode empty), so that a rule setting events
/// aside keeps what it reads without first copying an event to trim it. Bit i keeps the i-th
/// string of `strings`, whose order the constants below follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeepFields(u32);

impl KeepFields {
    pub const ALL: KeepFields = KeepFields(u32::MAX);
    /// Nothing kept yet: the start of a union.
    pub const NONE: KeepFields = KeepFields(0);
    pub const IDENTITY: KeepFields = KeepFields(1 << 0);
    pub const ACCOUNT: KeepFields = KeepFields(1 << 2);
    pub const SOURCE_IP: KeepFields = KeepFields(1 << 3);
    pub const USER_AGENT: KeepFields = KeepFields(1 << 4);
    pub const ACTION: KeepFields = KeepFields(1 << 5);
    pub const REGION: KeepFields = KeepFields(1 << 7);
    pub const RESOURCE: KeepFields = KeepFields(1 << 8);
    pub const REQUEST: KeepFields = KeepFields(1 << 9);
    pub const ERROR_CODE: KeepFields = KeepFields(1 << 10);
    pub const STATUS: KeepFields = KeepFields(1 << 13);
    pub const OBJECT: KeepFields = KeepFields(1 << 18);
    pub const KEY_ID: KeepFields = KeepFields(1 << 16);
    pub const EVENT_ID: KeepFields = KeepFields(1 << 17);
    /// Where the record came from (file, line, element): evidence and the ordered pass's
    /// order read it; activity does not.
    pub const ORIGIN: KeepFields = KeepFields(1 << ORIGIN_BIT);
    /// Outcome, shape, access, MFA, HTTP status and ASN, which travel together.
    pub const SCALARS: KeepFields = KeepFields(1 << SCALARS_BIT);

    pub const fn and(self, other: KeepFields) -> KeepFields {
        KeepFields(self.0 | other.0)
    }
    fn has(self, bit: u32) -> bool {
        self.0 & (1 << bit) != 0
    }
}

pub fn encode(e: &Event, out: &mut Vec<u8>) {
    encode_fields(e, KeepFields::ALL, out);
}

/// `encode`, writing only `fields` (see `KeepFields`).
pub fn encode_fields(e: &Event, fields: KeepFields, out: &mut Vec<u8>) {
    encode_fields_with_id(e, fields, &e.event_id, out)
}

/// [`encode_fields`] with `event_id` written in place of the event's own id.
pub fn encode_fields_with_id(e: &Event, fields: KeepFields, event_id: &str, out: &mut Vec<u8>) {
    // Outcome, shape, access, MFA, HTTP status and ASN travel together (`KeepFields::SCALARS`).
    let scalars = fields.has(SCALARS_BIT);
    let outcome = if scalars {
        e.outcome
    } else {
        Outcome::default()
    };
    let shape = if scalars { e.shape } else { Shape::default() };
    let access = if scalars { e.access } else { Access::default() };
    let mfa = if scalars { e.mfa } else { None };
    let kind = if scalars { e.kind } else { LogKind::default() };
    let http_status = if scalars { e.http_status } else { None };
    let asn = if scalars { e.asn } else { None };
    // Which strings follow: a dropped or empty one costs nothing, neither bytes nor a call.
    let mut strings = strings(e);
    strings[EVENT_ID_INDEX] = event_id;
    // Only the kept slots are looked at, by their bits.
    let mut present = u32::from(fields.has(ORIGIN_BIT)) << ORIGIN_BIT;
    let mut text_len = 0;
    for i in bits(fields.0 & STRING_BITS) {
        let s = strings[i];
        if !s.is_empty() {
            present |= 1 << i;
            text_len += s.len();
        }
    }
    // The fixed part in one piece, and room for the rest once: every event of an all-rules
    // scan is encoded once or twice.
    let mut head = [0u8; HEAD];
    head[..8].copy_from_slice(&e.time.0.to_le_bytes());
    head[8] = e.provider() as u8;
    head[9] = LogFormat::ALL
        .iter()
        .position(|f| *f == e.log())
        .unwrap_or(0) as u8;
    head[10] = match outcome {
        Outcome::Success => 0,
        Outcome::Failure => 1,
        Outcome::Unknown => 2,
    };
    head[11] = match shape {
        Shape::Native => 0,
        Shape::Sentinel => 1,
        Shape::Rest => 2,
    };
    head[12] = Access::ALL.iter().position(|a| *a == access).unwrap_or(0) as u8;
    head[13] = LogKind::ALL.iter().position(|k| *k == kind).unwrap_or(0) as u8;
    head[14] = match mfa {
        None => 0,
        Some(false) => 1,
        Some(true) => 2,
    };
    head[15..19].copy_from_slice(&http_status.map_or(u32::MAX, u32::from).to_le_bytes());
    head[19..27].copy_from_slice(&asn.map_or(u64::MAX, u64::from).to_le_bytes());
    head[27..31].copy_from_slice(&present.to_le_bytes());
    // Their lengths, then their bytes end to end: decoding checks the UTF-8 of all of them
    // at once instead of string by string. The lengths go out in one piece too, as LEB128
    // varints: most fields are shorter than 128 bytes, and every byte saved is one the
    // scratch files do not write and read back.
    let kept = || bits(present & STRING_BITS).map(|i| strings[i]);
    let mut lengths = [0u8; 5 * STRINGS];
    let mut lengths_len = 0;
    for s in kept() {
        lengths_len += put_varint(&mut lengths[lengths_len..], s.len() as u32);
    }
    out.reserve(HEAD + lengths_len + text_len + 64);
    out.extend_from_slice(&head);
    out.extend_from_slice(&lengths[..lengths_len]);
    for s in kept() {
        out.extend_from_slice(s.as_bytes());
    }
    if present & (1 << ORIGIN_BIT) == 0 {
        return;
    }
    push_varint(out, number_of(&e.origin.source, NameRole::Source));
    out.extend_from_slice(&e.origin.line.to_le_bytes());
    match &e.origin.element {
        Some((k, i)) => {
            out.push(1);
            push_varint(out, number_of(k, NameRole::ElementKey));
            out.extend_from_slice(&i.to_le_bytes());
        }
        None => out.push(0),
    }
    out.extend_from_slice(&e.origin.sub.map_or(u64::MAX, u64::from).to_le_bytes());
}

/// Appends to `out` every field that [`encode_fields`] with `fields` leaves out, but
/// `origin`, in the same encoding: the dropped strings (the mask names their slots) and the
/// scalars unless `KeepFields::SCALARS` keeps them, after the time, provider and format that
/// every encoding starts with. What the two write covers the event between them, and a field
/// added to `Event` is added to both at once. Bytes to digest in one call: a hash call per
/// field cost three times as much.
pub fn encode_dropped(e: &Event, fields: KeepFields, out: &mut Vec<u8>) {
    encode_fields(e, KeepFields(!fields.0 & !(1 << ORIGIN_BIT)), out);
}

/// Writes `v` as LEB128 (seven bits a byte, low first, the top bit set on all but the last)
/// into `out`, which has room for five bytes; gives the bytes written.
fn put_varint(out: &mut [u8], mut v: u32) -> usize {
    let mut n = 0;
    while v >= 0x80 {
        out[n] = (v as u8 & 0x7f) | 0x80;
        v >>= 7;
        n += 1;
    }
    out[n] = v as u8;
    n + 1
}

/// [`put_varint`] at the end of `out`.
fn push_varint(out: &mut Vec<u8>, v: u32) {
    let mut b = [0u8; 5];
    let n = put_varint(&mut b, v);
    out.extend_from_slice(&b[..n]);
}

/// The bit of `KeepFields::SCALARS`, the last.
const SCALARS_BIT: u32 = 31;

/// The bit of `KeepFields::ORIGIN`, past the strings' bits.
const ORIGIN_BIT: u32 = 30;

/// Where `event_id` sits in [`strings`] (the bit of `KeepFields::EVENT_ID`).
const EVENT_ID_INDEX: usize = 17;

/// Where `identity` and `source_ip` sit in [`strings`] (the bits of `KeepFields::IDENTITY`
/// and `KeepFields::SOURCE_IP`).
const IDENTITY_INDEX: usize = 0;
const SOURCE_IP_INDEX: usize = 3;

/// The fixed part of an encoded event: time, provider, format, outcome, shape, access,
/// kind, MFA, HTTP status, ASN, and the mask of the strings present.
const HEAD: usize = 31;

/// The set bits of `mask`, lowest first.
fn bits(mut mask: u32) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let i = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            i
        })
    })
}

/// The bits of `KeepFields` and of the present mask that stand for strings.
const STRING_BITS: u32 = (1 << STRINGS) - 1;

/// How many strings [`strings`] gives.
const STRINGS: usize = 19;

fn strings(e: &Event) -> [&str; STRINGS] {
    [
        &e.identity,
        &e.identity_type,
        &e.account,
        &e.source_ip,
        &e.user_agent,
        &e.action,
        &e.service,
        &e.region,
        &e.resource,
        &e.request,
        &e.error_code,
        &e.client_app,
        &e.country,
        &e.status,
        &e.resource_group,
        &e.target,
        &e.key_id,
        &e.event_id,
        &e.object,
    ]
}

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.b.get(self.i..self.i + n)?;
        self.i += n;
        Some(s)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    /// A LEB128 `u32` ([`put_varint`]): at most five bytes, and nothing past 32 bits.
    fn varint(&mut self) -> Option<u32> {
        let mut v: u64 = 0;
        for shift in (0..35).step_by(7) {
            let b = self.u8()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return u32::try_from(v).ok();
            }
        }
        None
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}

/// Names an origin repeats with every event of a file (the file's name, a wrapper array's
/// key), by number for this process: an encoded event carries a number instead of the name
/// (a file name was 47 of the ~440 bytes of a deferred record, written and read back for
/// every event), and decoding shares one `Arc<str>` per name instead of comparing the name
/// or allocating a key per event. Numbers are never reused or forgotten; there are as many
/// as distinct files and keys, and the scratch files that hold them die with the process.
#[derive(Default)]
struct NameTable {
    numbers: crate::collections::HashMap<Arc<str>, u32>,
    names: Vec<Arc<str>>,
}

static NAMES: std::sync::LazyLock<std::sync::Mutex<NameTable>> =
    std::sync::LazyLock::new(Default::default);

fn name_table() -> std::sync::MutexGuard<'static, NameTable> {
    NAMES.lock().unwrap_or_else(|p| p.into_inner())
}

/// Which of the two names an origin holds ([`number_of`] remembers the last of each).
#[derive(Clone, Copy)]
enum NameRole {
    Source = 0,
    ElementKey = 1,
}

/// The number of `name`. A file's events share one `Arc`, so each thread remembers the last
/// name of each role by pointer and takes the lock only when the file changes; it holds a
/// clone, so the address cannot be reused by another name meanwhile.
fn number_of(name: &Arc<str>, role: NameRole) -> u32 {
    thread_local! {
        static LAST: std::cell::RefCell<[Option<(Arc<str>, u32)>; 2]> =
            const { std::cell::RefCell::new([None, None]) };
    }
    LAST.with(|last| {
        let last = &mut last.borrow_mut()[role as usize];
        if let Some((known, n)) = last {
            if Arc::ptr_eq(known, name) {
                return *n;
            }
        }
        let n = {
            let mut table = name_table();
            match table.numbers.get(name) {
                Some(n) => *n,
                None => {
                    let n = table.names.len() as u32;
                    table.names.push(name.clone());
                    table.numbers.insert(name.clone(), n);
                    n
                }
            }
        };
        *last = Some((name.clone(), n));
        n
    })
}

/// A decoder's copy of the names it has met (see [`number_of`]): the table's lock is taken
/// once per name, not per event.
#[derive(Default)]
pub struct Names(Vec<Option<Arc<str>>>);

impl Names {
    fn get(&mut self, n: u32) -> Option<&Arc<str>> {
        let i = n as usize;
        if self.0.get(i).is_none_or(Option::is_none) {
            let name = name_table().names.get(i)?.clone();
            if self.0.len() <= i {
                self.0.resize(i + 1, None);
            }
            self.0[i] = Some(name);
        }
        self.0[i].as_ref()
    }
}

/// What an encoded event holds that decides, before decoding it, whether anyone wants it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Peek<'a> {
    pub time: Timestamp,
    pub identity: &'a str,
    pub source_ip: &'a str,
}

/// The time, identity and source address of an encoded event, read in place: a replay that
/// wants a few actors' events skips the others without decoding them (`decode_into` copies
/// every string). `None` for corrupt bytes, as `decode_into` would give.
pub fn peek(b: &[u8]) -> Option<Peek<'_>> {
    let mut r = Reader { b, i: 0 };
    let time = Timestamp(r.u64()? as i64);
    r.i = HEAD - 4;
    let present = r.u32()?;
    // The strings come in slot order, so the identity (slot 0) and the source address (slot
    // 3) are among the first four.
    let mut at = [0usize; 4];
    let mut len = [0usize; 4];
    let mut text_len = 0;
    for i in bits(present & STRING_BITS) {
        let n = r.varint()? as usize;
        if i < 4 {
            at[i] = text_len;
            len[i] = n;
        }
        text_len += n;
    }
    let text = r.take(text_len)?;
    let slot = |i: usize| std::str::from_utf8(text.get(at[i]..at[i] + len[i])?).ok();
    Some(Peek {
        time,
        identity: slot(IDENTITY_INDEX)?,
        source_ip: slot(SOURCE_IP_INDEX)?,
    })
}

/// Decodes one event; `names` is the decoder's (see [`Names`]).
pub fn decode(b: &[u8], names: &mut Names) -> Option<Event> {
    let mut e = Event::default();
    decode_into(b, names, &mut e)?;
    Some(e)
}

/// [`decode`] into an existing event, reusing its strings' buffers: replaying a file of
/// millions of events into one `Event` then allocates almost nothing, and its origin's
/// names are shared (`names`). On `None` (corrupt bytes) `e` is left half written.
pub fn decode_into(b: &[u8], names: &mut Names, e: &mut Event) -> Option<()> {
    let mut r = Reader { b, i: 0 };
    e.time = Timestamp(r.u64()? as i64);
    let provider = [
        Provider::Aws,
        Provider::Azure,
        Provider::Gcp,
        Provider::Other,
    ]
    .get(r.u8()? as usize)
    .copied()?;
    e.provider = ProviderField(provider);
    e.log = LogField(*LogFormat::ALL.get(r.u8()? as usize)?);
    e.outcome = [Outcome::Success, Outcome::Failure, Outcome::Unknown]
        .get(r.u8()? as usize)
        .copied()?;
    e.shape = [Shape::Native, Shape::Sentinel, Shape::Rest]
        .get(r.u8()? as usize)
        .copied()?;
    e.access = *Access::ALL.get(r.u8()? as usize)?;
    e.kind = *LogKind::ALL.get(r.u8()? as usize)?;
    e.mfa = [None, Some(false), Some(true)]
        .get(r.u8()? as usize)
        .copied()?;
    let status = r.u32()?;
    e.http_status = (status != u32::MAX).then_some(status as u16);
    let asn = r.u64()?;
    e.asn = (asn != u64::MAX).then_some(asn as u32);
    let present = r.u32()?;
    let mut lengths = [0usize; STRINGS];
    let mut text_len = 0;
    for i in bits(present & STRING_BITS) {
        lengths[i] = r.varint()? as usize;
        text_len += lengths[i];
    }
    // One UTF-8 check for every string; a cut inside a character (a corrupt length) fails
    // `get` below.
    let text = std::str::from_utf8(r.take(text_len)?).ok()?;
    // The order of `strings`.
    let mut slots = [
        &mut e.identity,
        &mut e.identity_type,
        &mut e.account,
        &mut e.source_ip,
        &mut e.user_agent,
        &mut e.action,
        &mut e.service,
        &mut e.region,
        &mut e.resource,
        &mut e.request,
        &mut e.error_code,
        &mut e.client_app,
        &mut e.country,
        &mut e.status,
        &mut e.resource_group,
        &mut e.target,
        &mut e.key_id,
        &mut e.event_id,
        &mut e.object,
    ];
    for slot in &mut slots {
        slot.clear();
    }
    let mut at = 0;
    for i in bits(present & STRING_BITS) {
        slots[i].push_str(text.get(at..at + lengths[i])?);
        at += lengths[i];
    }
    if present & (1 << ORIGIN_BIT) == 0 {
        if !e.origin.source.is_empty() {
            e.origin.source = Arc::default();
        }
        e.origin.line = 0;
        e.origin.element = None;
        e.origin.sub = None;
        return Some(());
    }
    let source = names.get(r.varint()?)?;
    if !Arc::ptr_eq(&e.origin.source, source) {
        e.origin.source = source.clone();
    }
    e.origin.line = r.u64()?;
    e.origin.element = match r.u8()? {
        1 => {
            let key = names.get(r.varint()?)?.clone();
            Some((key, r.u64()?))
        }
        _ => None,
    };
    let sub = r.u64()?;
    e.origin.sub = (sub != u64::MAX).then_some(sub as u32);
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Origin;
    #[test]
    fn round_trip() {
        let src: Arc<str> = Arc::from("f.json");
        let mut e = Event::new(
            Provider::Azure,
            LogFormat::EntraSignin,
            Timestamp(1_714_989_600_123_456_700),
            Origin::line(&src, 7),
        );
        e.identity = "alice@contoso.com".into();
        e.http_status = Some(403);
        e.asn = Some(15169);
        e.origin.element = Some((Arc::from("records"), 3));
        e.origin.sub = Some(2);
        e.event_id = "x".into();
        e.access = Access::SignIn;
        let mut buf = Vec::new();
        encode(&e, &mut buf);
        let back = decode(&buf, &mut Names::default()).unwrap();
        assert_eq!(back, e);
        assert!(decode(&buf[..buf.len() - 1], &mut Names::default()).is_none());
    }

    #[test]
    fn kept_fields_decode_as_the_trimmed_event() {
        let src: Arc<str> = Arc::from("f.json");
        let mut e = Event::new(
            Provider::Aws,
            LogFormat::CloudTrail,
            Timestamp(1_714_989_600_000_000_000),
            Origin::line(&src, 9),
        );
        e.identity = "arn:aws:iam::1:user/a".into();
        e.account = "1".into();
        e.source_ip = "203.0.113.7".into();
        e.action = "ListUsers".into();
        e.event_id = "id".into();
        e.user_agent = "ua".into();
        e.region = "us-east-1".into();
        e.outcome = Outcome::Failure;
        e.asn = Some(64500);
        let mut trimmed = Event::new(e.provider(), e.log(), e.time, e.origin.clone());
        trimmed.identity = e.identity.clone();
        trimmed.action = e.action.clone();
        let mut buf = Vec::new();
        let kept = KeepFields::IDENTITY.and(KeepFields::ACTION);
        encode_fields(&e, kept.and(KeepFields::ORIGIN), &mut buf);
        let back = decode(&buf, &mut Names::default()).unwrap();
        assert_eq!(back, trimmed);
        // Without its origin, an event decodes with none, even into one that had one.
        let mut bare = Vec::new();
        encode_fields(&e, kept, &mut bare);
        let mut into = back;
        decode_into(&bare, &mut Names::default(), &mut into).unwrap();
        trimmed.origin = Origin::default();
        assert_eq!(into, trimmed);
        assert!(bare.len() < buf.len());
    }

    /// Replaying many records into one reused event must not leave one record's strings in
    /// the next: a record that holds no user agent decodes with none.
    #[test]
    fn decode_into_clears_what_the_record_does_not_hold() {
        let src: Arc<str> = Arc::from("f.json");
        let mut full = Event::new(
            Provider::Aws,
            LogFormat::CloudTrail,
            Timestamp(1_714_989_600_000_000_000),
            Origin::line(&src, 1),
        );
        full.user_agent = "aws-cli/2".into();
        full.action = "ListUsers".into();
        let mut bare = full.clone();
        bare.user_agent.clear();
        bare.origin.line = 2;
        let (mut a, mut b) = (Vec::new(), Vec::new());
        encode(&full, &mut a);
        encode(&bare, &mut b);
        let mut e = Event::default();
        let mut names = Names::default();
        decode_into(&a, &mut names, &mut e).unwrap();
        assert_eq!(e, full);
        decode_into(&b, &mut names, &mut e).unwrap();
        assert_eq!(e, bare);
    }

    /// An origin's file name and wrapper key travel as numbers: the bytes do not hold the
    /// names, and events of files and keys in any alternation, names given by other `Arc`s
    /// of the same text among them, decode with their own. A number no name has is refused.
    #[test]
    fn origin_names_travel_as_numbers_and_come_back() {
        let a: Arc<str> = Arc::from("logs/a-file-name-of-some-length.json");
        let b: Arc<str> = Arc::from("logs/b-file-name-of-some-length.json");
        let a_again: Arc<str> = Arc::from(&*a);
        let keys: [Arc<str>; 2] = [Arc::from("Records"), Arc::from("records")];
        let mut names = Names::default();
        let mut into = Event::default();
        for (i, src) in [&a, &b, &a_again, &b, &a].into_iter().enumerate() {
            let mut e = Event::new(
                Provider::Aws,
                LogFormat::CloudTrail,
                Timestamp(i as i64),
                Origin::line(src, i as u64),
            );
            e.origin.element = (i % 3 != 2).then(|| (keys[i % 2].clone(), i as u64));
            e.origin.sub = (i == 1).then_some(4);
            let mut buf = Vec::new();
            encode(&e, &mut buf);
            assert!(!buf.windows(9).any(|w| w == b"file-name"));
            assert!(!buf.windows(7).any(|w| w.eq_ignore_ascii_case(b"records")));
            // A fresh decoder and one that has seen the others give the same event.
            assert_eq!(decode(&buf, &mut Names::default()).unwrap(), e);
            decode_into(&buf, &mut names, &mut into).unwrap();
            assert_eq!(into, e);
        }
        // The last byte before the line is the file's number: one no name has is corrupt.
        let e = Event::new(
            Provider::Aws,
            LogFormat::CloudTrail,
            Timestamp(0),
            Origin::line(&a, 1),
        );
        let mut buf = Vec::new();
        encode(&e, &mut buf);
        let at = buf.len() - 8 - 1 - 8 - 1;
        buf[at] = 0x7f;
        buf.splice(at..at, [0xff, 0xff, 0xff]);
        assert!(decode(&buf, &mut Names::default()).is_none());
    }

    /// `peek` reads what `decode` would give for the time, identity and source address,
    /// whichever of the strings around them are present or kept; a record cut short gives
    /// nothing or the same.
    #[test]
    fn peek_reads_the_time_identity_and_source_decode_gives() {
        let src: Arc<str> = Arc::from("f.json");
        let mut e = Event::new(
            Provider::Aws,
            LogFormat::CloudTrail,
            Timestamp(1_714_989_600_000_000_042),
            Origin::line(&src, 1),
        );
        let keeps = [
            KeepFields::ALL,
            crate::engine::kept::ACTIVITY_FIELDS,
            KeepFields::SOURCE_IP,
            KeepFields::IDENTITY.and(KeepFields::ACTION),
        ];
        for identity in ["", "arn:aws:iam::1:user/ä"] {
            for identity_type in ["", "IAMUser"] {
                for account in ["", "111122223333"] {
                    for source in ["", " 203.0.113.7"] {
                        e.identity = identity.into();
                        e.identity_type = identity_type.into();
                        e.account = account.into();
                        e.source_ip = source.into();
                        e.user_agent = "ua".into();
                        for keep in keeps {
                            let mut b = Vec::new();
                            encode_fields(&e, keep, &mut b);
                            let d = decode(&b, &mut Names::default()).unwrap();
                            let p = peek(&b).unwrap();
                            assert_eq!(
                                (p.time, p.identity, p.source_ip),
                                (d.time, &*d.identity, &*d.source_ip)
                            );
                            // A record cut short: never a panic, never other strings.
                            for cut in 0..b.len() {
                                if let Some(q) = peek(&b[..cut]) {
                                    assert_eq!(q, p);
                                }
                            }
                            assert!(peek(&b[..HEAD - 1]).is_none());
                        }
                    }
                }
            }
        }
    }

    /// A length that cuts a character in two (a corrupt scratch file) is refused, never a
    /// panic or a string that is not UTF-8.
    #[test]
    fn a_length_inside_a_character_is_refused() {
        let mut e = Event::new(
            Provider::Azure,
            LogFormat::EntraSignin,
            Timestamp(1_714_989_600_000_000_000),
            Origin::default(),
        );
        e.identity = "éa".into();
        e.action = "b".into();
        let mut buf = Vec::new();
        encode(&e, &mut buf);
        assert!(decode(&buf, &mut Names::default()).is_some());
        // The header (27 bytes) and the mask (4), then the identity's length, one byte.
        assert_eq!(buf[31], 3);
        buf[31] = 1;
        assert!(decode(&buf, &mut Names::default()).is_none());
    }

    /// Lengths of one to five bytes come back, and a length that runs past five bytes or
    /// past the record is refused. (Watched failing with the continuation bit left off.)
    #[test]
    fn string_lengths_of_every_width_round_trip_and_bad_ones_are_refused() {
        for n in [0, 1, 127, 128, 16_383, 16_384, 70_000] {
            let mut e = Event::new(
                Provider::Aws,
                LogFormat::CloudTrail,
                Timestamp(1_714_989_600_000_000_000),
                Origin::default(),
            );
            e.request = "r".repeat(n);
            e.action = "GetObject".into();
            let mut buf = Vec::new();
            encode(&e, &mut buf);
            let back = decode(&buf, &mut Names::default()).unwrap();
            assert_eq!(back, e, "{n}");
        }
        for (bytes, ok) in [
            (&[0x05][..], Some(5)),
            (&[0x80, 0x01], Some(128)),
            (&[0xff, 0xff, 0xff, 0xff, 0x0f], Some(u32::MAX)),
            (&[0xff, 0xff, 0xff, 0xff, 0x1f], None),
            (&[0x80, 0x80, 0x80, 0x80, 0x80, 0x01], None),
            (&[0x80], None),
        ] {
            assert_eq!(Reader { b: bytes, i: 0 }.varint(), ok, "{bytes:?}");
        }
        let mut out = [0u8; 5];
        for v in [0, 1, 127, 128, 300, 16_384, u32::MAX] {
            let n = put_varint(&mut out, v);
            assert_eq!(Reader { b: &out[..n], i: 0 }.varint(), Some(v));
        }
    }

    /// Two events that differ in one field, whichever it is, differ in what a trimmed copy
    /// keeps or in what it drops (`encode_dropped`, which is digested), for the kept fields of both
    /// rules that set events aside and for none at all. (Watched failing with the scalars
    /// left out of the digest.)
    #[test]
    fn a_trimmed_copy_and_its_dropped_digest_tell_every_field_apart() {
        let base = Event::new(
            Provider::Aws,
            LogFormat::CloudTrail,
            Timestamp(1_714_989_600_000_000_000),
            Origin::default(),
        );
        let changes: Vec<fn(&mut Event)> = vec![
            |e| e.identity = "x".into(),
            |e| e.identity_type = "x".into(),
            |e| e.account = "x".into(),
            |e| e.source_ip = "x".into(),
            |e| e.user_agent = "x".into(),
            |e| e.action = "x".into(),
            |e| e.service = "x".into(),
            |e| e.region = "x".into(),
            |e| e.resource = "x".into(),
            |e| e.request = "x".into(),
            |e| e.error_code = "x".into(),
            |e| e.client_app = "x".into(),
            |e| e.country = "x".into(),
            |e| e.status = "x".into(),
            |e| e.resource_group = "x".into(),
            |e| e.target = "x".into(),
            |e| e.key_id = "x".into(),
            |e| e.event_id = "x".into(),
            |e| e.object = "x".into(),
            |e| e.outcome = Outcome::Failure,
            |e| e.shape = Shape::Rest,
            |e| e.access = Access::Write,
            |e| e.mfa = Some(true),
            |e| e.kind = LogKind::ALL[1],
            |e| e.http_status = Some(403),
            |e| e.asn = Some(64_500),
        ];
        // What the rules that set events aside really keep, each alone and both together,
        // then a set with the scalars and one with nothing.
        let config = crate::config::Config::default();
        let deferred: Vec<KeepFields> = ["post-auth-enumeration", "unused-region-activity"]
            .iter()
            .map(|id| {
                let reg = crate::rules::registry::registration(id).unwrap();
                let rule = (reg.build)(&crate::rules::context::Setup { config: &config }).unwrap();
                rule.deferred_fields()
            })
            .collect();
        let kept_sets = [
            deferred[0],
            deferred[1],
            deferred[0].and(deferred[1]),
            KeepFields::ACTION.and(KeepFields::SCALARS),
            KeepFields::NONE,
        ];
        let view = |e: &Event, kept: KeepFields| {
            let mut bytes = Vec::new();
            encode_fields(e, kept, &mut bytes);
            let mut dropped = Vec::new();
            encode_dropped(e, kept, &mut dropped);
            (bytes, dropped)
        };
        for kept in kept_sets {
            for (i, change) in changes.iter().enumerate() {
                let mut other = base.clone();
                change(&mut other);
                assert_ne!(other, base, "change {i} changes nothing");
                assert_ne!(
                    view(&other, kept),
                    view(&base, kept),
                    "change {i}, kept {kept:?}"
                );
            }
            assert_eq!(view(&base.clone(), kept), view(&base, kept));
        }
    }
}
