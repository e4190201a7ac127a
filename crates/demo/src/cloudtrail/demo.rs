//! The demo's CloudTrail: one day of background from [`Generator`] (a part of the realistic
//! corpus), with the planted records merged in by time, written as S3 delivery files in the
//! `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/` layout; and what the planted attacks
//! need to know about the estate.

use super::generator::Generator;
use super::identity::REGIONS;
use super::personas::Persona;
use crate::dataset::sink::{Framing, RecordFile};
use crate::spec::CorpusSpec;
use std::io;
use std::path::Path;

/// An AWS account of the estate.
pub(crate) struct AwsAccount {
    pub(crate) id: String,
    pub(crate) buckets: Vec<String>,
}

/// A background identity the planted benign bursts reuse (so they look like its routine).
pub(crate) struct KnownRole {
    pub(crate) arn: String,
    pub(crate) role_arn: String,
    pub(crate) principal_id: String,
    pub(crate) account: usize,
    pub(crate) ip: String,
    pub(crate) user_agent: String,
}

pub(crate) struct AwsEstate {
    pub(crate) accounts: Vec<AwsAccount>,
    /// The busiest Terraform deploy role of the first account that has one.
    pub(crate) terraform: Option<KnownRole>,
    pub(crate) regions: &'static [&'static str],
}

pub(crate) fn estate(spec: &CorpusSpec) -> AwsEstate {
    let gen = Generator::new(spec);
    let cast = gen.cast();
    let accounts = cast
        .accounts
        .iter()
        .map(|a| AwsAccount {
            id: a.id.clone(),
            buckets: a.buckets.clone(),
        })
        .collect();
    let terraform = cast
        .identities
        .iter()
        .filter(|i| i.persona == Persona::Terraform)
        .max_by_key(|i| (i.weight, std::cmp::Reverse(i.arn.clone())))
        .map(|i| KnownRole {
            arn: i.arn.clone(),
            role_arn: i.role_arn.clone(),
            principal_id: i.principal_id.clone(),
            account: i.account,
            ip: i.ip.clone(),
            user_agent: i.user_agent.clone(),
        });
    AwsEstate {
        accounts,
        terraform,
        regions: &REGIONS,
    }
}

/// Records per delivery file (CloudTrail delivers about every five minutes per region).
const PER_FILE: u64 = 2_000;

/// Writes the background part `spec` with `planted` (time in ms, record text; sorted) merged
/// in. Returns (files, bytes, records).
pub(crate) fn write_day(
    spec: &CorpusSpec,
    planted: &[(i64, String)],
    root: &Path,
) -> io::Result<(Vec<std::path::PathBuf>, u64, u64)> {
    let mut gen = Generator::new(spec);
    let mut files = Vec::new();
    let mut bytes = 0u64;
    let mut records = 0u64;
    let mut planted = planted.iter().peekable();
    let mut file: Option<RecordFile> = None;
    let mut index = 0u64;
    loop {
        let next_bg = gen.peek_ms();
        let take_planted = match (planted.peek(), next_bg) {
            (Some((t, _)), Some(b)) => *t <= b,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        if file.as_ref().is_some_and(|f| f.records() >= PER_FILE) {
            let f = file.take().expect("checked");
            files.push(f.path.clone());
            bytes += f.finish()?;
        }
        if file.is_none() {
            let name = gen.delivery_name(spec.part.wrapping_mul(1 << 20) + index);
            index += 1;
            file = Some(RecordFile::create(
                &root.join(delivery_dir(&name)).join(&name),
                Framing::Envelope("Records"),
            )?);
        }
        let f = file.as_mut().expect("opened above");
        if take_planted {
            let (_, text) = planted.next().expect("peeked");
            f.push(text)?;
        } else {
            let buf = f.next();
            gen.next_record(buf);
            f.end_record()?;
        }
        records += 1;
    }
    if let Some(f) = file {
        files.push(f.path.clone());
        bytes += f.finish()?;
    }
    Ok((files, bytes, records))
}

/// `AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD` from a delivery file name
/// (`<account>_CloudTrail_<region>_<YYYYMMDD>T<HHMM>Z_<id>.json`).
fn delivery_dir(name: &str) -> String {
    let mut parts = name.split('_');
    let account = parts.next().unwrap_or("");
    let _ = parts.next();
    let region = parts.next().unwrap_or("");
    let stamp = parts.next().unwrap_or("");
    let (y, m, d) = (
        stamp.get(0..4).unwrap_or(""),
        stamp.get(4..6).unwrap_or(""),
        stamp.get(6..8).unwrap_or(""),
    );
    format!("AWSLogs/{account}/CloudTrail/{region}/{y}/{m}/{d}")
}
