//! `responseElements` and `resources`.

use super::context::{push_assume_session, push_assume_target, Ctx};
use super::ops::Op::{self, *};
use crate::population::APPS;
use crate::rng::{mix, push_chars, push_hex, push_uuid, Rng, BASE32, BASE62, BASE64};
use crate::time::push_java_date;
use std::fmt::Write as _;

pub(crate) fn write_response(buf: &mut String, ctx: &Ctx, op: Op) {
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

pub(crate) fn write_resources(buf: &mut String, ctx: &Ctx, op: Op) {
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
