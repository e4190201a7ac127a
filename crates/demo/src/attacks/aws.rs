//! AWS: the leaked access key story, S3 bucket guessing, and the benign Terraform plan and
//! Wiz scan (with the routine that gives the leaked key's owner its quiet history).

use super::plan::{uuid, Planted, DAY_MS, INTRUDER_IP, MIN_MS};
use crate::cloudtrail::demo::AwsEstate;
use crate::cloudtrail::planted::{push_api_call, ApiCall, Caller};
use crate::rng::Rng;
use crate::s3_access::{push_request, Request};

/// The IAM user whose long-term key leaks: a reporting export job that only ever uploads.
const LEAKED_USER: &str = "svc-reporting-export";
const LEAKED_KEY: &str = "AKIA5NWDEMOREPORTS01";
const LEAKED_PRINCIPAL: &str = "AIDA5NWDEMOREPORTS0001";
/// Where the job runs (a private subnet: no novelty is ever judged on it).
const JOB_IP: &str = "10.2.31.14";
const JOB_UA: &str = "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#5.10.215-203.850.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.84";
/// The intruder's client: the AWS CLI on Kali (offensive tooling in the user agent).
const INTRUDER_UA: &str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.6.9-amd64 exe/x86_64.kali.2024 prompt/off command/sts.get-caller-identity";
/// The user the intruder creates: `*admin*` is a high-privilege pattern of the demo config.
const BACKDOOR_USER: &str = "backup-admin";
const BACKDOOR_KEY: &str = "AKIA5NWDEMOBACKDOOR1";
/// A region the company does not use (not in `[organisation] regions`).
const UNUSED_REGION: &str = "ap-southeast-3";

/// The Wiz scanner's role and its egress address (inside `automation_cidrs`).
const WIZ_ROLE: &str = "WizAccess-Role";
const WIZ_IP: &str = "4.175.90.21";
const WIZ_UA: &str =
    "aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.156.0";

/// (event source, name) of the seed list's discovery calls used by the planted bursts.
const DISCOVERY: [(&str, &str, bool); 14] = [
    ("iam.amazonaws.com", "ListUsers", true),
    ("iam.amazonaws.com", "ListRoles", true),
    ("s3.amazonaws.com", "ListBuckets", true),
    ("ec2.amazonaws.com", "DescribeInstances", false),
    ("ec2.amazonaws.com", "DescribeVpcs", false),
    ("ec2.amazonaws.com", "DescribeSecurityGroups", false),
    ("lambda.amazonaws.com", "ListFunctions", false),
    ("rds.amazonaws.com", "DescribeDBInstances", false),
    ("ec2.amazonaws.com", "DescribeSubnets", false),
    ("dynamodb.amazonaws.com", "ListTables", false),
    ("ec2.amazonaws.com", "DescribeSnapshots", false),
    ("ec2.amazonaws.com", "DescribeKeyPairs", false),
    (
        "elasticloadbalancing.amazonaws.com",
        "DescribeLoadBalancers",
        false,
    ),
    ("ec2.amazonaws.com", "DescribeVolumes", false),
];

struct Call<'a> {
    ms: i64,
    source: &'a str,
    name: &'a str,
    region: &'a str,
    request: &'a str,
    response: &'a str,
    read_only: bool,
    data_event: bool,
}

fn plant(p: &mut Planted, ids: &mut Rng, caller: &Caller, ip: &str, ua: &str, c: Call) {
    let id = uuid(ids);
    let mut buf = String::with_capacity(1024);
    push_api_call(
        &mut buf,
        &ApiCall {
            ms: c.ms,
            caller,
            source: c.source,
            name: c.name,
            region: c.region,
            ip,
            user_agent: ua,
            request: c.request,
            response: c.response,
            read_only: c.read_only,
            data_event: c.data_event,
            event_id: &id,
        },
    );
    p.cloudtrail.push((c.ms, buf));
}

fn leaked_caller<'a>(account: &'a str, arn: &'a str) -> Caller<'a> {
    Caller {
        kind: "IAMUser",
        arn,
        principal_id: LEAKED_PRINCIPAL,
        account,
        access_key: LEAKED_KEY,
        name_or_role: LEAKED_USER,
    }
}

/// Routine that the story needs: the export job uploads its report every night at 01:00
/// (its only calls: it never lists or describes anything, so post-auth-enumeration's 30
/// quiet days hold), and the Wiz scanner reviews the estate every morning at 06:00 (a
/// discovery burst every day, from its automation network: suppressed by the catalogue).
pub(crate) fn routine(p: &mut Planted, ids: &mut Rng, start_ms: i64, days: i64, aws: &AwsEstate) {
    let prod = &aws.accounts[0];
    let arn = format!("arn:aws:iam::{}:user/{LEAKED_USER}", prod.id);
    let caller = leaked_caller(&prod.id, &arn);
    let bucket = &prod.buckets[6]; // reports
    let wiz_role_arn = format!("arn:aws:iam::{}:role/{WIZ_ROLE}", prod.id);
    for d in 0..days {
        let day = start_ms + d * DAY_MS;
        for k in 0..3 {
            let request = format!(
                "{{\"bucketName\":\"{bucket}\",\"Host\":\"{bucket}.s3.eu-west-1.amazonaws.com\",\"key\":\"daily/report-{d:03}-{k}.csv\"}}"
            );
            plant(
                p,
                ids,
                &caller,
                JOB_IP,
                JOB_UA,
                Call {
                    ms: day + 60 * MIN_MS + k * 7_000,
                    source: "s3.amazonaws.com",
                    name: "PutObject",
                    region: "eu-west-1",
                    request: &request,
                    response: "null",
                    read_only: false,
                    data_event: true,
                },
            );
        }
        // The Wiz scan: 26 calls over 13 distinct seed-list names in 6 minutes (crosses
        // cloud-discovery-burst's DiscoveryCount >= 10 and DistinctAPIs >= 5, and the
        // sliding rule's), every day; suppressed as Wiz (role name + automation network).
        let session = format!("WizScanner-{}", 170_000 + d);
        let wiz_arn = format!("arn:aws:sts::{}:assumed-role/{WIZ_ROLE}/{session}", prod.id);
        let principal = format!("AROA5NWDEMOWIZSCAN01:{session}");
        let key = format!("ASIA5NWDEMOWIZ{:06}", d);
        let wiz = Caller {
            kind: "AssumedRole",
            arn: &wiz_arn,
            principal_id: &principal,
            account: &prod.id,
            access_key: &key,
            name_or_role: &wiz_role_arn,
        };
        for k in 0..26i64 {
            let (source, name, global) = DISCOVERY[(k % 13) as usize];
            let region = if global {
                "us-east-1"
            } else {
                aws.regions[(k % 3) as usize]
            };
            plant(
                p,
                ids,
                &wiz,
                WIZ_IP,
                WIZ_UA,
                Call {
                    ms: day + 6 * 60 * MIN_MS + k * 13_000,
                    source,
                    name,
                    region,
                    request: "null",
                    response: "null",
                    read_only: true,
                    data_event: false,
                },
            );
        }
    }
}

/// The leaked key, used by the intruder at 02:01 on the attack day (04:01 in London, outside
/// working hours), every step within an hour of the previous one (one incident).
pub(crate) fn leaked_key(p: &mut Planted, ids: &mut Rng, day: i64, aws: &AwsEstate) {
    let prod = &aws.accounts[0];
    let arn = format!("arn:aws:iam::{}:user/{LEAKED_USER}", prod.id);
    let caller = leaked_caller(&prod.id, &arn);
    let t0 = day + 2 * 60 * MIN_MS + MIN_MS;
    let ua = INTRUDER_UA;
    // 1. GetCallerIdentity from a new address: new-source-signin (first use of the AKIA key
    //    from 203.0.113.0/24) and first-seen-api (GetCallerIdentity from a new IP).
    plant(
        p,
        ids,
        &caller,
        INTRUDER_IP,
        ua,
        Call {
            ms: t0,
            source: "sts.amazonaws.com",
            name: "GetCallerIdentity",
            region: "us-east-1",
            request: "null",
            response: "null",
            read_only: true,
            data_event: false,
        },
    );
    // 2. Discovery: 7 distinct List/Describe calls within 90 s (post-auth-enumeration: more
    //    than 5 distinct within 2 minutes, none in the 30 days before), then 17 more up to
    //    02:13 — 25 calls over 14 distinct seed-list names in the 02:00–02:15 bin:
    //    cloud-discovery-burst RiskScore 70 (distinct >= 7, count >= 20) and the sliding rule.
    for k in 0..24i64 {
        let (source, name, global) = DISCOVERY[(k % 14) as usize];
        let ms = if k < 7 {
            t0 + 20_000 + k * 10_000
        } else {
            t0 + 2 * MIN_MS + (k - 7) * 35_000
        };
        let region = if global {
            "us-east-1"
        } else if k % 2 == 0 {
            "eu-west-1"
        } else {
            "us-east-1"
        };
        plant(
            p,
            ids,
            &caller,
            INTRUDER_IP,
            ua,
            Call {
                ms,
                source,
                name,
                region,
                request: "null",
                response: "null",
                read_only: true,
                data_event: false,
            },
        );
    }
    // 3. Persistence: a new user with an access key — access-key-created, escalated three
    //    times (high-privilege target `*admin*`, outside working hours, 60 minutes after the
    //    actor's new-source-signin): critical.
    let t1 = t0 + 16 * MIN_MS;
    let req_user = format!("{{\"userName\":\"{BACKDOOR_USER}\"}}");
    let resp_user = format!(
        "{{\"user\":{{\"path\":\"/\",\"userName\":\"{BACKDOOR_USER}\",\"userId\":\"AIDA5NWDEMOBACKDOOR01\",\"arn\":\"arn:aws:iam::{}:user/{BACKDOOR_USER}\",\"createDate\":\"May 16, 2024, 2:17:01 AM\"}}}}",
        prod.id
    );
    plant(
        p,
        ids,
        &caller,
        INTRUDER_IP,
        ua,
        Call {
            ms: t1,
            source: "iam.amazonaws.com",
            name: "CreateUser",
            region: "us-east-1",
            request: &req_user,
            response: &resp_user,
            read_only: false,
            data_event: false,
        },
    );
    let resp_key = format!(
        "{{\"accessKey\":{{\"userName\":\"{BACKDOOR_USER}\",\"accessKeyId\":\"{BACKDOOR_KEY}\",\"status\":\"Active\",\"createDate\":\"May 16, 2024, 2:17:31 AM\"}}}}"
    );
    plant(
        p,
        ids,
        &caller,
        INTRUDER_IP,
        ua,
        Call {
            ms: t1 + 30_000,
            source: "iam.amazonaws.com",
            name: "CreateAccessKey",
            region: "us-east-1",
            request: &req_user,
            response: &resp_key,
            read_only: false,
            data_event: false,
        },
    );
    // 4. A region nobody uses: unused-region-activity (ap-southeast-3 is outside
    //    `[organisation] regions`).
    let t2 = t0 + 21 * MIN_MS;
    plant(p, ids, &caller, INTRUDER_IP, ua, Call {
        ms: t2,
        source: "ec2.amazonaws.com",
        name: "ImportKeyPair",
        region: UNUSED_REGION,
        request: "{\"keyName\":\"ops-recovery\",\"publicKeyMaterial\":\"<sensitiveDataRemoved>\"}",
        response: "{\"requestId\":\"0e3f8a52-6c1b-4a8e-9f0d-2b7c4e5a6d81\",\"keyFingerprint\":\"1f:51:ae:28:bf:89:e9:d8:1f:25:5d:37:2d:7d:b8:ca\",\"keyName\":\"ops-recovery\",\"keyPairId\":\"key-0a1b2c3d4e5f60718\"}",
        read_only: false,
        data_event: false,
    });
    plant(p, ids, &caller, INTRUDER_IP, ua, Call {
        ms: t2 + 40_000,
        source: "ec2.amazonaws.com",
        name: "RunInstances",
        region: UNUSED_REGION,
        request: "{\"instancesSet\":{\"items\":[{\"imageId\":\"ami-0c4f7023847b90238\",\"minCount\":4,\"maxCount\":4,\"keyName\":\"ops-recovery\"}]},\"instanceType\":\"c6i.8xlarge\"}",
        response: "null",
        read_only: false,
        data_event: false,
    });
    // 5. Collection: object reads from outside the internal networks —
    //    external-object-read (one alert per identity, source IP and bucket per hour).
    let lake = &prod.buckets[0];
    for k in 0..5i64 {
        let request = format!(
            "{{\"bucketName\":\"{lake}\",\"Host\":\"{lake}.s3.eu-west-1.amazonaws.com\",\"key\":\"customers/export-2024-05-{:02}.parquet\"}}",
            k + 1
        );
        plant(
            p,
            ids,
            &caller,
            INTRUDER_IP,
            ua,
            Call {
                ms: t0 + 31 * MIN_MS + k * 20_000,
                source: "s3.amazonaws.com",
                name: "GetObject",
                region: "eu-west-1",
                request: &request,
                response: "null",
                read_only: true,
                data_event: true,
            },
        );
    }
}

/// Before using the key, the intruder guesses the company's bucket names (01:21–01:40): 14
/// listing requests answered 404 NoSuchBucket or 403 AccessDenied for `northwind`-prefixed
/// names from one address — bucket-enumeration (more than 10 within an hour). The address is
/// the one the key is used from 21 minutes later, so the alert joins that incident.
pub(crate) fn bucket_guessing(p: &mut Planted, ids: &mut Rng, day: i64, aws: &AwsEstate) {
    let guesses = [
        "northwind-backup",
        "northwind-backups",
        "northwind-prod",
        "northwind-dev",
        "northwind-logs",
        "northwind-data",
        "northwind-terraform",
        "northwind-assets",
        "northwind-staging",
        "northwind-internal",
        "northwind-exports",
        "northwind-db-dumps",
    ];
    let real = [
        aws.accounts[0].buckets[0].as_str(),
        aws.accounts[0].buckets[2].as_str(),
    ];
    let t0 = day + 60 * MIN_MS + 21 * MIN_MS;
    let all: Vec<(&str, u16, &str)> = guesses
        .iter()
        .map(|&b| (b, 404, "NoSuchBucket"))
        .chain(real.iter().map(|&b| (b, 403, "AccessDenied")))
        .collect();
    for (k, (bucket, status, error)) in all.into_iter().enumerate() {
        let ms = t0 + k as i64 * 80_000;
        let mut buf = String::with_capacity(512);
        push_request(
            &mut buf,
            &Request {
                ms,
                bucket,
                ip: INTRUDER_IP,
                requester: "-",
                operation: "REST.GET.BUCKET",
                key: "",
                request_uri: "GET /?list-type=2&prefix=&encoding-type=url HTTP/1.1",
                status,
                error,
                user_agent: "python-requests/2.31.0",
                region: "eu-west-1",
            },
            ids,
        );
        p.s3.push((ms, buf));
    }
}

/// The CI pipeline's `terraform plan` refreshes the whole estate at 14:00: 52 calls over 14
/// distinct seed-list names in 8 minutes from the deploy role — cloud-discovery-burst
/// (RiskScore 90: distinct >= 10, count >= 50) and the sliding rule; suppressed as Terraform
/// (role name, Terraform's user agent, and the CI runner network all agree).
pub(crate) fn terraform_plan(p: &mut Planted, ids: &mut Rng, day: i64, aws: &AwsEstate) {
    let Some(tf) = &aws.terraform else { return };
    let account = &aws.accounts[tf.account].id;
    let caller = Caller {
        kind: "AssumedRole",
        arn: &tf.arn,
        principal_id: &tf.principal_id,
        account,
        access_key: "ASIA5NWDEMOTFPLAN001",
        name_or_role: &tf.role_arn,
    };
    let t0 = day + 14 * 60 * MIN_MS;
    for k in 0..52i64 {
        let (source, name, global) = DISCOVERY[(k % 14) as usize];
        let region = if global {
            "us-east-1"
        } else {
            aws.regions[(k % 2) as usize]
        };
        plant(
            p,
            ids,
            &caller,
            &tf.ip,
            &tf.user_agent,
            Call {
                ms: t0 + k * 9_000,
                source,
                name,
                region,
                request: "null",
                response: "null",
                read_only: true,
                data_event: false,
            },
        );
    }
}
