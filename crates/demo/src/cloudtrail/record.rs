//! One CloudTrail record as text: the head (identity, time, source, agent, error), then the
//! tail written before the parameters so that `requestParameters` can fill the record to its
//! size target.

use super::bursts::Attackers;
use super::context::{push_host, Ctx};
use super::identity::{Account, Identity, REGIONS};
use super::ops::{
    Category,
    Op::{self, *},
};
use super::params::write_params;
use super::personas::Persona;
use super::realism::Realism;
use super::response::{write_resources, write_response};
use super::sessions::{push_session_key, session_address, session_start};
use super::user_agents::BROWSER_UA;
use crate::rng::{mix, push_chars, push_hex, push_u64, push_uuid, Rng, BASE64, UPPER_ALNUM};
use crate::time::push_rfc3339_secs;
use std::fmt::Write as _;

/// Everyone who appears in the corpus: the accounts, their identities and the attackers.
pub(crate) struct Cast {
    pub(crate) accounts: Vec<Account>,
    pub(crate) identities: Vec<Identity>,
    pub(crate) attackers: Attackers,
}

/// What one record is about, before it is written.
pub(crate) struct Call {
    pub(crate) identity: usize,
    pub(crate) op: Op,
    pub(crate) region: usize,
    pub(crate) t_ms: i64,
    /// Index into attackers (bursts) or None for the identity's own address and agent.
    pub(crate) attacker_ip: Option<usize>,
    pub(crate) attacker_ua: Option<usize>,
    pub(crate) denied: bool,
}

/// Writes records; holds what is reused from one record to the next (scratch buffers, the
/// text of the current second).
pub(crate) struct RecordWriter {
    seed: u64,
    realism: Realism,
    key_text: String,
    time_cache_sec: i64,
    time_cache_ms: bool,
    time_cache: String,
    tail: String,
    time_text: String,
}

impl RecordWriter {
    pub(crate) fn new(seed: u64, realism: Realism) -> RecordWriter {
        RecordWriter {
            seed,
            realism,
            key_text: String::with_capacity(20),
            time_cache_sec: i64::MIN,
            time_cache_ms: false,
            time_cache: String::new(),
            tail: String::with_capacity(4096),
            time_text: String::with_capacity(32),
        }
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

    /// Appends the record of `call` (no separator) to `buf`. `rng` is the generator's
    /// per-record stream; `seq` the record's index in the corpus (its event id).
    pub(crate) fn write(
        &mut self,
        buf: &mut String,
        rng: &mut Rng,
        cast: &Cast,
        call: &Call,
        seq: u64,
    ) {
        let record_start = buf.len();
        let mut tail = std::mem::take(&mut self.tail);
        tail.clear();
        // Per-record draws shared by parameters, response and resources.
        let shared = rng.next();
        let target = 920 + rng.below(220) as usize;
        let tls13 = rng.chance(700);
        let mut time = std::mem::take(&mut self.time_text);
        time.clear();
        self.push_event_time(&mut time, call.t_ms);

        let id = &cast.identities[call.identity];
        let acct = &cast.accounts[id.account];
        let info = call.op.info();
        let region = REGIONS[call.region];
        let op = call.op;
        let t_secs = call.t_ms.div_euclid(1000);

        // Who is really on the wire: a service acting for the identity, "AWS Internal"
        // (console S3 views), or the caller itself.
        let burst = call.attacker_ip.is_some();
        let mut invoked_by: Option<&str> = None;
        if !burst {
            let r = rng.below(1000);
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
        let session_start = session_start(&self.realism, id, t_secs);
        let source_ip: &str = match (call.attacker_ip, invoked_by) {
            (Some(i), _) => &cast.attackers.ips[i],
            (None, Some(svc)) => svc,
            (None, None) => session_address(id, call.identity, session_start, self.seed),
        };

        // --- head ---
        buf.push_str("{\"eventVersion\":\"1.08\",\"userIdentity\":");
        let mut key = std::mem::take(&mut self.key_text);
        key.clear();
        push_session_key(
            &mut key,
            id,
            call.identity,
            session_start,
            &self.realism,
            self.seed,
        );
        push_user_identity(buf, id, acct, &key, op, session_start, invoked_by);
        self.key_text = key;
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
                Some(i) => (cast.attackers.uas[i].0.as_str(), cast.attackers.uas[i].1),
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

        self.tail = tail;
        self.time_text = time;
    }
}

pub(crate) fn push_kebab(buf: &mut String, name: &str) {
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

pub(crate) fn push_user_identity(
    buf: &mut String,
    id: &Identity,
    acct: &Account,
    access_key: &str,
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
            buf.push_str(access_key);
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
        buf.push_str(access_key);
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

pub(crate) fn push_error(buf: &mut String, id: &Identity, op: Op, draws: &mut Rng) {
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

pub(crate) fn push_s3_additional(buf: &mut String, draws: &mut Rng, op: Op) {
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
