//! Who calls AWS, and how: each persona's everyday calls, the discovery names it uses now and
//! then, and how busy it is.

use super::ops::Op::{self, *};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Persona {
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

pub(crate) const PERSONAS: [Persona; 8] = [
    Persona::Developer,
    Persona::ConsoleUser,
    Persona::Admin,
    Persona::Terraform,
    Persona::AppInstance,
    Persona::SsmAgent,
    Persona::Lambda,
    Persona::Etl,
];
pub(crate) const PERSONA_WEIGHTS: [u32; 8] = [34, 12, 6, 4, 15, 11, 10, 8];

pub(crate) struct Habits {
    pub(crate) ops: &'static [(Op, u32)],
    /// Discovery names this kind of identity uses now and then (each identity gets up to 2).
    pub(crate) discovery: &'static [Op],
    /// Per mille of identities of this persona that use any.
    pub(crate) discovery_share: u64,
    /// Activity multiplier.
    pub(crate) activity: u64,
}

pub(crate) fn habits(p: Persona) -> &'static Habits {
    static DEVELOPER: Habits = Habits {
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
    static CONSOLE: Habits = Habits {
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
    static ADMIN: Habits = Habits {
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
    static TERRAFORM: Habits = Habits {
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
    static APP: Habits = Habits {
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
    static SSM: Habits = Habits {
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
    static LAMBDA: Habits = Habits {
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
    static ETL: Habits = Habits {
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
