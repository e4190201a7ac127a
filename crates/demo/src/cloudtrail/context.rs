//! What the payload writers share about one record: its account, identity, region, time and
//! the per-record draw that parameters, response and resources must agree on.

use super::identity::{Account, Identity};
use super::ops::Op::{self, *};
use crate::population::APPS;
use crate::rng::{mix, push_hex_u64, push_u64, push_uuid, Rng};
use std::fmt::Write as _;

pub(crate) const OBJECT_DIRS: [&str; 8] = [
    "raw/events",
    "curated/orders",
    "exports/daily",
    "uploads/incoming",
    "state/env",
    "models/v3",
    "static/js",
    "archive/2024",
];
pub(crate) const OBJECT_EXTS: [&str; 6] =
    [".parquet", ".json.gz", ".csv", ".tfstate", ".tar.gz", ".js"];

/// Context shared by the payload writers.
pub(crate) struct Ctx<'a> {
    pub(crate) acct: &'a Account,
    pub(crate) identity: &'a Identity,
    pub(crate) region: &'static str,
    pub(crate) region_index: usize,
    pub(crate) t_secs: i64,
    /// Seed of the per-record draws that parameters, response and resources must agree on.
    pub(crate) shared: u64,
    pub(crate) denied: bool,
}

impl Ctx<'_> {
    pub(crate) fn bucket(&self) -> &str {
        let b = &self.acct.buckets;
        &b[((self.shared >> 3) % b.len() as u64) as usize]
    }
    /// A stable-looking resource id: the same `kind` and `n` give the same id in one account.
    pub(crate) fn push_resource_id(&self, buf: &mut String, prefix: &str, kind: u64, n: u64) {
        buf.push_str(prefix);
        buf.push('0');
        let h = mix(kind ^ mix(n ^ mix(self.region_index as u64 ^ self.acct_hash())));
        push_hex_u64(buf, h, 16);
    }
    pub(crate) fn acct_hash(&self) -> u64 {
        self.acct
            .id
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64))
    }
    pub(crate) fn push_object_key(&self, buf: &mut String) {
        let s = mix(self.shared ^ 0x0B1EC7);
        buf.push_str(OBJECT_DIRS[(s % OBJECT_DIRS.len() as u64) as usize]);
        let _ = write!(
            buf,
            "/2024-05-{:02}/part-{:05}",
            6 + (s >> 8) % 3,
            (s >> 16) % 2000
        );
        buf.push_str(OBJECT_EXTS[((s >> 12) % OBJECT_EXTS.len() as u64) as usize]);
    }
    pub(crate) fn push_kms_key_arn(&self, buf: &mut String) {
        buf.push_str("arn:aws:kms:");
        buf.push_str(self.region);
        buf.push(':');
        buf.push_str(&self.acct.id);
        buf.push_str(":key/");
        let mut r = Rng(mix(self.acct_hash()
            ^ self.region_index as u64
            ^ (self.shared & 3)));
        push_uuid(buf, &mut r, None);
    }
    pub(crate) fn push_parameter_name(&self, buf: &mut String, n: u64) {
        const KEYS: [&str; 8] = [
            "db/host",
            "db/password",
            "api/key",
            "feature-flags",
            "queue/url",
            "cache/endpoint",
            "smtp/password",
            "jwt/secret",
        ];
        let app = APPS[(mix(n ^ self.shared) % APPS.len() as u64) as usize];
        let _ = write!(
            buf,
            "/{app}/{}/{}",
            self.acct.env,
            KEYS[(mix(n) % KEYS.len() as u64) as usize]
        );
    }
    pub(crate) fn instance_n(&self) -> u64 {
        (self.shared >> 20) % 40
    }
}

pub(crate) fn push_host(buf: &mut String, ctx: &Ctx, op: Op) {
    let info = op.info();
    match info.service {
        "iam" => buf.push_str("iam.amazonaws.com"),
        "signin" => buf.push_str("signin.aws.amazon.com"),
        "s3" if op == ListBuckets => buf.push_str("s3.amazonaws.com"),
        "s3" => {
            buf.push_str(ctx.bucket());
            buf.push_str(".s3.");
            buf.push_str(ctx.region);
            buf.push_str(".amazonaws.com");
        }
        s => {
            buf.push_str(s);
            buf.push('.');
            buf.push_str(ctx.region);
            buf.push_str(".amazonaws.com");
        }
    }
}

pub(crate) fn push_kebab_ip(buf: &mut String, ip: &str) {
    for c in ip.chars() {
        buf.push(if c == '.' { '-' } else { c });
    }
}

pub(crate) fn push_session_instance(buf: &mut String, ctx: &Ctx) {
    match ctx.identity.principal_id.split_once(':') {
        Some((_, s)) if s.starts_with("i-") => buf.push_str(s),
        _ => ctx.push_resource_id(buf, "i-", 2, ctx.instance_n()),
    }
}

pub(crate) fn push_assume_target(buf: &mut String, ctx: &Ctx) {
    buf.push_str("arn:aws:iam::");
    buf.push_str(&ctx.acct.id);
    let _ = write!(
        buf,
        ":role/{}-{}-cross-account-reader",
        APPS[(ctx.shared >> 6) as usize % APPS.len()],
        ctx.acct.env
    );
}

pub(crate) fn push_assume_session(buf: &mut String, ctx: &Ctx) {
    if ctx.identity.user {
        buf.push_str(&ctx.identity.name);
    } else {
        buf.push_str("botocore-session-");
        push_u64(buf, (ctx.t_secs - 60) as u64);
    }
}
