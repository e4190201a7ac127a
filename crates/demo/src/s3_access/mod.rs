//! S3 server access log lines, hourly files named as S3 delivers them
//! (`s3-access-logs/<bucket>/YYYY-mm-dd-HH-MM-SS-<16 hex>`). Background: applications
//! reading and writing objects from inside the VPC, and the odd missing key.

use crate::rng::{push_hex, push_u64, Rng};
use crate::time::push_clf_time;

/// One request.
pub(crate) struct Request<'a> {
    pub(crate) ms: i64,
    pub(crate) bucket: &'a str,
    pub(crate) ip: &'a str,
    /// Requester ARN, or `-` when anonymous.
    pub(crate) requester: &'a str,
    /// `REST.GET.OBJECT`, `REST.GET.BUCKET`, ...
    pub(crate) operation: &'a str,
    pub(crate) key: &'a str,
    pub(crate) request_uri: &'a str,
    pub(crate) status: u16,
    pub(crate) error: &'a str,
    pub(crate) user_agent: &'a str,
    pub(crate) region: &'a str,
}

const OWNER: &str = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be";

pub(crate) fn push_request(buf: &mut String, r: &Request, rng: &mut Rng) {
    buf.push_str(OWNER);
    buf.push(' ');
    buf.push_str(r.bucket);
    buf.push_str(" [");
    push_clf_time(buf, r.ms.div_euclid(1000));
    buf.push_str("] ");
    buf.push_str(r.ip);
    buf.push(' ');
    buf.push_str(r.requester);
    buf.push(' ');
    let mut id = String::with_capacity(16);
    push_hex(&mut id, rng, 16);
    buf.push_str(&id.to_ascii_uppercase());
    buf.push(' ');
    buf.push_str(r.operation);
    buf.push(' ');
    buf.push_str(if r.key.is_empty() { "-" } else { r.key });
    buf.push_str(" \"");
    buf.push_str(r.request_uri);
    buf.push_str("\" ");
    push_u64(buf, r.status.into());
    buf.push(' ');
    buf.push_str(if r.error.is_empty() { "-" } else { r.error });
    buf.push(' ');
    push_u64(buf, rng.range(200, 90_000));
    buf.push(' ');
    if r.status == 200 && r.operation == "REST.GET.OBJECT" {
        push_u64(buf, rng.range(1_000, 9_000_000));
    } else {
        buf.push('-');
    }
    buf.push(' ');
    push_u64(buf, rng.range(5, 120));
    buf.push_str(" - \"-\" \"");
    buf.push_str(r.user_agent);
    buf.push_str("\" - ");
    push_hex(buf, rng, 32);
    buf.push_str("= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader ");
    buf.push_str(r.bucket);
    buf.push_str(".s3.");
    buf.push_str(r.region);
    buf.push_str(".amazonaws.com TLSv1.2 - -");
}

/// A background request to one of `buckets` by one of `roles` (ARNs) from inside the VPC.
pub(crate) fn background(
    buf: &mut String,
    rng: &mut Rng,
    buckets: &[String],
    roles: &[String],
    ms: i64,
) {
    let bucket = &buckets[rng.index(buckets.len())];
    let role = &roles[rng.index(roles.len())];
    let ip = format!(
        "10.{}.{}.{}",
        rng.range(0, 31),
        rng.range(0, 255),
        rng.range(4, 250)
    );
    let mut key = String::with_capacity(48);
    key.push_str(rng.pick(&["exports/", "uploads/", "reports/", "raw/"]));
    push_hex(&mut key, rng, 12);
    key.push_str(".json");
    let (operation, method, status, error) = match rng.below(100) {
        0..=54 => ("REST.GET.OBJECT", "GET", 200, ""),
        55..=84 => ("REST.PUT.OBJECT", "PUT", 200, ""),
        85..=95 => ("REST.HEAD.OBJECT", "HEAD", 200, ""),
        96..=97 => ("REST.GET.OBJECT", "GET", 404, "NoSuchKey"),
        _ => ("REST.GET.BUCKET", "GET", 200, ""),
    };
    let uri = if operation == "REST.GET.BUCKET" {
        "GET /?list-type=2&prefix=exports%2F&encoding-type=url HTTP/1.1".to_string()
    } else {
        format!("{method} /{key} HTTP/1.1")
    };
    push_request(
        buf,
        &Request {
            ms,
            bucket,
            ip: &ip,
            requester: role,
            operation,
            key: if operation == "REST.GET.BUCKET" { "" } else { &key },
            request_uri: &uri,
            status,
            error,
            user_agent: "aws-sdk-java/2.25.11 Linux/5.10.215-203.850.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
            region: "eu-west-1",
        },
        rng,
    );
}
