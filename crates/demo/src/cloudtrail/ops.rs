//! The API calls the corpus makes: names, services, read-only or not, where they are logged.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Op {
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
pub(crate) const DISCOVERY: [Op; 27] = [
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
pub(crate) enum Category {
    Management,
    /// S3 object-level calls: `managementEvent` false, `eventCategory` "Data".
    Data,
    /// `ConsoleLogin`: `eventType` "AwsConsoleSignIn".
    SignIn,
}

pub(crate) struct OpInfo {
    pub(crate) name: &'static str,
    /// Service prefix of `eventSource` (`ec2` → `ec2.amazonaws.com`).
    pub(crate) service: &'static str,
    /// Service name in aws-cli's `command/` user-agent token.
    pub(crate) cli: &'static str,
    pub(crate) read_only: bool,
    /// Logged in us-east-1 whatever the caller's region.
    pub(crate) global: bool,
    pub(crate) category: Category,
}

pub(crate) const fn op(
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

pub(crate) const M: Category = Category::Management;

/// Indexed by `Op as usize`.
pub(crate) static OPS: [OpInfo; 47] = [
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
    pub(crate) fn info(self) -> &'static OpInfo {
        &OPS[self as usize]
    }
    pub(crate) fn is_s3(self) -> bool {
        self.info().service == "s3"
    }
}
impl OpInfo {
    /// The IAM action prefix (`elasticloadbalancing`, `cloudwatch`, ...).
    pub(crate) fn cli_iam_prefix(&self) -> &'static str {
        match self.service {
            "monitoring" => "cloudwatch",
            s => s,
        }
    }
}
