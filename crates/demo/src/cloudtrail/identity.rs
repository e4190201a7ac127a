//! The AWS estate: regions, the three accounts with their buckets, and every identity (IAM
//! users and assumed-role sessions) with its key, home region, address and user agent.

use super::ops::Op::{self, *};
use super::personas::{habits, Persona, PERSONAS, PERSONA_WEIGHTS};
use super::realism::Realism;
use super::user_agents::{boto_ua, cli_ua, java_ua, terraform_ua};
use crate::network::{private_ip, public_ip, AWS_PREFIXES, CI_PREFIXES, ISP_PREFIXES};
use crate::population::{gen_human_name, APPS, COMPANY, ENVS};
use crate::rng::{mix, push_chars, push_hex, push_hex_u64, Rng, BASE32};

pub(crate) const REGIONS: [&str; 6] = [
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-2",
    "ap-northeast-1",
];
pub(crate) const REGION_WEIGHTS: [u32; 6] = [40, 20, 15, 12, 7, 6];
pub(crate) const US_EAST_1: usize = 0;

pub(crate) const BUCKET_PURPOSES: [&str; 8] = [
    "data-lake",
    "app-assets",
    "backups",
    "access-logs",
    "terraform-state",
    "ml-artifacts",
    "reports",
    "uploads",
];
pub(crate) struct Account {
    pub(crate) id: String,
    pub(crate) env: &'static str,
    pub(crate) buckets: Vec<String>,
    pub(crate) vpce: String,
}

pub(crate) struct Identity {
    pub(crate) persona: Persona,
    pub(crate) account: usize,
    pub(crate) user: bool,
    /// IAM user name, or role name.
    pub(crate) name: String,
    pub(crate) principal_id: String,
    pub(crate) arn: String,
    pub(crate) role_arn: String,
    pub(crate) access_key: String,
    pub(crate) region: usize,
    /// First source address (the one enumerators' stolen keys are also used from).
    pub(crate) ip: String,
    /// More addresses, each in a /24 of its own (realistic profile only).
    pub(crate) more_ips: Vec<String>,
    pub(crate) private_ip: bool,
    pub(crate) user_agent: String,
    /// aws-cli: append ` command/<service>.<operation>` per call.
    pub(crate) cli: bool,
    pub(crate) console: bool,
    pub(crate) mfa: bool,
    pub(crate) instance_role: bool,
    /// Offset of the hourly session rotation, seconds.
    pub(crate) session_phase: i64,
    pub(crate) weight: u64,
    pub(crate) discovery: [Op; 2],
    pub(crate) discovery_len: usize,
    pub(crate) discovery_bin: i64,
    pub(crate) discovery_count: u8,
}

pub(crate) fn build_accounts(rng: &mut Rng) -> Vec<Account> {
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

pub(crate) fn build_identity(
    i: usize,
    rng: &mut Rng,
    accounts: &[Account],
    office: &[String],
    realism: &Realism,
) -> Identity {
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

    let prof = habits(persona);
    let mut discovery = [GetCallerIdentity; 2];
    let mut discovery_len = 0;
    let share = if realism.everyone_discovers {
        1000
    } else {
        prof.discovery_share
    };
    if rng.chance(share) {
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
    let weight = prof.activity * 1_000_000 / (rank + realism.zipf_offset);

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
        more_ips: Vec::new(),
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
