//! Events set aside by rules that answer `Needs::Deferred`: encoded on the workers, appended
//! to one temporary file in arrival order, and read back once the input is done, keeping only
//! the keys the rule still needs (`Rule::deferred_keys`). Disk, not memory, holds them, so a
//! long input costs a file, and selecting before decoding keeps the read cheap.
//!
//! An event that several rules set aside is written once, with the union of their fields and
//! each rule's key: with every rule on, most CloudTrail calls are set aside by two rules.
//!
//! Record: tag count (u8), then per tag the rule index (u16), key length (u32) and key; event
//! length (u32), event (`codec`).

use crate::collections::HashSet;
use crate::event::{codec, Event};
use std::fs::File;
use std::io::{self, BufReader, Read, Write};
use std::path::PathBuf;

/// The rules that set one event aside, each with its key, and the union of their fields.
pub struct Tags {
    tags: Vec<(u16, String)>,
    fields: codec::KeepFields,
}

impl Default for Tags {
    fn default() -> Tags {
        Tags {
            tags: Vec::new(),
            fields: codec::KeepFields::NONE,
        }
    }
}

impl Tags {
    pub fn add(&mut self, rule: usize, key: String, fields: codec::KeepFields) {
        self.fields = self.fields.and(fields);
        self.tags.push((rule as u16, key));
    }

    pub fn is_empty(&self) -> bool {
        self.tags.is_empty()
    }

    pub fn clear(&mut self) {
        self.tags.clear();
        self.fields = codec::KeepFields::NONE;
    }

    /// The rules, for the spill's index of who wrote.
    pub fn rules(&self) -> impl Iterator<Item = u16> + '_ {
        self.tags.iter().map(|(r, _)| *r)
    }
}

/// Appends one deferred event to a worker's buffer: once, whatever the number of rules in
/// `tags`, with each rule's key and the union of their fields.
pub fn write(buf: &mut Vec<u8>, tags: &Tags, e: &Event) {
    debug_assert!(!tags.tags.is_empty() && tags.tags.len() <= u8::MAX as usize);
    buf.push(tags.tags.len() as u8);
    for (rule, key) in &tags.tags {
        buf.extend_from_slice(&rule.to_le_bytes());
        buf.extend_from_slice(&(key.len() as u32).to_le_bytes());
        buf.extend_from_slice(key.as_bytes());
    }
    let at = buf.len();
    buf.extend_from_slice(&[0; 4]);
    if tags.fields == codec::KeepFields::ALL {
        codec::encode_fields(e, tags.fields, buf);
    } else {
        let id = spill_id(e, tags.fields, buf);
        codec::encode_fields_with_id(e, tags.fields, &id, buf);
    }
    let len = (buf.len() - at - 4) as u32;
    buf[at..at + 4].copy_from_slice(&len.to_le_bytes());
}

/// The id an event is written with when fields are dropped. The replay's duplicate test
/// (`Event::delivery_key`) must tell events apart by every field, not only the kept ones, so
/// the kept id carries a digest of the dropped ones (`Event::dropped_digest`): two records
/// are duplicates on replay exactly when they were before. An event is written once however
/// many rules set it aside, so the digest is made once.
/// `scratch` lends room for the digest's bytes and is given back as it came.
fn spill_id(e: &Event, kept: codec::KeepFields, scratch: &mut Vec<u8>) -> String {
    if e.event_id.is_empty() {
        // No id, no duplicate test: nothing to carry.
        return String::new();
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = e.dropped_digest(kept, scratch);
    let mut id = String::with_capacity(e.event_id.len() + 17);
    id.push_str(&e.event_id);
    id.push('#');
    for i in (0..16).rev() {
        id.push(HEX[(digest >> (i * 4)) as usize & 15] as char);
    }
    id
}

/// The temporary file (created on first use, removed on drop).
#[derive(Default)]
pub struct Spill {
    /// Written a batch's records at a time (each batch is already one buffer, so a
    /// `BufWriter` would only copy it).
    file: Option<(PathBuf, File)>,
    /// Rules with records in the file.
    rules: HashSet<u16>,
}

impl Spill {
    pub fn append(&mut self, records: &[u8], rules: &[u16]) -> io::Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        self.rules.extend(rules.iter().copied());
        if self.file.is_none() {
            let path =
                super::scratch::dir()?.join(format!("deferred-{}.bin", self as *const _ as usize));
            let w = File::create(&path)?;
            self.file = Some((path, w));
        }
        if let Some((_, w)) = &mut self.file {
            w.write_all(records)?;
        }
        Ok(())
    }

    /// Whether `rule` set any event aside.
    pub fn has(&self, rule: usize) -> bool {
        self.rules.contains(&(rule as u16))
    }

    /// Every set-aside event of `rule` whose key is in `keys` (all when `None`), in arrival
    /// order.
    pub fn replay(
        &mut self,
        rule: usize,
        keys: Option<&HashSet<String>>,
        f: &mut dyn FnMut(Event) -> io::Result<()>,
    ) -> io::Result<()> {
        let Some((path, _)) = &self.file else {
            return Ok(());
        };
        let mut r = BufReader::with_capacity(1 << 20, File::open(path)?);
        let mut names = codec::Names::default();
        let (mut key, mut ev) = (Vec::new(), Vec::new());
        loop {
            let mut count = [0u8; 1];
            match r.read_exact(&mut count) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
                Err(e) => return Err(e),
            }
            let mut wanted = false;
            for _ in 0..count[0] {
                let mut head = [0u8; 6];
                r.read_exact(&mut head)?;
                let owner = u16::from_le_bytes([head[0], head[1]]) as usize;
                key.resize(
                    u32::from_le_bytes([head[2], head[3], head[4], head[5]]) as usize,
                    0,
                );
                r.read_exact(&mut key)?;
                wanted |= owner == rule
                    && keys.is_none_or(|k| std::str::from_utf8(&key).is_ok_and(|s| k.contains(s)));
            }
            let mut len = [0u8; 4];
            r.read_exact(&mut len)?;
            ev.resize(u32::from_le_bytes(len) as usize, 0);
            r.read_exact(&mut ev)?;
            if wanted {
                let e = codec::decode(&ev, &mut names).ok_or_else(|| {
                    io::Error::new(io::ErrorKind::InvalidData, "corrupt deferred-events file")
                })?;
                f(e)?;
            }
        }
    }
}

impl Drop for Spill {
    fn drop(&mut self) {
        if let Some((path, _)) = self.file.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{LogFormat, Origin, Provider, Timestamp};

    fn event(user_agent: &str, line: u64) -> Event {
        let mut e = Event::new(
            Provider::Aws,
            LogFormat::CloudTrail,
            Timestamp(1_700_000_000_000_000_000),
            Origin {
                line,
                ..Origin::default()
            },
        );
        e.event_id = "reused-id".into();
        e.action = "GetObject".into();
        e.user_agent = user_agent.into();
        e
    }

    /// A rule keeping only some fields must still tell apart two events that share an id and
    /// differ in a dropped field, and still see a true second delivery as one. (Watched
    /// failing with the digest left out of the kept id.)
    #[test]
    fn deferred_replay_duplicate_test_sees_dropped_fields() {
        let keep = codec::KeepFields::ACTION.and(codec::KeepFields::EVENT_ID);
        let mut buf = Vec::new();
        for (ua, line) in [("aws-cli/2", 1), ("aws-cli/2", 2), ("boto3/1.34", 3)] {
            let mut tags = Tags::default();
            tags.add(0, "k".into(), keep);
            write(&mut buf, &tags, &event(ua, line));
        }
        let mut spill = Spill::default();
        spill.append(&buf, &[0]).unwrap();
        let mut back = Vec::new();
        spill
            .replay(0, None, &mut |e| {
                back.push(e);
                Ok(())
            })
            .unwrap();
        assert_eq!(back.len(), 3);
        assert!(back.iter().all(|e| e.user_agent.is_empty()), "dropped");
        let keys: Vec<_> = back.iter().map(|e| e.delivery_key().unwrap()).collect();
        assert_eq!(keys[0], keys[1], "a second delivery stays a duplicate");
        assert_ne!(
            keys[0], keys[2],
            "events differing in a dropped field stay apart"
        );
    }

    /// An event two rules set aside is written once and replays for each rule under its own
    /// key, with the fields of both. (Watched failing with only the first tag read back.)
    #[test]
    fn an_event_set_aside_by_two_rules_is_written_once_and_found_by_each() {
        let mut tags = Tags::default();
        tags.add(
            0,
            "acct\0eu-south-2".into(),
            codec::KeepFields::ACTION
                .and(codec::KeepFields::EVENT_ID)
                .and(codec::KeepFields::ORIGIN),
        );
        tags.add(
            1,
            "alice".into(),
            codec::KeepFields::USER_AGENT.and(codec::KeepFields::EVENT_ID),
        );
        let mut buf = Vec::new();
        write(&mut buf, &tags, &event("aws-cli/2", 1));
        let mut other = Tags::default();
        other.add(
            1,
            "bob".into(),
            codec::KeepFields::ACTION.and(codec::KeepFields::ORIGIN),
        );
        write(&mut buf, &other, &event("boto3/1.34", 2));
        let mut spill = Spill::default();
        spill.append(&buf, &[0, 1]).unwrap();
        let replay = |spill: &mut Spill, rule: usize, keys: Option<&[&str]>| {
            let keys: Option<HashSet<String>> =
                keys.map(|k| k.iter().map(|s| s.to_string()).collect());
            let mut back = Vec::new();
            spill
                .replay(rule, keys.as_ref(), &mut |e| {
                    back.push((e.origin.line, e.user_agent.clone(), e.action.clone()));
                    Ok(())
                })
                .unwrap();
            back
        };
        let both = (1, "aws-cli/2".to_string(), "GetObject".to_string());
        assert_eq!(replay(&mut spill, 0, None), vec![both.clone()]);
        assert_eq!(replay(&mut spill, 1, Some(&["alice"])), vec![both]);
        assert_eq!(
            replay(&mut spill, 1, Some(&["bob"])),
            vec![(2, String::new(), "GetObject".to_string())]
        );
        assert!(
            replay(&mut spill, 0, Some(&["alice"])).is_empty(),
            "rule 0 has no such key"
        );
    }
}
