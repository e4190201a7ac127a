//! A deterministic, realistic AWS CloudTrail corpus for benchmarks and the demo.
//!
//! The corpus is a mix of everyday background traffic by `identities` IAM users and
//! assumed-role sessions spread over three accounts and six regions, with discovery bursts
//! (the `cloud-discovery-burst` seed list, 12–80 calls within 15 minutes, several regions,
//! 1–3 source addresses) by `enumerators` of those identities interleaved in time. Records are
//! shaped like the ones CloudTrail delivers (key order, identity blocks, S3 `additionalEventData`,
//! `resources`, `tlsDetails`, service-invoked and "AWS Internal" calls, access-denied errors).
//!
//! Everything is drawn from a splitmix64 generator seeded by [`CorpusSpec::seed`], and records
//! are written as text straight into a reusable buffer, so the same spec gives the same bytes and
//! a gigabyte takes seconds. All strings are generated here and contain nothing that needs JSON
//! escaping.
//!
//! Where CloudTrail itself departs from the usual shape, so does the corpus: S3 object calls
//! (`GetObject`, `PutObject`) are data events (`managementEvent` false, `eventCategory` "Data"),
//! and `ConsoleLogin` is an `AwsConsoleSignIn` from `signin.amazonaws.com`. Discovery calls use
//! the seed list's names as written (`ListFunctions`, not `ListFunctions20150331`). Records
//! average about 1.4 KB (0.9–2.5 KB, as in real trails: S3 data events and `RunInstances` are
//! the large ones); events are about 20 ms apart.
//!
//! Background discovery calls are capped per identity (at most 4 in a 15-minute epoch bin, drawn
//! from at most 2 names) so that only the planted bursts reach the discovery thresholds, in a
//! tumbling or a sliding 15-minute window.
//!
//! Files: `ops` (the calls), `personas` and `identity` (who calls), `user_agents`, `bursts`
//! (the planted attacks), `realism` (what a profile changes) and `sessions` (an identity's
//! sessions, addresses and keys), `generator` (the schedule), `record` (one record's text)
//! with `context`, `params` and `response` (its payloads).

mod bursts;
mod context;
pub(crate) mod demo;
mod generator;
mod identity;
mod ops;
mod params;
mod personas;
pub(crate) mod planted;
mod realism;
mod record;
mod response;
mod sessions;
mod user_agents;

#[cfg(test)]
mod tests;

use crate::spec::CorpusSpec;
use generator::Generator;
use std::io;

/// Flush the output buffer to the writer once it holds this much.
const CHUNK: usize = 1 << 16;

/// Writes `spec.events` CloudTrail records, one JSON object per line ("JSON lines"), in
/// event-time order, to `out`. Returns bytes written.
pub fn write_cloudtrail_jsonl(spec: &CorpusSpec, out: &mut dyn io::Write) -> io::Result<u64> {
    let mut gen = Generator::new(spec);
    let mut buf = String::with_capacity(CHUNK + 8192);
    let mut total = 0u64;
    while gen.next_record(&mut buf) {
        buf.push('\n');
        if buf.len() >= CHUNK {
            out.write_all(buf.as_bytes())?;
            total += buf.len() as u64;
            buf.clear();
        }
    }
    out.write_all(buf.as_bytes())?;
    total += buf.len() as u64;
    out.flush()?;
    Ok(total)
}

/// Same records wrapped as S3 delivery files: calls `new_file(name)` to get a writer for each
/// file of at most `per_file` records, each file one `{"Records":[...]}` object. Returns bytes
/// written.
///
/// Names look like CloudTrail's
/// (`123456789012_CloudTrail_us-east-1_20240506T1005Z_Ab3xY9kLm2Qw7Rt1.json`, from the file's
/// first record) and are unique within one corpus; they contain no `/`. A `per_file` of 0 is
/// taken as 1. No file is created for an empty corpus.
pub fn write_cloudtrail_delivery(
    spec: &CorpusSpec,
    per_file: usize,
    new_file: &mut dyn FnMut(&str) -> io::Result<Box<dyn io::Write>>,
) -> io::Result<u64> {
    let per_file = per_file.max(1);
    let mut gen = Generator::new(spec);
    let mut rec = String::with_capacity(8192);
    let mut buf = String::with_capacity(CHUNK + 8192);
    let mut total = 0u64;
    let mut file_index = 0u64;
    loop {
        rec.clear();
        if !gen.next_record(&mut rec) {
            break;
        }
        let name = gen.delivery_name(file_index);
        file_index += 1;
        let mut file = new_file(&name)?;
        buf.clear();
        buf.push_str("{\"Records\":[");
        buf.push_str(&rec);
        let mut n = 1;
        while n < per_file {
            rec.clear();
            if !gen.next_record(&mut rec) {
                break;
            }
            buf.push(',');
            buf.push_str(&rec);
            n += 1;
            if buf.len() >= CHUNK {
                file.write_all(buf.as_bytes())?;
                total += buf.len() as u64;
                buf.clear();
            }
        }
        buf.push_str("]}");
        file.write_all(buf.as_bytes())?;
        total += buf.len() as u64;
        buf.clear();
        file.flush()?;
    }
    Ok(total)
}
