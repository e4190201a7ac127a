//! `requestParameters`, sized so each record lands near its size target.

use super::context::{
    push_assume_session, push_assume_target, push_host, push_kebab_ip, push_session_instance, Ctx,
};
use super::ops::Op::{self, *};
use crate::population::APPS;
use crate::rng::{push_chars, push_hex, push_uuid, Rng, BASE62, BASE64};
use crate::time::push_java_date;
use std::fmt::Write as _;

/// `{"items":[{"name":..,"valueSet":{"items":[{"value":..}]}}]}` growing until `budget` bytes
/// of the whole parameters object are used.
pub(crate) fn push_filter_set(
    buf: &mut String,
    ctx: &Ctx,
    start: usize,
    budget: usize,
    filters: &[&str],
) {
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

pub(crate) fn write_params(buf: &mut String, ctx: &Ctx, op: Op, budget: usize, draws: &mut Rng) {
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
