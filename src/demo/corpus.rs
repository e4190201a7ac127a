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
//! ```ignore
//! use tripline::demo::corpus::{CorpusSpec, write_cloudtrail_jsonl};
//! let spec = CorpusSpec { events: 10_000, ..CorpusSpec::default() };
//! let mut out = Vec::new();
//! let bytes = write_cloudtrail_jsonl(&spec, &mut out).unwrap();
//! assert_eq!(bytes as usize, out.len());
//! ```

use std::fmt::Write as _;
use std::io;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusSpec {
    /// Number of CloudTrail records.
    pub events: u64,
    /// Distinct identities (IAM users and assumed-role sessions).
    pub identities: u32,
    /// How many of those identities perform discovery bursts (at most `identities`).
    pub enumerators: u32,
    /// Seed of the generator: the same spec gives byte-identical output.
    pub seed: u64,
    /// Time of the first record, seconds since the Unix epoch.
    pub start_epoch_secs: i64,
}

/// 2024-05-06T00:00:00Z.
const DEFAULT_START: i64 = 1_714_953_600;

impl Default for CorpusSpec {
    fn default() -> Self {
        CorpusSpec {
            events: 200_000,
            identities: 1_000,
            enumerators: 10,
            seed: 1,
            start_epoch_secs: DEFAULT_START,
        }
    }
}

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

// ---------------------------------------------------------------------------------------------
// Random numbers

/// splitmix64's output function: a bijection on u64, which is what makes event ids unique.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// splitmix64: tiny, fast, and good enough for synthetic logs.
struct Rng(u64);

impl Rng {
    /// An independent stream per purpose, so adding draws in one place does not shift another.
    fn stream(seed: u64, stream: u64) -> Rng {
        Rng(mix(seed
            ^ mix(stream
                .wrapping_mul(GOLDEN)
                .wrapping_add(0x5851_F42D_4C95_7F2D))))
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix(self.0)
    }
    /// Uniform in `0..n` (0 when n is 0).
    fn below(&mut self, n: u64) -> u64 {
        ((self.next() as u128 * n as u128) >> 64) as u64
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    fn index(&mut self, n: usize) -> usize {
        self.below(n as u64) as usize
    }
    fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.index(xs.len())]
    }
    /// Index drawn with the given weights.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| w as u64).sum();
        let mut x = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if x < w as u64 {
                return i;
            }
            x -= w as u64;
        }
        weights.len() - 1
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";
const UPPER_ALNUM: &[u8; 36] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn push_chars(buf: &mut String, rng: &mut Rng, alphabet: &[u8], n: usize) {
    let mut bits = 0u64;
    for i in 0..n {
        if i % 8 == 0 {
            bits = rng.next();
        }
        let c = alphabet[((bits & 0xFF) as usize * alphabet.len()) >> 8];
        bits >>= 8;
        buf.push(c as char);
    }
}

fn push_hex_u64(buf: &mut String, mut v: u64, n: usize) {
    let mut tmp = [0u8; 16];
    for i in (0..n).rev() {
        tmp[i] = HEX[(v & 0xF) as usize];
        v >>= 4;
    }
    buf.push_str(std::str::from_utf8(&tmp[..n]).unwrap_or(""));
}

fn push_hex(buf: &mut String, rng: &mut Rng, n: usize) {
    let mut left = n;
    while left > 0 {
        let k = left.min(16);
        push_hex_u64(buf, rng.next(), k);
        left -= k;
    }
}

/// A version-4 shaped UUID whose first 48 bits and node come from `unique` when given: the
/// caller passes a bijective mix of the record index, so event ids never repeat.
fn push_uuid(buf: &mut String, rng: &mut Rng, unique: Option<u64>) {
    let a = unique.unwrap_or_else(|| rng.next());
    let b = rng.next();
    push_hex_u64(buf, a >> 32, 8);
    buf.push('-');
    push_hex_u64(buf, (a >> 16) & 0xFFFF, 4);
    buf.push_str("-4");
    push_hex_u64(buf, b & 0xFFF, 3);
    buf.push('-');
    buf.push(HEX[8 + ((b >> 12) & 0x3) as usize] as char);
    push_hex_u64(buf, (b >> 14) & 0xFFF, 3);
    buf.push('-');
    push_hex_u64(buf, a & 0xFFFF, 4);
    push_hex_u64(buf, b >> 32, 8);
}

fn push_u64(buf: &mut String, v: u64) {
    let _ = write!(buf, "{v}");
}

// ---------------------------------------------------------------------------------------------
// Time

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    (y, m, d)
}

struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
}

fn civil(secs: i64) -> Civil {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400) as u32;
    let (year, month, day) = civil_from_days(days);
    Civil {
        year,
        month,
        day,
        hour: rem / 3600,
        minute: rem / 60 % 60,
        second: rem % 60,
    }
}

/// `2024-05-06T10:03:12` (no zone).
fn push_rfc3339_secs(buf: &mut String, secs: i64) {
    let c = civil(secs);
    let _ = write!(
        buf,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    );
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The Java-style date CloudTrail uses inside some payloads: `May 6, 2024, 11:03:12 AM`.
fn push_java_date(buf: &mut String, secs: i64) {
    let c = civil(secs);
    let (h12, ampm) = match c.hour {
        0 => (12, "AM"),
        1..=11 => (c.hour, "AM"),
        12 => (12, "PM"),
        h => (h - 12, "PM"),
    };
    let _ = write!(
        buf,
        "{} {}, {}, {}:{:02}:{:02} {}",
        MONTHS[(c.month - 1) as usize],
        c.day,
        c.year,
        h12,
        c.minute,
        c.second,
        ampm
    );
}

// ---------------------------------------------------------------------------------------------
// Operations

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Op {
    // The seed rule's discovery list, in its order (27 distinct names).
    DescribeInstances,
    DescribeVolumes,
    DescribeSnapshots,
    DescribeImages,
    ListBuckets,
    HeadBucket,
    GetPublicAccessBlock,
    GetBucketAcl,
    GetBucketPolicy,
    DescribeDBInstances,
    DescribeDBClusters,
    DescribeDBSnapshots,
    DescribeSecurityGroups,
    DescribeVpcs,
    DescribeSubnets,
    DescribeNetworkInterfaces,
    DescribeRouteTables,
    DescribeInternetGateways,
    ListFunctions,
    ListTables,
    DescribeClusters,
    GetCallerIdentity,
    ListRoles,
    ListUsers,
    DescribeLoadBalancers,
    DescribeAutoScalingGroups,
    DescribeKeyPairs,
    // Everyday calls.
    GetObject,
    PutObject,
    AssumeRole,
    Decrypt,
    GenerateDataKey,
    GetParameter,
    GetParameters,
    GetSecretValue,
    CreateTags,
    RunInstances,
    StartInstances,
    StopInstances,
    ConsoleLogin,
    DescribeStacks,
    GetLogEvents,
    GetRole,
    AuthorizeSecurityGroupIngress,
    UpdateInstanceInformation,
    ListInstanceAssociations,
    GetMetricData,
}

use Op::*;

/// The discovery list, in the seed's order.
const DISCOVERY: [Op; 27] = [
    DescribeInstances,
    DescribeVolumes,
    DescribeSnapshots,
    DescribeImages,
    ListBuckets,
    HeadBucket,
    GetPublicAccessBlock,
    GetBucketAcl,
    GetBucketPolicy,
    DescribeDBInstances,
    DescribeDBClusters,
    DescribeDBSnapshots,
    DescribeSecurityGroups,
    DescribeVpcs,
    DescribeSubnets,
    DescribeNetworkInterfaces,
    DescribeRouteTables,
    DescribeInternetGateways,
    ListFunctions,
    ListTables,
    DescribeClusters,
    GetCallerIdentity,
    ListRoles,
    ListUsers,
    DescribeLoadBalancers,
    DescribeAutoScalingGroups,
    DescribeKeyPairs,
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Category {
    Management,
    /// S3 object-level calls: `managementEvent` false, `eventCategory` "Data".
    Data,
    /// `ConsoleLogin`: `eventType` "AwsConsoleSignIn".
    SignIn,
}

struct OpInfo {
    name: &'static str,
    /// Service prefix of `eventSource` (`ec2` → `ec2.amazonaws.com`).
    service: &'static str,
    /// Service name in aws-cli's `command/` user-agent token.
    cli: &'static str,
    read_only: bool,
    /// Logged in us-east-1 whatever the caller's region.
    global: bool,
    category: Category,
}

const fn op(
    name: &'static str,
    service: &'static str,
    cli: &'static str,
    read_only: bool,
    global: bool,
    category: Category,
) -> OpInfo {
    OpInfo {
        name,
        service,
        cli,
        read_only,
        global,
        category,
    }
}

const M: Category = Category::Management;

/// Indexed by `Op as usize`.
static OPS: [OpInfo; 47] = [
    op("DescribeInstances", "ec2", "ec2", true, false, M),
    op("DescribeVolumes", "ec2", "ec2", true, false, M),
    op("DescribeSnapshots", "ec2", "ec2", true, false, M),
    op("DescribeImages", "ec2", "ec2", true, false, M),
    op("ListBuckets", "s3", "s3api", true, true, M),
    op("HeadBucket", "s3", "s3api", true, false, M),
    op("GetPublicAccessBlock", "s3", "s3api", true, false, M),
    op("GetBucketAcl", "s3", "s3api", true, false, M),
    op("GetBucketPolicy", "s3", "s3api", true, false, M),
    op("DescribeDBInstances", "rds", "rds", true, false, M),
    op("DescribeDBClusters", "rds", "rds", true, false, M),
    op("DescribeDBSnapshots", "rds", "rds", true, false, M),
    op("DescribeSecurityGroups", "ec2", "ec2", true, false, M),
    op("DescribeVpcs", "ec2", "ec2", true, false, M),
    op("DescribeSubnets", "ec2", "ec2", true, false, M),
    op("DescribeNetworkInterfaces", "ec2", "ec2", true, false, M),
    op("DescribeRouteTables", "ec2", "ec2", true, false, M),
    op("DescribeInternetGateways", "ec2", "ec2", true, false, M),
    op("ListFunctions", "lambda", "lambda", true, false, M),
    op("ListTables", "dynamodb", "dynamodb", true, false, M),
    op("DescribeClusters", "redshift", "redshift", true, false, M),
    op("GetCallerIdentity", "sts", "sts", true, false, M),
    op("ListRoles", "iam", "iam", true, true, M),
    op("ListUsers", "iam", "iam", true, true, M),
    op(
        "DescribeLoadBalancers",
        "elasticloadbalancing",
        "elbv2",
        true,
        false,
        M,
    ),
    op(
        "DescribeAutoScalingGroups",
        "autoscaling",
        "autoscaling",
        true,
        false,
        M,
    ),
    op("DescribeKeyPairs", "ec2", "ec2", true, false, M),
    op("GetObject", "s3", "s3api", true, false, Category::Data),
    op("PutObject", "s3", "s3api", false, false, Category::Data),
    op("AssumeRole", "sts", "sts", true, false, M),
    op("Decrypt", "kms", "kms", true, false, M),
    op("GenerateDataKey", "kms", "kms", true, false, M),
    op("GetParameter", "ssm", "ssm", true, false, M),
    op("GetParameters", "ssm", "ssm", true, false, M),
    op(
        "GetSecretValue",
        "secretsmanager",
        "secretsmanager",
        true,
        false,
        M,
    ),
    op("CreateTags", "ec2", "ec2", false, false, M),
    op("RunInstances", "ec2", "ec2", false, false, M),
    op("StartInstances", "ec2", "ec2", false, false, M),
    op("StopInstances", "ec2", "ec2", false, false, M),
    op(
        "ConsoleLogin",
        "signin",
        "signin",
        false,
        true,
        Category::SignIn,
    ),
    op(
        "DescribeStacks",
        "cloudformation",
        "cloudformation",
        true,
        false,
        M,
    ),
    op("GetLogEvents", "logs", "logs", true, false, M),
    op("GetRole", "iam", "iam", true, true, M),
    op(
        "AuthorizeSecurityGroupIngress",
        "ec2",
        "ec2",
        false,
        false,
        M,
    ),
    op("UpdateInstanceInformation", "ssm", "ssm", false, false, M),
    op("ListInstanceAssociations", "ssm", "ssm", true, false, M),
    op("GetMetricData", "monitoring", "cloudwatch", true, false, M),
];

impl Op {
    fn info(self) -> &'static OpInfo {
        &OPS[self as usize]
    }
    fn is_s3(self) -> bool {
        self.info().service == "s3"
    }
}

// ---------------------------------------------------------------------------------------------
// Population

const REGIONS: [&str; 6] = [
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-2",
    "ap-northeast-1",
];
const REGION_WEIGHTS: [u32; 6] = [40, 20, 15, 12, 7, 6];
const US_EAST_1: usize = 0;
const ENVS: [&str; 3] = ["prod", "staging", "shared"];
const COMPANY: &str = "northwind";

const FIRST: [&str; 40] = [
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory",
    "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "wendy", "yusuf", "amara",
    "bruno", "chen", "dmitri", "elif", "fatima", "goran", "hana", "ines", "jonas", "kenji", "lena",
    "mateo", "noor", "oscar", "priya", "quinn", "rosa", "sanjay", "tomas",
];
const LAST: [&str; 40] = [
    "adams",
    "baker",
    "clark",
    "davis",
    "evans",
    "fischer",
    "garcia",
    "hughes",
    "ito",
    "jensen",
    "kowalski",
    "lopez",
    "muller",
    "nakamura",
    "okafor",
    "patel",
    "quist",
    "rossi",
    "schmidt",
    "tanaka",
    "ueda",
    "vargas",
    "weber",
    "xu",
    "yilmaz",
    "zhang",
    "andersen",
    "bianchi",
    "costa",
    "dubois",
    "eriksson",
    "fernandes",
    "gupta",
    "horvat",
    "ivanova",
    "janssen",
    "kim",
    "larsen",
    "moreau",
    "novak",
];
const APPS: [&str; 12] = [
    "orders",
    "payments",
    "search",
    "billing",
    "catalog",
    "auth",
    "notifications",
    "inventory",
    "analytics",
    "checkout",
    "reporting",
    "shipping",
];
const BUCKET_PURPOSES: [&str; 8] = [
    "data-lake",
    "app-assets",
    "backups",
    "access-logs",
    "terraform-state",
    "ml-artifacts",
    "reports",
    "uploads",
];
const OBJECT_DIRS: [&str; 8] = [
    "raw/events",
    "curated/orders",
    "exports/daily",
    "uploads/incoming",
    "state/env",
    "models/v3",
    "static/js",
    "archive/2024",
];
const OBJECT_EXTS: [&str; 6] = [".parquet", ".json.gz", ".csv", ".tfstate", ".tar.gz", ".js"];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Persona {
    /// IAM user with long-term keys, aws-cli or Boto3.
    Developer,
    /// IAM user working in the console.
    ConsoleUser,
    /// IAM Identity Center admin session in the console.
    Admin,
    /// CI role running Terraform.
    Terraform,
    /// EC2 instance role of an application.
    AppInstance,
    /// EC2 instance role seen through the SSM agent.
    SsmAgent,
    /// Lambda execution role.
    Lambda,
    /// IAM user of a batch/ETL job.
    Etl,
}

const PERSONAS: [Persona; 8] = [
    Persona::Developer,
    Persona::ConsoleUser,
    Persona::Admin,
    Persona::Terraform,
    Persona::AppInstance,
    Persona::SsmAgent,
    Persona::Lambda,
    Persona::Etl,
];
const PERSONA_WEIGHTS: [u32; 8] = [34, 12, 6, 4, 15, 11, 10, 8];

struct Profile {
    ops: &'static [(Op, u32)],
    /// Discovery names this kind of identity uses now and then (each identity gets up to 2).
    discovery: &'static [Op],
    /// Per mille of identities of this persona that use any.
    discovery_share: u64,
    /// Activity multiplier.
    activity: u64,
}

fn profile(p: Persona) -> &'static Profile {
    static DEVELOPER: Profile = Profile {
        ops: &[
            (GetObject, 3),
            (PutObject, 1),
            (GetParameter, 10),
            (GetSecretValue, 4),
            (AssumeRole, 4),
            (DescribeStacks, 8),
            (GetLogEvents, 10),
            (Decrypt, 6),
            (CreateTags, 3),
            (StartInstances, 2),
            (StopInstances, 2),
            (GetMetricData, 4),
            (GetRole, 3),
        ],
        discovery: &[
            GetCallerIdentity,
            DescribeInstances,
            ListBuckets,
            ListFunctions,
            DescribeDBInstances,
            ListTables,
        ],
        discovery_share: 600,
        activity: 1,
    };
    static CONSOLE: Profile = Profile {
        ops: &[
            (ConsoleLogin, 3),
            (GetObject, 3),
            (PutObject, 1),
            (DescribeStacks, 10),
            (GetMetricData, 16),
            (GetLogEvents, 14),
            (CreateTags, 5),
            (StopInstances, 3),
            (StartInstances, 3),
            (GetParameter, 6),
            (GetRole, 6),
            (AuthorizeSecurityGroupIngress, 2),
        ],
        discovery: &[
            DescribeInstances,
            ListBuckets,
            DescribeSecurityGroups,
            DescribeVpcs,
            ListRoles,
            DescribeLoadBalancers,
            GetBucketPolicy,
        ],
        discovery_share: 500,
        activity: 1,
    };
    static ADMIN: Profile = Profile {
        ops: &[
            (ConsoleLogin, 2),
            (DescribeStacks, 10),
            (GetMetricData, 12),
            (GetLogEvents, 8),
            (CreateTags, 8),
            (RunInstances, 3),
            (StopInstances, 4),
            (StartInstances, 4),
            (GetRole, 10),
            (AuthorizeSecurityGroupIngress, 4),
            (PutObject, 1),
            (GetParameter, 6),
        ],
        discovery: &[
            DescribeInstances,
            ListUsers,
            ListRoles,
            DescribeDBClusters,
            DescribeAutoScalingGroups,
            ListBuckets,
        ],
        discovery_share: 700,
        activity: 1,
    };
    static TERRAFORM: Profile = Profile {
        ops: &[
            (CreateTags, 14),
            (RunInstances, 4),
            (GetRole, 16),
            (AuthorizeSecurityGroupIngress, 8),
            (GetObject, 2),
            (PutObject, 1),
            (DescribeStacks, 6),
            (GetParameter, 8),
            (AssumeRole, 4),
        ],
        discovery: &[
            DescribeSecurityGroups,
            DescribeVpcs,
            DescribeSubnets,
            DescribeImages,
            DescribeRouteTables,
            GetBucketAcl,
            GetCallerIdentity,
        ],
        discovery_share: 900,
        activity: 1,
    };
    static APP: Profile = Profile {
        ops: &[
            (GetObject, 4),
            (PutObject, 1),
            (Decrypt, 14),
            (GenerateDataKey, 8),
            (GetParameter, 8),
            (GetParameters, 6),
            (GetSecretValue, 6),
            (AssumeRole, 2),
        ],
        discovery: &[GetCallerIdentity, DescribeInstances, HeadBucket],
        discovery_share: 150,
        activity: 2,
    };
    static SSM: Profile = Profile {
        ops: &[
            (UpdateInstanceInformation, 50),
            (ListInstanceAssociations, 40),
            (GetParameter, 6),
            (GetObject, 1),
        ],
        discovery: &[DescribeInstances],
        discovery_share: 100,
        activity: 1,
    };
    static LAMBDA: Profile = Profile {
        ops: &[
            (GetObject, 3),
            (PutObject, 2),
            (Decrypt, 15),
            (GetSecretValue, 10),
            (GetParameter, 10),
            (GetParameters, 5),
            (GenerateDataKey, 5),
            (AssumeRole, 2),
        ],
        discovery: &[
            ListTables,
            HeadBucket,
            GetCallerIdentity,
            DescribeDBInstances,
        ],
        discovery_share: 200,
        activity: 1,
    };
    static ETL: Profile = Profile {
        ops: &[
            (GetObject, 4),
            (PutObject, 2),
            (Decrypt, 10),
            (GenerateDataKey, 6),
            (GetParameter, 4),
            (AssumeRole, 3),
        ],
        discovery: &[HeadBucket, ListBuckets, GetCallerIdentity, ListTables],
        discovery_share: 300,
        activity: 1,
    };
    match p {
        Persona::Developer => &DEVELOPER,
        Persona::ConsoleUser => &CONSOLE,
        Persona::Admin => &ADMIN,
        Persona::Terraform => &TERRAFORM,
        Persona::AppInstance => &APP,
        Persona::SsmAgent => &SSM,
        Persona::Lambda => &LAMBDA,
        Persona::Etl => &ETL,
    }
}

/// Background discovery: chance per event for identities that have discovery names, and the
/// per-identity cap per 15-minute epoch bin (2 names × 4 calls stays under 10 calls and 5
/// distinct APIs even when a sliding window spans two bins).
const BACKGROUND_DISCOVERY_PER_MILLE: u64 = 50;
const BACKGROUND_DISCOVERY_CAP: u8 = 4;
const BIN_MS: i64 = 15 * 60 * 1000;

struct Account {
    id: String,
    env: &'static str,
    buckets: Vec<String>,
    vpce: String,
}

struct Identity {
    persona: Persona,
    account: usize,
    user: bool,
    /// IAM user name, or role name.
    name: String,
    principal_id: String,
    arn: String,
    role_arn: String,
    access_key: String,
    region: usize,
    ip: String,
    private_ip: bool,
    user_agent: String,
    /// aws-cli: append ` command/<service>.<operation>` per call.
    cli: bool,
    console: bool,
    mfa: bool,
    instance_role: bool,
    /// Offset of the hourly session rotation, seconds.
    session_phase: i64,
    weight: u64,
    discovery: [Op; 2],
    discovery_len: usize,
    discovery_bin: i64,
    discovery_count: u8,
}

fn gen_human_name(i: usize) -> String {
    let combos = FIRST.len() * LAST.len();
    // 7919 is prime and coprime with 1600: a bijection on the first 1600 indices.
    let c = (i * 7919) % combos;
    let mut s = format!("{}.{}", FIRST[c % FIRST.len()], LAST[c / FIRST.len()]);
    if i >= combos {
        let _ = write!(s, "{}", i / combos);
    }
    s
}

fn public_ip(rng: &mut Rng, prefixes: &[(u8, u8)]) -> String {
    let (a, b) = rng.pick(prefixes);
    format!("{a}.{b}.{}.{}", rng.range(0, 255), rng.range(1, 254))
}

/// Ranges that look like residential ISPs, office egress, cloud NAT and hostile hosting.
const ISP_PREFIXES: [(u8, u8); 8] = [
    (81, 164),
    (84, 17),
    (86, 142),
    (92, 184),
    (98, 207),
    (73, 92),
    (24, 56),
    (176, 58),
];
const AWS_PREFIXES: [(u8, u8); 6] = [(3, 85), (3, 227), (18, 206), (44, 203), (52, 14), (54, 172)];
const CI_PREFIXES: [(u8, u8); 4] = [(20, 171), (4, 175), (40, 84), (172, 183)];
const HOSTILE_PREFIXES: [(u8, u8); 6] = [
    (185, 220),
    (45, 137),
    (103, 75),
    (193, 142),
    (91, 92),
    (194, 165),
];

fn private_ip(rng: &mut Rng) -> String {
    format!(
        "10.{}.{}.{}",
        rng.range(0, 31),
        rng.range(0, 255),
        rng.range(4, 250)
    )
}

fn boto_ua(rng: &mut Rng, lambda: bool) -> String {
    if rng.chance(700) {
        // Older SDKs still send the short form.
        let minor = rng.range(20, 160);
        return format!(
            "Boto3/1.26.{minor} Python/3.9.{} Linux/5.10.{}-{}.amzn2.x86_64{} Botocore/1.29.{minor}",
            rng.range(10, 19),
            rng.range(150, 215),
            rng.range(140, 203),
            if lambda { " exec-env/AWS_Lambda_python3.9" } else { "" }
        );
    }
    let minor = rng.range(60, 110);
    let py = rng.pick(&["3.9.19", "3.11.9", "3.12.3"]);
    let kernel = rng.pick(&[
        "5.10.215-203.850.amzn2.x86_64",
        "6.1.90-99.173.amzn2023.x86_64",
    ]);
    let mut s = format!(
        "Boto3/1.34.{minor} md/Botocore#1.34.{minor} ua/2.0 os/linux#{kernel} md/arch#x86_64 \
         lang/python#{py} md/pyimpl#CPython"
    );
    if lambda {
        let _ = write!(
            s,
            " exec-env/AWS_Lambda_python{}",
            &py[..py.rfind('.').unwrap_or(3)]
        );
    }
    let _ = write!(s, " cfg/retry-mode#legacy Botocore/1.34.{minor}");
    s
}

fn cli_ua(rng: &mut Rng) -> String {
    let (os, exe) = rng.pick(&[
        ("Linux/6.5.0-1018-aws", "exe/x86_64.ubuntu.22"),
        ("Darwin/23.4.0", "exe/arm64"),
        ("Windows/10", "exe/AMD64"),
        (
            "Linux/5.15.146.1-microsoft-standard-WSL2",
            "exe/x86_64.ubuntu.22",
        ),
    ]);
    format!(
        "aws-cli/2.15.{} Python/3.11.8 {os} {exe} prompt/off",
        rng.range(20, 58)
    )
}

fn terraform_ua(rng: &mut Rng) -> String {
    format!(
        "APN/1.0 HashiCorp/1.0 Terraform/1.{}.{} (+https://www.terraform.io) \
         terraform-provider-aws/5.{}.0 (+https://registry.terraform.io/providers/hashicorp/aws) \
         aws-sdk-go/1.51.{} (go1.22.2; linux; amd64)",
        rng.range(5, 8),
        rng.range(0, 5),
        rng.range(40, 50),
        rng.range(10, 30)
    )
}

fn java_ua(rng: &mut Rng) -> String {
    if rng.chance(500) {
        return format!(
            "aws-sdk-java/1.12.{} Linux/5.10.215-203.850.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/\
             11.0.23+9-LTS java/11.0.23 vendor/Amazon.com_Inc.",
            rng.range(400, 720)
        );
    }
    format!(
        "aws-sdk-java/2.25.{} Linux/5.10.215-203.850.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/\
         17.0.11+9-LTS Java/17.0.11 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
        rng.range(10, 60)
    )
}

const BROWSER_UA: [&str; 3] = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
];

fn build_accounts(rng: &mut Rng) -> Vec<Account> {
    ENVS.iter()
        .map(|&env| {
            let id = format!("{:012}", rng.range(100_000_000_000, 999_999_999_999));
            let buckets = BUCKET_PURPOSES
                .iter()
                .map(|p| {
                    let mut b = format!("{COMPANY}-{env}-{p}-");
                    push_hex(&mut b, rng, 4);
                    b
                })
                .collect();
            let mut vpce = String::from("vpce-0");
            push_hex(&mut vpce, rng, 16);
            Account {
                id,
                env,
                buckets,
                vpce,
            }
        })
        .collect()
}

fn build_identity(i: usize, rng: &mut Rng, accounts: &[Account], office: &[String]) -> Identity {
    let persona = PERSONAS[rng.weighted(&PERSONA_WEIGHTS)];
    let account = rng.weighted(&[55, 30, 15]);
    let acct = &accounts[account].id;
    let region = rng.weighted(&REGION_WEIGHTS);
    let app = rng.pick(&APPS);
    let env = accounts[account].env;

    let mut principal_id = String::new();
    let mut access_key = String::new();
    let mut role_arn = String::new();
    let user = matches!(
        persona,
        Persona::Developer | Persona::ConsoleUser | Persona::Etl
    );
    let mut instance_role = false;
    let name;
    let arn;
    if user {
        name = match persona {
            Persona::Etl => format!("svc-{app}-etl-{i}"),
            _ => gen_human_name(i),
        };
        principal_id.push_str("AIDA");
        push_chars(&mut principal_id, rng, BASE32, 17);
        arn = format!("arn:aws:iam::{acct}:user/{name}");
        access_key.push_str(if persona == Persona::ConsoleUser {
            "ASIA"
        } else {
            "AKIA"
        });
        push_chars(&mut access_key, rng, BASE32, 16);
    } else {
        let mut role_id = String::from("AROA");
        push_chars(&mut role_id, rng, BASE32, 17);
        let session;
        match persona {
            Persona::Admin => {
                let mut r = String::from("AWSReservedSSO_AdministratorAccess_");
                push_hex_u64(&mut r, mix(account as u64 ^ 0xAD), 16);
                session = format!("{}@{COMPANY}.example", gen_human_name(i));
                role_arn = format!("arn:aws:iam::{acct}:role/aws-reserved/sso.amazonaws.com/{r}");
                name = r;
            }
            Persona::Terraform => {
                name = format!("{COMPANY}-{env}-terraform-deployer");
                session = format!("gha-{app}-infra-{}", 8_000_000_000 + i as u64 * 7_919);
            }
            Persona::AppInstance | Persona::SsmAgent => {
                name = format!("{app}-{env}-ec2-role");
                let mut s = String::from("i-0");
                push_hex(&mut s, rng, 16);
                session = s;
                instance_role = true;
            }
            _ => {
                name = format!("{app}-{env}-lambda-role");
                session = format!("{app}-{env}-handler-{i}");
            }
        }
        if role_arn.is_empty() {
            role_arn = format!("arn:aws:iam::{acct}:role/{name}");
        }
        principal_id = format!("{role_id}:{session}");
        arn = format!("arn:aws:sts::{acct}:assumed-role/{name}/{session}");
        access_key.push_str("ASIA");
        push_chars(&mut access_key, rng, BASE32, 16);
    }

    let (ip, private) = match persona {
        Persona::Developer | Persona::ConsoleUser | Persona::Admin => {
            if rng.chance(600) {
                (rng.pick_str(office), false)
            } else {
                (public_ip(rng, &ISP_PREFIXES), false)
            }
        }
        Persona::Terraform => (public_ip(rng, &CI_PREFIXES), false),
        Persona::AppInstance | Persona::Etl => (private_ip(rng), true),
        Persona::SsmAgent | Persona::Lambda => (public_ip(rng, &AWS_PREFIXES), false),
    };
    let mut cli = false;
    let mut console = false;
    let user_agent = match persona {
        Persona::Developer => {
            if rng.chance(600) {
                cli = true;
                cli_ua(rng)
            } else {
                boto_ua(rng, false)
            }
        }
        Persona::ConsoleUser | Persona::Admin => {
            console = true;
            String::from("console.amazonaws.com")
        }
        Persona::Terraform => terraform_ua(rng),
        Persona::AppInstance => {
            if rng.chance(600) {
                boto_ua(rng, false)
            } else {
                java_ua(rng)
            }
        }
        Persona::SsmAgent => format!(
            "aws-sdk-go/1.44.{} (go1.21.{}; linux; amd64) amazon-ssm-agent/3.3.{}.0",
            rng.range(200, 330),
            rng.range(5, 9),
            rng.range(40, 380)
        ),
        Persona::Lambda => boto_ua(rng, true),
        Persona::Etl => boto_ua(rng, false),
    };

    let prof = profile(persona);
    let mut discovery = [GetCallerIdentity; 2];
    let mut discovery_len = 0;
    if rng.chance(prof.discovery_share) {
        discovery_len = if prof.discovery.len() > 1 && rng.chance(500) {
            2
        } else {
            1
        };
        let a = rng.index(prof.discovery.len());
        discovery[0] = prof.discovery[a];
        if discovery_len == 2 {
            let b = (a + 1 + rng.index(prof.discovery.len() - 1)) % prof.discovery.len();
            discovery[1] = prof.discovery[b];
        }
    }
    // Zipf-like activity: busy identities and a long tail of quiet ones; the busiest makes
    // a few per cent of the calls.
    let rank = rng.range(1, 1000);
    let weight = prof.activity * 1_000_000 / (rank + 20);

    Identity {
        persona,
        account,
        user,
        name,
        principal_id,
        arn,
        role_arn,
        access_key,
        region,
        ip,
        private_ip: private,
        user_agent,
        cli,
        console,
        mfa: rng.chance(800),
        instance_role,
        session_phase: rng.range(0, 3599) as i64,
        weight: weight.max(1),
        discovery,
        discovery_len,
        discovery_bin: i64::MIN,
        discovery_count: 0,
    }
}

impl Rng {
    fn pick_str(&mut self, xs: &[String]) -> String {
        xs[self.index(xs.len())].clone()
    }
}

// ---------------------------------------------------------------------------------------------
// Bursts

/// One planted discovery call.
#[derive(Clone, Copy)]
struct BurstCall {
    t_ms: i64,
    identity: u32,
    op: u8,
    region: u8,
    ip: u32,
    ua: u8,
    denied: bool,
}

struct Attackers {
    ips: Vec<String>,
    uas: Vec<(String, bool)>,
}

/// Lays out every enumerator's bursts over the corpus span. About 1.2 % of the corpus are burst
/// calls; bursts of one identity do not overlap and each fits in 15 minutes.
fn plan_bursts(
    spec: &CorpusSpec,
    rng: &mut Rng,
    identities: &[Identity],
    span_ms: i64,
    start_ms: i64,
) -> (Vec<BurstCall>, Attackers) {
    let mut attackers = Attackers {
        ips: Vec::new(),
        uas: Vec::new(),
    };
    for _ in 0..4 {
        attackers.uas.push((cli_ua(rng), true));
    }
    attackers.uas.push((boto_ua(rng, false), false));
    attackers.uas.push((boto_ua(rng, false), false));
    attackers.uas.push((
        format!(
            "aws-sdk-go-v2/1.26.{} os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64",
            rng.range(0, 9)
        ),
        false,
    ));

    let n_ident = identities.len();
    let enumerators = (spec.enumerators as usize).min(n_ident);
    if enumerators == 0 || spec.events == 0 {
        return (Vec::new(), attackers);
    }
    // Distinct enumerators: a random stride through the identities.
    let first = rng.index(n_ident);
    let mut stride = 1 + rng.index(n_ident.max(2) - 1);
    while gcd(stride, n_ident) != 1 {
        stride += 1;
    }
    let target_calls = spec.events * 12 / 1000;
    let per_enum = target_calls / enumerators as u64;
    let min_cycle_ms: i64 = 16 * 60 * 1000;
    let max_bursts = ((span_ms / min_cycle_ms) as u64).max(1);
    let mut calls = Vec::new();
    for e in 0..enumerators {
        let identity = ((first + e * stride) % n_ident) as u32;
        let pool_start = attackers.ips.len();
        for _ in 0..rng.range(2, 4) {
            attackers.ips.push(public_ip(rng, &HOSTILE_PREFIXES));
        }
        // Stolen credentials are sometimes also used from the owner's own address.
        attackers.ips.push(identities[identity as usize].ip.clone());
        let pool = pool_start..attackers.ips.len();
        let ua = rng.index(attackers.uas.len()) as u8;

        let bursts = ((per_enum + 23) / 46).clamp(1, max_bursts);
        let slot = span_ms / bursts as i64;
        for b in 0..bursts as i64 {
            let n_calls = rng.range(12, 80);
            let mut dur = rng.range(3 * 60_000, 14 * 60_000) as i64;
            dur = dur.min(slot * 3 / 4).max(1);
            let slack = (slot - dur).max(1);
            let t0 = start_ms + b * slot + rng.below(slack as u64) as i64;
            // A burst works through a subset of the list, in a few regions, from 1-3 addresses.
            let n_names = rng.range(4, 22) as usize;
            let mut names: Vec<u8> = (0..DISCOVERY.len() as u8).collect();
            for k in 0..n_names {
                let j = k + rng.index(names.len() - k);
                names.swap(k, j);
            }
            names.truncate(n_names);
            let mut regions: Vec<u8> = (0..REGIONS.len() as u8).collect();
            let n_regions = rng.range(2, 5) as usize;
            for k in 0..n_regions {
                let j = k + rng.index(regions.len() - k);
                regions.swap(k, j);
            }
            regions.truncate(n_regions);
            let n_ips = rng.range(1, 3).min(pool.len() as u64) as usize;
            let ip_base = pool.start + rng.index(pool.len());
            let denied_rate = rng.pick(&[0u64, 50, 150, 400]);
            for _ in 0..n_calls {
                let op = names[rng.index(names.len())];
                let region = if DISCOVERY[op as usize].info().global {
                    US_EAST_1 as u8
                } else {
                    regions[rng.index(regions.len())]
                };
                let ip = pool.start + (ip_base - pool.start + rng.index(n_ips)) % pool.len();
                calls.push(BurstCall {
                    t_ms: t0 + rng.below(dur as u64) as i64,
                    identity,
                    op,
                    region,
                    ip: ip as u32,
                    ua,
                    denied: rng.chance(denied_rate),
                });
            }
        }
    }
    calls.sort_by_key(|c| c.t_ms);
    calls.truncate(spec.events as usize);
    (calls, attackers)
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

// ---------------------------------------------------------------------------------------------
// Generator

struct Generator {
    seed: u64,
    rng: Rng,
    accounts: Vec<Account>,
    identities: Vec<Identity>,
    /// Cumulative activity weights for picking the identity of a background event.
    cumulative: Vec<u64>,
    bursts: Vec<BurstCall>,
    attackers: Attackers,
    next_burst: usize,
    background_total: u64,
    background_done: u64,
    start_ms: i64,
    span_ms: i64,
    emitted: u64,
    events: u64,
    time_cache_sec: i64,
    time_cache_ms: bool,
    time_cache: String,
    tail: String,
    time_text: String,
    /// Background event whose time was drawn but not yet emitted.
    pending_background: Option<i64>,
    /// Account and region of the last record, for delivery file names.
    last_account: usize,
    last_region: usize,
    last_ms: i64,
}

/// What one record is about, before it is written.
struct Call {
    identity: usize,
    op: Op,
    region: usize,
    t_ms: i64,
    /// Index into attackers (bursts) or None for the identity's own address and agent.
    attacker_ip: Option<usize>,
    attacker_ua: Option<usize>,
    denied: bool,
}

impl Generator {
    fn new(spec: &CorpusSpec) -> Generator {
        let mut pop = Rng::stream(spec.seed, 1);
        let accounts = build_accounts(&mut pop);
        let office: Vec<String> = (0..4).map(|_| public_ip(&mut pop, &ISP_PREFIXES)).collect();
        let n_ident = spec.identities.max(1) as usize;
        let identities: Vec<Identity> = (0..n_ident)
            .map(|i| build_identity(i, &mut pop, &accounts, &office))
            .collect();
        let mut cumulative = Vec::with_capacity(n_ident);
        let mut acc = 0u64;
        for id in &identities {
            acc += id.weight;
            cumulative.push(acc);
        }
        // ~50 events per second.
        let span_ms = (spec.events as i64).saturating_mul(20).max(1);
        let start_ms = spec.start_epoch_secs.saturating_mul(1000);
        let mut sched = Rng::stream(spec.seed, 2);
        let (bursts, attackers) = plan_bursts(spec, &mut sched, &identities, span_ms, start_ms);
        Generator {
            seed: spec.seed,
            rng: Rng::stream(spec.seed, 3),
            accounts,
            identities,
            cumulative,
            background_total: spec.events - bursts.len() as u64,
            bursts,
            attackers,
            next_burst: 0,
            background_done: 0,
            start_ms,
            span_ms,
            emitted: 0,
            events: spec.events,
            time_cache_sec: i64::MIN,
            time_cache_ms: false,
            time_cache: String::new(),
            tail: String::with_capacity(4096),
            time_text: String::with_capacity(32),
            pending_background: None,
            last_account: 0,
            last_region: 0,
            last_ms: start_ms,
        }
    }

    /// Time of background event `k`: evenly spaced slots with jitter inside the slot, so the
    /// sequence never goes back.
    fn background_time(&mut self, k: u64) -> i64 {
        let n = self.background_total.max(1) as i128;
        let base = self.start_ms + (k as i128 * self.span_ms as i128 / n) as i64;
        let width = (self.span_ms as i128 / n) as u64;
        base + self.rng.below(width) as i64
    }

    /// Appends the next record (no separator) to `buf`; false when the corpus is complete.
    fn next_record(&mut self, buf: &mut String) -> bool {
        if self.emitted >= self.events {
            return false;
        }
        if self.pending_background.is_none() && self.background_done < self.background_total {
            self.pending_background = Some(self.background_time(self.background_done));
        }
        let burst = self.bursts.get(self.next_burst).copied();
        let call = match (self.pending_background, burst) {
            (Some(t), Some(b)) if b.t_ms < t => self.burst_call(b),
            (None, Some(b)) => self.burst_call(b),
            (Some(t), _) => {
                self.pending_background = None;
                self.background_done += 1;
                self.background_call(t)
            }
            (None, None) => return false,
        };
        self.write_record(buf, &call);
        self.emitted += 1;
        true
    }

    fn burst_call(&mut self, b: BurstCall) -> Call {
        self.next_burst += 1;
        Call {
            identity: b.identity as usize,
            op: DISCOVERY[b.op as usize],
            region: b.region as usize,
            t_ms: b.t_ms,
            attacker_ip: Some(b.ip as usize),
            attacker_ua: Some(b.ua as usize),
            denied: b.denied,
        }
    }

    fn background_call(&mut self, t_ms: i64) -> Call {
        let total = *self.cumulative.last().unwrap_or(&1);
        let x = self.rng.below(total);
        let identity = self
            .cumulative
            .partition_point(|&c| c <= x)
            .min(self.identities.len() - 1);
        let id = &mut self.identities[identity];
        let prof = profile(id.persona);
        let mut op = None;
        if id.discovery_len > 0 && self.rng.chance(BACKGROUND_DISCOVERY_PER_MILLE) {
            let bin = t_ms.div_euclid(BIN_MS);
            if id.discovery_bin != bin {
                id.discovery_bin = bin;
                id.discovery_count = 0;
            }
            if id.discovery_count < BACKGROUND_DISCOVERY_CAP {
                id.discovery_count += 1;
                op = Some(id.discovery[self.rng.index(id.discovery_len)]);
            }
        }
        let op = op.unwrap_or_else(|| {
            let mut x = self
                .rng
                .below(prof.ops.iter().map(|&(_, w)| w as u64).sum());
            let mut chosen = prof.ops[0].0;
            for &(o, w) in prof.ops {
                if x < w as u64 {
                    chosen = o;
                    break;
                }
                x -= w as u64;
            }
            chosen
        });
        let human = matches!(
            id.persona,
            Persona::Developer | Persona::ConsoleUser | Persona::Admin
        );
        let region = if op.info().global {
            US_EAST_1
        } else if human && self.rng.chance(100) {
            self.rng.weighted(&REGION_WEIGHTS)
        } else {
            id.region
        };
        let denied = self.rng.chance(if op == ConsoleLogin { 40 } else { 8 });
        Call {
            identity,
            op,
            region,
            t_ms,
            attacker_ip: None,
            attacker_ua: None,
            denied,
        }
    }

    fn delivery_name(&self, index: u64) -> String {
        let mut s = String::with_capacity(80);
        s.push_str(&self.accounts[self.last_account].id);
        s.push_str("_CloudTrail_");
        s.push_str(REGIONS[self.last_region]);
        s.push('_');
        let secs = self.last_ms.div_euclid(1000);
        let c = civil(secs - secs.rem_euclid(300));
        let _ = write!(
            s,
            "{:04}{:02}{:02}T{:02}{:02}Z_",
            c.year, c.month, c.day, c.hour, c.minute
        );
        // 16 base-62 digits of a bijective mix of the index: unique names.
        let mut v = mix(index ^ mix(self.seed));
        let mut tmp = [0u8; 16];
        for slot in tmp.iter_mut().rev() {
            *slot = BASE62[(v % 62) as usize];
            v /= 62;
        }
        s.push_str(std::str::from_utf8(&tmp).unwrap_or(""));
        s.push_str(".json");
        s
    }

    /// `2024-05-06T10:03:12Z`, or with milliseconds for every record of about 3 % of the
    /// seconds: deciding per second keeps printed times monotonic (a whole-second time would
    /// read as earlier than a record with milliseconds before it in the same second).
    fn push_event_time(&mut self, buf: &mut String, t_ms: i64) {
        let secs = t_ms.div_euclid(1000);
        if secs != self.time_cache_sec {
            self.time_cache_sec = secs;
            self.time_cache.clear();
            push_rfc3339_secs(&mut self.time_cache, secs);
            self.time_cache_ms = mix(secs as u64 ^ mix(self.seed ^ 0x7153)) % 1000 < 30;
        }
        buf.push_str(&self.time_cache);
        if self.time_cache_ms {
            let _ = write!(buf, ".{:03}Z", t_ms.rem_euclid(1000));
        } else {
            buf.push('Z');
        }
    }

    fn write_record(&mut self, buf: &mut String, call: &Call) {
        let record_start = buf.len();
        let seq = self.emitted;
        let mut tail = std::mem::take(&mut self.tail);
        tail.clear();
        // Per-record draws shared by parameters, response and resources.
        let shared = self.rng.next();
        let target = 920 + self.rng.below(220) as usize;
        let tls13 = self.rng.chance(700);
        let mut time = std::mem::take(&mut self.time_text);
        time.clear();
        self.push_event_time(&mut time, call.t_ms);

        let id = &self.identities[call.identity];
        let acct = &self.accounts[id.account];
        let info = call.op.info();
        let region = REGIONS[call.region];
        let op = call.op;
        let t_secs = call.t_ms.div_euclid(1000);

        // Who is really on the wire: a service acting for the identity, "AWS Internal"
        // (console S3 views), or the caller itself.
        let burst = call.attacker_ip.is_some();
        let mut invoked_by: Option<&str> = None;
        if !burst {
            let r = self.rng.below(1000);
            match op {
                Decrypt | GenerateDataKey
                    if matches!(
                        id.persona,
                        Persona::AppInstance | Persona::Lambda | Persona::Etl
                    ) && r < 700 =>
                {
                    invoked_by = Some(if r < 450 {
                        "s3.amazonaws.com"
                    } else {
                        "secretsmanager.amazonaws.com"
                    });
                }
                _ if id.console && op.is_s3() && r < 300 => invoked_by = Some("AWS Internal"),
                _ => {}
            }
        }
        let source_ip: &str = match (call.attacker_ip, invoked_by) {
            (Some(i), _) => &self.attackers.ips[i],
            (None, Some(svc)) => svc,
            (None, None) => &id.ip,
        };

        // --- head ---
        buf.push_str("{\"eventVersion\":\"1.08\",\"userIdentity\":");
        let session_start = t_secs - (t_secs + id.session_phase).rem_euclid(3600);
        push_user_identity(buf, id, acct, op, session_start, invoked_by);
        buf.push_str(",\"eventTime\":\"");
        buf.push_str(&time);
        buf.push_str("\",\"eventSource\":\"");
        buf.push_str(info.service);
        buf.push_str(".amazonaws.com");
        buf.push_str("\",\"eventName\":\"");
        buf.push_str(info.name);
        buf.push_str("\",\"awsRegion\":\"");
        buf.push_str(region);
        buf.push_str("\",\"sourceIPAddress\":\"");
        buf.push_str(source_ip);
        buf.push_str("\",\"userAgent\":\"");
        let mut draws = Rng(shared);
        if let Some(svc) = invoked_by {
            buf.push_str(svc);
        } else if op == ConsoleLogin {
            buf.push_str(BROWSER_UA[(mix(shared) % BROWSER_UA.len() as u64) as usize]);
        } else {
            let (ua, cli) = match call.attacker_ua {
                Some(i) => (self.attackers.uas[i].0.as_str(), self.attackers.uas[i].1),
                None => (id.user_agent.as_str(), id.cli),
            };
            buf.push_str(ua);
            if cli {
                buf.push_str(" command/");
                buf.push_str(info.cli);
                buf.push('.');
                push_kebab(buf, info.name);
            }
        }
        buf.push('"');
        if call.denied {
            push_error(buf, id, op, &mut draws);
        }
        buf.push_str(",\"requestParameters\":");
        let params_at = buf.len();

        // --- tail, written first so that the parameters can fill the size target ---
        let ctx = Ctx {
            acct,
            identity: id,
            region,
            region_index: call.region,
            t_secs,
            shared,
            denied: call.denied,
        };
        let s3 = op.is_s3();
        tail.push_str(",\"responseElements\":");
        if call.denied {
            if op == ConsoleLogin {
                tail.push_str("{\"ConsoleLogin\":\"Failure\"}");
            } else {
                tail.push_str("null");
            }
        } else {
            write_response(&mut tail, &ctx, op);
        }
        if s3 {
            push_s3_additional(&mut tail, &mut draws, op);
        } else if op == ConsoleLogin {
            tail.push_str(
                ",\"additionalEventData\":{\"LoginTo\":\"https://console.aws.amazon.com/console/home?\
                 hashArgs=%23&isauthcode=true&state=hashArgsFromTB_",
            );
            tail.push_str(region);
            tail.push('_');
            push_hex(&mut tail, &mut draws, 16);
            tail.push_str("\",\"MobileVersion\":\"No\",\"MFAUsed\":\"");
            tail.push_str(if id.mfa && !call.denied { "Yes" } else { "No" });
            tail.push_str("\"}");
        }
        tail.push_str(",\"requestID\":\"");
        if s3 {
            push_chars(&mut tail, &mut draws, UPPER_ALNUM, 16);
        } else {
            push_uuid(&mut tail, &mut draws, None);
        }
        tail.push_str("\",\"eventID\":\"");
        push_uuid(&mut tail, &mut draws, Some(mix(seq ^ mix(self.seed))));
        tail.push_str("\",\"readOnly\":");
        tail.push_str(if info.read_only { "true" } else { "false" });
        write_resources(&mut tail, &ctx, op);
        tail.push_str(",\"eventType\":\"");
        tail.push_str(if info.category == Category::SignIn {
            "AwsConsoleSignIn"
        } else {
            "AwsApiCall"
        });
        tail.push('"');
        if info.service == "lambda" {
            tail.push_str(",\"apiVersion\":\"2015-03-31\"");
        }
        tail.push_str(",\"managementEvent\":");
        tail.push_str(if info.category == Category::Data {
            "false"
        } else {
            "true"
        });
        tail.push_str(",\"recipientAccountId\":\"");
        tail.push_str(&acct.id);
        tail.push('"');
        if op == AssumeRole && !call.denied && (shared >> 7) & 3 == 0 {
            tail.push_str(",\"sharedEventID\":\"");
            push_uuid(&mut tail, &mut draws, None);
            tail.push('"');
        }
        if invoked_by.is_none()
            && !burst
            && id.private_ip
            && matches!(info.service, "s3" | "kms" | "ssm")
        {
            tail.push_str(",\"vpcEndpointId\":\"");
            tail.push_str(&acct.vpce);
            tail.push('"');
        }
        tail.push_str(",\"eventCategory\":\"");
        tail.push_str(if info.category == Category::Data {
            "Data"
        } else {
            "Management"
        });
        tail.push('"');
        if invoked_by.is_none() {
            tail.push_str(",\"tlsDetails\":{\"tlsVersion\":\"");
            if tls13 {
                tail.push_str("TLSv1.3\",\"cipherSuite\":\"TLS_AES_128_GCM_SHA256");
            } else {
                tail.push_str("TLSv1.2\",\"cipherSuite\":\"ECDHE-RSA-AES128-GCM-SHA256");
            }
            tail.push_str("\",\"clientProvidedHostHeader\":\"");
            push_host(&mut tail, &ctx, op);
            tail.push_str("\"}");
        }
        if id.console && !burst && op != ConsoleLogin && invoked_by.is_none() {
            tail.push_str(",\"sessionCredentialFromConsole\":\"true\"");
        }
        tail.push('}');

        // --- parameters, sized so the record lands near `target` ---
        let used = params_at - record_start + tail.len();
        let budget = target.saturating_sub(used);
        write_params(buf, &ctx, op, budget, &mut draws);
        buf.push_str(&tail);

        self.last_account = id.account;
        self.last_region = call.region;
        self.last_ms = call.t_ms;
        self.tail = tail;
        self.time_text = time;
    }
}

fn push_kebab(buf: &mut String, name: &str) {
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                buf.push('-');
            }
            buf.push(c.to_ascii_lowercase());
        } else {
            buf.push(c);
        }
    }
}

fn push_user_identity(
    buf: &mut String,
    id: &Identity,
    acct: &Account,
    op: Op,
    session_start: i64,
    invoked_by: Option<&str>,
) {
    let login = op == ConsoleLogin;
    if id.user {
        buf.push_str("{\"type\":\"IAMUser\",\"principalId\":\"");
        buf.push_str(&id.principal_id);
        buf.push_str("\",\"arn\":\"");
        buf.push_str(&id.arn);
        buf.push_str("\",\"accountId\":\"");
        buf.push_str(&acct.id);
        if !login {
            buf.push_str("\",\"accessKeyId\":\"");
            buf.push_str(&id.access_key);
        }
        buf.push_str("\",\"userName\":\"");
        buf.push_str(&id.name);
        buf.push('"');
        if id.console && !login {
            buf.push_str(
                ",\"sessionContext\":{\"sessionIssuer\":{},\"webIdFederationData\":{},\
                 \"attributes\":{\"creationDate\":\"",
            );
            push_rfc3339_secs(buf, session_start);
            buf.push_str("Z\",\"mfaAuthenticated\":\"");
            buf.push_str(if id.mfa { "true" } else { "false" });
            buf.push_str("\"}}");
        }
    } else {
        buf.push_str("{\"type\":\"AssumedRole\",\"principalId\":\"");
        buf.push_str(&id.principal_id);
        buf.push_str("\",\"arn\":\"");
        buf.push_str(&id.arn);
        buf.push_str("\",\"accountId\":\"");
        buf.push_str(&acct.id);
        buf.push_str("\",\"accessKeyId\":\"");
        buf.push_str(&id.access_key);
        buf.push_str(
            "\",\"sessionContext\":{\"sessionIssuer\":{\"type\":\"Role\",\"principalId\":\"",
        );
        let role_id = id.principal_id.split(':').next().unwrap_or("");
        buf.push_str(role_id);
        buf.push_str("\",\"arn\":\"");
        buf.push_str(&id.role_arn);
        buf.push_str("\",\"accountId\":\"");
        buf.push_str(&acct.id);
        buf.push_str("\",\"userName\":\"");
        buf.push_str(&id.name);
        buf.push_str("\"},\"webIdFederationData\":{},\"attributes\":{\"creationDate\":\"");
        push_rfc3339_secs(buf, session_start);
        buf.push_str("Z\",\"mfaAuthenticated\":\"");
        buf.push_str(if id.persona == Persona::Admin && id.mfa {
            "true"
        } else {
            "false"
        });
        buf.push_str("\"}");
        if id.instance_role {
            buf.push_str(",\"ec2RoleDelivery\":\"2.0\"");
        }
        buf.push('}');
    }
    if let Some(svc) = invoked_by {
        buf.push_str(",\"invokedBy\":\"");
        buf.push_str(svc);
        buf.push('"');
    }
    buf.push('}');
}

fn push_error(buf: &mut String, id: &Identity, op: Op, draws: &mut Rng) {
    let info = op.info();
    if op == ConsoleLogin {
        buf.push_str(",\"errorMessage\":\"Failed authentication\"");
        return;
    }
    if info.service == "ec2" {
        buf.push_str(
            ",\"errorCode\":\"Client.UnauthorizedOperation\",\"errorMessage\":\"You are not \
             authorized to perform this operation. User: ",
        );
        buf.push_str(&id.arn);
        buf.push_str(" is not authorized to perform: ec2:");
        buf.push_str(info.name);
        buf.push_str(" because no identity-based policy allows the ec2:");
        buf.push_str(info.name);
        buf.push_str(" action. Encoded authorization failure message: ");
        push_chars(buf, draws, BASE64, 96);
        buf.push('"');
    } else if info.service == "s3" {
        buf.push_str(",\"errorCode\":\"AccessDenied\",\"errorMessage\":\"Access Denied\"");
    } else {
        buf.push_str(",\"errorCode\":\"AccessDenied\",\"errorMessage\":\"User: ");
        buf.push_str(&id.arn);
        buf.push_str(" is not authorized to perform: ");
        buf.push_str(info.cli_iam_prefix());
        buf.push(':');
        buf.push_str(info.name);
        buf.push_str(" because no identity-based policy allows the ");
        buf.push_str(info.cli_iam_prefix());
        buf.push(':');
        buf.push_str(info.name);
        buf.push_str(" action\"");
    }
}

impl OpInfo {
    /// The IAM action prefix (`elasticloadbalancing`, `cloudwatch`, ...).
    fn cli_iam_prefix(&self) -> &'static str {
        match self.service {
            "monitoring" => "cloudwatch",
            s => s,
        }
    }
}

/// Context shared by the payload writers.
struct Ctx<'a> {
    acct: &'a Account,
    identity: &'a Identity,
    region: &'static str,
    region_index: usize,
    t_secs: i64,
    /// Seed of the per-record draws that parameters, response and resources must agree on.
    shared: u64,
    denied: bool,
}

impl Ctx<'_> {
    fn bucket(&self) -> &str {
        let b = &self.acct.buckets;
        &b[((self.shared >> 3) % b.len() as u64) as usize]
    }
    /// A stable-looking resource id: the same `kind` and `n` give the same id in one account.
    fn push_resource_id(&self, buf: &mut String, prefix: &str, kind: u64, n: u64) {
        buf.push_str(prefix);
        buf.push('0');
        let h = mix(kind ^ mix(n ^ mix(self.region_index as u64 ^ self.acct_hash())));
        push_hex_u64(buf, h, 16);
    }
    fn acct_hash(&self) -> u64 {
        self.acct
            .id
            .bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64))
    }
    fn push_object_key(&self, buf: &mut String) {
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
    fn push_kms_key_arn(&self, buf: &mut String) {
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
    fn push_parameter_name(&self, buf: &mut String, n: u64) {
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
    fn instance_n(&self) -> u64 {
        (self.shared >> 20) % 40
    }
}

fn push_host(buf: &mut String, ctx: &Ctx, op: Op) {
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

fn push_s3_additional(buf: &mut String, draws: &mut Rng, op: Op) {
    buf.push_str(
        ",\"additionalEventData\":{\"SignatureVersion\":\"SigV4\",\"CipherSuite\":\
         \"ECDHE-RSA-AES128-GCM-SHA256\",\"bytesTransferredIn\":",
    );
    let (inb, outb) = match op {
        PutObject => (draws.range(200, 5_000_000), 0),
        GetObject => (0, draws.range(200, 20_000_000)),
        ListBuckets => (0, draws.range(2_000, 9_000)),
        _ => (0, draws.range(100, 1_200)),
    };
    push_u64(buf, inb);
    buf.push_str(",\"AuthenticationMethod\":\"AuthHeader\",\"x-amz-id-2\":\"");
    let n = if draws.chance(500) { 56 } else { 76 };
    push_chars(buf, draws, BASE64, n);
    buf.push_str("=\",\"bytesTransferredOut\":");
    push_u64(buf, outb);
    buf.push('}');
}

/// `{"items":[{"name":..,"valueSet":{"items":[{"value":..}]}}]}` growing until `budget` bytes
/// of the whole parameters object are used.
fn push_filter_set(buf: &mut String, ctx: &Ctx, start: usize, budget: usize, filters: &[&str]) {
    buf.push_str("\"filterSet\":{");
    let mut first = true;
    let mut k = 0u64;
    while buf.len() - start + 90 < budget && (k as usize) < filters.len() * 2 {
        let name = filters[(k as usize) % filters.len()];
        if first {
            buf.push_str("\"items\":[");
        } else {
            buf.push(',');
        }
        first = false;
        buf.push_str("{\"name\":\"");
        buf.push_str(name);
        buf.push_str("\",\"valueSet\":{\"items\":[{\"value\":\"");
        match name {
            "vpc-id" => ctx.push_resource_id(buf, "vpc-", 1, k % 2),
            "instance-id" | "attachment.instance-id" => {
                ctx.push_resource_id(buf, "i-", 2, ctx.instance_n() + k)
            }
            "instance-state-name" => buf.push_str(if k.is_multiple_of(2) {
                "running"
            } else {
                "pending"
            }),
            "owner-id" => buf.push_str(&ctx.acct.id),
            "group-name" => {
                let _ = write!(
                    buf,
                    "{}-{}-sg",
                    APPS[(k as usize + ctx.shared as usize) % APPS.len()],
                    ctx.acct.env
                );
            }
            _ => {
                let _ = write!(
                    buf,
                    "{}-{}",
                    APPS[(k as usize + (ctx.shared >> 5) as usize) % APPS.len()],
                    ctx.acct.env
                );
            }
        }
        buf.push_str("\"}]}}");
        k += 1;
    }
    if !first {
        buf.push(']');
    }
    buf.push('}');
}

fn write_params(buf: &mut String, ctx: &Ctx, op: Op, budget: usize, draws: &mut Rng) {
    let start = buf.len();
    let room = |buf: &String, need: usize| buf.len() - start + need < budget;
    match op {
        DescribeInstances => {
            buf.push_str("{\"instancesSet\":{");
            let mut n = 0u64;
            while room(buf, 260) && n < 6 && (ctx.shared >> 40) & 1 == 1 {
                buf.push_str(if n == 0 { "\"items\":[" } else { "," });
                buf.push_str("{\"instanceId\":\"");
                ctx.push_resource_id(buf, "i-", 2, ctx.instance_n() + n);
                buf.push_str("\"}");
                n += 1;
            }
            if n > 0 {
                buf.push(']');
            }
            buf.push_str("},");
            push_filter_set(
                buf,
                ctx,
                start,
                budget,
                &[
                    "instance-state-name",
                    "tag:Environment",
                    "vpc-id",
                    "tag:Application",
                ],
            );
            buf.push('}');
        }
        DescribeVolumes => {
            buf.push_str("{\"volumeSet\":{},");
            push_filter_set(
                buf,
                ctx,
                start,
                budget.saturating_sub(20),
                &["attachment.instance-id", "tag:Environment"],
            );
            buf.push_str(",\"maxResults\":500}");
        }
        DescribeSnapshots => {
            buf.push_str("{\"snapshotSet\":{},\"ownersSet\":{\"items\":[{\"owner\":\"self\"}]},\"sharedUsersSet\":{},");
            push_filter_set(buf, ctx, start, budget, &["tag:Environment", "status"]);
            buf.push('}');
        }
        DescribeImages => {
            buf.push_str(
                "{\"executableBySet\":{},\"imagesSet\":{},\"ownersSet\":{\"items\":[{\"owner\":\"",
            );
            buf.push_str(if ctx.shared & 1 == 0 {
                "self"
            } else {
                "amazon"
            });
            buf.push_str("\"}]},\"includeDeprecated\":false,");
            push_filter_set(buf, ctx, start, budget, &["architecture", "name", "state"]);
            buf.push('}');
        }
        DescribeSecurityGroups => {
            buf.push_str("{\"securityGroupSet\":{},\"securityGroupIdSet\":{");
            let mut n = 0u64;
            while room(buf, 200) && n < 5 {
                buf.push_str(if n == 0 { "\"items\":[" } else { "," });
                buf.push_str("{\"groupId\":\"");
                ctx.push_resource_id(buf, "sg-", 3, (ctx.shared >> 9) % 30 + n);
                buf.push_str("\"}");
                n += 1;
            }
            if n > 0 {
                buf.push(']');
            }
            buf.push_str("},");
            push_filter_set(buf, ctx, start, budget, &["vpc-id", "group-name"]);
            buf.push('}');
        }
        DescribeVpcs => {
            buf.push_str("{\"vpcSet\":{},");
            push_filter_set(buf, ctx, start, budget, &["tag:Name", "is-default"]);
            buf.push('}');
        }
        DescribeSubnets => {
            buf.push_str("{\"subnetSet\":{},");
            push_filter_set(
                buf,
                ctx,
                start,
                budget,
                &["vpc-id", "availability-zone", "tag:Tier"],
            );
            buf.push('}');
        }
        DescribeNetworkInterfaces => {
            buf.push_str("{\"networkInterfaceIdSet\":{},");
            push_filter_set(
                buf,
                ctx,
                start,
                budget,
                &["vpc-id", "attachment.instance-id"],
            );
            buf.push('}');
        }
        DescribeRouteTables => {
            buf.push_str("{\"routeTableIdSet\":{},");
            push_filter_set(buf, ctx, start, budget, &["vpc-id", "association.main"]);
            buf.push('}');
        }
        DescribeInternetGateways => {
            buf.push_str("{\"internetGatewayIdSet\":{},");
            push_filter_set(buf, ctx, start, budget, &["attachment.vpc-id"]);
            buf.push('}');
        }
        DescribeKeyPairs => {
            buf.push_str("{\"keySet\":{},\"keyPairIdSet\":{},");
            push_filter_set(buf, ctx, start, budget, &["key-name"]);
            buf.push('}');
        }
        ListBuckets => buf.push_str("{\"Host\":\"s3.amazonaws.com\"}"),
        HeadBucket | GetPublicAccessBlock | GetBucketAcl | GetBucketPolicy => {
            buf.push('{');
            match op {
                GetPublicAccessBlock => buf.push_str("\"publicAccessBlock\":\"\","),
                GetBucketAcl => buf.push_str("\"acl\":\"\","),
                GetBucketPolicy => buf.push_str("\"policy\":\"\","),
                _ => {}
            }
            buf.push_str("\"bucketName\":\"");
            buf.push_str(ctx.bucket());
            buf.push_str("\",\"Host\":\"");
            push_host(buf, ctx, op);
            buf.push_str("\"}");
        }
        DescribeDBInstances | DescribeDBClusters | DescribeDBSnapshots => {
            buf.push('{');
            if op == DescribeDBSnapshots {
                buf.push_str(
                    "\"snapshotType\":\"manual\",\"includeShared\":false,\"includePublic\":false,",
                );
            } else if op == DescribeDBClusters {
                buf.push_str("\"includeShared\":false,");
            }
            if room(buf, 160) {
                buf.push_str("\"filters\":[{\"name\":\"engine\",\"values\":[\"aurora-postgresql\",\"postgres\"]}");
                let mut n = 0;
                while room(buf, 110) && n < 4 {
                    let _ = write!(
                        buf,
                        ",{{\"name\":\"db-cluster-id\",\"values\":[\"{}-{}-db-{}\"]}}",
                        APPS[(n + ctx.shared as usize) % APPS.len()],
                        ctx.acct.env,
                        n
                    );
                    n += 1;
                }
                buf.push_str("],");
            }
            buf.push_str("\"maxRecords\":100}");
        }
        ListFunctions => {
            buf.push_str("{\"functionVersion\":\"ALL\",\"maxItems\":50");
            if room(buf, 60) {
                buf.push_str(",\"marker\":\"");
                push_chars(
                    buf,
                    draws,
                    BASE64,
                    44.min(budget.saturating_sub(buf.len() - start + 4)),
                );
                buf.push('"');
            }
            buf.push('}');
        }
        ListTables => {
            if ctx.shared & 1 == 0 {
                buf.push_str("null");
            } else {
                let _ = write!(
                    buf,
                    "{{\"exclusiveStartTableName\":\"{}-{}-sessions\",\"limit\":100}}",
                    APPS[(ctx.shared >> 2) as usize % APPS.len()],
                    ctx.acct.env
                );
            }
        }
        DescribeClusters => buf.push_str("{\"maxRecords\":100}"),
        GetCallerIdentity => buf.push_str("null"),
        ListRoles | ListUsers => {
            buf.push_str("{\"pathPrefix\":\"/\",\"maxItems\":");
            buf.push_str(if ctx.shared & 1 == 0 { "100" } else { "1000" });
            if room(buf, 80) {
                buf.push_str(",\"marker\":\"");
                push_chars(buf, draws, BASE64, 64);
                buf.push('"');
            }
            buf.push('}');
        }
        DescribeLoadBalancers => {
            buf.push_str("{\"pageSize\":400");
            if room(buf, 120) {
                buf.push_str(",\"names\":[");
                let mut n = 0;
                while room(buf, 40) && n < 6 {
                    if n > 0 {
                        buf.push(',');
                    }
                    let _ = write!(
                        buf,
                        "\"{}-{}-alb\"",
                        APPS[(n + ctx.shared as usize) % APPS.len()],
                        ctx.acct.env
                    );
                    n += 1;
                }
                buf.push(']');
            }
            buf.push('}');
        }
        DescribeAutoScalingGroups => {
            buf.push_str("{\"maxRecords\":100");
            if room(buf, 120) {
                buf.push_str(",\"autoScalingGroupNames\":[");
                let mut n = 0;
                while room(buf, 45) && n < 6 {
                    if n > 0 {
                        buf.push(',');
                    }
                    let _ = write!(
                        buf,
                        "\"{}-{}-asg-{}\"",
                        APPS[(n + ctx.shared as usize) % APPS.len()],
                        ctx.acct.env,
                        n
                    );
                    n += 1;
                }
                buf.push(']');
            }
            buf.push('}');
        }
        GetObject | PutObject => {
            buf.push_str("{\"bucketName\":\"");
            buf.push_str(ctx.bucket());
            buf.push_str("\",\"Host\":\"");
            push_host(buf, ctx, op);
            buf.push_str("\",\"key\":\"");
            ctx.push_object_key(buf);
            buf.push('"');
            if op == PutObject {
                buf.push_str(",\"x-amz-server-side-encryption\":\"aws:kms\"");
            }
            buf.push('}');
        }
        AssumeRole => {
            buf.push_str("{\"roleArn\":\"");
            push_assume_target(buf, ctx);
            buf.push_str("\",\"roleSessionName\":\"");
            push_assume_session(buf, ctx);
            buf.push_str("\",\"durationSeconds\":3600}");
        }
        Decrypt | GenerateDataKey => {
            buf.push('{');
            if op == GenerateDataKey {
                buf.push_str("\"keyId\":\"");
                ctx.push_kms_key_arn(buf);
                buf.push_str("\",\"keySpec\":\"AES_256\",");
            }
            buf.push_str("\"encryptionAlgorithm\":\"SYMMETRIC_DEFAULT\",\"encryptionContext\":{");
            if ctx.shared & 2 == 0 {
                buf.push_str("\"aws:s3:arn\":\"arn:aws:s3:::");
                // With S3 Bucket Keys the context is the bucket, not the object.
                buf.push_str(ctx.bucket());
                buf.push('"');
            } else {
                buf.push_str("\"SecretARN\":\"arn:aws:secretsmanager:");
                buf.push_str(ctx.region);
                buf.push(':');
                buf.push_str(&ctx.acct.id);
                buf.push_str(":secret:");
                ctx.push_parameter_name(buf, 7);
                buf.push('-');
                push_chars(buf, draws, BASE62, 6);
                buf.push_str("\",\"SecretVersionId\":\"");
                push_uuid(buf, draws, None);
                buf.push('"');
            }
            buf.push_str("}}");
        }
        GetParameter => {
            buf.push_str("{\"name\":\"");
            ctx.push_parameter_name(buf, ctx.shared >> 11);
            buf.push_str("\",\"withDecryption\":");
            buf.push_str(if ctx.shared & 4 == 0 { "true" } else { "false" });
            buf.push('}');
        }
        GetParameters => {
            buf.push_str("{\"names\":[");
            let mut n = 0;
            while n == 0 || (room(buf, 60) && n < 12) {
                if n > 0 {
                    buf.push(',');
                }
                buf.push('"');
                ctx.push_parameter_name(buf, (ctx.shared >> 11) + n);
                buf.push('"');
                n += 1;
            }
            buf.push_str("],\"withDecryption\":true}");
        }
        GetSecretValue => {
            buf.push_str("{\"secretId\":\"arn:aws:secretsmanager:");
            buf.push_str(ctx.region);
            buf.push(':');
            buf.push_str(&ctx.acct.id);
            buf.push_str(":secret:");
            ctx.push_parameter_name(buf, ctx.shared >> 11);
            buf.push('-');
            push_chars(buf, draws, BASE62, 6);
            buf.push_str("\"}");
        }
        CreateTags => {
            buf.push_str("{\"resourcesSet\":{\"items\":[{\"resourceId\":\"");
            ctx.push_resource_id(buf, "i-", 2, ctx.instance_n());
            buf.push_str("\"}]},\"tagSet\":{\"items\":[");
            const TAGS: [(&str, &str); 8] = [
                ("Name", "web"),
                ("Environment", "env"),
                ("Owner", "platform-team"),
                ("CostCenter", "cc-4102"),
                ("ManagedBy", "terraform"),
                ("Application", "app"),
                ("Backup", "daily"),
                ("DataClassification", "internal"),
            ];
            let mut n = 0;
            while n == 0 || (room(buf, 70) && n < TAGS.len()) {
                if n > 0 {
                    buf.push(',');
                }
                let (k, v) = TAGS[n];
                buf.push_str("{\"key\":\"");
                buf.push_str(k);
                buf.push_str("\",\"value\":\"");
                match v {
                    "env" => buf.push_str(ctx.acct.env),
                    "app" | "web" => buf.push_str(APPS[(ctx.shared >> 6) as usize % APPS.len()]),
                    v => buf.push_str(v),
                }
                buf.push_str("\"}");
                n += 1;
            }
            buf.push_str("]}}");
        }
        RunInstances => {
            buf.push_str("{\"instancesSet\":{\"items\":[{\"imageId\":\"");
            ctx.push_resource_id(buf, "ami-", 4, ctx.shared % 5);
            buf.push_str("\",\"minCount\":1,\"maxCount\":1}]},\"userData\":\"<sensitiveDataRemoved>\",\"instanceType\":\"");
            buf.push_str(
                ["t3.medium", "m6i.large", "c6i.xlarge", "r6g.large"]
                    [(ctx.shared >> 4) as usize % 4],
            );
            buf.push_str(
                "\",\"blockDeviceMapping\":{},\"monitoring\":{\"enabled\":false},\"subnetId\":\"",
            );
            ctx.push_resource_id(buf, "subnet-", 5, ctx.shared % 3);
            buf.push_str("\",\"disableApiTermination\":false,\"disableApiStop\":false,\"clientToken\":\"terraform-");
            push_hex(buf, draws, 26);
            buf.push_str("\",\"iamInstanceProfile\":{\"arn\":\"arn:aws:iam::");
            buf.push_str(&ctx.acct.id);
            let _ = write!(
                buf,
                ":instance-profile/{}-{}-profile\"}}",
                APPS[(ctx.shared >> 6) as usize % APPS.len()],
                ctx.acct.env
            );
            buf.push('}');
        }
        StartInstances | StopInstances => {
            buf.push_str("{\"instancesSet\":{\"items\":[{\"instanceId\":\"");
            ctx.push_resource_id(buf, "i-", 2, ctx.instance_n());
            buf.push_str("\"}]}");
            if op == StopInstances {
                buf.push_str(",\"force\":false");
            }
            buf.push('}');
        }
        ConsoleLogin => buf.push_str("null"),
        DescribeStacks => {
            buf.push_str("{\"stackName\":\"arn:aws:cloudformation:");
            buf.push_str(ctx.region);
            buf.push(':');
            buf.push_str(&ctx.acct.id);
            let _ = write!(
                buf,
                ":stack/{}-{}-stack/",
                APPS[(ctx.shared >> 6) as usize % APPS.len()],
                ctx.acct.env
            );
            push_uuid(buf, draws, None);
            buf.push_str("\"}");
        }
        GetLogEvents => {
            let app = APPS[(ctx.shared >> 6) as usize % APPS.len()];
            let _ = write!(
                buf,
                "{{\"logGroupName\":\"/aws/lambda/{app}-{}-handler\",\"logStreamName\":\"2024/05/06/[$LATEST]",
                ctx.acct.env
            );
            push_hex(buf, draws, 32);
            buf.push_str("\",\"startFromHead\":false");
            if room(buf, 60) {
                let _ = write!(
                    buf,
                    ",\"startTime\":{},\"endTime\":{}",
                    (ctx.t_secs - 3600) * 1000,
                    ctx.t_secs * 1000
                );
            }
            buf.push('}');
        }
        GetRole => {
            let _ = write!(
                buf,
                "{{\"roleName\":\"{}-{}-",
                APPS[(ctx.shared >> 6) as usize % APPS.len()],
                ctx.acct.env
            );
            buf.push_str(if ctx.shared & 1 == 0 {
                "ec2-role\"}"
            } else {
                "lambda-role\"}"
            });
        }
        AuthorizeSecurityGroupIngress => {
            buf.push_str("{\"groupId\":\"");
            ctx.push_resource_id(buf, "sg-", 3, (ctx.shared >> 9) % 30);
            buf.push_str("\",\"ipPermissions\":{\"items\":[");
            let ports = [443u16, 80, 5432, 6379, 8080, 22];
            let mut n = 0;
            while n == 0 || (room(buf, 190) && n < 4) {
                if n > 0 {
                    buf.push(',');
                }
                let p = ports[(n + (ctx.shared >> 14) as usize) % ports.len()];
                let _ = write!(
                    buf,
                    "{{\"ipProtocol\":\"tcp\",\"fromPort\":{p},\"toPort\":{p},\"groups\":{{}},\"ipRanges\":{{\"items\":[{{\"cidrIp\":\"10.{}.0.0/16\",\"description\":\"{} from VPC\"}}]}},\"ipv6Ranges\":{{}},\"prefixListIds\":{{}}}}",
                    n * 16,
                    APPS[(n + ctx.shared as usize) % APPS.len()]
                );
                n += 1;
            }
            buf.push_str("]}}");
        }
        UpdateInstanceInformation => {
            let ip = &ctx.identity.ip;
            buf.push_str("{\"instanceId\":\"");
            push_session_instance(buf, ctx);
            buf.push_str("\",\"agentVersion\":\"3.3.380.0\",\"agentStatus\":\"Active\",\"platformType\":\"Linux\",\"platformName\":\"Amazon Linux\",\"platformVersion\":\"2023\",\"iPAddress\":\"");
            buf.push_str(ip);
            buf.push_str("\",\"computerName\":\"ip-");
            push_kebab_ip(buf, ip);
            buf.push_str(
                ".ec2.internal\",\"agentName\":\"amazon-ssm-agent\",\"availabilityZone\":\"",
            );
            buf.push_str(ctx.region);
            buf.push('a');
            buf.push_str("\",\"sSMConnectionChannel\":\"ssmmessages\"}");
        }
        ListInstanceAssociations => {
            buf.push_str("{\"instanceId\":\"");
            push_session_instance(buf, ctx);
            buf.push_str("\",\"maxResults\":20}");
        }
        GetMetricData => {
            buf.push_str("{\"metricDataQueries\":[");
            const METRICS: [(&str, &str, &str); 5] = [
                ("AWS/EC2", "CPUUtilization", "InstanceId"),
                ("AWS/EC2", "NetworkIn", "InstanceId"),
                ("AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier"),
                ("AWS/Lambda", "Errors", "FunctionName"),
                ("AWS/ApplicationELB", "TargetResponseTime", "LoadBalancer"),
            ];
            let mut n = 0;
            while n == 0 || (room(buf, 250) && n < 5) {
                if n > 0 {
                    buf.push(',');
                }
                let (ns, metric, dim) = METRICS[(n + (ctx.shared >> 7) as usize) % METRICS.len()];
                let _ = write!(buf, "{{\"id\":\"m{n}\",\"metricStat\":{{\"metric\":{{\"namespace\":\"{ns}\",\"metricName\":\"{metric}\",\"dimensions\":[{{\"name\":\"{dim}\",\"value\":\"");
                if dim == "InstanceId" {
                    ctx.push_resource_id(buf, "i-", 2, ctx.instance_n() + n as u64);
                } else {
                    let _ = write!(
                        buf,
                        "{}-{}",
                        APPS[(n + ctx.shared as usize) % APPS.len()],
                        ctx.acct.env
                    );
                }
                buf.push_str("\"}]},\"period\":300,\"stat\":\"Average\"},\"returnData\":true}");
                n += 1;
            }
            buf.push_str("],\"startTime\":\"");
            push_java_date(buf, ctx.t_secs - 10_800);
            buf.push_str("\",\"endTime\":\"");
            push_java_date(buf, ctx.t_secs);
            buf.push_str("\",\"maxDatapoints\":1440}");
        }
    }
}

fn push_kebab_ip(buf: &mut String, ip: &str) {
    for c in ip.chars() {
        buf.push(if c == '.' { '-' } else { c });
    }
}

fn push_session_instance(buf: &mut String, ctx: &Ctx) {
    match ctx.identity.principal_id.split_once(':') {
        Some((_, s)) if s.starts_with("i-") => buf.push_str(s),
        _ => ctx.push_resource_id(buf, "i-", 2, ctx.instance_n()),
    }
}

fn push_assume_target(buf: &mut String, ctx: &Ctx) {
    buf.push_str("arn:aws:iam::");
    buf.push_str(&ctx.acct.id);
    let _ = write!(
        buf,
        ":role/{}-{}-cross-account-reader",
        APPS[(ctx.shared >> 6) as usize % APPS.len()],
        ctx.acct.env
    );
}

fn push_assume_session(buf: &mut String, ctx: &Ctx) {
    if ctx.identity.user {
        buf.push_str(&ctx.identity.name);
    } else {
        buf.push_str("botocore-session-");
        push_u64(buf, (ctx.t_secs - 60) as u64);
    }
}

fn write_response(buf: &mut String, ctx: &Ctx, op: Op) {
    let mut r = Rng(mix(ctx.shared ^ 0x5E5));
    match op {
        ConsoleLogin => buf.push_str("{\"ConsoleLogin\":\"Success\"}"),
        PutObject if ctx.shared & 8 == 0 => {
            buf.push_str("{\"x-amz-server-side-encryption\":\"aws:kms\",\"x-amz-server-side-encryption-bucket-key-enabled\":\"true\",\"x-amz-version-id\":\"");
            push_chars(buf, &mut r, BASE62, 32);
            buf.push_str("\"}");
        }
        AssumeRole => {
            buf.push_str("{\"credentials\":{\"accessKeyId\":\"ASIA");
            push_chars(buf, &mut r, BASE32, 16);
            buf.push_str("\",\"sessionToken\":\"IQoJb3JpZ2luX2VjE");
            push_chars(buf, &mut r, BASE64, 180);
            buf.push_str("\",\"expiration\":\"");
            push_java_date(buf, ctx.t_secs + 3600);
            buf.push_str("\"},\"assumedRoleUser\":{\"assumedRoleId\":\"AROA");
            push_chars(buf, &mut r, BASE32, 17);
            buf.push(':');
            push_assume_session(buf, ctx);
            buf.push_str("\",\"arn\":\"arn:aws:sts::");
            buf.push_str(&ctx.acct.id);
            let _ = write!(
                buf,
                ":assumed-role/{}-{}-cross-account-reader/",
                APPS[(ctx.shared >> 6) as usize % APPS.len()],
                ctx.acct.env
            );
            push_assume_session(buf, ctx);
            buf.push_str("\"}}");
        }
        CreateTags => {
            buf.push_str("{\"requestId\":\"");
            push_uuid(buf, &mut r, None);
            buf.push_str("\",\"_return\":true}");
        }
        AuthorizeSecurityGroupIngress => {
            buf.push_str("{\"requestId\":\"");
            push_uuid(buf, &mut r, None);
            buf.push_str(
                "\",\"_return\":true,\"securityGroupRuleSet\":{\"items\":[{\"groupOwnerId\":\"",
            );
            buf.push_str(&ctx.acct.id);
            buf.push_str("\",\"groupId\":\"");
            ctx.push_resource_id(buf, "sg-", 3, (ctx.shared >> 9) % 30);
            buf.push_str("\",\"securityGroupRuleId\":\"sgr-0");
            push_hex(buf, &mut r, 16);
            let p = [443u16, 80, 5432, 6379, 8080, 22][((ctx.shared >> 14) % 6) as usize];
            let _ = write!(buf, "\",\"isEgress\":false,\"ipProtocol\":\"tcp\",\"fromPort\":{p},\"toPort\":{p},\"cidrIpv4\":\"10.0.0.0/16\"}}]}}}}");
        }
        StartInstances | StopInstances => {
            buf.push_str("{\"requestId\":\"");
            push_uuid(buf, &mut r, None);
            buf.push_str("\",\"instancesSet\":{\"items\":[{\"instanceId\":\"");
            ctx.push_resource_id(buf, "i-", 2, ctx.instance_n());
            if op == StartInstances {
                buf.push_str("\",\"currentState\":{\"code\":0,\"name\":\"pending\"},\"previousState\":{\"code\":80,\"name\":\"stopped\"}}]}}");
            } else {
                buf.push_str("\",\"currentState\":{\"code\":64,\"name\":\"stopping\"},\"previousState\":{\"code\":16,\"name\":\"running\"}}]}}");
            }
        }
        RunInstances => {
            buf.push_str("{\"requestId\":\"");
            push_uuid(buf, &mut r, None);
            buf.push_str("\",\"reservationId\":\"r-0");
            push_hex(buf, &mut r, 16);
            buf.push_str("\",\"ownerId\":\"");
            buf.push_str(&ctx.acct.id);
            buf.push_str("\",\"groupSet\":{},\"instancesSet\":{\"items\":[{\"instanceId\":\"i-0");
            push_hex(buf, &mut r, 16);
            buf.push_str("\",\"imageId\":\"");
            ctx.push_resource_id(buf, "ami-", 4, ctx.shared % 5);
            buf.push_str("\",\"instanceState\":{\"code\":0,\"name\":\"pending\"},\"amiLaunchIndex\":0,\"productCodes\":{},\"instanceType\":\"");
            buf.push_str(
                ["t3.medium", "m6i.large", "c6i.xlarge", "r6g.large"]
                    [(ctx.shared >> 4) as usize % 4],
            );
            let _ = write!(buf, "\",\"launchTime\":{},\"placement\":{{\"availabilityZone\":\"{}a\",\"tenancy\":\"default\"}},\"monitoring\":{{\"state\":\"disabled\"}},\"subnetId\":\"", ctx.t_secs * 1000, ctx.region);
            ctx.push_resource_id(buf, "subnet-", 5, ctx.shared % 3);
            buf.push_str("\",\"vpcId\":\"");
            ctx.push_resource_id(buf, "vpc-", 1, 0);
            let _ = write!(
                buf,
                "\",\"privateIpAddress\":\"10.{}.{}.{}\"}}]}}}}",
                r.range(0, 31),
                r.range(0, 255),
                r.range(4, 250)
            );
        }
        _ => buf.push_str("null"),
    }
}

fn write_resources(buf: &mut String, ctx: &Ctx, op: Op) {
    match op {
        GetObject | PutObject => {
            buf.push_str(",\"resources\":[{\"type\":\"AWS::S3::Object\",\"ARN\":\"arn:aws:s3:::");
            buf.push_str(ctx.bucket());
            buf.push('/');
            ctx.push_object_key(buf);
            buf.push_str("\"},{\"accountId\":\"");
            buf.push_str(&ctx.acct.id);
            buf.push_str("\",\"type\":\"AWS::S3::Bucket\",\"ARN\":\"arn:aws:s3:::");
            buf.push_str(ctx.bucket());
            buf.push_str("\"}]");
        }
        HeadBucket | GetPublicAccessBlock | GetBucketAcl | GetBucketPolicy => {
            buf.push_str(",\"resources\":[{\"accountId\":\"");
            buf.push_str(&ctx.acct.id);
            buf.push_str("\",\"type\":\"AWS::S3::Bucket\",\"ARN\":\"arn:aws:s3:::");
            buf.push_str(ctx.bucket());
            buf.push_str("\"}]");
        }
        Decrypt | GenerateDataKey => {
            buf.push_str(",\"resources\":[{\"accountId\":\"");
            buf.push_str(&ctx.acct.id);
            buf.push_str("\",\"type\":\"AWS::KMS::Key\",\"ARN\":\"");
            ctx.push_kms_key_arn(buf);
            buf.push_str("\"}]");
        }
        AssumeRole if !ctx.denied => {
            buf.push_str(",\"resources\":[{\"accountId\":\"");
            buf.push_str(&ctx.acct.id);
            buf.push_str("\",\"type\":\"AWS::IAM::Role\",\"ARN\":\"");
            push_assume_target(buf, ctx);
            buf.push_str("\"}]");
        }
        GetParameter => {
            buf.push_str(",\"resources\":[{\"accountId\":\"");
            buf.push_str(&ctx.acct.id);
            buf.push_str("\",\"ARN\":\"arn:aws:ssm:");
            buf.push_str(ctx.region);
            buf.push(':');
            buf.push_str(&ctx.acct.id);
            buf.push_str(":parameter");
            ctx.push_parameter_name(buf, ctx.shared >> 11);
            buf.push_str("\"}]");
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::collections::{BTreeMap, BTreeSet, HashSet};
    use std::rc::Rc;

    fn small() -> CorpusSpec {
        CorpusSpec {
            events: 20_000,
            identities: 200,
            enumerators: 5,
            seed: 7,
            ..CorpusSpec::default()
        }
    }

    fn jsonl(spec: &CorpusSpec) -> Vec<u8> {
        let mut out = Vec::new();
        let n = write_cloudtrail_jsonl(spec, &mut out).unwrap();
        assert_eq!(n as usize, out.len());
        out
    }

    fn parse(line: &str) -> serde_json::Value {
        serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"))
    }

    #[test]
    fn same_spec_same_bytes() {
        let a = jsonl(&small());
        let b = jsonl(&small());
        assert!(a == b);
        let c = jsonl(&CorpusSpec { seed: 8, ..small() });
        assert!(a != c);
    }

    #[test]
    fn every_line_is_a_cloudtrail_record() {
        let spec = small();
        let out = String::from_utf8(jsonl(&spec)).unwrap();
        let mut count = 0u64;
        let mut ids = HashSet::new();
        let mut last_time = String::new();
        let mut sizes = Vec::new();
        for line in out.lines() {
            let v = parse(line);
            count += 1;
            sizes.push(line.len());
            assert!(
                v["eventName"].as_str().is_some_and(|s| !s.is_empty()),
                "{line}"
            );
            let t = v["eventTime"].as_str().unwrap().to_string();
            assert!(t.starts_with("2024-05-06T") && t.ends_with('Z'), "{t}");
            // Same format length except for the optional milliseconds; compare as instants.
            let key = |s: &str| {
                let (base, ms) = s
                    .trim_end_matches('Z')
                    .split_once('.')
                    .unwrap_or((s.trim_end_matches('Z'), "0"));
                (base.to_string(), ms.parse::<u32>().unwrap())
            };
            if !last_time.is_empty() {
                assert!(key(&last_time) <= key(&t), "{last_time} then {t}");
            }
            last_time = t;
            assert_eq!(v["eventVersion"], "1.08");
            assert!(
                ids.insert(v["eventID"].as_str().unwrap().to_string()),
                "duplicate eventID"
            );
            assert_eq!(v["eventID"].as_str().unwrap().len(), 36);
            let ui = &v["userIdentity"];
            assert!(ui["arn"]
                .as_str()
                .is_some_and(|s| s.starts_with("arn:aws:")));
            assert_eq!(ui["accountId"], v["recipientAccountId"]);
            match ui["type"].as_str().unwrap() {
                "IAMUser" => assert!(ui["userName"].is_string()),
                "AssumedRole" => assert_eq!(ui["sessionContext"]["sessionIssuer"]["type"], "Role"),
                other => panic!("type {other}"),
            }
            assert!(v["eventSource"]
                .as_str()
                .unwrap()
                .ends_with(".amazonaws.com"));
            assert!(v["awsRegion"].is_string() && v["sourceIPAddress"].is_string());
            assert!(v["userAgent"].is_string() && v["requestID"].is_string());
            assert!(v["readOnly"].is_boolean() && v["managementEvent"].is_boolean());
            assert!(v.get("requestParameters").is_some() && v.get("responseElements").is_some());
            assert!(matches!(
                v["eventType"].as_str(),
                Some("AwsApiCall" | "AwsConsoleSignIn")
            ));
            assert!(matches!(
                v["eventCategory"].as_str(),
                Some("Management" | "Data")
            ));
        }
        assert_eq!(count, spec.events);
        let mean = sizes.iter().sum::<usize>() / sizes.len();
        assert!((1250..=1450).contains(&mean), "mean record size {mean}");
        let min = *sizes.iter().min().unwrap();
        let max = *sizes.iter().max().unwrap();
        assert!(min >= 800 && max <= 2600, "record sizes {min}..{max}");
        let near = sizes
            .iter()
            .filter(|&&s| (1000..=1800).contains(&s))
            .count();
        assert!(
            near * 100 >= sizes.len() * 85,
            "{near} of {} near target",
            sizes.len()
        );
    }

    #[test]
    fn identities_accounts_regions_and_discovery_share() {
        let spec = CorpusSpec {
            events: 100_000,
            ..CorpusSpec::default()
        };
        let out = String::from_utf8(jsonl(&spec)).unwrap();
        let discovery: BTreeSet<&str> = DISCOVERY.iter().map(|o| o.info().name).collect();
        let mut arns = BTreeSet::new();
        let mut accounts = BTreeSet::new();
        let mut regions = BTreeSet::new();
        let mut disc = 0u64;
        let mut writes = 0u64;
        // (arn, account, 15-minute bin) -> (count, distinct names)
        let mut bins: BTreeMap<(String, String, i64), (u64, BTreeSet<String>)> = BTreeMap::new();
        let t0 = spec.start_epoch_secs;
        // Full parsing is covered above; string look-ups keep this test fast in debug builds.
        // The first "arn" and "accountId" are userIdentity's.
        fn field<'a>(line: &'a str, key: &str) -> &'a str {
            let pat = format!("\"{key}\":\"");
            let at = line.find(&pat).unwrap_or_else(|| panic!("{key}: {line}")) + pat.len();
            &line[at..at + line[at..].find('"').unwrap()]
        }
        for line in out.lines() {
            let arn = field(line, "arn").to_string();
            arns.insert(arn.clone());
            accounts.insert(field(line, "recipientAccountId").to_string());
            regions.insert(field(line, "awsRegion").to_string());
            if line.contains("\"readOnly\":false") {
                writes += 1;
            }
            let name = field(line, "eventName");
            if discovery.contains(name) {
                disc += 1;
                let t = field(line, "eventTime");
                let h: i64 = t[11..13].parse().unwrap();
                let m: i64 = t[14..16].parse().unwrap();
                let day: i64 = t[8..10].parse().unwrap();
                let secs = (day - 6) * 86_400 + h * 3600 + m * 60;
                let acct = field(line, "accountId").to_string();
                let e = bins.entry((arn, acct, (t0 + secs) / 900)).or_default();
                e.0 += 1;
                e.1.insert(name.to_string());
            }
        }
        assert!(
            arns.len() > 900 && arns.len() <= 1000,
            "{} identities",
            arns.len()
        );
        assert_eq!(accounts.len(), 3);
        assert_eq!(regions.len(), 6);
        assert!(writes * 10 > spec.events, "too few write calls: {writes}");
        let share = disc as f64 / spec.events as f64;
        assert!((0.01..=0.03).contains(&share), "discovery share {share}");
        let alerting: BTreeSet<&String> = bins
            .iter()
            .filter(|(_, (n, d))| *n >= 10 || d.len() >= 5)
            .map(|((a, _, _), _)| a)
            .collect();
        // Only enumerators reach the seed thresholds (a short burst split by a bin edge may not).
        assert!(
            alerting.len() * 2 >= spec.enumerators as usize
                && alerting.len() <= spec.enumerators as usize,
            "{alerting:?}"
        );
    }

    #[test]
    fn delivery_files_are_records_objects() {
        let spec = CorpusSpec {
            events: 2_500,
            identities: 50,
            enumerators: 2,
            seed: 3,
            ..CorpusSpec::default()
        };
        type Files = Vec<(String, Rc<RefCell<Vec<u8>>>)>;
        let files: Rc<RefCell<Files>> = Rc::default();
        struct Sink(Rc<RefCell<Vec<u8>>>);
        impl io::Write for Sink {
            fn write(&mut self, b: &[u8]) -> io::Result<usize> {
                self.0.borrow_mut().extend_from_slice(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let f2 = files.clone();
        let mut new_file = move |name: &str| -> io::Result<Box<dyn io::Write>> {
            let data = Rc::new(RefCell::new(Vec::new()));
            f2.borrow_mut().push((name.to_string(), data.clone()));
            Ok(Box::new(Sink(data)))
        };
        let total = write_cloudtrail_delivery(&spec, 1000, &mut new_file).unwrap();
        let files = files.borrow();
        assert_eq!(files.len(), 3);
        let mut names = BTreeSet::new();
        let mut bytes = 0;
        let mut lines = Vec::new();
        for (name, data) in files.iter() {
            assert!(
                name.ends_with(".json") && name.contains("_CloudTrail_") && !name.contains('/'),
                "{name}"
            );
            assert!(names.insert(name.clone()));
            let data = data.borrow();
            bytes += data.len();
            let v: serde_json::Value = serde_json::from_slice(&data).unwrap();
            let recs = v["Records"].as_array().unwrap();
            assert!(recs.len() <= 1000);
            for r in recs {
                assert!(r["eventName"].is_string() && r["eventTime"].is_string());
                lines.push(r.clone());
            }
        }
        assert_eq!(bytes as u64, total);
        assert_eq!(lines.len(), 2_500);
        // The same records as the JSON-lines form.
        let jl = String::from_utf8(jsonl(&spec)).unwrap();
        for (a, b) in jl.lines().zip(&lines) {
            assert_eq!(&parse(a), b);
        }
    }

    #[test]
    fn edge_specs() {
        assert!(jsonl(&CorpusSpec {
            events: 0,
            ..small()
        })
        .is_empty());
        let one = jsonl(&CorpusSpec {
            events: 1,
            identities: 1,
            enumerators: 5,
            ..small()
        });
        assert_eq!(one.iter().filter(|&&b| b == b'\n').count(), 1);
        let out = jsonl(&CorpusSpec {
            events: 500,
            identities: 3,
            enumerators: 0,
            ..small()
        });
        assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 500);
    }

    #[test]
    fn time_helpers() {
        let mut s = String::new();
        push_rfc3339_secs(&mut s, DEFAULT_START + 10 * 3600 + 3 * 60 + 12);
        assert_eq!(s, "2024-05-06T10:03:12");
        s.clear();
        push_java_date(&mut s, DEFAULT_START + 11 * 3600 + 3 * 60 + 12);
        assert_eq!(s, "May 6, 2024, 11:03:12 AM");
        s.clear();
        push_rfc3339_secs(&mut s, 951_782_400); // 2000-02-29
        assert_eq!(s, "2000-02-29T00:00:00");
    }
}
